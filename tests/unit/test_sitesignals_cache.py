"""imagespider/sitesignals/cache.py: the crawl's one cache of site signals stays within its two
bounds (hosts, weight) whatever a crawl meets, forgets the least recently asked first, and never
forgets what a waiter is about to be handed."""

from __future__ import annotations

import asyncio
from collections.abc import Hashable

import pytest

from imagespider.sitesignals.cache import SiteCache


def done(value: object) -> asyncio.Future[object]:
    future: asyncio.Future[object] = asyncio.get_running_loop().create_future()
    future.set_result(value)
    return future


def weight_of(answer: object) -> int:
    return answer[1]  # type: ignore[index, no-any-return]


async def settle() -> None:
    await asyncio.sleep(0)  # done callbacks run on the next turn of the loop


def test_past_the_host_bound_the_least_recently_asked_host_goes_with_all_it_held() -> None:
    async def run() -> tuple[list[str], list[Hashable], list[Hashable]]:
        cache = SiteCache(max_hosts=2, max_weight=1000)
        for key in (("robotstxt", "robots.txt"), ("tdmrep", "https://a.example/.well-known/tdmrep.json"),
                    ("pages", "https://a.example/p.html")):
            cache.add("a.example", key, done((None, 1)), weight_of)
        cache.add("b.example", ("robotstxt", "robots.txt"), done((None, 1)), weight_of)
        assert cache.find("a.example", ("robotstxt", "robots.txt")) is not None  # a asked again: b is older
        cache.add("c.example", ("robotstxt", "robots.txt"), done((None, 1)), weight_of)
        await settle()
        return cache.hosts(), cache.keys("a.example"), cache.keys("b.example")

    hosts, kept_a, kept_b = asyncio.run(run())
    assert hosts == ["a.example", "c.example"]
    assert len(kept_a) == 3 and kept_b == []


def test_past_the_weight_the_oldest_entries_go_not_the_host_every_image_comes_from() -> None:
    """A gallery site's pages outweigh the bound; the robots.txt of the image host asked between
    them stays (a cache forgetting whole hosts would fetch it again for every page)."""

    async def run() -> SiteCache:
        cache = SiteCache(max_hosts=100, max_weight=50)
        cache.add("img.example", ("robotstxt", "robots.txt"), done((None, 2)), weight_of)
        for n in range(20):
            cache.add("gallery.example", ("pages", n), done((None, 10)), weight_of)
            await settle()
            assert cache.find("img.example", ("robotstxt", "robots.txt")) is not None
        return cache

    cache = asyncio.run(run())
    assert cache.weight <= 50
    assert cache.keys("img.example") == [("robotstxt", "robots.txt")]
    assert cache.keys("gallery.example") == [("pages", n) for n in (16, 17, 18, 19)]


def test_an_entry_weighs_one_while_fetched_then_what_it_holds_and_the_newest_is_kept_alone() -> None:
    async def run() -> tuple[int, int, int]:
        cache = SiteCache(max_hosts=10, max_weight=100)
        loop = asyncio.get_running_loop()
        pending: asyncio.Future[object] = loop.create_future()
        cache.add("a.example", "small", done((None, 3)), weight_of)
        cache.add("a.example", "page", pending, weight_of)
        await settle()
        while_pending = cache.weight
        pending.set_result((None, 500))  # a page far over the bound on its own
        await settle()
        return while_pending, cache.weight, len(cache)

    while_pending, after, entries = asyncio.run(run())
    assert while_pending == 3 + 1
    assert (after, entries) == (500, 1)  # the older entry went; the newest stays though over


def test_a_fetch_that_failed_outright_is_forgotten_so_the_next_asker_tries_again() -> None:
    async def run() -> tuple[bool, bool]:
        cache = SiteCache(max_hosts=10, max_weight=100)
        loop = asyncio.get_running_loop()
        failed: asyncio.Future[object] = loop.create_future()
        failed.set_exception(RuntimeError("boom"))
        cancelled: asyncio.Future[object] = loop.create_future()
        cancelled.cancel()
        cache.add("a.example", "failed", failed, weight_of)
        cache.add("a.example", "cancelled", cancelled, weight_of)
        await settle()
        failed.exception()  # retrieved, so asyncio does not log it
        return cache.find("a.example", "failed") is None, cache.find("a.example", "cancelled") is None

    assert asyncio.run(run()) == (True, True)


def test_a_weight_that_cannot_be_told_is_the_least() -> None:
    async def run() -> int:
        cache = SiteCache(max_hosts=10, max_weight=100)
        cache.add("a.example", "odd", done("not a pair"), weight_of)
        await settle()
        return cache.weight

    assert asyncio.run(run()) == 1


@pytest.mark.parametrize(("hosts", "weight"), [(0, 10), (10, 0)])
def test_a_cache_that_could_hold_nothing_is_refused(hosts: int, weight: int) -> None:
    with pytest.raises(ValueError, match="at least one host"):
        SiteCache(max_hosts=hosts, max_weight=weight)
