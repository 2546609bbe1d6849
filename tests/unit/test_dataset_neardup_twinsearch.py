"""The perceptual-hash search in the store's index (imagespider/dataset/neardup/twinsearch.py), on real files.

What is proven here:
- it gives exactly the answer of the in-memory PhashIndex (same twin, same distance, ties to the
  first row) on clustered random hashes, for every DEDUP_MAX_DISTANCE tried, including the
  distances where it scans instead of probing bands;
- the bands cut the hash highest first.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from imagespider.dataset.neardup.phash import PhashIndex
from imagespider.dataset.neardup.twinsearch import MAX_PROBES, bands, probe_count
from tests.manifest_rows import opened_index, store_row, write_manifest


def clustered_hashes(rng: random.Random, count: int) -> list[int]:
    """Hashes in clusters a few bits apart (as copies of one photo are), plus lone ones."""
    found: list[int] = []
    while len(found) < count:
        base = rng.getrandbits(64)
        found.append(base)
        for _ in range(rng.randrange(0, 4)):
            value = base
            for bit in rng.sample(range(64), rng.randrange(0, 12)):
                value ^= 1 << bit
            found.append(value)
    return found[:count]


@pytest.mark.parametrize("max_distance", [0, 1, 4, 6, 7, 9, 12, 15, 16, 20])
def test_near_duplicates_agree_with_the_in_memory_index(tmp_path: Path, max_distance: int) -> None:
    rng = random.Random(max_distance)
    hashes = clustered_hashes(rng, 600)
    rows = [store_row(n, phash=f"{value:016x}") for n, value in enumerate(hashes)]
    rows.append(store_row(9999, phash=f"{hashes[0]:016x}"))  # the same hash twice: the first row wins
    write_manifest(tmp_path, rows)
    memory = PhashIndex.from_rows(rows)
    index = opened_index(tmp_path)
    try:
        queries = [hashes[rng.randrange(len(hashes))] for _ in range(150)] + [rng.getrandbits(64) for _ in range(50)]
        for base in queries:
            value = base
            for bit in rng.sample(range(64), rng.randrange(0, max_distance + 3)):
                value ^= 1 << bit
            query = f"{value:016x}"
            assert index.twin_of(query, max_distance) == memory.twin_of(query, max_distance), query
    finally:
        index.close()
    assert (probe_count(max_distance // 4) > MAX_PROBES) == (max_distance >= 16)  # both paths are run


def test_bands_cover_the_hash() -> None:
    assert bands(0x0123456789ABCDEF) == [0x0123, 0x4567, 0x89AB, 0xCDEF]
