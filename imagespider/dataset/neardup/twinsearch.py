"""The nearest perceptual hash in the store's index (imagespider/dataset/store/index.py), without reading every hash.

It gives exactly the answer of imagespider/dataset/neardup/phash.py's in-memory ``PhashIndex``: the
closest kept image within ``max_distance`` bits, the first indexed on a tie.

Multi-index hashing: the 64-bit hash is cut into 4 bands of 16 bits, each an indexed column
(``b0`` .. ``b3`` of the index's ``rows`` table). Two hashes at most ``d`` bits apart differ in at
most ``d // 4`` bits in at least one band (pigeonhole), so the candidates are the rows whose band
equals one of the values within ``d // 4`` bits of the query's band in that band: 4 x 17 exact
lookups for the default ``d = 6``. Beyond :data:`MAX_PROBES` lookups (``d >= 16``) a streamed scan
of every hash is cheaper.
"""

from __future__ import annotations

import itertools
import sqlite3
from collections.abc import Iterator
from math import comb
from typing import Any

import numpy as np

from imagespider.dataset.neardup.phash import Twin

HASH_BITS = 64
BANDS = 4
BAND_BITS = HASH_BITS // BANDS
#: Above this many exact band lookups a scan of every hash is cheaper (d >= 16 bits).
MAX_PROBES = 4000
_MASK = (1 << BAND_BITS) - 1


def phash_value(phash: Any) -> int | None:
    """A 64-bit hex hash as an int, or None for anything else (rows written before phash existed)."""
    if not isinstance(phash, str):
        return None
    try:
        value = int(phash, 16)
    except ValueError:
        return None
    return value if value >= 0 and not value >> HASH_BITS else None


def bands(value: int) -> list[int]:
    """The hash's 4 bands of 16 bits, the highest first."""
    return [(value >> (BAND_BITS * (BANDS - 1 - i))) & _MASK for i in range(BANDS)]


def hash_columns(value: int | None) -> tuple[int | None, ...]:
    """The index's ``phash, b0, b1, b2, b3`` columns for a hash (SQLite integers are signed)."""
    if value is None:
        return (None,) * (1 + BANDS)
    signed = value - (1 << HASH_BITS) if value >> (HASH_BITS - 1) else value
    return (signed, *bands(value))


def _neighbours(band: int, radius: int) -> list[int]:
    """Every 16-bit value within ``radius`` bits of ``band``."""
    found = [band]
    for flips in range(1, radius + 1):
        for bits in itertools.combinations(range(BAND_BITS), flips):
            value = band
            for bit in bits:
                value ^= 1 << bit
            found.append(value)
    return found


def probe_count(radius: int) -> int:
    """Exact band lookups for a search within ``radius`` bits per band."""
    return BANDS * sum(comb(BAND_BITS, i) for i in range(radius + 1))


def twin_in(db: sqlite3.Connection, phash: str, max_distance: int) -> Twin | None:
    """The closest row of ``db``'s ``rows`` within ``max_distance`` bits (the first indexed on a tie), if any."""
    value = phash_value(phash)
    if value is None:
        raise ValueError(f"{phash!r} is not a {HASH_BITS}-bit hex hash")
    radius = max_distance // BANDS
    best: tuple[int, int, str] | None = None
    if probe_count(radius) > MAX_PROBES:
        candidates = _scan(db, value, max_distance)
    else:
        candidates = _probe(db, value, radius)
    for ident, stored, file_name in candidates:
        gap = ((stored & ((1 << HASH_BITS) - 1)) ^ value).bit_count()
        if gap <= max_distance and (best is None or (gap, ident) < best[:2]):
            best = (gap, ident, file_name)
    return None if best is None else Twin(best[2], best[0])


def _probe(db: sqlite3.Connection, value: int, radius: int) -> Iterator[tuple[int, int, str]]:
    seen: set[int] = set()
    for number, band in enumerate(bands(value)):
        values = _neighbours(band, radius)
        for chunk in range(0, len(values), 500):
            part = values[chunk:chunk + 500]
            marks = ",".join("?" * len(part))
            query = f"SELECT id, phash, file_name FROM rows WHERE b{number} IN ({marks})"  # noqa: S608
            for ident, stored, file_name in db.execute(query, part):
                if ident not in seen and file_name is not None:
                    seen.add(ident)
                    yield ident, stored, file_name


def _scan(db: sqlite3.Connection, value: int, max_distance: int) -> Iterator[tuple[int, int, str]]:
    """Every hash, in chunks through numpy: memory bounded by the chunk."""
    cursor = db.execute("SELECT id, phash, file_name FROM rows WHERE phash IS NOT NULL AND file_name IS NOT NULL")
    target = np.uint64(value)
    while chunk := cursor.fetchmany(50_000):
        hashes = np.array([stored for _, stored, _ in chunk], dtype=np.int64).view(np.uint64)
        gaps = np.bitwise_count(hashes ^ target)
        for position in np.flatnonzero(gaps <= max_distance):
            yield chunk[int(position)]
