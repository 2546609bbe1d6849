"""Writes that survive a power cut or a full disk whole or not at all: short writes finished,
files and their folder flushed before a rename makes them the real one.

``os.replace`` is atomic for readers, but without an ``fsync`` of the new file first a power cut
can leave the new name holding no bytes; without an ``fsync`` of the folder afterwards the rename
itself may be lost. ``os.write`` may write fewer bytes than asked (a signal, a disk filling up):
the rest is written, and a write that fails part-way is cut back so no half line stays behind.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path


def write_all(fd: int, data: bytes) -> None:
    """Write every byte of ``data`` to ``fd`` (``os.write`` may write fewer)."""
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        if written <= 0:  # not seen from a regular file; never loop forever on one
            raise OSError(f"write made no progress ({len(view)} bytes left)")
        view = view[written:]


def append_whole(fd: int, data: bytes) -> int:
    """Append ``data`` to the file open as ``fd`` (``O_APPEND``, one writer) and return where it
    starts; on failure the file is cut back to where it was, so no partial line stays for the
    next one to be glued to, and the error is raised."""
    start = os.fstat(fd).st_size
    try:
        write_all(fd, data)
    except BaseException:
        with contextlib.suppress(OSError):  # the write's own error is the one raised
            os.ftruncate(fd, start)  # only our own bytes, written just now
        raise
    return start


def fsync_folder(folder: Path) -> None:
    """Make a rename or a new file in ``folder`` durable."""
    fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def replace_durably(temp: Path, target: Path) -> None:
    """Move ``temp`` (already written and closed) over ``target``: flushed first, the folder after."""
    fd = os.open(temp, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(temp, target)
    fsync_folder(target.parent)
