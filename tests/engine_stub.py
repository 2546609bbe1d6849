"""A stand-in for Scrapy's engine in unit tests of components that download through it
(``crawler.engine.download_async``): it answers from a dict of URL -> (status, body[, headers]) and records
each request, so the component's own logic runs in-process, without a reactor or a network."""

from __future__ import annotations

from scrapy import Request
from scrapy.http import Response, TextResponse


class EngineStub:
    def __init__(self, answers: dict[str, tuple[int, bytes] | tuple[int, bytes, dict[str, str]] | Exception]) -> None:
        self.answers = answers
        self.requests: list[Request] = []

    async def download_async(self, request: Request) -> Response:
        self.requests.append(request)
        answer = self.answers.get(request.url, (404, b""))
        if isinstance(answer, Exception):
            raise answer
        status, body, headers = answer if len(answer) == 3 else (*answer, {})  # type: ignore[misc]
        return TextResponse(request.url, status=status, body=body, headers=headers, request=request, encoding="utf-8")
