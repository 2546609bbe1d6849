"""Perceptual hashes and the near-duplicate index, on real encoded bytes (no crawl).

Copies made as CDNs and thumbnailers make them (re-encoded at another JPEG quality, resized up
or down, converted to PNG or WebP) must fall within ``DEDUP_MAX_DISTANCE`` of the original, as
``inspect_image`` hashes them; distinct photos, and the mock's distinct images, must not.
"""

from __future__ import annotations

import json
import random
import time
from pathlib import Path

import pytest

from imagespider.dataset.neardup.phash import DedupConfig, PhashIndex, distance
from imagespider.dataset.store.local import Dataset
from imagespider.errors import ArgumentError
from imagespider.pipelines.imagecheck import inspect_image
from imagespider.settings import DEDUP_MAX_DISTANCE
from tests.mockserver import render_image
from tests.photos import encode, photo, resized
from tests.settings import project_settings

COPIES = [
    ("JPEG", 1.0, 40), ("JPEG", 1.0, 95), ("JPEG", 0.5, 70), ("JPEG", 0.7, 60),
    ("JPEG", 1.5, 85), ("PNG", 1.0, 0), ("WEBP", 0.8, 50),
]  # fmt: skip


def phash(body: bytes) -> str:
    facts = inspect_image(body, 1, 1, 10**8)
    assert facts.phash is not None and len(facts.phash) == 16
    return facts.phash


def originals(count: int) -> list[bytes]:
    """JPEGs of photo-like images from 480x360 to ~1200x1000 (so JPEG draft decoding is used)."""
    return [
        encode(photo(f"original/{i}", 480 + (i * 111) % 700, 360 + (i * 159) % 640), "JPEG", 80)
        for i in range(count)
    ]


def test_copies_fall_within_the_default_distance() -> None:
    worst = 0
    for body in originals(12):
        original = phash(body)
        for fmt, scale, quality in COPIES:
            worst = max(worst, distance(original, phash(resized(body, scale, fmt, quality or 80))))
    assert worst <= DEDUP_MAX_DISTANCE


def test_distinct_photos_are_far_apart() -> None:
    hashes = [phash(body) for body in originals(80)]
    closest = min(distance(a, b) for i, a in enumerate(hashes) for b in hashes[i + 1 :])
    assert closest > 2 * DEDUP_MAX_DISTANCE


def test_the_mocks_distinct_noise_images_are_not_near_duplicates() -> None:
    """The other crawl tests keep hundreds of these: DEDUP must not drop any of them."""
    hashes = [
        phash(render_image("cat", i, fmt, 200 + (i * 37) % 300, 150 + (i * 53) % 250))
        for i, fmt in zip(range(150), ["JPEG", "PNG", "WEBP"] * 50, strict=True)
    ]
    closest = min(distance(a, b) for i, a in enumerate(hashes) for b in hashes[i + 1 :])
    assert closest > DEDUP_MAX_DISTANCE


def test_index_finds_the_nearest_within_the_threshold() -> None:
    index = PhashIndex()
    assert index.nearest("0" * 16) is None
    index.add("0000000000000000", "a/0.jpg")
    index.add("ffffffffffffffff", "a/1.jpg")
    index.add("000000000000000f", "b/2.png")
    twin = index.twin_of("0000000000000007", 2)
    assert twin is not None and (twin.file_name, twin.distance) == ("b/2.png", 1)
    assert index.twin_of("00000000000000f0", 3) is None  # 4 bits from a/0, 8 from b/2
    assert index.twin_of("00000000000000f0", 4).file_name == "a/0.jpg"  # type: ignore[union-attr]
    index.remove("a/0.jpg")  # a claim whose file could not be written
    assert len(index) == 2
    assert index.twin_of("00000000000000f0", 4) is None
    assert index.twin_of("fffffffffffffffe", 1).file_name == "a/1.jpg"  # type: ignore[union-attr]


def test_index_grows_past_its_first_block() -> None:
    index = PhashIndex()
    rng = random.Random(1)
    values = [f"{rng.getrandbits(64):016x}" for _ in range(3000)]
    for n, value in enumerate(values):
        index.add(value, f"x/{n}.jpg")
    assert len(index) == 3000
    for n in (0, 1023, 1024, 2999):
        assert index.twin_of(values[n], 0).file_name == f"x/{n}.jpg"  # type: ignore[union-attr]


def test_lookup_over_100k_hashes_is_fast_enough_for_the_reactor_thread() -> None:
    index = PhashIndex()
    rng = random.Random(2)
    for n in range(100_000):
        index.add(f"{rng.getrandbits(64):016x}", f"x/{n}.jpg")
    start = time.perf_counter()
    for _ in range(100):
        index.nearest(f"{rng.getrandbits(64):016x}")
    per_lookup = (time.perf_counter() - start) / 100
    assert per_lookup < 0.005, f"{per_lookup * 1000:.2f} ms per lookup"  # measured ~0.1 ms


def test_index_loads_from_the_manifest_of_an_earlier_crawl(tmp_path: Path) -> None:
    body = originals(1)[0]
    rows = [
        {"file_name": "cat/a.jpg", "sha256": "a" * 64, "phash": phash(body)},
        {"file_name": "cat/b.jpg", "sha256": "b" * 64},  # written before phash existed
        {"file_name": "cat/c.jpg", "sha256": "c" * 64, "phash": "not hex"},
    ]
    (tmp_path / "metadata.jsonl").write_text("".join(json.dumps(row) + "\n" for row in rows))
    dataset = Dataset(tmp_path)
    dataset.open()
    try:
        index = PhashIndex.from_rows(dataset.iter_rows())
        # The store answers from its on-disk index (imagespider/dataset/store/index.py), the same way.
        stored = dataset.twin_of(phash(resized(body, 0.6, "WEBP", 60)), DEDUP_MAX_DISTANCE)
    finally:
        dataset.close()
    assert len(index) == 1
    twin = index.twin_of(phash(resized(body, 0.6, "WEBP", 60)), DEDUP_MAX_DISTANCE)
    assert twin is not None and twin.file_name == "cat/a.jpg"
    assert stored == twin


def test_config_defaults_and_bad_values() -> None:
    assert DedupConfig.from_settings(project_settings()) == DedupConfig(True, 6)
    assert DedupConfig.from_settings(project_settings({"DEDUP": "False", "DEDUP_MAX_DISTANCE": "0"})) == DedupConfig(False, 0)
    for bad in ("64", "-1", "close"):
        with pytest.raises(ArgumentError, match="DEDUP_MAX_DISTANCE"):
            DedupConfig.from_settings(project_settings({"DEDUP_MAX_DISTANCE": bad}))
