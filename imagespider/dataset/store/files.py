"""What is where in a store: the files at its root and the image files in its label folders.

``metadata.jsonl`` sits at the store's root with ``file_name`` relative to it (Hugging Face's
``imagefolder`` loader reads it; the label folders make the store a torchvision ``ImageFolder``
too). Our image files are named ``<label>/<sha256>.<ext>``; folders whose name starts with a dot
(``.orphans``, the thumbnails) are not label folders, and loaders skip them.
"""

from __future__ import annotations

import errno
import os
import re
import stat
from collections.abc import Iterator
from pathlib import Path

MANIFEST = "metadata.jsonl"
REJECTED = "rejected.jsonl"
#: The store's run history (imagespider/dataset/store/crawls.py).
CRAWLS = "crawls.jsonl"
#: The journal of reviews (imagespider/dataset/store/reviewjournal.py).
REVIEWS = "reviews.jsonl"
#: The store's JSON-lines files, each appended a row at a time and read under one rule
#: (imagespider/dataset/store/jsonl.py); their torn tails are set aside when the store opens.
JSONL_FILES = (MANIFEST, REJECTED, CRAWLS, REVIEWS)
#: Held (flock) by the crawl writing the store; holds that crawl's pid, for the message.
LOCK = ".lock"
#: Where image files with no manifest row are moved (``<store>/.orphans/<label>/<file>``).
ORPHANS = ".orphans"
#: Where manifest lines that are not rows are kept (under ORPHANS), so the manifest loads again.
UNREADABLE_ROWS = "metadata.unreadable.jsonl"
#: Each label folder's thumbnails for report.html (imagespider/dataset/documents/thumbnails.py).
THUMBS = ".thumbs"
_OUR_FILE = re.compile(r"^[0-9a-f]{64}\.[a-z0-9]{2,4}$")


def image_files(root: Path) -> list[Path]:
    """The files named like ours directly in a label folder (``.orphans`` and other dot folders
    are not label folders)."""
    return list(iter_image_files(root))


def iter_image_files(root: Path) -> Iterator[Path]:
    """:func:`image_files`, one at a time (a store may hold millions)."""
    return (root / name for name in iter_image_names(root))


def iter_image_names(root: Path) -> Iterator[str]:
    """:func:`image_files` as ``label/name`` strings, one at a time."""
    match = _OUR_FILE.match
    with os.scandir(root) as folders:
        for folder in folders:
            if folder.name.startswith(".") or not folder.is_dir():
                continue
            prefix = folder.name + "/"
            with os.scandir(folder.path) as entries:
                for entry in entries:
                    if match(entry.name) and entry.is_file():
                        yield prefix + entry.name


#: The largest image file read back from a store: the crawl keeps nothing over DOWNLOAD_MAXSIZE
#: (50 MiB by default); a larger file is no image the crawl kept, and is not read into memory.
MAX_IMAGE_BYTES = 1 << 30


class NotARegularFile(OSError):
    """A store path that is a link, a FIFO, a device or too large: read as damaged, never followed."""


def read_regular_file(path: Path, limit: int = MAX_IMAGE_BYTES) -> bytes | None:
    """The bytes of the regular file at ``path``, or None when there is none. Raises
    :class:`NotARegularFile` for a symbolic link (one to ``/dev/zero`` would be read until memory
    runs out), a FIFO (opening one waits for a writer), a device, or a file over ``limit`` bytes;
    the file is opened without following a link and without blocking, and read to its size only."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        return None
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise NotARegularFile(errno.ELOOP, "a symbolic link, not a file") from None
        raise
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise NotARegularFile(errno.EINVAL, f"not a regular file ({_kind(info.st_mode)})")
        if info.st_size > limit:
            raise NotARegularFile(errno.EFBIG, f"larger than {limit} bytes ({info.st_size})")
        chunks = []
        left = info.st_size + 1  # one byte more: a file growing while read is seen
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        data = b"".join(chunks)
        if len(data) > limit:
            raise NotARegularFile(errno.EFBIG, f"larger than {limit} bytes")
        return data
    finally:
        os.close(fd)


def _kind(mode: int) -> str:
    kinds = (
        (stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"), (stat.S_ISDIR, "a folder"),
    )  # fmt: skip
    return next((name for test, name in kinds if test(mode)), "not a file")
