"""The store's JSON-lines files (``metadata.jsonl``, ``rejected.jsonl``, ``crawls.jsonl``,
``reviews.jsonl``, and a bucket's published manifest), a line at a time.

One rule for every reader of these files, here and nowhere else (:func:`store_lines`):

- a line is a row when it is a JSON object (``file_name`` normalised: ``./cat/x.jpg`` and
  ``cat\\x.jpg`` name ``cat/x.jpg``);
- a blank line is nothing; any other line (not JSON, not UTF-8, a JSON array or number) is not a
  row, and the readers of rows say so in a warning naming the file;
- a line longer than :data:`MAX_LINE_BYTES` is not a row, and is skipped a piece at a time, never
  held in memory;
- a last line with no newline is a row when it is one (a row saved by an editor or pandas without
  its newline); anything else there is a torn tail (a write being made, or cut by a crash): not a
  row and not damage, so it is left out quietly. The store sets it aside when it opens
  (imagespider/dataset/store/repair.py, :func:`~imagespider.dataset.store.repair.set_torn_tails_aside`).
"""
from __future__ import annotations

import io
import json
import logging
import math
import os
import posixpath
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO, NamedTuple

from imagespider.dataset.store.durable import append_whole
from imagespider.text import clean_text, clean_value

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


class Line(NamedTuple):
    """One line of a store file: where it starts, its bytes (newline included;
    :data:`TOO_LONG` for a line longer than any row) and its length in the file."""

    offset: int
    raw: bytes
    length: int


def _bounded(handle: BinaryIO) -> Iterator[tuple[bytes, int, bool]]:
    """``(line, length in the file, ended by a newline)`` for each line of ``handle``; a line
    longer than :data:`MAX_LINE_BYTES` is given as :data:`TOO_LONG`, read past a piece at a time."""
    while raw := handle.readline(MAX_LINE_BYTES):
        length = len(raw)
        if length >= MAX_LINE_BYTES and not raw.endswith(b"\n"):
            piece = b""
            while piece := handle.readline(1 << 20):
                length += len(piece)
                if piece.endswith(b"\n"):
                    break
            yield TOO_LONG, length, piece.endswith(b"\n")
            continue
        yield raw, length, raw.endswith(b"\n")


def store_lines(handle: BinaryIO, start: int = 0) -> Iterator[Line]:
    """Every line of a store file read from ``handle`` (a local file, or a bucket's object through
    :func:`stream_handle`), numbered from byte ``start``, under the module's rule: a last line with
    no newline is given only when it is a row; a torn one is not given."""
    offset = start
    for raw, length, ended in _bounded(handle):
        if not ended and json_object(raw) is None:
            return  # a torn tail: not a row yet, and not damage
        yield Line(offset, raw, length)
        offset += length


def read_lines(path: Path, start: int = 0) -> Iterator[Line]:
    """:func:`store_lines` of the file at ``path`` from byte ``start``."""
    with path.open("rb") as handle:
        handle.seek(start)
        yield from store_lines(handle, start)


class _Stream(io.RawIOBase):
    """A ``read(size)`` callable (botocore's StreamingBody) as a raw binary file."""

    def __init__(self, read: Callable[[int], bytes]) -> None:
        self._read = read

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def stream_handle(read: Callable[[int], bytes]) -> BinaryIO:
    """A stream read a piece at a time (an object store's answer) as a file :func:`store_lines`
    reads, buffered in 1 MiB pieces."""
    return io.BufferedReader(_Stream(read), 1 << 20)  # type: ignore[return-value]


def rows_of(lines: Iterable[Line], name: object) -> Iterator[dict[str, Any]]:
    """The rows among ``lines`` (see :func:`parse_row`); a line that is neither blank nor a row is
    skipped with a warning naming ``name`` (the file)."""
    for line in lines:
        row = parse_row(line.raw)
        if row is not None:
            yield row
        elif line.raw.strip():
            logger.warning("skipping an unreadable line in %s (not a JSON object, or longer than any row)", name)


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
    """The rows of a store's JSON-lines file (:func:`rows_of` :func:`read_lines`); a missing file
    has no rows."""
    if not path.exists():
        return
    yield from rows_of(read_lines(path), path)


def tail_jsonl(path: Path, count: int) -> list[dict[str, Any]]:
    """The last ``count`` rows of ``path``, oldest first, under the same rule as :func:`read_lines`,
    found from the file's end (a rejected.jsonl of millions of lines is not read whole, nor a
    line longer than any row)."""
    try:
        handle = path.open("rb")
    except FileNotFoundError:
        return []
    found: list[dict[str, Any]] = []
    with handle:
        size = handle.seek(0, os.SEEK_END)
        for start, end in _lines_backwards(handle, size):
            if len(found) >= count:
                break
            if end - start + 1 > MAX_LINE_BYTES:
                continue  # longer than any row (with its newline)
            handle.seek(start)
            raw = handle.read(end - start)
            if end == size and json_object(raw) is None:
                continue  # a torn tail (or a blank last line)
            row = parse_row(raw)
            if row is not None:
                found.append(row)
    return found[::-1]


def _lines_backwards(handle: BinaryIO, size: int) -> Iterator[tuple[int, int]]:
    """``(start, end)`` of each line of ``handle``, the last first, its newline not included;
    found by reading back from ``size`` a piece at a time."""
    end = position = size
    while position > 0:
        step = min(position, 1 << 20)
        position -= step
        handle.seek(position)
        chunk = handle.read(step)
        cut = len(chunk)
        while (newline := chunk.rfind(b"\n", 0, cut)) >= 0:
            if position + newline + 1 < end:
                yield position + newline + 1, end
            end, cut = position + newline, newline
    if end > 0:
        yield 0, end


#: The longest text one value of a row keeps (characters): a title, a credit or a rights statement
#: is far shorter; a longer one (hostile, or a whole page) is cut, ending in :data:`CUT`, so a row a
#: crawl writes is one every reader takes (:data:`MAX_LINE_BYTES`; a row still longer than that,
#: many such texts at once, is refused by :func:`row_bytes`, never written unreadable).
MAX_ROW_TEXT = 1 << 20
CUT = "\u2026"


def clean_row(row: Mapping[str, Any], scrub: Callable[[Any], Any] | None = None) -> dict[str, Any]:
    """The one cleaning every row gets before a store writes it: a manifest row, a rejected row or
    a crawl's row, into a local store or an object store. In this order: ``scrub`` (the crawl's
    secrets redacted: imagespider/extensions/redact.py), then every string made writable as UTF-8
    (lone surrogates, control characters: imagespider/text.py) and cut to :data:`MAX_ROW_TEXT`,
    keys too; a float that JSON cannot hold (NaN, infinity) as null; any other value that is not
    JSON (a date, bytes) as its text. Scrubbed first, so a secret is never cut in two and missed."""
    scrubbed = scrub(dict(row)) if scrub is not None else dict(row)
    cleaned = _clean(scrubbed)
    return cleaned if isinstance(cleaned, dict) else {}


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        text = clean_text(value)
        return text if len(text) <= MAX_ROW_TEXT else text[: MAX_ROW_TEXT - len(CUT)] + CUT
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Mapping):
        return {_clean(str(key)): _clean(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_clean(item) for item in value]
    if isinstance(value, bytes):
        return _clean(value.decode("utf-8", "replace"))
    if isinstance(value, datetime):
        return value.isoformat()
    return _clean(str(value))


def row_bytes(row: Mapping[str, Any]) -> bytes:
    """A cleaned row (:func:`clean_row`) as the bytes every store writes: one line of JSON, no
    newline. Raises :class:`ValueError` for a row longer than any reader takes (:data:`MAX_LINE_BYTES`)."""
    data = json.dumps(row, ensure_ascii=False, sort_keys=False).encode("utf-8")
    if len(data) >= MAX_LINE_BYTES:
        raise ValueError(f"a row of {len(data):,} bytes is longer than any row a reader takes; not written")
    return data


def append_row(fd: int | None, row: dict[str, Any]) -> tuple[int, bytes]:
    """Append one row (cleaned: :func:`clean_row`) to the file open (``O_APPEND``) as ``fd``;
    returns where its line starts and the line."""
    if fd is None:
        raise RuntimeError("the dataset is not open")
    line = row_bytes(row) + b"\n"
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
