"""imagespider/sitesignals/fetch.py: robots.txt, site files and source pages of a crawl live in
one cache under their host, so one bound holds them all and forgetting a host forgets all it
held; every kind counts its shared answers the same way; a site file's request carries the
config's bounds. Scrapy's engine is the stand-in of tests/engine_stub.py."""

from __future__ import annotations

import asyncio

from scrapy.utils.test import get_crawler

from imagespider.sitesignals.cache import SiteCache
from imagespider.sitesignals.fetch import SITE_FILE_META, SiteSignals, host_of, origin_of
from imagespider.sitesignals.pages import SourcePages
from imagespider.sitesignals.robots import RobotsCache
from imagespider.sitesignals.sitefiles import WELL_KNOWN_PATH, AiTxtCache, TdmRepCache
from tests.engine_stub import EngineStub
from tests.settings import project_values

TDMREP = b'[{"location": "/", "tdm-reservation": 1}]'
PAGE = b"<html><body><img src='/a.jpg'></body></html>"


def crawl(answers: dict) -> tuple[EngineStub, SiteSignals]:
    crawler = get_crawler(settings_dict=project_values({"TDMREP_MAXSIZE": 1024}))
    crawler.stats.open_spider()  # type: ignore[union-attr, call-arg]
    engine = EngineStub(answers)
    crawler.engine = engine  # type: ignore[assignment]
    return engine, SiteSignals.of(crawler)


def test_one_instance_per_crawl() -> None:
    crawler = get_crawler()
    assert SiteSignals.of(crawler) is SiteSignals.of(crawler)
    assert SiteSignals.of(get_crawler()) is not SiteSignals.of(crawler)


def test_robots_site_files_and_pages_of_a_host_share_one_cache_and_one_bound() -> None:
    engine, signals = crawl({
        "https://a.example/robots.txt": (200, b"User-agent: *\nDisallow: /private/\n"),
        "https://a.example" + WELL_KNOWN_PATH: (200, TDMREP),
        "https://a.example/post.html": (200, PAGE, {"Content-Type": "text/html"}),
        "https://b.example/robots.txt": (200, b"User-agent: *\nAllow: /\n"),
    })  # fmt: skip
    crawler = signals.crawler
    robots, tdmrep, pages = RobotsCache.of(crawler), TdmRepCache(crawler), SourcePages(crawler)
    signals.cache = SiteCache(max_hosts=1, max_weight=signals.config.cache_weight)

    async def run() -> list[object]:
        return [
            await robots.allowed("https://a.example/private/x.jpg"),
            await tdmrep.reservation("https://a.example/x.jpg"),
            await pages.index("https://a.example/post.html"),
            await robots.allowed("https://b.example/x.jpg"),  # one host at most: a.example goes
            await robots.allowed("https://a.example/private/x.jpg"),
        ]

    allowed_a, reserved, _, allowed_b, allowed_again = asyncio.run(run())
    assert (allowed_a, reserved is not None, allowed_b, allowed_again) == (False, True, True, False)
    assert [r.url for r in engine.requests] == [
        "https://a.example/robots.txt", "https://a.example/.well-known/tdmrep.json",
        "https://a.example/post.html", "https://b.example/robots.txt", "https://a.example/robots.txt",
    ]  # fmt: skip
    assert signals.cache.hosts() == ["a.example"]


def test_every_kind_counts_found_missing_and_shared_in_one_scheme() -> None:
    _, signals = crawl({
        "https://a.example/robots.txt": (200, b"User-agent: *\nAllow: /\n"),
        "https://a.example" + WELL_KNOWN_PATH: (200, TDMREP),
    })  # fmt: skip
    crawler = signals.crawler
    robots, tdmrep, ai_txt = RobotsCache.of(crawler), TdmRepCache(crawler), AiTxtCache(crawler)

    async def run() -> None:
        for _ in range(3):
            await robots.allowed("https://a.example/x.jpg")
            await tdmrep.reservation("https://a.example/x.jpg")
            await ai_txt.disallowing("https://a.example/x.jpg")

    asyncio.run(run())
    stats = crawler.stats.get_stats()  # type: ignore[union-attr]
    counted = {k: v for k, v in stats.items() if k.startswith("imagespider/")}
    assert counted == {
        "imagespider/robotstxt/found": 1, "imagespider/robotstxt/shared": 2,
        "imagespider/tdmrep/found": 1, "imagespider/tdmrep/shared": 2,
        "imagespider/ai_txt/missing": 1, "imagespider/ai_txt/shared": 2,
        "imagespider/content_signal/missing": 1, "imagespider/content_usage/missing": 1,  # the robots.txt read
    }  # fmt: skip
    assert stats["robotstxt/request_count"] == 1  # Scrapy's own robots.txt stats are kept


def test_a_waiter_cancelled_does_not_cancel_the_fetch_others_wait_on() -> None:
    engine, signals = crawl({"https://a.example" + WELL_KNOWN_PATH: (200, TDMREP)})
    tdmrep = TdmRepCache(signals.crawler)

    async def run() -> object:
        first = asyncio.ensure_future(tdmrep.reservation("https://a.example/x.jpg"))
        second = asyncio.ensure_future(tdmrep.reservation("https://a.example/y.jpg"))
        await asyncio.sleep(0)
        first.cancel()
        return await second

    assert asyncio.run(run()) is not None
    assert len(engine.requests) == 1


def test_a_site_files_request_carries_the_configs_bounds() -> None:
    _, signals = crawl({})
    request = signals.site_file_request("https://a.example/ai.txt", 777)
    meta = request.meta
    assert (meta["download_maxsize"], meta["download_timeout"], meta["download_warnsize"]) == (777, 10.0, 0)
    assert meta["dont_obey_robotstxt"] and meta[SITE_FILE_META] and meta["dont_retry"] and request.dont_filter


def test_host_and_origin_of_hostile_urls() -> None:
    assert host_of("https://A.example:8443/x") == "A.example:8443"
    assert host_of("http://[::1/x") == "" and origin_of("http://[::1/x") is None
    assert origin_of("https://a.example:99999/x") is None and origin_of("data:image/png;base64,AA") is None
    assert origin_of("https://a.example/x?y") == "https://a.example"


def test_robots_txt_is_kept_under_the_host_scrapy_requests() -> None:
    """An IDN host is asked as Scrapy writes it (punycode), and kept under that name."""
    engine, signals = crawl({"https://xn--bcher-kva.example/robots.txt": (200, b"User-agent: *\nDisallow: /\n")})
    allowed = asyncio.run(RobotsCache.of(signals.crawler).allowed("https://bücher.example/x.jpg"))
    assert allowed is False and [r.url for r in engine.requests] == ["https://xn--bcher-kva.example/robots.txt"]
    assert signals.cache.hosts() == ["xn--bcher-kva.example"]
