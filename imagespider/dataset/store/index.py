"""The store's on-disk index: ``<store>/.index.sqlite``, so a crawl's memory does not grow with the store.

``metadata.jsonl`` stays the source of truth that loaders read; this file is a cache derived from
it (stdlib :mod:`sqlite3`), hidden so no loader takes it for data (Hugging Face skips dot files,
torchvision's ``ImageFolder`` lists folders only). This module holds its schema and keeps it up to
date with the manifest; what is asked of it is in imagespider/dataset/store/indexqueries.py, what it
keeps of a row in imagespider/dataset/store/indexrow.py, the perceptual-hash search in
imagespider/dataset/neardup/twinsearch.py.

Fresh or stale: the index records the manifest's inode, size and mtime and the byte offset it has
read up to, with a hash of the last line it read. Every row the store appends is indexed at once
(:meth:`StoreIndex.add`, same process, right after the line); a crash between the two leaves the
manifest longer than the index's offset, and the next open reads just the missing lines (the last
indexed line still where it was proves the file only grew). Anything else (no index, another inode
after a rewrite, a shorter file, an edited line) rebuilds the index from the manifest, streamed one
line at a time into a temporary file moved into place when whole. A damaged index file is rebuilt too.
"""

from __future__ import annotations

import hashlib
import logging
import os
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from imagespider.dataset.store.indexqueries import IndexQueries
from imagespider.dataset.store.indexrow import ROW_COLUMNS, indexed, row_params, value_kind
from imagespider.dataset.store.jsonl import parse_row, read_lines

logger = logging.getLogger(__name__)

#: File name at the store's root (hidden: loaders skip it).
INDEX = ".index.sqlite"
#: Bumped when the schema changes: an index of another version is rebuilt.
SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value);
CREATE TABLE IF NOT EXISTS rows(
    id INTEGER PRIMARY KEY, offset INTEGER NOT NULL, length INTEGER NOT NULL,
    file_name TEXT, label TEXT NOT NULL, query TEXT, engine TEXT, url_key INTEGER, image_url TEXT,
    sha256 TEXT, license TEXT NOT NULL, license_id TEXT NOT NULL, phash INTEGER,
    b0 INTEGER, b1 INTEGER, b2 INTEGER, b3 INTEGER);
CREATE TABLE IF NOT EXISTS columns(name TEXT PRIMARY KEY, kinds INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS published(name TEXT PRIMARY KEY, state TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS rejected(label TEXT NOT NULL, reason TEXT NOT NULL, count INTEGER NOT NULL,
    PRIMARY KEY(label, reason));
CREATE TABLE IF NOT EXISTS rejected_latest(key INTEGER PRIMARY KEY, url TEXT, url_label TEXT,
    label TEXT NOT NULL, reason TEXT NOT NULL);
"""
_INDEXES = """
CREATE INDEX IF NOT EXISTS rows_url ON rows(url_key);
CREATE INDEX IF NOT EXISTS rows_sha ON rows(sha256);
CREATE INDEX IF NOT EXISTS rows_file ON rows(file_name);
CREATE INDEX IF NOT EXISTS rows_label ON rows(label, file_name);
CREATE INDEX IF NOT EXISTS rows_b0 ON rows(b0) WHERE b0 IS NOT NULL;
CREATE INDEX IF NOT EXISTS rows_b1 ON rows(b1) WHERE b1 IS NOT NULL;
CREATE INDEX IF NOT EXISTS rows_b2 ON rows(b2) WHERE b2 IS NOT NULL;
CREATE INDEX IF NOT EXISTS rows_b3 ON rows(b3) WHERE b3 IS NOT NULL;
"""
_INSERT = (
    f"INSERT INTO rows({', '.join(ROW_COLUMNS)}) VALUES ({','.join('?' * len(ROW_COLUMNS))})"  # noqa: S608
)


@dataclass(frozen=True)
class SyncResult:
    """What opening the index did: ``rebuilt`` (from the start), ``read`` rows, ``unreadable`` lines
    met that are not rows (the store sets those aside and syncs again)."""

    rebuilt: bool
    read: int
    unreadable: int


class StoreIndex(IndexQueries):
    """The SQLite index of one store's manifest: opened, kept up to date, added to. Not thread-safe:
    used from the reactor thread."""

    def __init__(self, root: str | os.PathLike[str], manifest: str = "metadata.jsonl") -> None:
        super().__init__()
        self.root = Path(root)
        self.path = self.root / INDEX
        self.manifest = self.root / manifest
        self._labels: dict[tuple[Any, Any, Any], str] = {}
        #: Rows appended to the manifest that SQLite failed to index yet (see :meth:`add`).
        self._pending: list[tuple[Mapping[str, Any], int, bytes]] = []
        self._kinds_unsaved = False

    # -- opening -------------------------------------------------------------------------

    def open(self) -> SyncResult:
        """Open the index and bring it up to date with the manifest (reading only what it lacks)."""
        try:
            self._db = self._connect(self.path)
            state = self._state()
        except sqlite3.DatabaseError as error:
            logger.warning("rebuilding %s: %s", self.path.name, error)
            self.close()
            state = None
        if state == "fresh":
            self._kinds = dict(self.db.execute("SELECT name, kinds FROM columns").fetchall())
            return SyncResult(False, 0, 0)
        if state is not None and state.startswith("grown:"):
            start = int(state.split(":", 1)[1])
            read, bad = self._read_from(start)
            return SyncResult(False, read, bad)
        return self.rebuild()

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    @staticmethod
    def _connect(path: Path) -> sqlite3.Connection:
        db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        # A derived cache: a commit need not reach the disk (a crash is healed by the staleness
        # check); WAL keeps readers and the one writer apart and makes a commit one append.
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=OFF")
        db.execute("PRAGMA cache_size=-16000")  # 16 MB of page cache at most
        db.executescript(_SCHEMA)
        return db

    def _state(self) -> str | None:
        """``fresh``, ``grown:<offset>`` (only appended to since), or None (rebuild)."""
        meta = self._meta()
        if meta.get("schema") != SCHEMA_VERSION:
            return None
        try:
            stat = self.manifest.stat()
        except FileNotFoundError:
            return None if meta.get("offset") else "fresh" if meta.get("inode") is None else None
        offset = int(meta.get("offset") or 0)
        if meta.get("inode") != stat.st_ino or stat.st_size < offset:
            return None
        if stat.st_size == offset:
            return "fresh" if meta.get("mtime") == stat.st_mtime_ns else None
        # Grown: the last indexed line must still be where it was (the file was only appended to).
        last_start = int(meta.get("last_start") or 0)
        with self.manifest.open("rb") as handle:
            handle.seek(last_start)
            last = handle.read(offset - last_start)
        if _line_hash(last) != meta.get("last_hash"):
            return None
        return f"grown:{offset}"

    def rebuild(self) -> SyncResult:
        """Index the whole manifest into a new file, then move it into place."""
        self.close()
        partial = self.path.with_name(f"{self.path.name}.tmp")
        for leftover in (partial, partial.with_name(partial.name + "-wal"), partial.with_name(partial.name + "-shm")):
            leftover.unlink(missing_ok=True)
        self._db = self._connect(partial)
        self._kinds = {}
        self.db.execute("INSERT INTO meta VALUES ('schema', ?)", (SCHEMA_VERSION,))
        read, bad = self._read_from(0, bulk=True)
        self.db.executescript(_INDEXES)
        self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        self.close()
        for suffix in ("-wal", "-shm"):
            self.path.with_name(self.path.name + suffix).unlink(missing_ok=True)
        os.replace(partial, self.path)
        self._db = self._connect(self.path)
        self._kinds = dict(self.db.execute("SELECT name, kinds FROM columns").fetchall())
        logger.info("indexed %d rows of %s", read, self.manifest.name)
        return SyncResult(True, read, bad)

    def _read_from(self, start: int, bulk: bool = False) -> tuple[int, int]:
        """Index the manifest's whole lines from byte ``start``; returns (rows, unreadable lines)."""
        db = self.db
        if not bulk:
            self._kinds = dict(db.execute("SELECT name, kinds FROM columns").fetchall())
        read = bad = 0
        end = start
        last: tuple[int, bytes] | None = None
        batch: list[tuple[Any, ...]] = []
        db.execute("BEGIN")
        if self.manifest.exists():
            for offset, raw, length in read_lines(self.manifest, start):
                end = offset + length
                last = (offset, raw)
                if not raw.strip():
                    continue
                row = parse_row(raw)
                if row is None:
                    bad += 1
                    continue
                self._note_kinds(row)
                batch.append(row_params(indexed(row, self._labels), offset, len(raw)))
                read += 1
                if len(batch) >= 5000:
                    db.executemany(_INSERT, batch)
                    batch.clear()
        if batch:
            db.executemany(_INSERT, batch)
        self._save_kinds()
        self._save_position(end, last)
        db.execute("COMMIT")
        return read, bad

    def _save_position(self, end: int, last: tuple[int, bytes] | None) -> None:
        inode: int | None = None
        mtime: int | None = None
        try:
            stat = self.manifest.stat()
            inode, mtime = stat.st_ino, stat.st_mtime_ns
        except FileNotFoundError:
            pass
        values: dict[str, Any] = {"offset": end, "inode": inode, "mtime": mtime}
        if last is not None:
            values["last_start"], values["last_hash"] = last[0], _line_hash(last[1])
        elif end == 0:
            values["last_start"], values["last_hash"] = 0, _line_hash(b"")
        self.db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", values.items())

    def _note_kinds(self, row: Mapping[str, Any]) -> bool:
        """Record the kinds of value each column holds; True when something new was seen."""
        changed = False
        kinds = self._kinds
        for name, value in row.items():
            kind = value_kind(value)
            old = kinds.get(name, 0)
            if not old & kind:
                kinds[name] = old | kind
                changed = True
        return changed

    def _save_kinds(self) -> None:
        self.db.executemany("INSERT OR REPLACE INTO columns VALUES (?, ?)", self._kinds.items())

    # -- changes -------------------------------------------------------------------------

    def add(self, row: Mapping[str, Any], offset: int, line: bytes) -> bool:
        """Index a row just appended to the manifest at ``offset`` as ``line``; False when SQLite
        failed (a full disk...). The row is in the manifest, so it is kept all the same: the
        transaction is rolled back (one left open made every later add fail), and the row waits
        to be indexed with the next add, in order, so the position saved never passes a row the
        index lacks; rows still waiting at close are read from the manifest by the next open."""
        self._pending.append((row, offset, line))
        db = self.db
        try:
            db.execute("BEGIN")
            try:
                kinds_changed = self._kinds_unsaved
                for waiting, at, raw in self._pending:
                    db.execute(_INSERT, row_params(indexed(waiting, self._labels), at, len(raw)))
                    kinds_changed = self._note_kinds(waiting) or kinds_changed
                if kinds_changed:
                    self._save_kinds()
                self._save_position(offset + len(line), (offset, line))
                db.execute("COMMIT")
            except BaseException as error:
                if db.in_transaction:
                    db.execute("ROLLBACK")
                if not isinstance(error, sqlite3.Error):
                    self._pending.pop()  # not SQLite's doing: this row would fail every later add
                raise
        except sqlite3.Error as error:
            if len(self._pending) == 1:  # once per run of failures, not once per row
                logger.warning(
                    "could not index %s in %s (%s): it is kept; the index catches up when it can",
                    row.get("file_name"), self.path.name, error,
                )
            self._kinds_unsaved = True  # noted in memory, rolled back on disk
            return False
        self._pending.clear()
        self._kinds_unsaved = False
        return True


def _line_hash(line: bytes) -> str:
    return hashlib.blake2b(line, digest_size=16).hexdigest()
