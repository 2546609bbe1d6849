"""Secrets added to a request at download time, never before: an API key in a query string.

Flickr wants its key in the URL. Put there by the spider, it would be written wherever a request
is: JOBDIR's request queue on disk (pickled, mode 0644), retried and redirected copies, URLs
in errors and in rejected.jsonl. Instead the spider marks the request
(``meta[API_KEY_META] = (query parameter, setting name)``) and this middleware, the last before
the download handler, adds ``param=<key>`` to the URL it sends, then takes it out again of the
request and of the response (or the error) on the way back, before retry, redirect or any callback
sees them. So no request that can be serialised, and no URL the spider sees, ever holds the key.

The key is read once, from the setting or the environment variable of the same name
(imagespider/engines/__init__.py names each engine's secret settings).

OAuth2 bearer tokens (Openverse's registered use) travel the same way: the spider registers a
token provider with :func:`register_bearer` and marks its requests with ``meta[BEARER_META] =
<provider name>``; the ``Authorization: Bearer`` header is added here at download time and taken
off the request again on the way back, so no queued or retried request holds the token.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from typing import Any, Self
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.http import Response

from imagespider.scrapy_compat import set_url_in_place

#: Request meta: ``(query parameter, setting name)``, e.g. ``("api_key", "FLICKR_API_KEY")``.
API_KEY_META = "imagespider_api_key"
#: Request meta: the URL as the spider made it, while the key is in the sent one.
_CLEAN_URL_META = "_imagespider_clean_url"
#: Request meta: the name of a bearer-token provider (see :func:`register_bearer`).
BEARER_META = "imagespider_bearer"
#: The fingerprint (:func:`token_fingerprint`) of the bearer token a request was sent with: the
#: spider tells a refusal of the current token from one of a token already renewed.
BEARER_SENT_META = "imagespider_bearer_sent"
_BEARER_ADDED_META = "_imagespider_bearer_added"
_PROVIDERS_ATTRIBUTE = "_imagespider_bearer_providers"


def register_bearer(crawler: Crawler, name: str, provider: Callable[[], str]) -> None:
    """Make ``provider`` (returning the current token, "" for none) the source of the bearer
    token of requests whose ``meta[BEARER_META]`` is ``name``."""
    providers: dict[str, Callable[[], str]] = crawler.__dict__.setdefault(_PROVIDERS_ATTRIBUTE, {})
    providers[name] = provider


def token_fingerprint(token: str) -> str:
    """A token's short SHA-256: which token was sent, in request meta, without the token itself."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def secret_value(settings: Any, name: str, environ: dict[str, str] | None = None) -> str:
    """A secret setting's value: the setting, else the environment variable of the same name."""
    environ = dict(os.environ) if environ is None else environ
    return str(settings.get(name) or "").strip() or environ.get(name, "").strip()


def with_param(url: str, name: str, value: str) -> str:
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != name] + [(name, value)]
    return urlunsplit(parts._replace(query=urlencode(query)))


class ApiKeyMiddleware:
    """Adds a marked request's API key to its URL just before download (see module doc)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.settings = crawler.settings
        self._keys: dict[str, str] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def _key(self, setting: str) -> str:
        if setting not in self._keys:
            self._keys[setting] = secret_value(self.settings, setting)
        return self._keys[setting]

    def process_request(self, request: Request) -> None:
        self._add_bearer(request)
        marked = request.meta.get(API_KEY_META)
        if not marked:
            return
        param, setting = marked
        key = self._key(setting)
        if not key:
            return  # the spider reports a missing key itself
        request.meta[_CLEAN_URL_META] = request.url
        set_url_in_place(request, with_param(request.url, param, key))  # in place: never rescheduled

    def _add_bearer(self, request: Request) -> None:
        name = request.meta.get(BEARER_META)
        provider = self.crawler.__dict__.get(_PROVIDERS_ATTRIBUTE, {}).get(name) if name else None
        token = provider() if provider is not None else ""
        if token:
            request.headers["Authorization"] = f"Bearer {token}"
            request.meta[_BEARER_ADDED_META] = True
            request.meta[BEARER_SENT_META] = token_fingerprint(token)

    def process_response(self, request: Request, response: Response) -> Response:
        clean = self._restore(request)
        return response if clean is None else response.replace(url=clean)

    def process_exception(self, request: Request, exception: BaseException) -> None:
        self._restore(request)

    @staticmethod
    def _restore(request: Request) -> str | None:
        if request.meta.pop(_BEARER_ADDED_META, False):
            request.headers.pop("Authorization", None)
        clean = request.meta.pop(_CLEAN_URL_META, None)
        if clean is not None:
            set_url_in_place(request, clean)
        return clean
