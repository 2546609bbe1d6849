"""Near-duplicate groups of a class for the review page (imagespider/review/groups.py)."""

from __future__ import annotations

import random

from imagespider.dataset.neardup.twinsearch import hash_columns
from imagespider.review.groups import near_duplicate_groups


def signed(value: int) -> int:
    return int(hash_columns(value)[0] or 0)


def test_groups_join_hashes_within_the_distance_transitively() -> None:
    base, other = 0x0F0F_0F0F_0F0F_0F0F, 0xFFFF_0000_1234_8000
    rows = [
        ("cat/a.jpg", signed(base)), ("cat/b.jpg", signed(base ^ 0b11)),  # 2 bits
        ("cat/c.jpg", signed(base ^ 0b11 ^ (0b1111 << 40))),  # 4 bits from b, 6 from a
        ("cat/d.jpg", signed(other)), ("cat/e.jpg", signed(~base & (2**64 - 1))),
    ]
    assert near_duplicate_groups(rows, 4) == [["cat/a.jpg", "cat/b.jpg", "cat/c.jpg"]]
    assert near_duplicate_groups(rows, 1) == []


def test_groups_match_a_pairwise_scan() -> None:
    generator = random.Random(7)
    values = [generator.getrandbits(64) for _ in range(300)]
    values += [value ^ (1 << generator.randrange(64)) ^ (1 << generator.randrange(64)) for value in values[:50]]
    rows = [(f"cat/{n:04d}.jpg", signed(value)) for n, value in enumerate(values)]
    pairs = {
        (a, b) for a in range(len(values)) for b in range(a + 1, len(values))
        if (values[a] ^ values[b]).bit_count() <= 6
    }
    grouped = near_duplicate_groups(rows, 6)
    together = {name: number for number, group in enumerate(grouped) for name in group}
    assert pairs and all(together.get(rows[a][0]) == together.get(rows[b][0]) is not None for a, b in pairs)
