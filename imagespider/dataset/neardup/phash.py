"""Near-duplicates: a 64-bit perceptual hash per image, and an index of the kept ones.

SHA-256 only catches the same bytes. The same photo re-encoded by a CDN, resized for a
thumbnail or converted to WebP has other bytes but the same look; in a training set it is a
leak between splits and a weight on one picture. ``imagehash.phash`` (DCT of a 32x32 grey
copy, the 8x8 lowest frequencies against their median) gives such copies hashes a few bits
apart, while distinct photos differ in about half of the 64 bits.

Measured on JPEG/PNG/WebP copies of 100 synthetic photo-like images (re-encoded at quality 40
and 95, resized to 50%, 70% and 150%, converted to PNG and WebP): every copy was within 4 bits
of its original, the closest two distinct images were 16 bits apart. Hence the default
``DEDUP_MAX_DISTANCE = 6``. (Distances are nearly always even: each hash has ~32 bits set.)

The index is a numpy ``uint64`` array scanned whole: xor and ``bitwise_count`` over 100,000
hashes take about 0.1 ms, so a lookup per kept image can stay on the reactor thread, where
the decision and the claim happen without a lock. No BK-tree needed at dataset sizes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import imagehash
import numpy as np
from PIL import Image
from scrapy.settings import BaseSettings

from imagespider.errors import ArgumentError

#: A JPEG is decoded at no less than this size on its short side when it is hashed (via
#: ``draft()``, see inspect_image). At 1/8 scale a 400 px photo decodes to 50 px and its hash
#: drifts up to 8 bits from the full decode; from 256 px it stays within 4 bits, at half the
#: cost of a full decode.
HASH_DECODE_MIN = 256
HASH_BITS = 64


def phash_of(image: Image.Image) -> str:
    """The perceptual hash of a loaded image, as 16 hex digits (``imagehash``'s own text form,
    which ``imagehash.hex_to_hash`` reads back).

    A large image is first box-reduced to no less than ``HASH_DECODE_MIN`` px on its short side
    (as ``draft()`` does for JPEG): imagehash's Lanczos resize to 32x32 costs in proportion to
    the input, 5-6 ms from 1-2 MP against under 2 ms after ``reduce()``, and the hash moved by
    at most 2 bits on the benchmark's 120 JPEG/PNG/WebP photos (benchmarks/throughput.py).
    """
    image = hash_sized(image)
    # imagehash.phash, step for step, with its two DCTs as one product by the 8 rows of the DCT-II
    # matrix it keeps: the same bits (1,600 images and modes compared), without the import of
    # scipy.fftpack that imagehash does at each call's start (~0.2-0.4 s per check process).
    pixels = np.asarray(image.convert("L").resize((_DCT_SIZE, _DCT_SIZE), Image.Resampling.LANCZOS), dtype=np.float64)
    low = _DCT_LOW @ pixels @ _DCT_LOW.T
    return str(imagehash.ImageHash(low > np.median(low)))


def hash_sized(image: Image.Image) -> Image.Image:
    """``image`` box-reduced to no less than ``HASH_DECODE_MIN`` px on its short side (itself
    when it is already that small, or of a mode whose pixels cannot be averaged). The image
    check hashes it and makes the report's thumbnail from it (imagespider/pipelines/imagecheck.py),
    so a PNG or WebP decoded in full is reduced once, not once for each."""
    factor = min(image.size) // HASH_DECODE_MIN
    if factor >= 2 and image.mode in REDUCIBLE_MODES:
        return image.reduce(factor)
    return image


#: imagehash.phash's grey copy (hash_size 8 x highfreq_factor 4) and the first 8 rows of
#: scipy.fftpack's unnormalised DCT-II over it: y[k] = 2 sum_n x[n] cos(pi k (2n + 1) / 2N).
_DCT_SIZE = 32
_DCT_LOW = 2 * np.cos(np.pi * np.outer(np.arange(8), 2 * np.arange(_DCT_SIZE) + 1) / (2 * _DCT_SIZE))

#: Modes whose pixels may be averaged (not palette indices, not 1-bit).
REDUCIBLE_MODES = frozenset({"L", "LA", "RGB", "RGBA", "RGBX", "CMYK", "YCbCr", "I", "F"})


def distance(a: str, b: str) -> int:
    """Hamming distance between two hex hashes: how many of the 64 bits differ."""
    return (int(a, 16) ^ int(b, 16)).bit_count()


@dataclass(frozen=True)
class DedupConfig:
    """``DEDUP`` and ``DEDUP_MAX_DISTANCE``, read and checked once (defaults in imagespider/settings.py)."""

    enabled: bool
    max_distance: int

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> DedupConfig:
        try:
            enabled = settings.getbool("DEDUP")
        except ValueError:
            raise ArgumentError(f"DEDUP must be True or False, got {settings.get('DEDUP')}") from None
        try:
            max_distance = settings.getint("DEDUP_MAX_DISTANCE")
        except ValueError:
            max_distance = -1
        if not 0 <= max_distance < HASH_BITS:
            raise ArgumentError(
                f"DEDUP_MAX_DISTANCE must be a whole number of bits from 0 to {HASH_BITS - 1}, "
                f"got {settings.get('DEDUP_MAX_DISTANCE')}; e.g. 6"
            )
        return cls(enabled, max_distance)


@dataclass(frozen=True)
class Twin:
    """The kept image a new one is too close to."""

    file_name: str
    distance: int


class PhashIndex:
    """The perceptual hashes of the kept images (and of those being stored right now)."""

    def __init__(self) -> None:
        self._hashes = np.zeros(1024, dtype=np.uint64)
        self._names: list[str] = []
        self._slot: dict[str, int] = {}

    @classmethod
    def from_rows(cls, rows: Iterable[Mapping[str, Any]]) -> PhashIndex:
        """The index of a manifest: rows without a usable ``phash`` (written before it existed,
        or by hand) are left out rather than failing the crawl."""
        index = cls()
        for row in rows:
            phash, file_name = row.get("phash"), row.get("file_name")
            if isinstance(phash, str) and file_name:
                try:
                    index.add(phash, str(file_name))
                except ValueError:
                    continue
        return index

    def __len__(self) -> int:
        return len(self._names)

    def add(self, phash: str, file_name: str) -> None:
        value = int(phash, 16)  # ValueError for a value that is not hex
        if value >> HASH_BITS:
            raise ValueError(f"{phash!r} is not a {HASH_BITS}-bit hash")
        if file_name in self._slot:
            self._hashes[self._slot[file_name]] = value
            return
        size = len(self._names)
        if size == len(self._hashes):
            self._hashes = np.concatenate([self._hashes, np.zeros(size, dtype=np.uint64)])
        self._hashes[size] = value
        self._names.append(file_name)
        self._slot[file_name] = size

    def remove(self, file_name: str) -> None:
        """Forget a claim whose file could not be written (the last entry takes its place)."""
        slot = self._slot.pop(file_name, None)
        if slot is None:
            return
        last = len(self._names) - 1
        if slot != last:
            self._hashes[slot] = self._hashes[last]
            self._names[slot] = self._names[last]
            self._slot[self._names[slot]] = slot
        self._names.pop()

    def nearest(self, phash: str) -> Twin | None:
        """The closest kept image, or None when the index is empty."""
        size = len(self._names)
        if not size:
            return None
        distances = np.bitwise_count(self._hashes[:size] ^ np.uint64(int(phash, 16)))
        slot = int(distances.argmin())
        return Twin(self._names[slot], int(distances[slot]))

    def twin_of(self, phash: str, max_distance: int) -> Twin | None:
        """The closest kept image within ``max_distance`` bits, if any."""
        twin = self.nearest(phash)
        return twin if twin is not None and twin.distance <= max_distance else None
