"""imagespider/sitesignals/robots.py: every host's robots.txt asked once through the engine however many
callers wait on it, read with the crawl's parser; what it says about our agent and about the named
AI-training crawlers; a robots.txt download stops at its cap. Real robots.txt: the ai.robots.txt
community blocklist from tests/fixtures/robots/."""

from __future__ import annotations

import asyncio
import tarfile
from pathlib import Path

from scrapy import Request, signals
from scrapy.exceptions import StopDownload
from scrapy.utils.test import get_crawler

from imagespider.sitesignals.robots import MAX_BODY_META, ROBOTS_MAX_BYTES, RobotsCache, body_cap, cap_bodies
from tests.engine_stub import EngineStub

ARCHIVE = Path(__file__).parents[1] / "fixtures" / "robots" / "robots_2026-01.tar.xz"


def blocklist() -> bytes:
    """ai.robots.txt's robots.txt: 166 AI crawlers (imageSpider among them) disallowed from /."""
    with tarfile.open(ARCHIVE) as tar:
        member = next(m for m in tar.getmembers() if m.name.endswith("ai-robots-txt__robots.txt"))
        return tar.extractfile(member).read()  # type: ignore[union-attr]


def cache_for(answers: dict, user_agent: str = "friendlybot") -> tuple[RobotsCache, EngineStub]:
    crawler = get_crawler(settings_dict={
        "ROBOTSTXT_USER_AGENT": user_agent, "ROBOTSTXT_PARSER": "imagespider.sitesignals.robotparser.AiAwareRobotParser",
    })
    crawler.stats.open_spider()  # type: ignore[union-attr, call-arg]
    engine = EngineStub(answers)
    crawler.engine = engine  # type: ignore[assignment]
    return RobotsCache.of(crawler), engine


def test_one_cache_per_crawl() -> None:
    crawler = get_crawler()
    assert RobotsCache.of(crawler) is RobotsCache.of(crawler)
    assert RobotsCache.of(get_crawler()) is not RobotsCache.of(crawler)


def test_a_hosts_robots_txt_is_asked_once_however_many_wait_and_obeyed() -> None:
    robots = b"User-agent: *\nDisallow: /private/\n"
    cache, engine = cache_for({"https://site.example/robots.txt": (200, robots)})
    urls = ("https://site.example/private/page.html", "https://site.example/public/page.html",
            "https://site.example/private/other.html")

    async def ask() -> list[bool]:
        return list(await asyncio.gather(*(cache.allowed(url) for url in urls)))

    assert asyncio.run(ask()) == [False, True, False]
    assert [r.url for r in engine.requests] == ["https://site.example/robots.txt"]
    meta = engine.requests[0].meta
    assert meta["dont_obey_robotstxt"] and meta["dont_retry"]
    assert body_cap(engine.requests[0]) == ROBOTS_MAX_BYTES


def test_a_missing_or_unreachable_robots_txt_allows_everything() -> None:
    cache, engine = cache_for({
        "https://gone.example/robots.txt": (404, b"User-agent: *\nDisallow: /\n"),
        "https://down.example/robots.txt": ConnectionRefusedError("refused"),
    })

    async def ask() -> list[bool]:
        return [await cache.allowed("https://gone.example/a"), await cache.allowed("https://down.example/a"),
                await cache.allowed("ftp://files.example/a")]

    assert asyncio.run(ask()) == [True, True, True]
    assert len(engine.requests) == 2  # nothing asked for a scheme without robots.txt
    stats = cache.crawler.stats.get_stats()  # type: ignore[union-attr]
    assert stats["robotstxt/exception_count/ConnectionRefusedError"] == 1
    assert stats["robotstxt/response_status_count/404"] == 1


def test_the_real_blocklist_bars_named_ai_crawlers_and_lets_others_through() -> None:
    cache, _ = cache_for({"https://news.example/robots.txt": (200, blocklist())})

    async def ask() -> tuple[str | None, str | None, bool, str | None]:
        return (
            await cache.barring_ai_agent("https://news.example/story.html", ["GPTBot", "CCBot"]),
            await cache.barring_ai_agent("https://news.example/story.html", ["NotACrawlerWeKnow"]),
            await cache.allowed("https://news.example/story.html"),  # friendlybot is not listed
            await cache.barring_ai_agent("https://news.example/story.html", []),
        )

    barred, unlisted, allowed, no_agents = asyncio.run(ask())
    assert barred == "GPTBot"
    assert unlisted is None and allowed is True and no_agents is None


def test_body_cap_for_meta_and_for_robots_txt_fetched_for_the_rules() -> None:
    assert body_cap(Request("https://a.example/x.html", meta={MAX_BODY_META: 10})) == 10
    assert body_cap(Request("https://a.example/robots.txt", meta={"dont_obey_robotstxt": True})) == ROBOTS_MAX_BYTES
    assert body_cap(Request("https://a.example/robots.txt")) is None  # an ordinary request for the file
    assert body_cap(Request("https://a.example/x.jpg")) is None


def test_the_download_stops_once_the_cap_is_reached_and_keeps_what_arrived() -> None:
    crawler = get_crawler()
    cap_bodies(crawler)
    cap_bodies(crawler)  # connected once however many components ask
    request = Request("https://a.example/page.html", meta={MAX_BODY_META: 10})

    def receive(data: bytes) -> list[StopDownload]:
        results = crawler.signals.send_catch_log(signals.bytes_received, data=data, request=request, spider=None)
        return [r.value for _, r in results if isinstance(getattr(r, "value", None), StopDownload)]

    assert receive(b"12345") == []
    (stop,) = receive(b"67890")
    assert stop.fail is False  # what arrived is kept
    assert len(receive(b"x")) == 1  # past the cap it stays stopped
