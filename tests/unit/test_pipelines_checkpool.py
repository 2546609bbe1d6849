"""The check pool (issue 13, issue 28 items 8 and 9): imagespider/pipelines/checkpool.py runs
check processes, so these tests are apart from the check's own (test_pipelines_imagecheck.py,
test_pipelines_checkbounds.py).

What is proven here:
- a check process cannot grow past IMAGES_CHECK_MEMORY (RLIMIT_AS: MemoryError in the worker);
- a check past IMAGES_CHECK_TIMEOUT is ``check_timeout``; its worker is replaced, a check that was
  running beside it goes on untouched, and the pool works afterwards;
- with processes and with threads (IMAGES_CHECK_PROCESSES=False): the timeout counts a check's
  own run time, not its wait in the queue, and one timeout leaves the queued checks alone
  (issue 28: threads cancelled them, and the crawl never closed).
"""

from __future__ import annotations

import asyncio
import time

import pytest

from imagespider.pipelines.checkbounds import CheckBounds
from imagespider.pipelines.checkpool import CheckPool

MAX_PIXELS = 89_478_485


def _allocate(megabytes: int) -> int:
    return len(bytearray(megabytes << 20))


def run(pool: CheckPool, *calls: tuple) -> list:
    async def main() -> list:
        pool.start()
        try:
            return await asyncio.gather(*(pool.run(*call) for call in calls))
        finally:
            pool.shutdown()

    return asyncio.run(main())


def test_a_check_process_cannot_grow_past_the_memory_cap() -> None:
    pool = CheckPool(1, True, CheckBounds(MAX_PIXELS, memory=64 << 20))
    with pytest.raises(MemoryError):
        run(pool, (_allocate, 256))
    assert run(CheckPool(1, True, CheckBounds(MAX_PIXELS, memory=64 << 20)), (_allocate, 16)) == [16 << 20]


def test_a_check_past_the_timeout_is_check_timeout_and_the_pool_is_replaced() -> None:
    pool = CheckPool(2, True, CheckBounds(MAX_PIXELS, timeout=1.0))
    started = time.monotonic()

    async def main() -> list:
        pool.start()
        try:
            slow = asyncio.ensure_future(pool.run(time.sleep, 30))
            await asyncio.sleep(0.2)
            beside = asyncio.ensure_future(pool.run(time.sleep, 0.5))  # running when the pool is killed
            results = await asyncio.gather(slow, beside)
            return [*results, await pool.run(int, "7")]
        finally:
            pool.shutdown()

    slow, beside, after = asyncio.run(main())
    assert slow[0] == "check_timeout" and "IMAGES_CHECK_TIMEOUT=1" in slow[1]
    assert beside is None  # left to finish, not blamed
    assert after == 7
    assert time.monotonic() - started < 10


@pytest.mark.parametrize("processes", [True, False], ids=["processes", "threads"])
def test_the_timeout_counts_a_checks_own_run_time_not_its_wait_in_the_queue(processes: bool) -> None:
    """Six checks of 0.45-0.8 s each, one worker, IMAGES_CHECK_TIMEOUT=1: each is within its time,
    though the last waits over 3 s for its turn (all six were ``check_timeout`` or lost before)."""
    pool = CheckPool(1, processes, CheckBounds(MAX_PIXELS, timeout=1.0))
    pauses = (0.45, 0.8, 0.5, 0.7, 0.6, 0.45)
    assert run(pool, *((_pause, pause) for pause in pauses)) == list(pauses)


def _pause(seconds: float) -> float:
    time.sleep(seconds)
    return seconds


def test_timed_out_check_threads_are_bounded() -> None:
    """Threads cannot be killed: slow images in a row must not start a thread each."""
    import threading

    pool = CheckPool(1, False, CheckBounds(MAX_PIXELS, timeout=0.2))
    most = 0

    async def main() -> list:
        nonlocal most
        pool.start()
        try:
            tasks = [asyncio.ensure_future(pool.run(_pause, 1.5)) for _ in range(5)]
            while not all(task.done() for task in tasks):
                most = max(most, sum(t.name.startswith("imagespider-check") for t in threading.enumerate()))
                await asyncio.sleep(0.02)
            return [task.result()[0] for task in tasks]
        finally:
            pool.shutdown()

    assert asyncio.run(main()) == ["check_timeout"] * 5
    assert most <= 3, f"{most} check threads at once"


@pytest.mark.parametrize("processes", [True, False], ids=["processes", "threads"])
def test_one_timeout_leaves_the_queued_checks_alone(processes: bool) -> None:
    """One worker: a check that runs too long is ``check_timeout``; the three queued behind it
    are checked, on a new worker (threads: a queued check was cancelled with the whole pool, a
    CancelledError nobody caught), and a later timeout does the same again."""
    pool = CheckPool(1, processes, CheckBounds(MAX_PIXELS, timeout=0.5))
    calls = [(_pause, 1.5), (int, "1"), (int, "2"), (int, "3"), (_pause, 3), (int, "4")]
    started = time.monotonic()
    results = run(pool, *calls)
    assert [r[0] if isinstance(r, tuple) else r for r in results] == ["check_timeout", 1, 2, 3, "check_timeout", 4]
    # A timed-out thread runs on, but nobody waits for it; threads: the second timeout's slot
    # waits for the first runaway to end (at most one per worker runs on beside the pool).
    assert time.monotonic() - started < 2.5
