"""Bounded checks (issue 13) of imagespider/pipelines/imagecheck.py, apart from its other tests
(test_pipelines_imagecheck.py) because these run check processes: hostile files cost a check
little, and the pool bounds the rest.

What is proven here:
- the 142-byte animated WebP bomb, a near-limit PNG and a JPEG of 20,000 scans are ``too_costly``
  from their headers, before anything large is allocated (the check stays small: ru_maxrss);
- animations: too many frames, or too many pixels in all frames, are ``too_costly``; a small
  animated GIF is kept and only its first frame decoded;
- a check process cannot grow past IMAGES_CHECK_MEMORY (RLIMIT_AS: MemoryError in the worker);
- a check past IMAGES_CHECK_TIMEOUT is ``check_timeout``; its worker is replaced, a check that was
  running beside it goes on untouched, and the pool works afterwards;
- with processes and with threads (IMAGES_CHECK_PROCESSES=False): the timeout counts a check's
  own run time, not its wait in the queue, and one timeout leaves the queued checks alone
  (issue 28: threads cancelled them, and the crawl never closed).
"""

from __future__ import annotations

import asyncio
import re
import time
from io import BytesIO
from pathlib import Path

import pytest
from PIL import Image

from imagespider.errors import Rejected
from imagespider.pipelines.imagecheck import CheckBounds, CheckPool, inspect_image, webp_canvas
from tests.mockserver.hostile import many_scans_jpeg, near_limit_png, webp_bomb

MAX_PIXELS = 89_478_485


def reset_peak() -> None:
    """Start this process's high-water mark of resident memory again from what it holds now
    (ru_maxrss never goes down: an earlier test's peak in the same process hid any growth)."""
    Path("/proc/self/clear_refs").write_text("5")


def peak_mib() -> int:
    """The high-water mark of resident memory since :func:`reset_peak`."""
    return int(re.search(r"VmHWM:\s+(\d+)", Path("/proc/self/status").read_text()).group(1)) >> 10


def test_the_peak_measure_sees_growth_after_an_earlier_larger_peak() -> None:
    bytearray(300 << 20)  # an earlier peak
    reset_peak()
    before = peak_mib()
    grown = bytearray(100 << 20)
    grown[::4096] = b"x" * len(grown[::4096])  # touched, so resident
    assert peak_mib() - before >= 90


@pytest.mark.parametrize(
    ("build", "words"),
    [(webp_bomb, "animation needs more"), (near_limit_png, "MiB to decode"), (many_scans_jpeg, "20000 scans")],
    ids=["webp-bomb", "near-limit-png", "many-scans-jpeg"],
)
def test_hostile_files_are_too_costly_before_anything_large_is_decoded(build, words: str) -> None:
    body = build()
    reset_peak()
    before = peak_mib()
    started = time.thread_time()  # CPU time: another process's load does not count
    with pytest.raises(Rejected) as verdict:
        inspect_image(body, 64, 64, MAX_PIXELS, CheckBounds(MAX_PIXELS))
    assert verdict.value.reason == "too_costly"
    assert words in verdict.value.detail
    assert time.thread_time() - started < 2
    assert peak_mib() - before < 100


def test_the_webp_bomb_is_tiny_and_its_canvas_is_read_from_the_header() -> None:
    body = webp_bomb()
    assert len(body) < 150
    assert webp_canvas(body) == (9000, 9900, True)
    assert webp_canvas(b"RIFF\0\0\0\0WEBPVP8 ") is None


def gif(frames: int, size: tuple[int, int]) -> bytes:
    images = [Image.new("L", size, (i * 20) % 256) for i in range(frames)]
    out = BytesIO()
    images[0].save(out, "GIF", save_all=True, append_images=images[1:])
    return out.getvalue()


def test_animations_are_bounded_in_frames_and_in_pixels_of_all_frames() -> None:
    with pytest.raises(Rejected, match="IMAGES_MAX_FRAMES=10"):
        inspect_image(gif(11, (80, 80)), 64, 64, MAX_PIXELS, CheckBounds(MAX_PIXELS, max_frames=10))
    with pytest.raises(Rejected, match="in all") as verdict:
        inspect_image(gif(5, (100, 100)), 64, 64, 40_000, CheckBounds(40_000))
    assert verdict.value.reason == "too_costly"
    facts = inspect_image(gif(5, (100, 100)), 64, 64, 60_000, CheckBounds(60_000))
    assert (facts.width, facts.height, facts.format) == (100, 100, "GIF")


def test_a_large_image_over_the_memory_budget_is_too_costly() -> None:
    out = BytesIO()
    Image.new("RGB", (2000, 2000)).save(out, "PNG")
    with pytest.raises(Rejected, match="IMAGES_CHECK_MEMORY=8 MiB"):
        inspect_image(out.getvalue(), 64, 64, MAX_PIXELS, CheckBounds(MAX_PIXELS, memory=8 << 20))
    assert inspect_image(out.getvalue(), 64, 64, MAX_PIXELS, CheckBounds(MAX_PIXELS)).width == 2000


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
