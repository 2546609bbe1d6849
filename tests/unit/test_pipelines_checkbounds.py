"""Bounded checks (issue 13): imagespider/pipelines/checkbounds.py, as the check
(imagespider/pipelines/imagecheck.py) applies it; hostile files cost a check little. The pool
that bounds the rest is tested in test_pipelines_checkpool.py.

What is proven here:
- the 142-byte animated WebP bomb, a near-limit PNG and a JPEG of 20,000 scans are ``too_costly``
  from their headers, before anything large is allocated (the check stays small: ru_maxrss);
- animations: too many frames, or too many pixels in all frames, are ``too_costly``; a small
  animated GIF is kept and only its first frame decoded.
"""

from __future__ import annotations

import re
import time
from io import BytesIO
from pathlib import Path

import pytest
from PIL import Image

from imagespider.errors import Rejected
from imagespider.pipelines.checkbounds import CheckBounds, webp_canvas
from imagespider.pipelines.imagecheck import inspect_image
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
