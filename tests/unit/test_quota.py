"""``Quota``: a query hands out results only while ``kept + pending < limit``.

What is proven here, on a real asyncio loop (``asyncio.run`` per test):
- ``wait_for_room`` returns True at once when there is room, and False once ``limit`` are kept;
- it blocks while ``kept + pending >= limit`` and resumes when a drop frees a place;
- several waiters for one freed place: exactly one gets it, so the limit is never overshot;
- ``wait_settled`` waits for pending results, and stops waiting once the quota is full;
- ``settle`` counts kept and dropped and never lets ``pending`` go below zero.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

from imagespider.quota import Quota

T = TypeVar("T")
TIMEOUT = 2.0


async def spin(turns: int = 5) -> None:
    """Let every ready task run a few steps."""
    for _ in range(turns):
        await asyncio.sleep(0)


def run(test: Callable[[], Awaitable[T]]) -> T:
    return asyncio.run(asyncio.wait_for(test(), TIMEOUT))


def test_room_at_once() -> None:
    async def test() -> None:
        quota = Quota(2)
        assert await quota.wait_for_room() is True
        quota.take()
        assert await quota.wait_for_room() is True

    run(test)


def test_blocks_while_pending_fills_the_limit_and_resumes_on_a_drop() -> None:
    async def test() -> None:
        quota = Quota(2)
        quota.take()
        quota.take()
        waiter = asyncio.ensure_future(quota.wait_for_room())
        await spin()
        assert not waiter.done()
        quota.settle(kept=True)  # one kept, one pending: still no room
        await spin()
        assert not waiter.done()
        quota.settle(kept=False)  # the drop frees the place
        assert await waiter is True
        assert (quota.kept, quota.pending, quota.dropped) == (1, 0, 1)

    run(test)


def test_false_once_the_limit_is_kept() -> None:
    async def test() -> None:
        quota = Quota(1)
        quota.take()
        waiter = asyncio.ensure_future(quota.wait_for_room())
        await spin()
        assert not waiter.done()
        quota.settle(kept=True)
        assert await waiter is False
        assert quota.full
        assert await quota.wait_for_room() is False  # and stays False, without waiting

    run(test)


def test_one_freed_place_goes_to_one_waiter() -> None:
    async def test() -> None:
        quota = Quota(3)
        for _ in range(3):
            quota.take()
        handed_out: list[int] = []

        async def hand_out(n: int) -> None:
            # what SearchSpider.hand_out does: wait, then take before yielding control
            if await quota.wait_for_room():
                quota.take()
                handed_out.append(n)

        waiters = [asyncio.ensure_future(hand_out(n)) for n in range(4)]
        await spin()
        assert handed_out == []
        quota.settle(kept=False)
        await spin()
        assert len(handed_out) == 1
        assert quota.kept + quota.pending == quota.limit
        for _ in range(2):
            quota.settle(kept=True)
        await spin()
        assert len(handed_out) == 1  # two keeps free nothing
        quota.settle(kept=True)  # three kept: full, every waiter gives up
        await asyncio.gather(*waiters)
        assert len(handed_out) == 1
        assert quota.kept == 3

    run(test)


def test_wait_settled() -> None:
    async def test() -> None:
        quota = Quota(5)
        await quota.wait_settled()  # nothing pending: returns at once
        quota.take()
        quota.take()
        waiter = asyncio.ensure_future(quota.wait_settled())
        await spin()
        assert not waiter.done()
        quota.settle(kept=False)
        await spin()
        assert not waiter.done()
        quota.settle(kept=True)
        await waiter
        assert quota.pending == 0

    run(test)


def test_wait_settled_stops_when_full() -> None:
    async def test() -> None:
        quota = Quota(1)
        quota.take()
        quota.take()
        waiter = asyncio.ensure_future(quota.wait_settled())
        await spin()
        assert not waiter.done()
        quota.settle(kept=True)
        await waiter
        assert quota.full and quota.pending == 1

    run(test)


def test_settle_counts_and_never_goes_negative() -> None:
    quota = Quota(10)
    quota.settle(kept=False)  # a settle with nothing pending (an item not handed out by us)
    assert (quota.kept, quota.pending, quota.dropped) == (0, 0, 1)
    quota.take()
    quota.settle(kept=True)
    assert (quota.kept, quota.pending, quota.dropped) == (1, 0, 1)
    assert not quota.full
