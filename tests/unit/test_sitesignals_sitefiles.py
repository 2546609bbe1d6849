"""imagespider/sitesignals/sitefiles.py: an origin's /.well-known/tdmrep.json, fetched once through the
engine however many images ask, capped at TDMREP_MAXSIZE; anything but a readable file reserves
nothing. Real files: tests/fixtures/tdmrep/."""

from __future__ import annotations

import asyncio
from pathlib import Path

from scrapy.utils.test import get_crawler

from imagespider.rights.tdmrep import TdmRule
from imagespider.sitesignals.cache import SiteCache
from imagespider.sitesignals.sitefiles import WELL_KNOWN_PATH, TdmRepCache
from tests.engine_stub import EngineStub

FIXTURES = Path(__file__).parents[1] / "fixtures" / "tdmrep"


def cache_for(answers: dict, maxsize: int = 1024) -> tuple[TdmRepCache, EngineStub, dict]:
    crawler = get_crawler(settings_dict={"TDMREP_MAXSIZE": maxsize})
    crawler.stats.open_spider()  # type: ignore[union-attr, call-arg]
    engine = EngineStub(answers)
    crawler.engine = engine  # type: ignore[assignment]
    return TdmRepCache(crawler), engine, crawler.stats.get_stats()  # type: ignore[union-attr]


def test_a_real_reserving_file_is_fetched_once_for_every_image_of_its_origin() -> None:
    body = (FIXTURES / "healsdata-ai-training-opt-out__tdmrep.json").read_bytes()
    cache, engine, stats = cache_for({"https://site.example" + WELL_KNOWN_PATH: (200, body)})

    async def ask() -> list[TdmRule | None]:
        return list(await asyncio.gather(*(cache.reservation(f"https://site.example/img/{n}.jpg") for n in range(5))))

    assert asyncio.run(ask()) == [TdmRule("/", True)] * 5
    assert [r.url for r in engine.requests] == ["https://site.example/.well-known/tdmrep.json"]
    assert engine.requests[0].meta["download_maxsize"] == 1024
    assert stats["imagespider/tdmrep/found"] == 1


def test_a_policy_file_names_its_policy() -> None:
    body = (FIXTURES / "embassy-sourcelibrary-v2__tdmrep.json").read_bytes()
    cache, _, _ = cache_for({"https://sourcelibrary.org" + WELL_KNOWN_PATH: (200, body)})
    rule = asyncio.run(cache.reservation("https://sourcelibrary.org/img/a.png"))
    assert rule is not None and rule.reserved and rule.policy == "https://sourcelibrary.org/licensing"


def test_missing_oversized_broken_or_unreachable_reserve_nothing() -> None:
    big = b'[{"location": "/", "tdm-reservation": 1}]' + b" " * 2000
    cache, _, stats = cache_for({
        "https://missing.example" + WELL_KNOWN_PATH: (404, b""),
        "https://big.example" + WELL_KNOWN_PATH: (200, big),
        "https://broken.example" + WELL_KNOWN_PATH: (200, b"{not json"),
        "https://down.example" + WELL_KNOWN_PATH: TimeoutError("no answer"),
    })

    async def ask() -> list[TdmRule | None]:
        hosts = ("missing", "big", "broken", "down")
        return [await cache.reservation(f"https://{host}.example/a.jpg") for host in hosts]

    assert asyncio.run(ask()) == [None, None, None, None]
    assert (stats["imagespider/tdmrep/missing"], stats["imagespider/tdmrep/broken"],
            stats["imagespider/tdmrep/unavailable"]) == (2, 1, 1)
    assert asyncio.run(cache.reservation("data:image/png;base64,AAAA")) is None


def test_the_cache_holds_a_bounded_number_of_origins() -> None:
    cache, engine, _ = cache_for({})
    cache.files.signals.cache = SiteCache(max_hosts=3, max_weight=cache.files.signals.config.cache_weight)

    async def ask() -> None:
        for n in (1, 2, 3, 4, 1):
            await cache.reservation(f"https://site{n}.example/a.jpg")

    asyncio.run(ask())
    assert len(cache.files.signals.cache.hosts()) == 3
    # site1 was evicted by site4, so it was asked for again.
    assert [r.url for r in engine.requests].count("https://site1.example" + WELL_KNOWN_PATH) == 2
