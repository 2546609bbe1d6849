"""The check every downloaded image gets: bytes in, :class:`ImageFacts` or a verdict out.

Proving an image whole (a full decode), hashing it and reading its embedded rights is the
crawl's CPU work; it runs in the check pool's worker processes (imagespider/pipelines/checkpool.py:
``IMAGES_WORKERS``; threads with ``IMAGES_CHECK_PROCESSES=False``), so Pillow never holds the GIL
the reactor needs. Only facts cross back from a worker, never pixels. Pure: no Scrapy, no pool.

Every check is bounded (issue 13): what a file would cost to decode is estimated from its header
and refused as ``too_costly`` over the budget (imagespider/pipelines/checkbounds.py); a worker
process also runs under ``RLIMIT_AS`` and a check that takes longer than ``IMAGES_CHECK_TIMEOUT``
is ``check_timeout`` (the pool). Only the first frame of an animation is decoded.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from io import BytesIO

from PIL import Image, UnidentifiedImageError

from imagespider.dataset.documents.thumbnails import thumbnail_jpeg
from imagespider.dataset.neardup.phash import HASH_DECODE_MIN, hash_sized, phash_of
from imagespider.errors import Rejected
from imagespider.pipelines.checkbounds import (
    CheckBounds,
    refuse_costly_bytes,
    refuse_costly_decode,
    refuse_costly_frames,
)
from imagespider.pipelines.webpdecode import decode_still_webp
from imagespider.rights.embedded import EmbeddedRights, read_embedded_from

#: Pillow format -> file extension, for the formats dataset loaders read.
EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif", "BMP": "bmp"}
#: Pillow formats that are another one with extras. MPO is a JPEG whose MPF segment (APP2) points
#: at more frames after the first, as phone and camera JPEGs carry: the file is a JPEG, and the
#: check reads its first frame, which is an ordinary JPEG.
FORMAT_ALIASES = {"MPO": "JPEG"}


@dataclass(frozen=True, slots=True)
class ImageFacts:
    width: int
    height: int
    format: str
    sha256: str
    #: Perceptual hash, 16 hex digits (imagespider.dataset.neardup.phash); derived, so not part of equality.
    phash: str | None = field(default=None, compare=False)
    #: Rights statements in the file, read from the image decoded for the check (no second open).
    embedded: EmbeddedRights = field(default_factory=EmbeddedRights, compare=False)
    #: The report's thumbnail (imagespider/dataset/documents/thumbnails.py), JPEG bytes made from the pixels
    #: the check decoded, so no image is decoded a second time for it; None if it could not be made
    #: or the report will not show the image (``thumbnail_cutoff``).
    thumbnail: bytes | None = field(default=None, compare=False, repr=False)


def inspect_image(
    body: bytes, min_width: int, min_height: int, max_pixels: int, bounds: CheckBounds | None = None,
    thumbnail_cutoff: str | None = None,
) -> ImageFacts:
    """Prove ``body`` is a whole, decodable image of an accepted size; runs in a worker.

    The header gives the size before any pixel is decoded, so a decompression bomb is refused
    cheaply. ``draft()`` lets JPEG decode at a reduced scale (1/8 for large photos, never under
    ``HASH_DECODE_MIN`` px, which the perceptual hash needs): every byte is still read, so a
    truncated file still fails, at a fraction of the cost of a full decode. A still WebP is
    decoded whole by libwebp directly (imagespider/pipelines/webpdecode.py), not through Pillow's
    animation decoder, and scaled down as it is decoded (to no less than ``HASH_DECODE_MIN`` px,
    as JPEG): every macroblock is still decoded, for 40% of Pillow's CPU. The decoded image then
    gives the perceptual hash and the report's thumbnail, so no image is decoded twice. The
    thumbnail is made only for an image the report could show: one whose sha256 is at most
    ``thumbnail_cutoff`` (imagespider/dataset/documents/thumbnails.py, ``sample_cutoff``; None: every image,
    ``""``: none).
    """
    bounds = bounds or CheckBounds(max_pixels)
    refuse_costly_bytes(body, bounds)
    try:
        image = Image.open(BytesIO(body))
    except UnidentifiedImageError:
        raise Rejected("not_an_image", "the body is not an image Pillow can read") from None
    except Image.DecompressionBombError as error:
        raise Rejected("decompression_bomb", str(error)) from None
    except (OSError, SyntaxError, ValueError) as error:
        raise Rejected("corrupt_image", str(error)) from None
    with image:
        width, height = image.size
        fmt = FORMAT_ALIASES.get(image.format or "", image.format)
        if fmt not in EXTENSIONS:
            raise Rejected("unsupported_format", f"{image.format} is not one of {', '.join(EXTENSIONS)}")
        if width * height > max_pixels:
            raise Rejected("decompression_bomb", f"{width}x{height} is over IMAGES_MAX_PIXELS={max_pixels}")
        if width < min_width or height < min_height:
            raise Rejected("too_small", f"{width}x{height} is under {min_width}x{min_height}")
        refuse_costly_frames(image, bounds)
        try:
            if fmt == "JPEG":
                image.draft(image.mode, (_draft_side(width), _draft_side(height)))
            refuse_costly_decode(image, bounds)
            # A still WebP straight through libwebp, at half the cost of Pillow's path (webpdecode.py).
            pixels = decode_still_webp(body, HASH_DECODE_MIN) if fmt == "WEBP" else None
            if pixels is None:
                image.load()
                pixels = image
        except MemoryError:
            raise Rejected("too_costly", f"decoding needs over IMAGES_CHECK_MEMORY={bounds.memory >> 20} MiB") from None
        except Image.DecompressionBombError as error:
            raise Rejected("decompression_bomb", str(error)) from None
        except (OSError, SyntaxError, ValueError, EOFError) as error:
            raise Rejected("corrupt_image", str(error) or type(error).__name__) from None
        # One reduced copy serves the hash and the thumbnail: from a 2 MP PNG or WebP, making the
        # thumbnail from the full pixels cost as much again as the hash (benchmarks/checkprofile.py).
        small = hash_sized(pixels)
        phash, embedded = _phash_or_none(small), read_embedded_from(image, body)
        sha256 = hashlib.sha256(body).hexdigest()
        # Last: it reduces ``small`` (which may be ``image``) in place.
        shown = thumbnail_cutoff is None or sha256 <= thumbnail_cutoff
        thumbnail = thumbnail_jpeg(small) if shown else None
        return ImageFacts(width, height, fmt, sha256, phash, embedded, thumbnail)


def check_image(
    body: bytes, min_width: int, min_height: int, max_pixels: int, bounds: CheckBounds | None = None,
    thumbnail_cutoff: str | None = None,
) -> ImageFacts | tuple[str, str]:
    """:func:`inspect_image` as a worker process runs it: a verdict comes back as
    ``(reason, detail)`` (``Rejected`` does not survive pickling with its reason), facts as they are.
    Only the facts cross back, never pixels: the body goes in as bytes, a few hundred bytes return.
    Running out of the worker's address space anywhere (hashing, embedded rights) is ``too_costly``."""
    try:
        return inspect_image(body, min_width, min_height, max_pixels, bounds, thumbnail_cutoff)
    except Rejected as verdict:
        return verdict.reason, verdict.detail
    except MemoryError:
        return "too_costly", "checking this image needs more memory than IMAGES_CHECK_MEMORY allows"


def _draft_side(side: int) -> int:
    return max(1, min(side, max(side // 8, HASH_DECODE_MIN)))


def _phash_or_none(image: Image.Image) -> str | None:
    """The perceptual hash, or None for a mode Pillow cannot turn grey (the image is still kept,
    it only escapes near-duplicate detection)."""
    try:
        return phash_of(image)
    except (OSError, ValueError):
        return None
