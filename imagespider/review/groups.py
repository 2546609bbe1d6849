"""Near-duplicate groups of a class for the review page: images whose perceptual hashes are at most
``DEDUP_MAX_DISTANCE`` bits apart, joined transitively.

The same pigeonhole as the crawl's twin search (imagespider/dataset/neardup/twinsearch.py): two hashes at
most ``d`` bits apart agree within ``d // 4`` bits on one of their four 16-bit bands, so each hash
is compared only with those sharing a band value within that radius (17 lookups per band for the
default 6), not with every other image: a class of 10,000 images is grouped in about a second.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterable

from imagespider.dataset.neardup.twinsearch import BAND_BITS, BANDS, HASH_BITS, bands

_MASK = (1 << HASH_BITS) - 1


def near_duplicate_groups(rows: Iterable[tuple[str, int]], max_distance: int) -> list[list[str]]:
    """Groups (two or more file names, sorted; groups by their first name) of ``(file_name, phash)``
    rows, the hash as the index stores it (a signed 64-bit integer)."""
    names: list[str] = []
    hashes: list[int] = []
    for name, value in rows:
        names.append(name)
        hashes.append(int(value) & _MASK)
    radius = max_distance // BANDS
    flips = [0] + [sum(1 << bit for bit in bits) for r in range(1, radius + 1)
                   for bits in itertools.combinations(range(BAND_BITS), r)]
    buckets: list[dict[int, list[int]]] = [defaultdict(list) for _ in range(BANDS)]
    for slot, value in enumerate(hashes):
        for number, band in enumerate(bands(value)):
            buckets[number][band].append(slot)
    parent = list(range(len(names)))

    def root(slot: int) -> int:
        while parent[slot] != slot:
            parent[slot] = parent[parent[slot]]
            slot = parent[slot]
        return slot

    for slot, value in enumerate(hashes):
        for number, band in enumerate(bands(value)):
            bucket = buckets[number]
            for flip in flips:
                for other in bucket.get(band ^ flip, ()):
                    if other > slot and (value ^ hashes[other]).bit_count() <= max_distance:
                        parent[root(other)] = root(slot)
    members: dict[int, list[str]] = defaultdict(list)
    for slot, name in enumerate(names):
        members[root(slot)].append(name)
    return sorted((sorted(group) for group in members.values() if len(group) > 1), key=lambda group: group[0])
