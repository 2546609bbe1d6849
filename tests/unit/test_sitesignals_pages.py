"""imagespider.sitesignals.pages: one fetch per page however many images wait on it, the request it
makes (own slot, size cap), and every failure as evidence of nothing. Scrapy's engine is replaced
by a stand-in that answers download_async; everything of ours is real."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from scrapy import Request
from scrapy.exceptions import DownloadCancelledError, IgnoreRequest
from scrapy.http import HtmlResponse, Response, TextResponse
from scrapy.settings import Settings
from scrapy.utils.test import get_crawler

from imagespider.commands.settings_check import check_settings
from imagespider.errors import ArgumentError
from imagespider.rights.page import PageIndex
from imagespider.sitesignals.cache import SiteCache
from imagespider.sitesignals.pages import PageConfig, PageFailure, SourcePages
from tests.settings import project_settings, project_values

PAGE = "https://blog.example.org/post.html"
HTML = (
    b'<html><body><figure><img src="/a.jpg"><figcaption><a rel="license" '
    b'href="https://creativecommons.org/licenses/by/4.0/">CC BY 4.0</a></figcaption></figure></body></html>'
)


class Engine:
    def __init__(self, answer: Any, delay: float = 0.05) -> None:
        self.answer = answer
        self.delay = delay
        self.requests: list[Request] = []

    async def download_async(self, request: Request) -> Response:
        self.requests.append(request)
        await asyncio.sleep(self.delay)
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer(request)


def pages_with(engine: Engine, **settings: Any) -> SourcePages:
    crawler = get_crawler(settings_dict=project_values(settings))
    crawler.engine = engine  # type: ignore[assignment]
    crawler.stats.open_spider()
    return SourcePages(crawler)


def html(request: Request) -> Response:
    return HtmlResponse(request.url, body=HTML, headers={"Content-Type": "text/html; charset=utf-8"})


def test_concurrent_waiters_share_one_fetch() -> None:
    engine = Engine(html)
    pages = pages_with(engine)

    async def run() -> list[PageIndex | PageFailure]:
        return await asyncio.gather(*(pages.index(PAGE) for _ in range(5)), pages.index(PAGE + "#frag"))

    results = asyncio.run(run())
    assert len(engine.requests) == 1
    assert all(isinstance(r, PageIndex) for r in results)
    index = results[0]
    assert isinstance(index, PageIndex)
    assert index.evidence_for("https://blog.example.org/a.jpg").license.id == "cc-by"
    stats = pages.crawler.stats.get_stats()
    assert stats["imagespider/pages/fetched"] == 1 and stats["imagespider/pages/shared"] == 5


def test_the_request_has_its_own_slot_and_size_cap() -> None:
    engine = Engine(html)
    pages = pages_with(engine, PAGE_MAXSIZE=12345)
    asyncio.run(pages.index(PAGE))
    meta = engine.requests[0].meta
    assert meta["download_slot"] == "page:blog.example.org"
    assert meta["download_maxsize"] == 12345
    assert "playwright" not in meta and not meta.get("dont_obey_robotstxt")


@pytest.mark.parametrize(
    ("answer", "kind"),
    [
        (lambda r: HtmlResponse(r.url, status=404, body=b"gone"), "http_error"),
        (lambda r: Response(r.url, body=b"\xff\xd8", headers={"Content-Type": "image/jpeg"}), "not_html"),
        (lambda r: TextResponse(r.url, body=b"{}", headers={"Content-Type": "application/json"}), "not_html"),
        (IgnoreRequest("Forbidden by robots.txt"), "refused"),
        (DownloadCancelledError("cancelled"), "too_large"),
        (ConnectionRefusedError("refused"), "unreachable"),
        (TimeoutError("took too long"), "unreachable"),
    ],
)
def test_a_page_that_cannot_be_had_is_a_failure_not_an_error(answer: Any, kind: str) -> None:
    pages = pages_with(Engine(answer))
    result = asyncio.run(pages.index(PAGE))
    assert isinstance(result, PageFailure)
    assert result.kind == kind and result.detail


def test_a_page_that_breaks_the_reader_is_a_failure_too(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: Any) -> PageIndex:
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr("imagespider.sitesignals.pages.index_page", broken)
    result = asyncio.run(pages_with(Engine(html)).index(PAGE))
    assert isinstance(result, PageFailure) and result.kind == "unreadable"
    assert result.detail.startswith("RecursionError")


def test_non_http_page_urls_are_not_requested() -> None:
    engine = Engine(html)
    result = asyncio.run(pages_with(engine).index("ftp://example.org/x.html"))
    assert isinstance(result, PageFailure) and result.kind == "refused"
    assert engine.requests == []


def test_config_from_settings() -> None:
    assert PageConfig.from_settings(project_settings()) == PageConfig(True, 2 * 1024 * 1024, "imagespider")
    config = PageConfig.from_settings(project_settings({"PAGE_EVIDENCE": "False", "BOT_NAME": "imagespider"}))
    assert not config.enabled and config.user_agent_token == "imagespider"
    with pytest.raises(ArgumentError, match="PAGE_MAXSIZE must be at least 1"):
        check_settings(Settings({"PAGE_MAXSIZE": "0"}))
    with pytest.raises(ArgumentError, match="PAGE_EVIDENCE must be True or False"):
        check_settings(Settings({"PAGE_EVIDENCE": "perhaps"}))


def test_the_page_cache_is_bounded_by_what_its_pages_hold() -> None:
    """Pages of many images weigh more than a count of pages says: the cache forgets the oldest
    past the site-signal cache's weight (SiteSignalsConfig.cache_weight)."""
    gallery = b"<html><body>" + b"".join(b"<img src='/g%d.jpg'>" % i for i in range(100)) + b"</body></html>"

    def big(request: Request) -> Response:
        return HtmlResponse(request.url, body=gallery, headers={"Content-Type": "text/html"})

    engine = Engine(big, delay=0)
    pages = pages_with(engine)
    pages.signals.cache = SiteCache(max_hosts=pages.signals.config.cache_hosts, max_weight=350)

    async def run() -> None:
        for i in range(10):
            await pages.index(f"https://blog.example.org/{i}.html")
            await asyncio.sleep(0)  # the done callback weighs the page

    asyncio.run(run())
    cache = pages.signals.cache
    assert len(cache) == 3 and cache.weight <= 350
    assert [key for _, key in cache.keys("blog.example.org")] == [f"https://blog.example.org/{i}.html" for i in (7, 8, 9)]
