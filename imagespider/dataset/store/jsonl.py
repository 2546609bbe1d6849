"""The store's JSON-lines files (``metadata.jsonl``, ``rejected.jsonl``, ``crawls.jsonl``), a line at a time.

Every reader of the store's files comes through here, so a torn or damaged line means the same
thing everywhere: a last line with no newline is one being written (or cut by a crash) and is not
a row yet; a line that is not a JSON object is not a row. ``file_name`` is normalised when read
(``./cat/x.jpg`` and ``cat\\x.jpg`` name ``cat/x.jpg``).
"""

from __future__ import annotations

import json
import logging
import os
import posixpath
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

from imagespider.dataset.store.durable import append_whole
from imagespider.text import clean_value

logger = logging.getLogger(__name__)

#: Text a file name can hold: no C0 control character (NUL...) and no lone UTF-16 surrogate.
_NAMEABLE = re.compile("[^\x00-\x1f\ud800-\udfff]*")


def normal_file_name(value: Any) -> str | None:
    """A row's ``file_name`` as the store names files (``label/name``), or None if it names
    nothing inside the store: ``./cat/x.jpg`` and ``cat\\x.jpg`` are ``cat/x.jpg``."""
    if not isinstance(value, str) or not value.strip() or not _NAMEABLE.fullmatch(value):
        return None  # a NUL, a control character or a lone surrogate names no file on disk
    name = posixpath.normpath(value.strip().replace("\\", "/"))
    if name.startswith(("/", "../")) or name in (".", ".."):
        return None
    return name


def json_object(raw: bytes) -> dict[str, Any] | None:
    """The JSON object a line holds, or None for anything else."""
    try:
        value = json.loads(raw)
    except (ValueError, RecursionError):  # RecursionError: arrays nested thousands deep
        return None
    return value if isinstance(value, dict) else None


def is_row(raw: bytes) -> bool:
    """Whether a line is a row (a JSON object)."""
    return json_object(raw) is not None


#: The longest line read whole: a crawl's rows are kilobytes; a longer line (a whole dataset as one
#: JSON array, a damaged file) is no row, and is skipped a piece at a time, never held in memory.
MAX_LINE_BYTES = 16 << 20
#: What a line longer than :data:`MAX_LINE_BYTES` reads as: not a row.
TOO_LONG = b"\x00 a line longer than any row\n"


def _bounded(handle: BinaryIO) -> Iterator[tuple[bytes, int, bool]]:
    """``(line, length in the file, ended by a newline)`` for each line of ``handle``; a line
    longer than :data:`MAX_LINE_BYTES` is given as :data:`TOO_LONG`."""
    while raw := handle.readline(MAX_LINE_BYTES):
        length = len(raw)
        if length >= MAX_LINE_BYTES and not raw.endswith(b"\n"):
            while piece := handle.readline(1 << 20):
                length += len(piece)
                if piece.endswith(b"\n"):
                    break
            yield TOO_LONG, length, bool(piece)
            continue
        yield raw, length, raw.endswith(b"\n")


def read_lines(path: Path, start: int = 0) -> Iterator[tuple[int, bytes, int]]:
    """``(offset, line, length)`` for each whole line of ``path`` from byte ``start``: a last line
    with no newline (being written, or torn) is not yielded; a line longer than any row is given
    as :data:`TOO_LONG`, with its length in the file."""
    with path.open("rb") as handle:
        handle.seek(start)
        offset = start
        for raw, length, ended in _bounded(handle):
            if not ended:
                return
            yield offset, raw, length
            offset += length


def parse_row(raw: bytes) -> dict[str, Any] | None:
    """A manifest line as a row (``file_name`` normalised, text made safe), or None for a line
    that is not a JSON object."""
    row = json_object(raw)
    return None if row is None else _safe_row(raw, row)


def _safe_row(raw: bytes, row: dict[str, Any]) -> dict[str, Any]:
    """``row`` with ``file_name`` normalised and, when its line holds a ``\\u`` escape (the only way
    JSON spells a lone surrogate or a control character), every text cleaned
    (imagespider/text.py): a damaged or hand-written row must not fail the index, a document or
    an export where its text is encoded as UTF-8."""
    name = normal_file_name(row["file_name"]) if "file_name" in row else None
    if b"\\u" in raw:
        row = clean_value(row)
    if "file_name" in row:
        row["file_name"] = name
    return row


def read_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    """The rows (JSON objects) of a JSON-lines file, for every reader of the store's files.

    A missing file has no rows. A last line never finished (no newline, not a whole row: the
    machine stopped mid-write) is left out quietly; the store cuts it when it opens. Any other
    line that is not a JSON object (a hand edit gone wrong) is left out with a warning."""
    if not path.exists():
        return
    with path.open("rb") as handle:
        for raw, _, ended in _bounded(handle):
            if not ended and not is_row(raw):
                return  # torn tail
            try:
                row = json.loads(raw)
            except (ValueError, RecursionError):  # RecursionError: arrays nested thousands deep
                logger.warning("skipping an unreadable line in %s", path)
                continue
            if isinstance(row, dict):
                yield _safe_row(raw, row)


def tail_jsonl(path: Path, count: int) -> list[dict[str, Any]]:
    """The last ``count`` JSON-object lines of ``path``, oldest first, read backwards from its end
    (a rejected.jsonl of millions of lines is not read whole)."""
    try:
        handle = path.open("rb")
    except FileNotFoundError:
        return []
    with handle:
        position = handle.seek(0, os.SEEK_END)
        data = b""
        while position > 0 and data.count(b"\n") <= count:
            step = min(position, 1 << 20)
            position -= step
            handle.seek(position)
            data = handle.read(step) + data
    lines = data.split(b"\n")
    if position > 0:
        lines = lines[1:]  # the first piece may be the end of a longer line
    found: list[dict[str, Any]] = []
    for raw in lines:
        if not raw.strip():
            continue
        row = json_object(raw)
        if row is not None:
            found.append(row)
    return found[-count:]


def append_row(fd: int | None, row: dict[str, Any]) -> tuple[int, bytes]:
    """Append one row to the file open (``O_APPEND``) as ``fd``; returns where its line starts and the line."""
    if fd is None:
        raise RuntimeError("the dataset is not open")
    line = (json.dumps(row, ensure_ascii=False, sort_keys=False) + "\n").encode("utf-8")
    # One write() of one whole line: a killed process never leaves half a row. A short write (a
    # disk filling up) is finished, or cut back when the rest fails: the next row is never glued
    # to half of this one.
    return append_whole(fd, line), line


class RowReader:
    """Rows read back from the manifest by their ``(offset, length)`` in the store's index."""

    def __init__(self, manifest: Path) -> None:
        self._fd = os.open(manifest, os.O_RDONLY)

    def __enter__(self) -> RowReader:
        return self

    def __exit__(self, *_: object) -> None:
        os.close(self._fd)

    def row(self, offset: int, length: int) -> dict[str, Any] | None:
        return parse_row(os.pread(self._fd, length, offset))
