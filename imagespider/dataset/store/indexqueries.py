"""What a crawl and the documents ask of the store's index (imagespider/dataset/store/index.py).

* has this ``(image_url, label)`` been kept (:meth:`IndexQueries.has_url`), which file holds these
  bytes (:meth:`IndexQueries.holder_of`), is this file referenced (:meth:`IndexQueries.has_file`);
* kept rows per label and per ``(engine, query, label)`` (resume, quotas, ``-a mode=top-up``);
* the closest perceptual hash within ``DEDUP_MAX_DISTANCE`` bits (:meth:`IndexQueries.twin_of`,
  imagespider/dataset/neardup/twinsearch.py);
* where each row's line sits in the manifest (``offset``, ``length``), so the documents read a
  class's rows, or a sample of them, without reading the whole manifest;
* which documents were written from which counts, and rejected results per ``(label, reason)``.

:class:`IndexQueries` asks; :class:`imagespider.dataset.store.index.StoreIndex` adds opening the index,
keeping it up to date with the manifest and adding rows.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from imagespider.dataset.neardup.phash import Twin
from imagespider.dataset.neardup.twinsearch import twin_in
from imagespider.dataset.store.indexrow import url_key
from imagespider.dataset.store.jsonl import parse_row, read_lines


class IndexQueries:
    """The questions asked of an open index's connection. Not thread-safe: used from the reactor thread."""

    def __init__(self) -> None:
        self._db: sqlite3.Connection | None = None
        #: Column name -> ``KIND_*`` bits (imagespider/dataset/store/indexrow.py) of every row indexed.
        self._kinds: dict[str, int] = {}

    @property
    def db(self) -> sqlite3.Connection:
        if self._db is None:
            raise RuntimeError("the store index is not open")
        return self._db

    def _meta(self) -> dict[str, Any]:
        return dict(self.db.execute("SELECT key, value FROM meta").fetchall())

    # -- the crawl's questions -----------------------------------------------------------

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

    def twin_of(self, phash: str, max_distance: int) -> Twin | None:
        """The closest kept image within ``max_distance`` bits (the first indexed on a tie), if any."""
        return twin_in(self.db, phash, max_distance)

    # -- counts --------------------------------------------------------------------------

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

    def sample_last(self, label: str, size: int) -> str | None:
        """The file name of ``label``'s ``size``-th row as :meth:`locations` orders them (the last
        one a sample of ``size`` shows), ``""`` for a row without one, or None when it has fewer."""
        found = self.db.execute(
            "SELECT file_name FROM rows WHERE label = ? ORDER BY file_name LIMIT 1 OFFSET ?", (label, max(0, size - 1))
        ).fetchone()
        return None if found is None else str(found[0] or "")

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
        """Rejected results per ``(label, reason)`` in ``path`` (rejected.jsonl), each image URL counted
        once, by its latest rejection, and not at all once a later crawl kept it (rejected.jsonl is the
        history; the documents tell what holds now). Only the lines added since the last call are read
        (all again from the start if the file was replaced); a row without a URL counts on its own."""
        meta = self._meta()
        try:
            stat = path.stat()
        except FileNotFoundError:
            stat = None
        start = int(meta.get("rejected_latest_offset") or 0)
        if stat is None or meta.get("rejected_latest_inode") != stat.st_ino or stat.st_size < start:
            self.db.execute("DELETE FROM rejected_latest")
            start = 0
        fresh: list[tuple[int | None, str | None, str, str, str]] = []
        end = start
        if stat is not None:
            for offset, raw, length in read_lines(path, start):
                end = offset + length
                found = parse_row(raw)
                if found is not None:
                    url, row_label = found.get("url"), str(found.get("label") or "")
                    key = url_key(url, row_label) if isinstance(url, str) and url else None
                    fresh.append((key, url if key is not None else None, row_label,
                                  row_label or "?", str(found.get("reason") or "?")))
        db = self.db
        db.execute("BEGIN")
        # In file order: a URL's later rejection replaces its earlier one.
        db.executemany("INSERT OR REPLACE INTO rejected_latest VALUES (?, ?, ?, ?, ?)", fresh)
        db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)",
                       [("rejected_latest_offset", end),
                        ("rejected_latest_inode", None if stat is None else stat.st_ino)])
        db.execute("COMMIT")
        counted = db.execute(
            "SELECT r.label, r.reason, COUNT(*) FROM rejected_latest r WHERE r.url IS NULL OR NOT EXISTS"
            " (SELECT 1 FROM rows WHERE rows.url_key = r.key AND rows.image_url = r.url AND rows.label = r.url_label)"
            " GROUP BY r.label, r.reason"
        )
        return Counter({(label, reason): int(count) for label, reason, count in counted})
