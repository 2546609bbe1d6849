"""imagespider/downloadermiddlewares/crawldelay.py: a host's robots.txt Crawl-delay puts every
request to it (images, pages, site files) in one slot paced at that delay, capped and logged once.
Real files: vatican.va sets Crawl-delay: 2, www.biblegateway.com 15 (tests/fixtures/robots/). Scrapy's
engine and downloader are stand-ins (tests/engine_stub.py); the timing is end to end in
tests/crawl/test_sitesignals.py."""

from __future__ import annotations

import asyncio
import logging
from types import SimpleNamespace

import pytest
from scrapy import Request
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler

from imagespider.downloadermiddlewares.crawldelay import CrawlDelayMiddleware
from imagespider.sitesignals.robots import SITE_FILE_META
from tests.engine_stub import EngineStub
from tests.settings import project_values
from tests.unit.test_rights_aiagents import real_files


def middleware(robots: dict[str, str], **settings: object) -> tuple[CrawlDelayMiddleware, SimpleNamespace]:
    crawler = get_crawler(settings_dict=project_values(settings))
    crawler.stats.open_spider()  # type: ignore[union-attr, call-arg]
    engine = EngineStub({f"https://{host}/robots.txt": (200, text.encode()) for host, text in robots.items()})
    engine.downloader = SimpleNamespace(slots={}, per_slot_settings={})  # type: ignore[attr-defined]
    crawler.engine = engine  # type: ignore[assignment]
    return CrawlDelayMiddleware.from_crawler(crawler), engine.downloader  # type: ignore[attr-defined]


def run(mw: CrawlDelayMiddleware, request: Request) -> Request:
    asyncio.run(mw.process_request(request))
    return request


def test_every_request_to_a_crawl_delay_host_shares_one_paced_slot() -> None:
    mw, downloader = middleware({"www.vatican.va": real_files()["www.vatican.va.robots.txt"]})
    image = run(mw, Request("https://www.vatican.va/img/a.jpg"))
    page = run(mw, Request("https://www.vatican.va/news.html", meta={"download_slot": "page:www.vatican.va"}))
    site_file = run(mw, Request("https://www.vatican.va/ai.txt", meta={"dont_obey_robotstxt": True, SITE_FILE_META: True}))
    assert {r.meta["download_slot"] for r in (image, page, site_file)} == {"crawl-delay:www.vatican.va"}
    assert downloader.per_slot_settings["crawl-delay:www.vatican.va"] == {"concurrency": 1, "delay": 2.0, "jitter": 0}
    assert image.meta["autothrottle_dont_adjust_delay"] is True


def test_robots_txt_and_engine_requests_and_other_hosts_keep_their_slots() -> None:
    mw, _ = middleware({"www.vatican.va": "User-agent: *\nCrawl-delay: 2\n", "plain.example": "User-agent: *\nAllow: /\n"})
    engine_page = run(mw, Request("https://www.vatican.va/search?q=x", meta={"dont_obey_robotstxt": True}))
    assert "download_slot" not in engine_page.meta
    other = run(mw, Request("https://plain.example/a.jpg", meta={"download_slot": "crawl-delay:www.vatican.va"}))
    assert "download_slot" not in other.meta  # redirected away from the Crawl-delay host


def test_a_long_delay_is_capped_and_logged_once(caplog: pytest.LogCaptureFixture) -> None:
    mw, downloader = middleware({"www.biblegateway.com": real_files()["www.biblegateway.com.robots.txt"]}, ROBOTSTXT_CRAWL_DELAY_MAX=5)
    with caplog.at_level(logging.WARNING):
        for n in range(3):
            run(mw, Request(f"https://www.biblegateway.com/img/{n}.jpg"))
    assert downloader.per_slot_settings["crawl-delay:www.biblegateway.com"]["delay"] == 5
    logged = [r.getMessage() for r in caplog.records if "Crawl-delay" in r.getMessage()]
    assert logged == ["robots.txt of www.biblegateway.com asks a Crawl-delay of 15 s; waiting 5 s between its requests "
                      "(ROBOTSTXT_CRAWL_DELAY_MAX)"]


@pytest.mark.parametrize("settings", [{"ROBOTSTXT_CRAWL_DELAY_MAX": 0}, {"ROBOTSTXT_OBEY": False}])
def test_off(settings: dict) -> None:
    with pytest.raises(NotConfigured):
        middleware({}, **settings)
