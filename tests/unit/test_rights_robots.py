"""imagespider/rights/robots.py: a source page's robots.txt, asked once per origin through the
engine, read with Protego; what it says about our agent and about the named AI-training crawlers.
Real robots.txt: the ai.robots.txt community blocklist from tests/fixtures/robots/."""

from __future__ import annotations

import asyncio
import tarfile
from pathlib import Path

from scrapy.utils.test import get_crawler

from imagespider.downloadermiddlewares.robotstxt import MAX_BODY_META, ROBOTS_MAX_BYTES
from imagespider.rights.robots import RobotsCache
from tests.engine_stub import EngineStub

ARCHIVE = Path(__file__).parents[1] / "fixtures" / "robots" / "robots_2026-01.tar.xz"


def blocklist() -> bytes:
    """ai.robots.txt's robots.txt: 166 AI crawlers (imageSpider among them) disallowed from /."""
    with tarfile.open(ARCHIVE) as tar:
        member = next(m for m in tar.getmembers() if m.name.endswith("ai-robots-txt__robots.txt"))
        return tar.extractfile(member).read()  # type: ignore[union-attr]


def cache_for(answers: dict, user_agent: str = "friendlybot") -> tuple[RobotsCache, EngineStub]:
    crawler = get_crawler(settings_dict={"ROBOTSTXT_USER_AGENT": user_agent})
    engine = EngineStub(answers)
    crawler.engine = engine  # type: ignore[assignment]
    return RobotsCache(crawler), engine


def test_the_page_hosts_robots_txt_is_asked_once_and_obeyed() -> None:
    robots = b"User-agent: *\nDisallow: /private/\n"
    cache, engine = cache_for({"https://site.example/robots.txt": (200, robots)})

    async def ask() -> list[bool]:
        return [await cache.allowed(url) for url in (
            "https://site.example/private/page.html", "https://site.example/public/page.html",
            "https://site.example/private/other.html",
        )]

    assert asyncio.run(ask()) == [False, True, False]
    assert [r.url for r in engine.requests] == ["https://site.example/robots.txt"]
    meta = engine.requests[0].meta
    assert meta["dont_obey_robotstxt"] and meta["dont_retry"] and meta[MAX_BODY_META] == ROBOTS_MAX_BYTES


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
