"""The dataset on disk: image files, ``metadata.jsonl`` and ``rejected.jsonl``, kept in step.

Rows are appended with one ``write()`` each, so a killed crawl leaves whole lines; a torn last
line (power loss) is cut off when the store is opened again. An image file is written before its
manifest row, so the only thing a kill can leave behind is a file with no row. The store never
deletes an image: such an orphan (named like our files, ``<label>/<sha256>.<ext>``, with no
readable row) is moved to ``<store>/.orphans/<label>/`` when the store is opened, where a person
can look at it. A manifest that cannot be trusted to say which files are kept (missing or empty
while image files exist, or with no readable row at all, such as a pretty-printed one) makes the
store refuse to open (:class:`StoreUnreadable`), touching nothing: moving every file aside on the
word of a damaged manifest is how a store is lost. ``file_name`` is normalised when read
(``./cat/x.jpg`` and ``cat\\x.jpg`` name ``cat/x.jpg``).

One crawl writes a store at a time: opening takes an exclusive ``flock`` on ``<store>/.lock``
(before orphans are removed, which would delete another crawl's files in flight) and closing, or
the process ending however it ends, releases it. A second crawl is refused with
:class:`StoreLocked`, not merged: two writers would each dedupe against a stale manifest.

The store holds no row in memory: what a crawl asks (is this URL kept, who holds these bytes, the
nearest perceptual hash, counts per class) is answered by the on-disk index
(imagespider/dataset/index.py, ``<store>/.index.sqlite``), updated with every row appended and
brought up to date with the manifest when the store opens. Opening reads the manifest only when
the index is stale, one line at a time; only this crawl's claims (bytes being stored now) are kept
in memory.
"""

from __future__ import annotations

import fcntl
import logging
import os
import re
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from imagespider.dataset.index import StoreIndex
from imagespider.dataset.jsonl import append_row, is_row, read_jsonl
from imagespider.dataset.neardup import PhashIndex, Twin
from imagespider.text import clean_value

logger = logging.getLogger(__name__)

MANIFEST = "metadata.jsonl"
REJECTED = "rejected.jsonl"
#: Held (flock) by the crawl writing the store; holds that crawl's pid, for the message.
LOCK = ".lock"
#: Where image files with no manifest row are moved (``<store>/.orphans/<label>/<file>``).
ORPHANS = ".orphans"
_OUR_FILE = re.compile(r"^[0-9a-f]{64}\.[a-z0-9]{2,4}$")


class StoreRefused(RuntimeError):
    """The store cannot be opened for this crawl. Its text is one line for the log, naming the
    file and the fix; ``reason`` is the crawl's finish reason (``failed_...``, exit status 1)."""

    reason = "failed_store_refused"


class StoreUnreadable(StoreRefused):
    """The manifest cannot say which images are kept: opening would put every image aside."""

    reason = "failed_store_unreadable"


class StoreLocked(StoreRefused):
    """Another process holds the store's lock. Its text is one line for the log."""

    reason = "failed_store_locked"

    def __init__(self, root: Path, holder: str = "") -> None:
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
    except OSError:
        return  # no store or no lock file yet: nobody is writing
    try:
        _lock(fd, Path(root))
    finally:
        os.close(fd)  # also releases the probe's lock


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


def _lock(fd: int, root: Path) -> None:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
        raise StoreLocked(root, holder) from None


class Dataset:
    def __init__(self, root: str | os.PathLike[str], scrub: Callable[[Any], Any] | None = None) -> None:
        self.root = Path(root)
        #: Applied to every row before it is written or kept (secrets out: extensions/redact.py).
        self.scrub = scrub or (lambda row: row)
        self.index = StoreIndex(self.root, MANIFEST)
        #: This crawl's claims (bytes being stored, or stored): sha256 -> file, and their hashes.
        self._claims: dict[str, str] = {}
        self._claimed_phashes = PhashIndex()
        self._write_lock = threading.Lock()
        self._manifest_fd: int | None = None
        self._rejected_fd: int | None = None
        self._lock_fd: int | None = None

    # -- opening -------------------------------------------------------------------------

    def open(self) -> None:
        """Lock the store, read its manifest and repair what a killed crawl left.

        Raises :class:`StoreLocked` when another crawl holds the store, :class:`StoreUnreadable`
        (having changed nothing but the lock file) when its manifest cannot be trusted."""
        self.root.mkdir(parents=True, exist_ok=True)
        self._take_lock()
        try:
            check_manifest(self.root)
        except StoreRefused:
            self.close()
            raise
        manifest = self.root / MANIFEST
        _cut_torn_tail(manifest)
        _cut_torn_tail(self.root / REJECTED)
        synced = self.index.open()
        if synced.unreadable:
            # Lines that are not rows: set aside (the manifest is rewritten), then indexed anew.
            self.index.close()
            _set_unreadable_lines_aside(manifest, self.root / ORPHANS / UNREADABLE_ROWS)
            self.index.open()
        self._set_orphans_aside()
        flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT
        self._manifest_fd = os.open(manifest, flags, 0o644)
        self._rejected_fd = os.open(self.root / REJECTED, flags, 0o644)

    def close(self) -> None:
        # The lock goes last, once every row is written and indexed.
        self.index.close()
        for fd in (self._manifest_fd, self._rejected_fd, self._lock_fd):
            if fd is not None:
                os.close(fd)
        self._manifest_fd = self._rejected_fd = self._lock_fd = None

    def _take_lock(self) -> None:
        # The lock file is never deleted: unlinking it would let a waiting opener lock a
        # file nobody else can see, and two crawls would both "hold" the store.
        fd = os.open(self.root / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            _lock(fd, self.root)
        except BaseException:
            os.close(fd)
            raise
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
        self._lock_fd = fd

    def _set_orphans_aside(self) -> None:
        """Move image files with no readable row to ``.orphans/<label>/``; never delete one.

        A later crawl that meets the same URL downloads it again and keeps it with a full row
        (its license evidence lives only in the row, so a bare file is not adopted)."""
        for path in list(self._unreferenced_files()):
            relative = path.relative_to(self.root).as_posix()
            target = self.root / ORPHANS / path.parent.name / path.name
            target.parent.mkdir(parents=True, exist_ok=True)
            number = 0
            while target.exists():  # the same name is not always the same bytes (a torn write)
                number += 1
                target = target.with_name(f"{path.name}.{number}")
            os.rename(path, target)
            logger.warning(
                "moved %s to %s: no manifest row (an earlier crawl was killed, or its row is damaged)",
                relative, target.relative_to(self.root).as_posix(),
            )

    def _unreferenced_files(self) -> Iterator[Path]:
        """Files named like ours that no row names, asked of the index in batches (a store of a
        million files is scanned in seconds, holding one batch of names)."""
        batch: list[str] = []
        for name in iter_image_names(self.root):
            batch.append(name)
            if len(batch) == 900:
                yield from (self.root / found for found in self.index.unreferenced(batch))
                batch = []
        yield from (self.root / found for found in self.index.unreferenced(batch))

    # -- questions -----------------------------------------------------------------------

    def holder_of(self, sha256: str) -> str | None:
        """The file already holding these bytes, kept or being stored right now."""
        return self._claims.get(sha256) or self.index.holder_of(sha256)

    def has_url(self, image_url: str, label: str) -> bool:
        return self.index.has_url(image_url, label)

    def twin_of(self, phash: str, max_distance: int) -> Twin | None:
        """The closest kept image (or one being stored now) within ``max_distance`` bits of
        ``phash``, as imagespider/dataset/neardup.py's ``PhashIndex.twin_of`` would say over every
        row and claim; a stored row wins a tie with a claim (it came first)."""
        stored = self.index.twin_of(phash, max_distance)
        claimed = self._claimed_phashes.twin_of(phash, max_distance)
        if claimed is not None and (stored is None or claimed.distance < stored.distance):
            return claimed
        return stored

    def count_by_label(self) -> Counter[str]:
        """Kept rows per label (``-a mode=top-up``)."""
        return self.index.count_by_label()

    def count_by_query(self) -> Counter[tuple[Any, ...]]:
        """Kept rows per ``(engine, query, label)`` (a resumed job's quotas)."""
        return self.index.count_by("engine", "query", "label")

    def iter_rows(self) -> Iterator[dict[str, Any]]:
        """Every manifest row, read one at a time from metadata.jsonl."""
        return read_jsonl(self.root / MANIFEST)

    # -- changes -------------------------------------------------------------------------

    def claim(self, sha256: str, file_name: str, phash: str | None = None) -> None:
        """Reserve these bytes (and their perceptual hash) for ``file_name`` before the file is written."""
        self._claims[sha256] = file_name
        if phash:
            self._claimed_phashes.add(phash, file_name)

    def unclaim(self, sha256: str) -> None:
        file_name = self._claims.pop(sha256, None)
        if file_name is not None:
            self._claimed_phashes.remove(file_name)

    def add(self, row: dict[str, Any]) -> None:
        """Append the row to the manifest (first: a row that cannot be written is not counted as
        kept), then index it (a crash between the two is healed by the next open,
        imagespider/dataset/index.py)."""
        row = clean_value(self.scrub(row))
        with self._write_lock:
            offset, line = append_row(self._manifest_fd, row)
            self.index.add(row, offset, line)

    def reject(self, row: dict[str, Any]) -> None:
        append_row(self._rejected_fd, clean_value(self.scrub(row)))

    def path_of(self, file_name: str) -> Path:
        return self.root / file_name


#: Where manifest lines that are not rows are kept (under ORPHANS), so the manifest loads again.
UNREADABLE_ROWS = "metadata.unreadable.jsonl"


def _set_unreadable_lines_aside(manifest: Path, aside: Path) -> None:
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


def _cut_torn_tail(path: Path) -> None:
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
