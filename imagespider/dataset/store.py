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
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import posixpath
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

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
    return [
        path for path in root.glob("*/*")
        if not path.parent.name.startswith(".") and _OUR_FILE.match(path.name) and path.is_file()
    ]


def check_manifest(root: str | os.PathLike[str]) -> None:
    """Raise :class:`StoreUnreadable` when ``root``'s manifest cannot be trusted to list its
    images: missing or empty while image files exist, or holding no readable row at all (a
    pretty-printed or binary file). Reads only; a missing store is fine (a new one)."""
    root = Path(root)
    manifest = root / MANIFEST
    if not root.is_dir():
        return
    try:
        data = manifest.read_bytes()
    except FileNotFoundError:
        data = None
    except OSError as error:
        raise StoreUnreadable(f"cannot read {manifest}: {error.strerror}; fix its permissions, then crawl") from None
    if data is None or not data.strip():
        files = image_files(root)
        if files:
            state = "missing" if data is None else "empty"
            raise StoreUnreadable(
                f"{manifest} is {state} but {root} holds {len(files)} image files; restore metadata.jsonl "
                "from a backup, or move the label folders out of the store before crawling into it"
            )
        return
    lines = [line for line in data.split(b"\n") if line.strip()]
    if any(_is_row(line) for line in lines):
        return
    if len(lines) == 1 and not data.endswith(b"\n"):
        return  # a lone torn first row (a kill mid-write): cut on open
    raise StoreUnreadable(
        f"{manifest} holds no readable row (one JSON object per line is expected; a pretty-printed "
        f"file is fixed by: jq -c . {manifest} > fixed.jsonl && mv fixed.jsonl {manifest})"
    )


def normal_file_name(value: Any) -> str | None:
    """A row's ``file_name`` as the store names files (``label/name``), or None if it names
    nothing inside the store: ``./cat/x.jpg`` and ``cat\\x.jpg`` are ``cat/x.jpg``."""
    if not isinstance(value, str) or not value.strip():
        return None
    name = posixpath.normpath(value.strip().replace("\\", "/"))
    if name.startswith(("/", "../")) or name in (".", ".."):
        return None
    return name


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
        self.rows: list[dict[str, Any]] = []
        self._by_sha256: dict[str, str] = {}
        self._urls: set[tuple[str, str]] = set()
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
        self.rows = list(read_jsonl(manifest))
        for row in self.rows:
            self._index(row)
        _cut_torn_tail(manifest)
        _cut_torn_tail(self.root / REJECTED)
        _set_unreadable_lines_aside(manifest, self.root / ORPHANS / UNREADABLE_ROWS)
        self._set_orphans_aside()
        flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT
        self._manifest_fd = os.open(manifest, flags, 0o644)
        self._rejected_fd = os.open(self.root / REJECTED, flags, 0o644)

    def close(self) -> None:
        # The lock goes last, once every row is written.
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

    def _index(self, row: dict[str, Any]) -> None:
        if row.get("sha256") and row.get("file_name"):
            self._by_sha256[row["sha256"]] = row["file_name"]
        if row.get("image_url"):
            self._urls.add((row["image_url"], row.get("label", "")))

    def _set_orphans_aside(self) -> None:
        """Move image files with no readable row to ``.orphans/<label>/``; never delete one.

        A later crawl that meets the same URL downloads it again and keeps it with a full row
        (its license evidence lives only in the row, so a bare file is not adopted)."""
        referenced = {row.get("file_name") for row in self.rows}
        for path in image_files(self.root):
            relative = path.relative_to(self.root).as_posix()
            if relative in referenced:
                continue
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

    # -- questions -----------------------------------------------------------------------

    def holder_of(self, sha256: str) -> str | None:
        """The file already holding these bytes, kept or being stored right now."""
        return self._by_sha256.get(sha256)

    def has_url(self, image_url: str, label: str) -> bool:
        return (image_url, label) in self._urls

    # -- changes -------------------------------------------------------------------------

    def claim(self, sha256: str, file_name: str) -> None:
        """Reserve these bytes for ``file_name`` before the file is written."""
        self._by_sha256[sha256] = file_name

    def unclaim(self, sha256: str) -> None:
        self._by_sha256.pop(sha256, None)

    def add(self, row: dict[str, Any]) -> None:
        row = clean_value(self.scrub(row))
        _append(self._manifest_fd, row)  # first: a row that cannot be written is not counted as kept
        self.rows.append(row)
        self._index(row)

    def reject(self, row: dict[str, Any]) -> None:
        _append(self._rejected_fd, clean_value(self.scrub(row)))

    def path_of(self, file_name: str) -> Path:
        return self.root / file_name


def _append(fd: int | None, row: dict[str, Any]) -> None:
    if fd is None:
        raise RuntimeError("the dataset is not open")
    line = (json.dumps(row, ensure_ascii=False, sort_keys=False) + "\n").encode("utf-8")
    # One write() of one whole line: a killed process never leaves half a row.
    os.write(fd, line)


def read_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    """The rows (JSON objects) of a JSON-lines file, for every reader of the store's files.

    A missing file has no rows. A last line never finished (no newline, not a whole row: the
    machine stopped mid-write) is left out quietly; the store cuts it when it opens. Any other
    line that is not a JSON object (a hand edit gone wrong) is left out with a warning."""
    if not path.exists():
        return
    with path.open("rb") as handle:
        for raw in handle:
            if not raw.endswith(b"\n") and not _is_row(raw):
                return  # torn tail
            try:
                row = json.loads(raw)
            except ValueError:
                logger.warning("skipping an unreadable line in %s", path)
                continue
            if isinstance(row, dict):
                if "file_name" in row:
                    row["file_name"] = normal_file_name(row["file_name"])
                yield row


#: Where manifest lines that are not rows are kept (under ORPHANS), so the manifest loads again.
UNREADABLE_ROWS = "metadata.unreadable.jsonl"


def _set_unreadable_lines_aside(manifest: Path, aside: Path) -> None:
    """Move manifest lines that are not rows (a damaged or hand-edited line) to ``aside``: a
    manifest with such a line fails to load in Hugging Face ``datasets`` and pandas, and the
    line is kept for a person to mend. The manifest is replaced in one step (temp + rename)."""
    if not manifest.exists():
        return
    lines = manifest.read_bytes().splitlines(keepends=True)
    bad = [line for line in lines if line.strip() and not _is_row(line)]
    if not bad:
        return
    aside.parent.mkdir(parents=True, exist_ok=True)
    with aside.open("ab") as handle:
        handle.write(b"".join(line if line.endswith(b"\n") else line + b"\n" for line in bad))
        handle.flush()
        os.fsync(handle.fileno())
    partial = manifest.with_name(f".{manifest.name}.tmp")
    partial.write_bytes(b"".join(line for line in lines if not line.strip() or _is_row(line)))
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
        data = handle.read()
        if data.endswith(b"\n"):
            return
        keep = data.rfind(b"\n") + 1
        if _is_row(data[keep:]):
            handle.write(b"\n")  # a whole row saved without its newline (by an editor, pandas)
            return
        handle.truncate(keep)
        logger.warning("cut an unfinished last line from %s", path)


def _is_row(raw: bytes) -> bool:
    try:
        return isinstance(json.loads(raw), dict)
    except ValueError:
        return False
