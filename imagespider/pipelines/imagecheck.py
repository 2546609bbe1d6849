"""The check every downloaded image gets, and the worker processes that run it.

Proving an image whole (a full decode), hashing it and reading its embedded rights is the
crawl's CPU work; it runs in a pool of worker processes (``IMAGES_WORKERS``; threads with
``IMAGES_CHECK_PROCESSES=False``), so Pillow never holds the GIL the reactor needs. Only facts
cross back from a worker, never pixels. Pure but for the pool: bytes in, :class:`ImageFacts`
or a verdict out.

Every check is bounded (issue 13): what a file would cost to decode is estimated from its header
and refused as ``too_costly`` over the budget (``IMAGES_CHECK_MEMORY``; an animation's frame
count and pixels of all frames, a progressive JPEG's scans); a worker process also runs under
``RLIMIT_AS``, so an estimate that was wrong ends in ``too_costly`` too, never in a swapping
machine; and a check that takes longer than ``IMAGES_CHECK_TIMEOUT`` is ``check_timeout``, its
worker killed and replaced (:class:`CheckPool`). Only the first frame of an animation is decoded.
"""

from __future__ import annotations

import asyncio
import ctypes
import hashlib
import multiprocessing
import os
import resource
import signal
import sys
import warnings
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from io import BytesIO
from typing import Any

from PIL import Image, UnidentifiedImageError

from imagespider.dataset.documents.thumbnails import thumbnail_jpeg
from imagespider.dataset.neardup.phash import HASH_DECODE_MIN, hash_sized, phash_of
from imagespider.errors import Rejected
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


def _init_check_process(max_pixels: int, parent: int, memory: int = 0) -> None:
    """A check process's Pillow refuses what the crawl's does (see ``open_spider``), and the
    process dies with the crawl: a forked worker holds the crawl's descriptors, the store's
    ``flock`` among them, and would otherwise outlive a killed crawl, waiting for work forever
    and keeping the store locked (tests/crawl/test_resume.py, sigkill)."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    # The crawl died before the line above (a forkserver's child has the server as its parent,
    # which ends when the crawl does).
    if parent and os.getppid() != parent:
        os._exit(1)
    # Not Scrapy's handlers, inherited by the fork: Ctrl-C is the crawl's to handle, and a plain
    # kill ends a worker.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    Image.MAX_IMAGE_PIXELS = max_pixels
    warnings.filterwarnings("ignore", category=Image.DecompressionBombWarning)
    if memory:
        cap_address_space(memory)


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


def new_check_executor(workers: int, processes: bool, max_pixels: int, memory: int = 0, fork: bool = True) -> Executor:
    """IMAGES_WORKERS check processes (IMAGES_CHECK_PROCESSES, the default) or threads.

    Processes: Pillow holds the GIL for part of a decode (WebP, image allocation), so check
    threads slowed the reactor thread that feeds them; in their own processes they do not
    (600 benchmark images: 7.1-7.6 s against 8.1-8.3 s with threads, for +3% CPU spent on
    sending the bodies). ``fork``: a worker starts in milliseconds with the modules already
    imported, and its CPU time is charged to the crawl. The workers are forked in the pipeline's
    open_spider, before the crawl's own threads have work (forking later, from a busy
    multi-threaded process, risks a child inheriting a lock held by another thread): a later
    worker (``fork=False``) comes from a ``forkserver`` instead, which has imported this module.
    """
    if not processes:
        return ThreadPoolExecutor(workers, thread_name_prefix="imagespider-check")
    if fork:
        context, parent = multiprocessing.get_context("fork"), os.getpid()
    else:
        context, parent = multiprocessing.get_context("forkserver"), 0
        context.set_forkserver_preload([__name__])
    executor = ProcessPoolExecutor(
        workers, mp_context=context, initializer=_init_check_process, initargs=(max_pixels, parent, memory),
    )
    executor.submit(int).result()  # start every worker now (ProcessPoolExecutor starts all at once)
    return executor


# -- Bounds: what one check may cost (issue 13) ------------------------------------------------

#: Scans a progressive JPEG may have: encoders write about 10; each scan is another pass over
#: every block, and 20,000 of them took one check 30 s (tests/mockserver/hostile.py).
MAX_JPEG_SCANS = 250
#: Defaults of the settings of the same names (imagespider/settings.py).
DEFAULT_MAX_FRAMES = 1000
DEFAULT_CHECK_MEMORY_MIB = 384
DEFAULT_CHECK_TIMEOUT = 15.0


@dataclass(frozen=True, slots=True)
class CheckBounds:
    """What one check may cost; read once from settings by :meth:`from_settings`."""

    max_pixels: int
    #: IMAGES_MAX_FRAMES: frames an animation may have.
    max_frames: int = DEFAULT_MAX_FRAMES
    #: IMAGES_CHECK_MEMORY in bytes: what decoding one image may take (0 = unbounded).
    memory: int = DEFAULT_CHECK_MEMORY_MIB << 20
    #: IMAGES_CHECK_TIMEOUT, seconds of wall time for one check.
    timeout: float = DEFAULT_CHECK_TIMEOUT

    @classmethod
    def from_settings(cls, settings: Any) -> CheckBounds:
        return cls(
            max_pixels=settings.getint("IMAGES_MAX_PIXELS"),
            max_frames=settings.getint("IMAGES_MAX_FRAMES"),
            memory=settings.getint("IMAGES_CHECK_MEMORY") << 20,
            timeout=settings.getfloat("IMAGES_CHECK_TIMEOUT"),
        )


def refuse_costly_bytes(body: bytes, bounds: CheckBounds) -> None:
    """Refuse, from the bytes alone, what Pillow would pay for on ``open``: libwebp allocates an
    animation's whole canvas twice when the file is opened (a 142-byte file asked for 1.4 GB),
    and a JPEG's scans are counted (markers cannot occur inside entropy-coded data)."""
    canvas = webp_canvas(body)
    if canvas is not None:
        width, height, animated = canvas
        if width * height > bounds.max_pixels:
            raise Rejected("decompression_bomb", f"{width}x{height} is over IMAGES_MAX_PIXELS={bounds.max_pixels}")
        # The animation decoder's two RGBA canvases, and Pillow's copy of the frame.
        if animated and bounds.memory and width * height * 12 > bounds.memory:
            raise Rejected("too_costly", f"a {width}x{height} animation needs more than IMAGES_CHECK_MEMORY to decode")
    if body[:2] == b"\xff\xd8":
        scans = body.count(b"\xff\xda")
        if scans > MAX_JPEG_SCANS:
            raise Rejected("too_costly", f"a JPEG of {scans} scans (at most {MAX_JPEG_SCANS} are decoded)")


def webp_canvas(body: bytes) -> tuple[int, int, bool] | None:
    """(width, height, animated) from an extended WebP's VP8X header, or None."""
    if len(body) < 30 or body[:4] != b"RIFF" or body[8:16] != b"WEBPVP8X":
        return None
    flags = body[20]
    width = int.from_bytes(body[24:27], "little") + 1
    height = int.from_bytes(body[27:30], "little") + 1
    return width, height, bool(flags & 0x02)


def refuse_costly_frames(image: Image.Image, bounds: CheckBounds) -> None:
    """An animation: at most IMAGES_MAX_FRAMES frames, and all its frames together at most
    IMAGES_MAX_PIXELS (what a loader that decodes every frame would pay). Counting frames reads
    headers only; the check itself decodes the first frame alone."""
    frames = getattr(image, "n_frames", 1) if getattr(image, "is_animated", False) else 1
    if frames <= 1:
        return
    width, height = image.size
    if frames > bounds.max_frames:
        raise Rejected("too_costly", f"{frames} frames (IMAGES_MAX_FRAMES={bounds.max_frames})")
    if frames * width * height > bounds.max_pixels:
        raise Rejected(
            "too_costly", f"{frames} frames of {width}x{height} are over IMAGES_MAX_PIXELS={bounds.max_pixels} in all"
        )


#: Bytes Pillow keeps per pixel, by mode ("RGB" is stored as four bytes); 4 for the rest.
_PIXEL_BYTES = {"1": 1, "L": 1, "P": 1, "I;16": 2, "LA": 4, "PA": 4}


def refuse_costly_decode(image: Image.Image, bounds: CheckBounds) -> None:
    """Refuse an image whose decoded pixels (at the draft size for JPEG), plus the grey copy
    the perceptual hash makes, would not fit in IMAGES_CHECK_MEMORY."""
    if not bounds.memory:
        return
    width, height = image.size
    need = width * height * (_PIXEL_BYTES.get(image.mode, 4) + 1)
    if need > bounds.memory:
        raise Rejected(
            "too_costly",
            f"{width}x{height} {image.mode} needs {need >> 20} MiB to decode, "
            f"over IMAGES_CHECK_MEMORY={bounds.memory >> 20} MiB",
        )


def cap_address_space(memory: int) -> None:
    """Let this (worker) process grow by at most ``memory`` bytes of address space beyond what
    it holds now (it is a fork of the crawl, whose size it starts with): past it, allocations
    fail (MemoryError, ``too_costly``) instead of the machine swapping or the OOM killer choosing."""
    size = int(open("/proc/self/statm").read().split()[0]) * os.sysconf("SC_PAGE_SIZE")  # noqa: SIM115
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = size + memory
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


class CheckPool:
    """The check workers, each check bounded in time (issue 28, items 8 and 9).

    ``workers`` slots, each one worker (a process of its own, or a thread with
    ``processes=False``). A check waits for a free slot here, then runs at once in it, so
    ``bounds.timeout`` counts the check's own run time, never its wait in the queue. A check
    still running after it is ``check_timeout`` and only its slot is retired: the process is
    killed (a thread cannot be: it runs on, unbounded, and is let go) and a new worker takes the
    slot; the other checks, running or waiting, are not touched (threads: at most ``workers``
    timed-out threads run on beside the pool's; past that a slot waits for one to end). A process that crashed is
    replaced the same way and the image tried once more; a second crash is blamed on the image
    (``corrupt_image``).

    The first workers are forked in ``open_spider``, before the crawl's threads have work. A
    replacement is made later, from a process with threads: forking then risks a child that
    inherits a lock another thread held, so replacements come from a ``forkserver`` (a fresh
    single-threaded process that has imported this module), made off the reactor thread.
    """

    def __init__(self, workers: int, processes: bool, bounds: CheckBounds) -> None:
        self.workers, self.processes, self.bounds = workers, processes, bounds
        self._free: asyncio.Queue[Executor] | None = None
        self._all: set[Executor] = set()
        self._replacing: set[asyncio.Future[None]] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        #: Checks that timed out in a thread (which cannot be stopped) and still run.
        self._runaway: set[Future[Any]] = set()

    def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._free = asyncio.Queue()
        for _ in range(self.workers):
            executor = self._new(fork=True)
            self._all.add(executor)
            self._free.put_nowait(executor)

    def _new(self, fork: bool) -> Executor:
        memory = self.bounds.memory if self.processes else 0
        return new_check_executor(1, self.processes, self.bounds.max_pixels, memory, fork=fork)

    def shutdown(self) -> None:
        for future in self._replacing:
            future.cancel()
        for executor in self._all:
            _kill(executor)
        self._all.clear()
        self._free = None

    async def run(self, fn: Any, *args: Any) -> Any:
        """``fn(*args)`` in a worker; a timeout or a second crash gives a ``(reason, detail)``."""
        crashes = 0
        while True:
            if self._free is None:
                raise RuntimeError("the check pool is not started")
            executor = await self._free.get()
            try:
                done = executor.submit(fn, *args)
            except (BrokenProcessPool, RuntimeError):  # died idle (killed from outside)
                self._retire(executor)
                continue
            # The slot is free again when the check really ends, not when its waiter gives up.
            done.add_done_callback(lambda _, e=executor: self._release_soon(e))
            try:
                return await asyncio.wait_for(asyncio.wrap_future(done), self.bounds.timeout)
            except TimeoutError:
                if not self.processes:  # a thread runs on: counted until it ends
                    self._runaway.add(done)
                    done.add_done_callback(self._runaway_ended)
                self._retire(executor)
                return "check_timeout", f"the check took longer than IMAGES_CHECK_TIMEOUT={self.bounds.timeout:g} s"
            except BrokenProcessPool:
                self._retire(executor)
                crashes += 1
                if crashes == 2:
                    return "corrupt_image", "the image decoder crashed on this file"

    def _release_soon(self, executor: Executor) -> None:
        """From the worker's side (a done callback runs in the executor's thread)."""
        loop = self._loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self._release, executor)

    def _runaway_ended(self, done: Future[Any]) -> None:
        loop = self._loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self._runaway.discard, done)

    def _release(self, executor: Executor) -> None:
        if self._free is not None and executor in self._all:
            self._free.put_nowait(executor)

    def _retire(self, executor: Executor) -> None:
        """Stop ``executor`` (its check ran too long, or it crashed) and start its replacement."""
        if executor not in self._all:
            return
        self._all.discard(executor)
        _kill(executor)
        replacing = asyncio.ensure_future(self._replace())
        self._replacing.add(replacing)
        replacing.add_done_callback(self._replacing.discard)

    async def _replace(self) -> None:
        # Check threads that timed out run on; at most ``workers`` of them beside the pool's own,
        # so a run of slow images cannot start threads without bound: past that, wait for one.
        while len(self._runaway) > self.workers:
            await asyncio.sleep(0.05)
        executor = await asyncio.get_running_loop().run_in_executor(None, self._new, False)
        if self._free is None:  # shut down meanwhile
            _kill(executor)
            return
        self._all.add(executor)
        self._free.put_nowait(executor)


def _kill(executor: Executor) -> None:
    """End a worker now: its process killed; a thread cannot be, and is let go."""
    for process in list((getattr(executor, "_processes", None) or {}).values()):
        process.kill()
    executor.shutdown(wait=False, cancel_futures=True)
