"""The check every downloaded image gets, and the worker processes that run it.

Proving an image whole (a full decode), hashing it and reading its embedded rights is the
crawl's CPU work; it runs in a pool of worker processes (``IMAGES_WORKERS``; threads with
``IMAGES_CHECK_PROCESSES=False``), so Pillow never holds the GIL the reactor needs. Only facts
cross back from a worker, never pixels. Pure but for the pool: bytes in, :class:`ImageFacts`
or a verdict out.
"""

from __future__ import annotations

import ctypes
import hashlib
import multiprocessing
import os
import signal
import sys
import warnings
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from io import BytesIO

from PIL import Image, UnidentifiedImageError

from imagespider.dataset.neardup import HASH_DECODE_MIN, phash_of
from imagespider.errors import Rejected
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
    #: Perceptual hash, 16 hex digits (imagespider.dataset.neardup); derived, so not part of equality.
    phash: str | None = field(default=None, compare=False)
    #: Rights statements in the file, read from the image decoded for the check (no second open).
    embedded: EmbeddedRights = field(default_factory=EmbeddedRights, compare=False)


def inspect_image(body: bytes, min_width: int, min_height: int, max_pixels: int) -> ImageFacts:
    """Prove ``body`` is a whole, decodable image of an accepted size; runs in a worker.

    The header gives the size before any pixel is decoded, so a decompression bomb is refused
    cheaply. ``draft()`` lets JPEG decode at a reduced scale (1/8 for large photos, never under
    ``HASH_DECODE_MIN`` px, which the perceptual hash needs): every byte is still read, so a
    truncated file still fails, at a fraction of the cost of a full decode. The decoded image
    then gives the perceptual hash, so no image is decoded twice.
    """
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
        try:
            if fmt == "JPEG":
                image.draft(image.mode, (_draft_side(width), _draft_side(height)))
            image.load()
        except Image.DecompressionBombError as error:
            raise Rejected("decompression_bomb", str(error)) from None
        except (OSError, SyntaxError, ValueError, EOFError) as error:
            raise Rejected("corrupt_image", str(error) or type(error).__name__) from None
        return ImageFacts(
            width, height, fmt, hashlib.sha256(body).hexdigest(), _phash_or_none(image),
            read_embedded_from(image),
        )


def check_image(body: bytes, min_width: int, min_height: int, max_pixels: int) -> ImageFacts | tuple[str, str]:
    """:func:`inspect_image` as a worker process runs it: a verdict comes back as
    ``(reason, detail)`` (``Rejected`` does not survive pickling with its reason), facts as they are.
    Only the facts cross back, never pixels: the body goes in as bytes, a few hundred bytes return."""
    try:
        return inspect_image(body, min_width, min_height, max_pixels)
    except Rejected as verdict:
        return verdict.reason, verdict.detail


def _init_check_process(max_pixels: int, parent: int) -> None:
    """A check process's Pillow refuses what the crawl's does (see ``open_spider``), and the
    process dies with the crawl: a forked worker holds the crawl's descriptors, the store's
    ``flock`` among them, and would otherwise outlive a killed crawl, waiting for work forever
    and keeping the store locked (tests/crawl/test_resume.py, sigkill)."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the crawl died before the line above
        os._exit(1)
    # Not Scrapy's handlers, inherited by the fork: Ctrl-C is the crawl's to handle, and a plain
    # kill ends a worker.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    Image.MAX_IMAGE_PIXELS = max_pixels
    warnings.filterwarnings("ignore", category=Image.DecompressionBombWarning)


#: prctl(2) option: the signal a process gets when its parent dies.
_PR_SET_PDEATHSIG = 1


def _draft_side(side: int) -> int:
    return max(1, min(side, max(side // 8, HASH_DECODE_MIN)))


def _phash_or_none(image: Image.Image) -> str | None:
    """The perceptual hash, or None for a mode Pillow cannot turn grey (the image is still kept,
    it only escapes near-duplicate detection)."""
    try:
        return phash_of(image)
    except (OSError, ValueError):
        return None


def new_check_executor(workers: int, processes: bool, max_pixels: int) -> Executor:
    """IMAGES_WORKERS check processes (IMAGES_CHECK_PROCESSES, the default) or threads.

    Processes: Pillow holds the GIL for part of a decode (WebP, image allocation), so check
    threads slowed the reactor thread that feeds them; in their own processes they do not
    (600 benchmark images: 7.1-7.6 s against 8.1-8.3 s with threads, for +3% CPU spent on
    sending the bodies). ``fork``: a worker starts in milliseconds with the modules already
    imported, and its CPU time is charged to the crawl. The workers are forked here, in
    the pipeline's open_spider, before the crawl's own threads have work (forking later, from a busy
    multi-threaded process, risks a child inheriting a lock held by another thread).
    """
    if not processes:
        return ThreadPoolExecutor(workers, thread_name_prefix="imagespider-check")
    executor = ProcessPoolExecutor(
        workers, mp_context=multiprocessing.get_context("fork"),
        initializer=_init_check_process, initargs=(max_pixels, os.getpid()),
    )
    executor.submit(int).result()  # fork every worker now (ProcessPoolExecutor forks all at once)
    return executor
