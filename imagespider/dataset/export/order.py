"""The rows an export ships, in its order (label, then sha256), held on disk rather than in memory.

Shards are cut in a stable order so that two exports of one store give the same shards; sorting
a million rows in a list took memory that grew with the store (issue 28 item 20). The rows go
into a SQLite file in the export's scratch folder (stdlib :mod:`sqlite3`, its page cache
bounded), which sorts them and keeps each sha256 once; they are read back one at a time.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

_SCHEMA = """
CREATE TABLE rows(label TEXT NOT NULL, sha256 TEXT NOT NULL PRIMARY KEY, row TEXT NOT NULL);
"""


class OrderedRows:
    """Rows added in any order, each sha256 once, read back by (label, sha256)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.db = sqlite3.connect(path, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=OFF")  # scratch: rebuilt by the next export
        self.db.execute("PRAGMA synchronous=OFF")
        self.db.execute("PRAGMA temp_store=FILE")  # the sort spills to disk, not memory
        self.db.execute("PRAGMA cache_size=-16000")  # 16 MB of page cache at most
        self.db.executescript(_SCHEMA)
        self.db.execute("BEGIN")

    def add(self, label: str, sha256: str, row: dict[str, Any]) -> bool:
        """Hold ``row``; False when a row of this sha256 is held already (the first one wins)."""
        cursor = self.db.execute(
            "INSERT OR IGNORE INTO rows VALUES (?, ?, ?)",
            # ASCII JSON: a lone surrogate in a damaged row is escaped, not a UnicodeEncodeError.
            (label, sha256, json.dumps(row, ensure_ascii=True)),
        )
        return cursor.rowcount == 1

    def labels(self) -> list[str]:
        self._commit()
        return [label for (label,) in self.db.execute("SELECT DISTINCT label FROM rows ORDER BY label")]

    def __len__(self) -> int:
        self._commit()
        return int(self.db.execute("SELECT count(*) FROM rows").fetchone()[0])

    def __iter__(self) -> Iterator[dict[str, Any]]:
        self._commit()
        for (text,) in self.db.execute("SELECT row FROM rows ORDER BY label, sha256"):
            yield json.loads(text)

    def _commit(self) -> None:
        if self.db.in_transaction:
            self.db.execute("COMMIT")

    def close(self) -> None:
        self.db.close()
