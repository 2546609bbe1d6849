"""An export's output folder, written by one export at a time and changed only once the new export is whole.

Two exports into one folder used to interleave (a shards.json listing absent shards, a tar of
40 members where it said 3, one dying on a shared ``.tmp`` name), and a full disk left the old
shards.json beside shards already replaced (issue 28 item 5). Now:

* :func:`export_lock` takes an exclusive ``flock`` on ``<out>/.export.lock``; a second export
  into the folder is refused at once with :class:`ExportBusy` (one line), not merged.
* Everything is written under a scratch folder of its own (``<out>/.export-<random>/``, unique,
  so no two writers share a name), flushed, and only then moved into place by
  :func:`move_into_place`: each shard by one rename, ``shards.json`` after them (it describes
  shards that exist), then the shards of the previous export this one did not write are removed.
  A failure before that (a full disk) leaves the previous export whole; renames need no space.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path

from imagespider.dataset.export.shards import remove_stale_shards
from imagespider.dataset.store.durable import fsync_folder

LOCK = ".export.lock"
SCRATCH_PREFIX = ".export-"


class ExportBusy(RuntimeError):
    """Another export is writing to the folder. Its text is one line for the log."""


@contextlib.contextmanager
def export_lock(out: Path) -> Iterator[None]:
    """Hold ``out``'s export lock; raise :class:`ExportBusy` if another export holds it. Scratch
    folders a killed export left are removed once the lock is held (no export is using them)."""
    fd = os.open(out / LOCK, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ExportBusy(
                f"another export is writing to {out.resolve()}; wait for it to end, or name another output folder"
            ) from None
        for leftover in out.glob(f"{SCRATCH_PREFIX}*"):
            if leftover.is_dir() and not leftover.is_symlink():
                shutil.rmtree(leftover, ignore_errors=True)
        yield
    finally:
        os.close(fd)  # releases the lock


@contextlib.contextmanager
def scratch_folder(out: Path) -> Iterator[Path]:
    """A new, uniquely named scratch folder in ``out``, removed afterwards whatever happened."""
    scratch = Path(tempfile.mkdtemp(dir=out, prefix=SCRATCH_PREFIX))
    try:
        yield scratch
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def move_into_place(
    scratch: Path, out: Path, shards: list[str], manifest: str, documents: Sequence[str] = ()
) -> None:
    """Move the shards (paths relative to ``scratch``, such as ``webdataset/shard-000000.tar``),
    then ``documents`` (the card), then ``manifest`` from ``scratch`` into ``out``, each flushed
    before and its folder after; last, remove the shards of an earlier export that ``manifest``
    does not list."""
    for name in (*shards, *documents, manifest):
        _fsync_file(scratch / name)
    for name in (*shards, *documents):
        target = out / name
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(scratch / name, target)
    for folder in {(out / name).parent for name in shards}:
        fsync_folder(folder)
    os.replace(scratch / manifest, out / manifest)
    fsync_folder(out)
    remove_stale_shards(out, set(shards))


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
