"""Repairs of what a killed crawl or a hand edit left in a store, made when the store opens; never a deletion.

Rows are appended with one ``write()`` each, so a killed crawl leaves whole lines; a torn last
line (power loss) is cut off (:func:`cut_torn_tail`). A line in the middle that is not a row (a
damaged or hand-edited line) is moved to ``.orphans/metadata.unreadable.jsonl``
(:func:`set_unreadable_lines_aside`). An image file is written before its manifest row, so the
only thing a kill can leave behind is a file with no row: such an orphan (named like our files,
``<label>/<sha256>.<ext>``, with no readable row) is moved to ``<store>/.orphans/<label>/``
(:func:`set_orphans_aside`), where a person can look at it.

A manifest that cannot be trusted to say which files are kept (missing or empty while image files
exist, or with no readable row at all, such as a pretty-printed one) makes the store refuse to
open (:func:`check_manifest` raises :class:`StoreUnreadable`), touching nothing: moving every file
aside on the word of a damaged manifest is how a store is lost.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator
from pathlib import Path

from imagespider.dataset.files import MANIFEST, ORPHANS, image_files, iter_image_names
from imagespider.dataset.jsonl import is_row
from imagespider.dataset.storelock import StoreRefused

logger = logging.getLogger(__name__)


class StoreUnreadable(StoreRefused):
    """The manifest cannot say which images are kept: opening would put every image aside."""

    reason = "failed_store_unreadable"


def check_manifest(root: str | os.PathLike[str]) -> None:
    """Raise :class:`StoreUnreadable` when ``root``'s manifest cannot be trusted to list its
    images: missing or empty while image files exist, or holding no readable row at all (a
    pretty-printed or binary file). Reads only; a missing store is fine (a new one)."""
    root = Path(root)
    manifest = root / MANIFEST
    if not root.is_dir():
        return
    # Read a line at a time, stopping at the first row: a manifest of a million rows is not
    # loaded to learn that its first line is fine.
    lines = 0
    ends_with_newline = True
    try:
        with manifest.open("rb") as handle:
            for line in handle:
                ends_with_newline = line.endswith(b"\n")
                if not line.strip():
                    continue
                if is_row(line):
                    return
                lines += 1
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
    if lines == 1 and not ends_with_newline:
        return  # a lone torn first row (a kill mid-write): cut on open
    raise StoreUnreadable(
        f"{manifest} holds no readable row (one JSON object per line is expected; a pretty-printed "
        f"file is fixed by: jq -c . {manifest} > fixed.jsonl && mv fixed.jsonl {manifest})"
    )


def set_unreadable_lines_aside(manifest: Path, aside: Path) -> None:
    """Move manifest lines that are not rows (a damaged or hand-edited line) to ``aside``: a
    manifest with such a line fails to load in Hugging Face ``datasets`` and pandas, and the
    line is kept for a person to mend. The manifest is replaced in one step (temp + rename)."""
    if not manifest.exists():
        return
    lines = manifest.read_bytes().splitlines(keepends=True)
    bad = [line for line in lines if line.strip() and not is_row(line)]
    if not bad:
        return
    aside.parent.mkdir(parents=True, exist_ok=True)
    with aside.open("ab") as handle:
        handle.write(b"".join(line if line.endswith(b"\n") else line + b"\n" for line in bad))
        handle.flush()
        os.fsync(handle.fileno())
    partial = manifest.with_name(f".{manifest.name}.tmp")
    partial.write_bytes(b"".join(line for line in lines if not line.strip() or is_row(line)))
    os.chmod(partial, 0o644)
    os.replace(partial, manifest)
    logger.warning(
        "moved %d unreadable lines of %s to %s", len(bad), manifest.name, aside.relative_to(manifest.parent).as_posix()
    )


def cut_torn_tail(path: Path) -> None:
    """Drop a last line that was never finished (the machine stopped mid-write)."""
    if not path.exists() or path.stat().st_size == 0:
        return
    with path.open("rb+") as handle:
        # Read back from the end to the last newline only (a manifest may be gigabytes).
        size = handle.seek(0, os.SEEK_END)
        handle.seek(size - 1)
        if handle.read(1) == b"\n":
            return
        start, tail = size, b""
        while start > 0 and b"\n" not in tail:
            step = min(start, 1 << 16)
            start -= step
            handle.seek(start)
            tail = handle.read(step) + tail
        keep = start + tail.rfind(b"\n") + 1
        handle.seek(keep)
        if is_row(handle.read()):
            handle.write(b"\n")  # a whole row saved without its newline (by an editor, pandas)
            return
        handle.truncate(keep)
        logger.warning("cut an unfinished last line from %s", path)


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
