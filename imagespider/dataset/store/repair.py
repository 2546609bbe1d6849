"""Repairs of what a killed crawl or a hand edit left in a store, made when the store opens; never a deletion.

One rule for lines that are not rows, here and nowhere else: their bytes are never dropped. Rows
are appended with one ``write()`` each, so a killed crawl leaves whole lines; a last line with no
newline that is not a row (a torn write, power loss) is moved to ``.orphans/<file>.unreadable.jsonl``
and then cut from the file, in every JSON-lines file of the store, when it opens
(:func:`set_torn_tails_aside`); a whole row saved without its newline (pandas ``lines=True``, an
editor) gets its newline. What is a row, and how long a line may be, is the readers' rule
(imagespider/dataset/store/jsonl.py), so what a reader skips quietly as a torn tail is what is set
aside here. A line in the middle that is not a row (a
damaged or hand-edited line) is moved to ``.orphans/metadata.unreadable.jsonl``
(:func:`set_unreadable_lines_aside`). An image file is written before its manifest row, so the
only thing a kill can leave behind is a file with no row: such an orphan (named like our files,
``<label>/<sha256>.<ext>``, with no readable row) is moved to ``<store>/.orphans/<label>/``
(:func:`set_orphans_aside`), where a person can look at it.

A manifest that cannot be trusted to say which files are kept makes the store refuse to open
(:func:`check_manifest` raises :class:`StoreUnreadable`), touching nothing: moving every file aside
on the word of a damaged manifest is how a store is lost. That is a manifest missing or empty while
image files exist, and one that is not JSON Lines at all (:class:`ManifestNotJsonLines`, exit 2):
no readable row, such as a pretty-printed file, or one JSON array on one line (what
``json.dump(rows, f)`` or pandas ``to_json(orient="records")`` writes, newline or not).
"""

from __future__ import annotations

import logging
import os
import stat
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

from imagespider.dataset.store import jsonl
from imagespider.dataset.store.durable import fsync_folder, replace_durably
from imagespider.dataset.store.files import JSONL_FILES, MANIFEST, ORPHANS, image_files, iter_image_names
from imagespider.dataset.store.jsonl import is_row
from imagespider.dataset.store.lock import StoreRefused

logger = logging.getLogger(__name__)

_CHUNK = 1 << 20


class StoreUnreadable(StoreRefused):
    """The manifest cannot say which images are kept: opening would put every image aside."""

    reason = "failed_store_unreadable"


class ManifestNotJsonLines(StoreUnreadable):
    """The manifest is not JSON Lines at all (pretty-printed, a JSON array, binary): a file the
    user gave in the wrong shape, refused as a usage error (exit 2)."""

    exitcode = 2


def unreadable_aside(path: Path) -> Path:
    """Where the lines of a store file that are not rows are kept: ``.orphans/<name>.unreadable.jsonl``."""
    return path.parent / ORPHANS / f"{path.stem}.unreadable.jsonl"


def check_manifest(root: str | os.PathLike[str]) -> None:
    """Raise :class:`StoreUnreadable` when ``root``'s manifest cannot be trusted to list its
    images: missing or empty while image files exist, or not JSON Lines at all
    (:class:`ManifestNotJsonLines`). Reads only, a line at a time, stopping at the first row; a
    missing store is fine (a new one)."""
    root = Path(root)
    manifest = root / MANIFEST
    if not root.is_dir():
        return
    lines = 0
    first = b""
    ends_with_newline = True
    try:
        with manifest.open("rb") as handle:
            for line, whole in _bounded_lines(handle):
                ends_with_newline = line.endswith(b"\n")
                if not line.strip():
                    continue
                if whole and is_row(line):
                    return
                lines += 1
                first = first or line[:64]
    except FileNotFoundError:
        lines = -1
    except OSError as error:
        raise StoreUnreadable(f"cannot read {manifest}: {error.strerror}; fix its permissions, then crawl") from None
    if lines <= 0:
        files = image_files(root)
        if files:
            state = "missing" if lines < 0 else "empty"
            raise StoreUnreadable(
                f"{manifest} is {state} but {root} holds {len(files)} image files; restore metadata.jsonl "
                "from a backup, or move the label folders out of the store before crawling into it"
            )
        return
    if first.lstrip().startswith(b"["):
        raise ManifestNotJsonLines(
            f"{manifest} is one JSON array, not JSON Lines (one JSON object per line); fix it with: "
            f"jq -c '.[]' {manifest} > fixed.jsonl && mv fixed.jsonl {manifest}"
        )
    if lines == 1 and not ends_with_newline and first.lstrip().startswith(b"{"):
        return  # a lone torn first row (a kill mid-write): set aside on open
    raise ManifestNotJsonLines(
        f"{manifest} holds no readable row (one JSON object per line is expected; a pretty-printed "
        f"file is fixed by: jq -c . {manifest} > fixed.jsonl && mv fixed.jsonl {manifest})"
    )


def _bounded_lines(handle: BinaryIO) -> Iterator[tuple[bytes, bool]]:
    """``(line, whole)`` for each line of ``handle``, its bytes kept to be copied: a line up to the
    readers' :data:`~imagespider.dataset.store.jsonl.MAX_LINE_BYTES` whole; a longer one as pieces
    (``whole`` False), so no line is ever held whole in memory."""
    limit = jsonl.MAX_LINE_BYTES
    while True:
        line = handle.readline(limit)
        if not line:
            return
        if len(line) < limit or line.endswith(b"\n"):
            yield line, True
            continue
        yield line, False
        while line and not line.endswith(b"\n"):
            line = handle.readline(_CHUNK)
            if line:
                yield line, False


def set_unreadable_lines_aside(manifest: Path, aside: Path) -> int:
    """Move manifest lines that are not rows (a damaged or hand-edited line) to ``aside``: a
    manifest with such a line fails to load in Hugging Face ``datasets`` and pandas, and the
    line is kept for a person to mend. Streamed a line at a time; the manifest is replaced in one
    durable step (temp file flushed, rename, folder flushed) after the lines are safe in
    ``aside``. Returns how many lines were moved."""
    if not manifest.exists():
        return 0
    aside.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=manifest.parent, prefix=f".{manifest.name}.", suffix=".tmp")
    partial = Path(name)
    bad = 0
    try:
        with manifest.open("rb") as source, os.fdopen(fd, "wb") as kept, aside.open("ab") as moved:
            piece_of_bad_line = False
            for line, whole in _bounded_lines(source):
                if piece_of_bad_line or not whole or (line.strip() and not is_row(line)):
                    if not piece_of_bad_line:
                        bad += 1
                    moved.write(line)
                    piece_of_bad_line = not line.endswith(b"\n")
                    continue
                kept.write(line)
            if piece_of_bad_line:
                moved.write(b"\n")
            moved.flush()
            os.fsync(moved.fileno())
        if not bad:
            partial.unlink()
            return 0
        os.chmod(partial, 0o644)
        replace_durably(partial, manifest)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    logger.warning(
        "moved %d unreadable lines of %s to %s", bad, manifest.name, aside.relative_to(manifest.parent).as_posix()
    )
    return bad


def set_torn_tail_aside(path: Path, aside: Path | None = None) -> None:
    """Deal with a last line that has no newline: a whole row (saved by an editor, pandas) gets
    its newline; anything else (a write the machine never finished) is copied to ``aside``
    (default :func:`unreadable_aside`), flushed, and only then cut from ``path``, with a WARNING
    naming both. Reads back from the end to the last newline only, a piece at a time."""
    try:
        status = path.stat()
    except FileNotFoundError:
        return
    size = status.st_size
    if size == 0 or not stat.S_ISREG(status.st_mode):
        return  # nothing to mend (a folder in its place is the writer's to report)
    aside = aside or unreadable_aside(path)
    with path.open("rb+") as handle:
        handle.seek(size - 1)
        if handle.read(1) == b"\n":
            return
        keep = 0
        start = size
        while start > 0:
            step = min(start, 1 << 16)
            start -= step
            handle.seek(start)
            newline = handle.read(step).rfind(b"\n")
            if newline >= 0:
                keep = start + newline + 1
                break
        if size - keep < jsonl.MAX_LINE_BYTES:  # a longer line is no row (jsonl.py)
            handle.seek(keep)
            if is_row(handle.read()):
                handle.write(b"\n")  # a whole row saved without its newline
                return
        aside.parent.mkdir(parents=True, exist_ok=True)
        with aside.open("ab") as moved:
            handle.seek(keep)
            for chunk in iter(lambda: handle.read(_CHUNK), b""):
                moved.write(chunk)
            moved.write(b"\n")
            moved.flush()
            os.fsync(moved.fileno())
        fsync_folder(aside.parent)
        handle.truncate(keep)
        handle.flush()
        os.fsync(handle.fileno())
    logger.warning(
        "moved an unfinished last line of %s (%d bytes) to %s", path.name, size - keep,
        aside.relative_to(path.parent).as_posix() if aside.is_relative_to(path.parent) else aside,
    )


def set_torn_tails_aside(root: Path) -> None:
    """:func:`set_torn_tail_aside` for each JSON-lines file of the store (``files.JSONL_FILES``),
    as it opens: a row appended after a torn tail would be glued to it and lost. Raises
    :class:`StoreRefused` (one line) for a file that cannot be read or mended."""
    for name in JSONL_FILES:
        try:
            set_torn_tail_aside(root / name)
        except OSError as error:
            raise StoreRefused(
                f"cannot mend the last line of {root / name}: {error.strerror or error}; "
                "fix or move it, then open again"
            ) from None


def set_orphans_aside(root: Path, unreferenced: Callable[[list[str]], list[str]]) -> None:
    """Move image files with no readable row to ``.orphans/<label>/``; never delete one.
    ``unreferenced`` says which of up to 900 ``label/name`` no row names (the store's index).

    A later crawl that meets the same URL downloads it again and keeps it with a full row
    (its license evidence lives only in the row, so a bare file is not adopted)."""
    for path in list(_unreferenced_files(root, unreferenced)):
        relative = path.relative_to(root).as_posix()
        target = root / ORPHANS / path.parent.name / path.name
        target.parent.mkdir(parents=True, exist_ok=True)
        number = 0
        while target.exists():  # the same name is not always the same bytes (a torn write)
            number += 1
            target = target.with_name(f"{path.name}.{number}")
        os.rename(path, target)
        logger.warning(
            "moved %s to %s: no manifest row (an earlier crawl was killed, or its row is damaged)",
            relative, target.relative_to(root).as_posix(),
        )


def _unreferenced_files(root: Path, unreferenced: Callable[[list[str]], list[str]]) -> Iterator[Path]:
    """Files named like ours that no row names, asked in batches (a store of a million files is
    scanned in seconds, holding one batch of names)."""
    batch: list[str] = []
    for name in iter_image_names(root):
        batch.append(name)
        if len(batch) == 900:
            yield from (root / found for found in unreferenced(batch))
            batch = []
    yield from (root / found for found in unreferenced(batch))
