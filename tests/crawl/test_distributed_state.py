"""imagespider/distributed/state.py against a real redis-server on loopback: N workers (threads
with their own connections here) keep exactly the limit, claim bytes once, and meet the same
near-duplicate verdicts as one process. In tests/crawl (crawl marker) because it starts a
redis-server process (tests/servers.py): the atomicity proven here is Redis's own, which an
in-process fake would not prove."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from imagespider.distributed.feed import OtherList, QueryFeed
from imagespider.distributed.state import SharedState
from tests.servers import redis_server, redis_server_process


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with redis_server(tmp_path_factory.mktemp("redis")) as url:
        yield url


def test_workers_together_keep_exactly_the_limit(redis_url: str) -> None:
    kept: list[str] = []
    lock = threading.Lock()

    def worker(seed: int) -> None:
        state = SharedState.from_url(redis_url, "quota")
        rng = random.Random(seed)
        for _ in range(200):
            lease = state.reserve("cat", 25)
            if lease is None:
                if state.kept("cat") >= 25:
                    return
                time.sleep(0.001)
                continue
            keep = rng.random() < 0.5  # half the results are dropped and give their place back
            state.settle("cat", lease, keep)
            if keep:
                with lock:
                    kept.append(lease)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(kept) == 25
    assert SharedState.from_url(redis_url, "quota").kept("cat") == 25


def test_a_dead_workers_leases_expire(redis_url: str) -> None:
    state = SharedState.from_url(redis_url, "lease", lease_seconds=0.5)
    held = [state.reserve("dog", 2), state.reserve("dog", 2)]
    assert all(held) and state.reserve("dog", 2) is None, "two in flight fill a limit of 2"
    time.sleep(0.6)  # the worker holding them was killed
    lease = state.reserve("dog", 2)
    assert lease is not None
    assert state.settle("dog", lease, True) == 1
    assert state.settle("dog", held[0] or "", False) == 1, "an expired lease gives back nothing twice"
    assert state.settle("dog", held[1] or "", True) == 2, "an image kept late still counts: its row exists"


def test_a_live_worker_renews_its_leases(redis_url: str) -> None:
    state = SharedState.from_url(redis_url, "renew", lease_seconds=0.5)
    held = [state.reserve("owl", 1)]
    assert held[0] is not None and not state.room("owl", 1)
    for _ in range(3):
        time.sleep(0.3)
        state.renew("owl", [held[0] or ""])
    assert state.reserve("owl", 1) is None, "a renewed lease is not taken over"
    state.seed_kept("owl", 1)
    state.seed_kept("owl", 5)
    assert state.kept("owl") == 1, "only the first worker seeds the count"


def test_claims_combine_bytes_and_near_twins(redis_url: str) -> None:
    state = SharedState.from_url(redis_url, "claim")
    assert state.claim("cd" * 32, "cat/a.jpg", "00000000000000ff", 4) is None
    assert state.claim("cd" * 32, "dog/a.jpg", None, 4) == ("duplicate", "same bytes as cat/a.jpg")
    verdict = state.claim("ef" * 32, "cat/b.jpg", "00000000000000fe", 4)
    assert verdict is not None and verdict[0] == "near_duplicate"
    assert state.claim_bytes("ef" * 32, "x") is None, "a refused claim leaves no bytes claimed"
    state.unclaim("cd" * 32, "cat/a.jpg", "00000000000000ff", 4)
    assert state.claim("01" * 32, "cat/c.jpg", "00000000000000fe", 4) is None, "an unclaimed hash is gone"


def test_bytes_are_claimed_once(redis_url: str) -> None:
    one, two = SharedState.from_url(redis_url, "sha"), SharedState.from_url(redis_url, "sha")
    assert one.claim_bytes("ab" * 32, "cat/x.jpg") is None
    assert two.claim_bytes("ab" * 32, "dog/x.jpg") == "cat/x.jpg"
    one.unclaim_bytes("ab" * 32, "cat/x.jpg")
    assert two.claim_bytes("ab" * 32, "dog/x.jpg") is None


def test_a_dead_workers_claim_expires_and_a_kept_rows_claim_does_not(redis_url: str) -> None:
    """Issue 28, item 10: a claim is a lease. A worker killed between its claim and its row (or
    whose call failed) left the claim for good: every later copy of those bytes, and every near
    twin, was a "duplicate of" a file nobody wrote."""
    dead = SharedState.from_url(redis_url, "claimlease", lease_seconds=0.5)
    alive = SharedState.from_url(redis_url, "claimlease", lease_seconds=0.5)
    kept = SharedState.from_url(redis_url, "claimlease", lease_seconds=0.5)
    assert dead.claim("aa" * 32, f"cat/{'aa' * 32}.jpg", "00000000000000ff", 4) is None  # then killed
    assert alive.claim("aa" * 32, "dog/x.jpg", None, 4)[0] == "duplicate", "a live claim holds"
    assert kept.claim("bb" * 32, f"cat/{'bb' * 32}.jpg", "ff00000000000000", 4) is None
    kept.keep_row("bb" * 32, f"cat/{'bb' * 32}.jpg", "http://a/b.jpg", "cat")
    assert alive.claim("cc" * 32, f"cat/{'cc' * 32}.jpg", None, 4) is None
    for _ in range(3):  # a live worker renews the claims whose rows it is still writing
        time.sleep(0.3)
        alive.renew_claims()
    assert alive.claim("cc" * 32, "dog/y.jpg", None, 4)[0] == "duplicate", "a renewed claim holds"
    assert alive.claim("dd" * 32, "dog/z.jpg", "ff00000000000001", 4)[0] == "near_duplicate", "a kept row's twin"
    assert alive.claim("bb" * 32, "dog/w.jpg", None, 4)[0] == "duplicate", "a kept row's bytes, for good"
    # The dead worker's claim expires: its bytes, and a near twin of its hash, may now be kept.
    assert alive.claim("ee" * 32, f"dog/{'ee' * 32}.jpg", "00000000000000fe", 4) is None
    assert alive.claim("aa" * 32, f"dog/{'aa' * 32}.jpg", None, 4) is None
    assert alive.has_url("http://a/b.jpg", "cat")


@pytest.mark.parametrize("max_distance", [0, 4, 10])
def test_near_duplicates_by_multi_index_hashing_match_a_linear_scan(redis_url: str, max_distance: int) -> None:
    state = SharedState.from_url(redis_url, f"near{max_distance}")
    rng = random.Random(max_distance)
    kept: list[int] = []
    base = [rng.getrandbits(64) for _ in range(20)]
    for number in range(300):
        value = rng.choice(base)
        for bit in rng.sample(range(64), rng.randint(0, 14)):
            value ^= 1 << bit
        expected = min((bin(value ^ other).count("1") for other in kept), default=99)
        twin = state.keep_unless_near(f"{value:016x}", f"cat/{number}.jpg", max_distance)
        if expected <= max_distance:
            assert twin is not None and twin.distance == expected
        else:
            assert twin is None
            kept.append(value)


def test_the_query_list_is_seeded_once_and_a_dead_workers_query_comes_back(redis_url: str) -> None:
    import redis as redis_py

    client = redis_py.Redis.from_url(redis_url)
    one = QueryFeed(client, "feed", lease_seconds=1, per_worker=1)
    two = QueryFeed(client, "feed", lease_seconds=1, per_worker=1)
    assert one.seed(["a", "b"], "x") and not two.seed(["a", "b"], "x"), "seeded by the first worker only"
    assert one.take_one() == ("a", False) and two.take_one() == ("b", False)
    assert two.take_one() is None and not one.finished()
    two.done("b")
    time.sleep(1.1)  # worker one was killed holding "a": its lease runs out
    assert two.take_one() == ("a", True), "taken over"
    two.renew(["a"])
    assert one.take_one() is None, "a renewed query stays with its worker"
    two.release()  # closing early: "a" goes back to the list
    assert one.take_one() == ("a", False)
    one.done("a")
    assert one.finished()


def test_a_worker_with_another_list_than_its_job_is_refused(redis_url: str) -> None:
    """It was handed the job's items anyway: a query it did not know was marked done unsearched
    (lost for every worker), and a URL list's chunks named rows of its own, other file."""
    import redis as redis_py

    client = redis_py.Redis.from_url(redis_url, decode_responses=True)
    one = QueryFeed(client, "imagespider:lists", lease_seconds=5, per_worker=1)
    two = QueryFeed(client, "imagespider:lists", lease_seconds=5, per_worker=1)
    assert one.seed(["a", "b"], "fp-ab")
    with pytest.raises(OtherList, match=r"^job lists was started with another list than this worker's "
                       r"\(3 items, fingerprint fp-abc; the job's: fp-ab\): give every worker the same list"):
        two.seed(["a", "b", "c"], "fp-abc")
    assert client.lrange("imagespider:lists:queries:todo", 0, -1) == ["a", "b"], "the job's list is untouched"


def test_a_row_written_by_a_killed_worker_is_counted_once(redis_url: str) -> None:
    """Killed between writing a row and counting it: the commit holds the place, then counts it
    once stale if the row exists (or frees the place if it does not)."""
    import asyncio

    from imagespider.distributed.quota import SharedQuota

    rows = {"cat/a.jpg"}  # what the store holds
    dead = SharedQuota(SharedState.from_url(redis_url, "commit", lease_seconds=1), "cat", 3, poll_seconds=0.1)
    alive = SharedQuota(SharedState.from_url(redis_url, "commit", lease_seconds=1), "cat", 3, poll_seconds=0.1,
                        row_exists=rows.__contains__)

    async def run() -> None:
        for _ in range(3):
            assert await dead.acquire()
        await dead.commit("cat/a.jpg")  # its row was written, then the worker was killed before counting
        await dead.commit("cat/b.jpg")  # killed before its row was written
        assert not alive.state.room("cat", 3), "two commits and a lease hold all three places"
        await asyncio.sleep(1.2)  # the dead worker renews nothing
        assert await asyncio.wait_for(alive.acquire(), 5), "the stale commits are resolved"
        assert alive.kept == 1, "the written row counts, once"
        assert await alive.acquire() and not alive.state.room("cat", 3)
        for name in ("cat/c.jpg", "cat/d.jpg"):
            await alive.commit(name)
            alive.settle_item(type("Item", (), {"file_name": name})(), kept=True)
        await alive.io.drain()
        assert alive.kept == 3 and alive.full and not alive.committed

    asyncio.run(run())


def test_urls_kept_by_any_worker_are_known_to_all(redis_url: str) -> None:
    one, two = SharedState.from_url(redis_url, "urls"), SharedState.from_url(redis_url, "urls")
    assert not two.has_url("http://a/1.jpg", "cat")
    one.keep_url("http://a/1.jpg", "cat")
    assert two.has_url("http://a/1.jpg", "cat") and not two.has_url("http://a/1.jpg", "dog")


def test_a_stalled_workers_row_counted_by_another_is_not_counted_again(redis_url: str) -> None:
    """A live worker stalled past the lease between its row and its count (a slow PUT): its
    commit went stale and another worker counted it (the row was there); its own count then
    came too, and the query held one image fewer than its count said (an undershoot)."""
    import asyncio

    from imagespider.distributed.quota import SharedQuota

    rows = {"cat/a.jpg"}
    stalled = SharedQuota(SharedState.from_url(redis_url, "stall", lease_seconds=1), "cat", 2, poll_seconds=0.1)
    other = SharedQuota(SharedState.from_url(redis_url, "stall", lease_seconds=1), "cat", 2, poll_seconds=0.1,
                        row_exists=rows.__contains__)
    item = type("Item", (), {"file_name": "cat/a.jpg"})()

    async def run() -> None:
        assert await stalled.acquire()
        await stalled.commit("cat/a.jpg")
        await asyncio.sleep(1.2)  # stalled: nothing renewed
        assert await other.resolve_stale() == 1 and other.kept == 1, "counted by the other worker: its row is there"
        stalled.settle_item(item, kept=True)  # the stalled worker wakes up and counts its row
        await stalled.io.drain()
        assert stalled.kept == 1, "one row, counted once"
        # A commit freed because its row was not there yet, then written: the row counts (the truth).
        assert await stalled.acquire()
        await stalled.commit("cat/b.jpg")
        await asyncio.sleep(1.2)
        assert await other.resolve_stale() == 1 and other.kept == 1, "no row yet: its place is freed"
        stalled.settle_item(type("Item", (), {"file_name": "cat/b.jpg"})(), kept=True)
        await stalled.io.drain()
        assert stalled.kept == 2

    asyncio.run(run())


def test_a_url_lists_rows_are_handed_out_while_redis_stalls(tmp_path: Path) -> None:
    """imagespider/spiders/urls.py in a distributed job (issue 28, "nothing stalled"): once a worker
    holds a chunk, its rows are handed out though Redis stops answering. "Kept by another worker?"
    was asked of Redis row by row: a Redis stalled (SIGSTOPped here) froze the list at the row it
    was on, and downloads stopped once the rows handed out before were fetched (the crawl test
    ``test_a_stalled_redis_and_store_stall_no_download`` saw 0 downloads in its 5 s stall)."""
    import asyncio
    import signal

    from scrapy.utils.test import get_crawler

    from imagespider.spiders.urls import UrlsSpider
    from tests.settings import project_values

    listing = tmp_path / "list.txt"
    listing.write_text("".join(f"http://127.0.0.1:9/{n}.png\n" for n in range(50)))
    (tmp_path / "redis").mkdir()
    with redis_server_process(tmp_path / "redis") as (url, redis):
        # A store of its own: the project's default (./data) may be another test's, locked.
        settings = project_values({"REDIS_URL": url, "IMAGES_STORE": str(tmp_path / "store")})
        crawler = get_crawler(UrlsSpider, settings)
        spider = UrlsSpider.from_crawler(crawler, path=str(listing), license="any")
        assert spider.worker is not None
        # One URL of the list is kept by another worker already: skipped, not fetched.
        SharedState.from_url(url, spider.worker.namespace).keep_url("http://127.0.0.1:9/7.png", "images")

        async def run() -> list[str]:
            rows = spider.start()
            first = await anext(rows)
            redis.send_signal(signal.SIGSTOP)
            try:
                rest = [await asyncio.wait_for(anext(rows), 5) for _ in range(48)]
            finally:
                redis.send_signal(signal.SIGCONT)
            return [item.image_url for item in (first, *rest)]

        try:
            handed_out = asyncio.run(run())
        finally:
            assert spider.worker is not None
            spider.worker.io.close()
    assert handed_out == [f"http://127.0.0.1:9/{n}.png" for n in range(50) if n != 7]
