"""One crawl writes a store at a time, and a store that cannot be opened says why in one line.

Opening takes an exclusive ``flock`` on ``<store>/.lock`` (before orphans are set aside, which
would move another crawl's files in flight) and closing, or the process ending however it ends,
releases it. A second crawl is refused with :class:`StoreLocked`, not merged: two writers would
each dedupe against a stale manifest.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from imagespider.dataset.store.files import LOCK


class StoreRefused(RuntimeError):
    """The store cannot be opened for this crawl. Its text is one line for the log, naming the
    file and the fix; ``reason`` is the crawl's finish reason (``failed_...``), ``exitcode`` the
    command's exit status (2 where the user gave a file in the wrong shape)."""

    reason = "failed_store_refused"
    exitcode = 1


class StoreLocked(StoreRefused):
    """Another process holds the store's lock. Its text is one line for the log."""

    reason = "failed_store_locked"

    def __init__(self, root: Path, holder: str = "") -> None:
        pid, _, what = holder.partition(" ")
        if what == "review":  # `scrapy review` holds it (imagespider/commands/review.py)
            super().__init__(
                f"a review (scrapy review, pid {pid}) holds {root.resolve()}; stop it (Ctrl-C) "
                "or give this crawl another IMAGES_STORE"
            )
            return
        who = f"another crawl (pid {holder})" if holder.isdigit() else "another crawl"
        super().__init__(
            f"{who} is writing to {root.resolve()}; wait for it to end, "
            "or give this crawl another IMAGES_STORE"
        )


def check_unlocked(root: str | os.PathLike[str]) -> None:
    """Raise :class:`StoreLocked` if a crawl is writing to ``root`` now; create nothing.

    Our ``crawl`` command asks before starting, so a busy store ends the command at once.
    """
    path = Path(root) / LOCK
    try:
        fd = os.open(path, os.O_RDWR)  # NFS emulates flock with fcntl locks: those need write
    except (FileNotFoundError, NotADirectoryError):
        return  # no store or no lock file yet: nobody is writing
    except OSError as error:
        raise _unopenable(path, error) from None
    try:
        _lock(fd, Path(root))
    finally:
        os.close(fd)  # also releases the probe's lock


def take_lock(root: Path) -> int:
    """Lock ``root`` for this process, writing its pid in the lock file; returns the file's descriptor
    (closing it releases the lock). Raises :class:`StoreLocked` when another process holds it."""
    # The lock file is never deleted: unlinking it would let a waiting opener lock a
    # file nobody else can see, and two crawls would both "hold" the store.
    try:
        fd = os.open(root / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as error:
        raise _unopenable(root / LOCK, error) from None
    try:
        _lock(fd, root)
    except BaseException:
        os.close(fd)
        raise
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
    return fd


def _unopenable(path: Path, error: OSError) -> StoreRefused:
    """A lock file we cannot open (a folder in its place, another user's file): one line, not
    the traceback the crawl would end in when it opened the store."""
    return StoreRefused(
        f"cannot open {path}: {error.strerror}; it must be a file this user can write: fix or remove it, then crawl"
    )


def _lock(fd: int, root: Path) -> None:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
        raise StoreLocked(root, holder) from None
