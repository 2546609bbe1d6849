"""The store's on-disk index: ``<store>/.index.sqlite``, so a crawl's memory does not grow with the store.

``metadata.jsonl`` stays the source of truth that loaders read; this file is a cache derived from
it (stdlib :mod:`sqlite3`), hidden so no loader takes it for data (Hugging Face skips dot files,
torchvision's ``ImageFolder`` lists folders only). It answers what a crawl asks of the store:

* has this ``(image_url, label)`` been kept (:meth:`StoreIndex.has_url`), which file holds these
  bytes (:meth:`StoreIndex.holder_of`), is this file referenced (:meth:`StoreIndex.has_file`);
* kept rows per label and per ``(engine, query, label)`` (resume, quotas, ``-a mode=top-up``);
* the closest perceptual hash within ``DEDUP_MAX_DISTANCE`` bits (:meth:`StoreIndex.twin_of`),
  with exactly the answer of imagespider/dataset/neardup.py's in-memory ``PhashIndex``;
* where each row's line sits in the manifest (``offset``, ``length``), so the documents read a
  class's rows, or a sample of them, without reading the whole manifest.

Near-duplicate search is multi-index hashing: the 64-bit hash is cut into 4 bands of 16 bits, each
an indexed column. Two hashes at most ``d`` bits apart differ in at most ``d // 4`` bits in at least
one band (pigeonhole), so the candidates are the rows whose band equals one of the values within
``d // 4`` bits of the query's band in that band: 4 x 17 exact lookups for the default ``d = 6``.
Beyond :data:`MAX_PROBES` lookups (``d >= 16``) a streamed scan of every hash is cheaper.

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
import itertools
import json
import logging
import os
import posixpath
import sqlite3
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from imagespider.dataset.attribution import license_of
from imagespider.dataset.neardup import Twin

logger = logging.getLogger(__name__)

#: File name at the store's root (hidden: loaders skip it).
INDEX = ".index.sqlite"
#: Bumped when the schema changes: an index of another version is rebuilt.
SCHEMA_VERSION = 1
HASH_BITS = 64
BANDS = 4
BAND_BITS = HASH_BITS // BANDS
#: Above this many exact band lookups a scan of every hash is cheaper (d >= 16 bits).
MAX_PROBES = 4000
_MASK = (1 << BAND_BITS) - 1

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
    "INSERT INTO rows(offset, length, file_name, label, query, engine, url_key, image_url, sha256, license,"
    " license_id, phash, b0, b1, b2, b3) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
)

#: Kinds of JSON values seen in a column (a bit each), for the dataset card's feature types.
KIND_NULL, KIND_STR, KIND_BOOL, KIND_INT, KIND_FLOAT, KIND_LIST_STR, KIND_OTHER = (1 << i for i in range(7))


def value_kind(value: Any) -> int:
    if value is None:
        return KIND_NULL
    if isinstance(value, str):
        return KIND_STR
    if isinstance(value, bool):
        return KIND_BOOL
    if isinstance(value, int):
        return KIND_INT
    if isinstance(value, float):
        return KIND_FLOAT
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return KIND_LIST_STR
    return KIND_OTHER


def url_key(image_url: str, label: str) -> int:
    """A signed 64-bit key of ``(image_url, label)``: an indexed integer instead of two long texts
    (the texts are compared too, so a collision costs a lookup, never a wrong answer)."""
    digest = hashlib.blake2b(f"{image_url}\0{label}".encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def phash_value(phash: Any) -> int | None:
    """A 64-bit hex hash as an int, or None for anything else (rows written before phash existed)."""
    if not isinstance(phash, str):
        return None
    try:
        value = int(phash, 16)
    except ValueError:
        return None
    return value if value >= 0 and not value >> HASH_BITS else None


def _signed(value: int) -> int:
    return value - (1 << HASH_BITS) if value >> (HASH_BITS - 1) else value


def bands(value: int) -> list[int]:
    """The hash's 4 bands of 16 bits, the highest first."""
    return [(value >> (BAND_BITS * (BANDS - 1 - i))) & _MASK for i in range(BANDS)]


def _neighbours(band: int, radius: int) -> list[int]:
    """Every 16-bit value within ``radius`` bits of ``band``."""
    found = [band]
    for flips in range(1, radius + 1):
        for bits in itertools.combinations(range(BAND_BITS), flips):
            value = band
            for bit in bits:
                value ^= 1 << bit
            found.append(value)
    return found


def _probe_count(radius: int) -> int:
    from math import comb

    return BANDS * sum(comb(BAND_BITS, i) for i in range(radius + 1))


@dataclass(frozen=True)
class IndexedRow:
    """What the index keeps of one manifest row."""

    file_name: str | None
    label: str
    query: str | None
    engine: str | None
    image_url: str | None
    sha256: str | None
    #: The license's label ("CC BY 2.0"), as ATTRIBUTION.md and report.html group by.
    license: str
    #: The license id as the manifest says (``cc-by``; ``unknown`` when absent), as the card counts.
    license_id: str
    phash: int | None


def indexed(row: Mapping[str, Any], labels: dict[tuple[Any, Any, Any], str] | None = None) -> IndexedRow:
    """The index's view of a manifest row; ``labels`` caches license labels by (id, version, url)."""
    key = (row.get("license"), row.get("license_version"), row.get("license_url"))
    label = labels.get(key) if labels is not None else None
    if label is None:
        label = license_of(row).label
        if labels is not None:
            labels[key] = label
    file_name = row.get("file_name")
    url = row.get("image_url")
    sha = row.get("sha256")
    return IndexedRow(
        file_name=file_name if isinstance(file_name, str) else None,
        label=str(row.get("label") or ""),
        query=None if row.get("query") is None else str(row.get("query")),
        engine=None if row.get("engine") is None else str(row.get("engine")),
        image_url=url if isinstance(url, str) and url else None,
        sha256=sha if isinstance(sha, str) and sha else None,
        license=label,
        license_id=str(row.get("license") or "unknown"),
        phash=phash_value(row.get("phash")),
    )


def _params(entry: IndexedRow, offset: int, length: int) -> tuple[Any, ...]:
    key = url_key(entry.image_url, entry.label) if entry.image_url else None
    if entry.phash is None:
        phash: int | None = None
        parts: list[int | None] = [None] * BANDS
    else:
        phash = _signed(entry.phash)
        parts = list(bands(entry.phash))
    return (offset, length, entry.file_name, entry.label, entry.query, entry.engine, key, entry.image_url,
            entry.sha256, entry.license, entry.license_id, phash, *parts)


def normal_file_name(value: Any) -> str | None:
    """A row's ``file_name`` as the store names files (``label/name``), or None if it names
    nothing inside the store: ``./cat/x.jpg`` and ``cat\\x.jpg`` are ``cat/x.jpg``."""
    if not isinstance(value, str) or not value.strip():
        return None
    name = posixpath.normpath(value.strip().replace("\\", "/"))
    if name.startswith(("/", "../")) or name in (".", ".."):
        return None
    return name


def read_lines(path: Path, start: int = 0) -> Iterator[tuple[int, bytes]]:
    """``(offset, line)`` for each whole line of ``path`` from byte ``start``: a last line with no
    newline (being written, or torn) is not yielded."""
    with path.open("rb") as handle:
        handle.seek(start)
        offset = start
        for raw in handle:
            if not raw.endswith(b"\n"):
                return
            yield offset, raw
            offset += len(raw)


def parse_row(raw: bytes) -> dict[str, Any] | None:
    """A manifest line as a row (``file_name`` normalised as imagespider/dataset/store.py reads it),
    or None for a line that is not a JSON object."""
    try:
        row = json.loads(raw)
    except ValueError:
        return None
    if not isinstance(row, dict):
        return None
    if "file_name" in row:
        row["file_name"] = normal_file_name(row["file_name"])
    return row


@dataclass(frozen=True)
class SyncResult:
    """What opening the index did: ``rebuilt`` (from the start), ``read`` rows, ``unreadable`` lines
    met that are not rows (the store sets those aside and syncs again)."""

    rebuilt: bool
    read: int
    unreadable: int


class StoreIndex:
    """The SQLite index of one store's manifest. Not thread-safe: used from the reactor thread."""

    def __init__(self, root: str | os.PathLike[str], manifest: str = "metadata.jsonl") -> None:
        self.root = Path(root)
        self.path = self.root / INDEX
        self.manifest = self.root / manifest
        self._db: sqlite3.Connection | None = None
        self._labels: dict[tuple[Any, Any, Any], str] = {}
        self._kinds: dict[str, int] = {}

    # -- opening -------------------------------------------------------------------------

    @property
    def db(self) -> sqlite3.Connection:
        if self._db is None:
            raise RuntimeError("the store index is not open")
        return self._db

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

    def _meta(self) -> dict[str, Any]:
        return dict(self.db.execute("SELECT key, value FROM meta").fetchall())

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
            for offset, raw in read_lines(self.manifest, start):
                end = offset + len(raw)
                last = (offset, raw)
                if not raw.strip():
                    continue
                row = parse_row(raw)
                if row is None:
                    bad += 1
                    continue
                self._note_kinds(row)
                batch.append(_params(indexed(row, self._labels), offset, len(raw)))
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

    def add(self, row: Mapping[str, Any], offset: int, line: bytes) -> None:
        """Index a row just appended to the manifest at ``offset`` as ``line``."""
        db = self.db
        db.execute("BEGIN")
        db.execute(_INSERT, _params(indexed(row, self._labels), offset, len(line)))
        if self._note_kinds(row):
            self._save_kinds()
        self._save_position(offset + len(line), (offset, line))
        db.execute("COMMIT")

    # -- questions -----------------------------------------------------------------------

    def has_url(self, image_url: str, label: str) -> bool:
        found = self.db.execute(
            "SELECT 1 FROM rows WHERE url_key = ? AND image_url = ? AND label = ? LIMIT 1",
            (url_key(image_url, label), image_url, label),
        ).fetchone()
        return found is not None

    def holder_of(self, sha256: str) -> str | None:
        """The file of the last row holding these bytes (as the in-memory map the store had)."""
        found = self.db.execute(
            "SELECT file_name FROM rows WHERE sha256 = ? AND file_name IS NOT NULL ORDER BY id DESC LIMIT 1",
            (sha256,),
        ).fetchone()
        return None if found is None else str(found[0])

    def unreferenced(self, file_names: list[str]) -> list[str]:
        """The names of ``file_names`` (at most 999) that no row names."""
        if not file_names:
            return []
        marks = ",".join("?" * len(file_names))
        query = f"SELECT file_name FROM rows WHERE file_name IN ({marks})"  # noqa: S608
        found = {name for (name,) in self.db.execute(query, file_names)}
        return [name for name in file_names if name not in found]

    def has_file(self, file_name: str) -> bool:
        return self.db.execute("SELECT 1 FROM rows WHERE file_name = ? LIMIT 1", (file_name,)).fetchone() is not None

    def __len__(self) -> int:
        return int(self.db.execute("SELECT count(*) FROM rows").fetchone()[0])

    def count_by_label(self) -> Counter[str]:
        return Counter(dict(self.db.execute("SELECT label, count(*) FROM rows GROUP BY label").fetchall()))

    def count_by(self, *columns: str) -> Counter[tuple[Any, ...]]:
        """Rows per combination of ``columns`` (of label, query, engine, license)."""
        allowed = {"label", "query", "engine", "license", "license_id"}
        if not columns or not set(columns) <= allowed:
            raise ValueError(f"columns must be among {sorted(allowed)}")
        names = ", ".join(columns)
        return Counter(
            {tuple(found[:-1]): int(found[-1])
             for found in self.db.execute(f"SELECT {names}, count(*) FROM rows GROUP BY {names}")}  # noqa: S608
        )

    def column_kinds(self) -> dict[str, int]:
        """Every key seen in a row, with the kinds of value it held (``KIND_*`` bits)."""
        return dict(self._kinds)

    def twin_of(self, phash: str, max_distance: int) -> Twin | None:
        """The closest kept image within ``max_distance`` bits (the first indexed on a tie), if any."""
        value = phash_value(phash)
        if value is None:
            raise ValueError(f"{phash!r} is not a {HASH_BITS}-bit hex hash")
        radius = max_distance // BANDS
        best: tuple[int, int, str] | None = None
        if _probe_count(radius) > MAX_PROBES:
            candidates = self._scan(value, max_distance)
        else:
            candidates = self._probe(value, radius)
        for ident, stored, file_name in candidates:
            gap = ((stored & ((1 << HASH_BITS) - 1)) ^ value).bit_count()
            if gap <= max_distance and (best is None or (gap, ident) < best[:2]):
                best = (gap, ident, file_name)
        return None if best is None else Twin(best[2], best[0])

    def _probe(self, value: int, radius: int) -> Iterator[tuple[int, int, str]]:
        seen: set[int] = set()
        for number, band in enumerate(bands(value)):
            values = _neighbours(band, radius)
            for chunk in range(0, len(values), 500):
                part = values[chunk:chunk + 500]
                marks = ",".join("?" * len(part))
                query = f"SELECT id, phash, file_name FROM rows WHERE b{number} IN ({marks})"  # noqa: S608
                for ident, stored, file_name in self.db.execute(query, part):
                    if ident not in seen and file_name is not None:
                        seen.add(ident)
                        yield ident, stored, file_name

    def _scan(self, value: int, max_distance: int) -> Iterator[tuple[int, int, str]]:
        """Every hash, in chunks through numpy: memory bounded by the chunk."""
        cursor = self.db.execute(
            "SELECT id, phash, file_name FROM rows WHERE phash IS NOT NULL AND file_name IS NOT NULL"
        )
        target = np.uint64(value)
        while chunk := cursor.fetchmany(50_000):
            hashes = np.array([stored for _, stored, _ in chunk], dtype=np.int64).view(np.uint64)
            gaps = np.bitwise_count(hashes ^ target)
            for position in np.flatnonzero(gaps <= max_distance):
                yield chunk[int(position)]

    # -- reading rows back ---------------------------------------------------------------

    def locations(self, label: str | None = None, license: str | None = None, limit: int | None = None,
                  ) -> list[tuple[int, int]]:
        """``(offset, length)`` of rows (of a label, of a license), by file name; ``limit`` caps them."""
        where, params = [], []
        if label is not None:
            where.append("label = ?")
            params.append(label)
        if license is not None:
            where.append("license = ?")
            params.append(license)
        query = "SELECT offset, length FROM rows" + (" WHERE " + " AND ".join(where) if where else "")  # noqa: S608
        query += " ORDER BY file_name, image_url"
        if limit is not None:
            query += f" LIMIT {int(limit)}"
        return [(int(a), int(b)) for a, b in self.db.execute(query, params)]

    def iter_locations(self, label: str, license: str) -> Iterator[tuple[int, int]]:
        """Like :meth:`locations`, streamed (a class may hold millions of rows)."""
        cursor = self.db.execute(
            "SELECT offset, length FROM rows WHERE label = ? AND license = ? ORDER BY file_name, image_url",
            (label, license),
        )
        while chunk := cursor.fetchmany(10_000):
            yield from chunk

    # -- what was published --------------------------------------------------------------

    def published(self, name: str) -> str | None:
        """What a document was written from (its counts), to skip rewriting one that has not changed."""
        found = self.db.execute("SELECT state FROM published WHERE name = ?", (name,)).fetchone()
        return None if found is None else str(found[0])

    def set_published(self, name: str, state: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO published VALUES (?, ?)", (name, state))

    # -- rejected.jsonl ------------------------------------------------------------------

    def rejected_counts(self, path: Path) -> Counter[tuple[str, str]]:
        """Rejected results per ``(label, reason)`` in ``path`` (rejected.jsonl), reading only the
        lines added since the last call (counted again from the start if the file was replaced)."""
        meta = self._meta()
        try:
            stat = path.stat()
        except FileNotFoundError:
            stat = None
        start = int(meta.get("rejected_offset") or 0)
        if stat is None or meta.get("rejected_inode") != stat.st_ino or stat.st_size < start:
            self.db.execute("DELETE FROM rejected")
            start = 0
        fresh: Counter[tuple[str, str]] = Counter()
        end = start
        if stat is not None:
            for offset, raw in read_lines(path, start):
                end = offset + len(raw)
                try:
                    found = json.loads(raw)
                except ValueError:
                    continue
                if isinstance(found, dict):
                    fresh[(str(found.get("label") or "?"), str(found.get("reason") or "?"))] += 1
        db = self.db
        db.execute("BEGIN")
        db.executemany(
            "INSERT INTO rejected VALUES (?, ?, ?)"
            " ON CONFLICT(label, reason) DO UPDATE SET count = count + excluded.count",
            [(label, reason, count) for (label, reason), count in fresh.items()],
        )
        db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)",
                       [("rejected_offset", end), ("rejected_inode", None if stat is None else stat.st_ino)])
        db.execute("COMMIT")
        return Counter({(label, reason): int(count) for label, reason, count in db.execute("SELECT * FROM rejected")})


def _line_hash(line: bytes) -> str:
    return hashlib.blake2b(line, digest_size=16).hexdigest()


class RowReader:
    """Rows read back from the manifest by their ``(offset, length)`` in the index."""

    def __init__(self, manifest: Path) -> None:
        self._fd = os.open(manifest, os.O_RDONLY)

    def __enter__(self) -> RowReader:
        return self

    def __exit__(self, *_: object) -> None:
        os.close(self._fd)

    def row(self, offset: int, length: int) -> dict[str, Any] | None:
        return parse_row(os.pread(self._fd, length, offset))
