"""What the review page asks of the store, answered from its SQLite index, one page of rows at a time.

A review session holds the store open (its lock, like a crawl: no crawl writes into it meanwhile)
for as long as the page is served. The class list and the grid come from the index
(imagespider/dataset/store/index.py): a page of a class is one ``LIMIT/OFFSET`` query and a ``pread`` per
row, so a class of a million images costs what a class of a hundred does. Filters on what the
index holds (license, engine, query) are SQL; those on what only the row holds (AI-generated,
small size) read the class's rows once and keep only the matching file names.

The server's threads share one connection: every question holds :attr:`ReviewSession.lock`.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from imagespider.dataset.documents.thumbnails import THUMBS, make_thumbnail
from imagespider.dataset.documents.write import write_documents
from imagespider.dataset.store.files import MANIFEST
from imagespider.dataset.store.jsonl import RowReader, normal_file_name
from imagespider.dataset.store.local import Dataset
from imagespider.dataset.store.reviewapply import apply_review, plan_review, undo_review
from imagespider.dataset.store.reviewjournal import Review, removed_by_reviews
from imagespider.review.groups import near_duplicate_groups

#: Rows a page may ask for at once.
MAX_PAGE = 500
#: Below this many pixels on its short side an image is flagged ``small`` (a drop risk).
SMALL_SIDE = 256
#: The drop-risk filters: what makes an image likely to be left out of a shared dataset.
RISKS = ("cc-unspecified", "ai-generated", "small")


@dataclass(frozen=True)
class Filters:
    license: str | None = None
    engine: str | None = None
    query: str | None = None
    risk: str | None = None

    @classmethod
    def from_query(cls, params: Mapping[str, str]) -> Filters:
        def value(name: str) -> str | None:
            text = params.get(name) or ""
            return text[:500] if text else None

        risk = value("risk")
        return cls(value("license"), value("engine"), value("query"), risk if risk in RISKS else None)


class ReviewSession:
    """One store held open for review."""

    def __init__(self, root: Path, max_distance: int = 6) -> None:
        self.root = root
        self.max_distance = max_distance
        self.dataset = Dataset(root)
        self.lock = threading.RLock()
        self._risky: dict[tuple[str, str], list[str]] = {}
        #: The documents the last rebuild could not write (each said in one ERROR line): until a
        #: rebuild writes them, they describe the store as it was, and the review exits 1.
        self.unwritten: list[str] = []

    def open(self) -> None:
        """Lock the store and repair it as a crawl's open does (a review cut short is finished)."""
        self.dataset.open()

    def close(self) -> None:
        with self.lock:
            self.dataset.close()

    @property
    def index(self) -> Any:
        return self.dataset.index

    # -- the page's questions --------------------------------------------------------------

    def classes(self) -> list[dict[str, Any]]:
        with self.lock:
            counts = self.index.count_by_label()
        return [{"label": label, "count": count} for label, count in sorted(counts.items())]

    def facets(self, label: str) -> dict[str, list[list[Any]]]:
        """The licenses, engines and queries of a class, with counts, for the filter menus."""
        out: dict[str, list[list[Any]]] = {}
        with self.lock:
            for column in ("license_id", "engine", "query"):
                found = self.index.db.execute(
                    f"SELECT {column}, count(*) FROM rows WHERE label = ? GROUP BY {column} ORDER BY 2 DESC",  # noqa: S608
                    (label,),
                ).fetchall()
                out[column.removesuffix("_id")] = [[value, count] for value, count in found if value is not None]
        out["risk"] = [[risk, 0] for risk in RISKS]
        return out

    def items(self, label: str, offset: int, limit: int, filters: Filters) -> dict[str, Any]:
        """``{"total", "items"}``: one page of a class's images by file name, as the grid shows them."""
        limit = max(1, min(limit, MAX_PAGE))
        offset = max(0, offset)
        with self.lock:
            if filters.risk in ("ai-generated", "small"):
                names = self._risky_names(label, filters)
                total, page = len(names), names[offset:offset + limit]
                rows = [self._row_of(name) for name in page]
            else:
                where, params = self._where(label, filters)
                total = int(self.index.db.execute(f"SELECT count(*) FROM rows WHERE {where}", params).fetchone()[0])  # noqa: S608
                found = self.index.db.execute(
                    f"SELECT offset, length FROM rows WHERE {where} ORDER BY file_name LIMIT ? OFFSET ?",  # noqa: S608
                    (*params, limit, offset),
                ).fetchall()
                with RowReader(self.root / MANIFEST) as reader:
                    rows = [reader.row(int(at), int(length)) for at, length in found]
        return {"total": total, "offset": offset, "items": [_item(row) for row in rows if row is not None]}

    def _where(self, label: str, filters: Filters) -> tuple[str, list[Any]]:
        where, params = ["label = ?", "file_name IS NOT NULL"], [label]
        for column, value in (("license_id", filters.license), ("engine", filters.engine), ("query", filters.query)):
            if value is not None:
                where.append(f"{column} = ?")
                params.append(value)
        if filters.risk == "cc-unspecified":
            where.append("license_id = 'cc-unspecified'")
        return " AND ".join(where), params

    def _risky_names(self, label: str, filters: Filters) -> list[str]:
        """File names of a class matching a filter only the rows can answer (read once, then kept)."""
        key = (label, repr(filters))
        if key not in self._risky:
            where, params = self._where(label, Filters(filters.license, filters.engine, filters.query))
            found = self.index.db.execute(
                f"SELECT offset, length FROM rows WHERE {where} ORDER BY file_name", params  # noqa: S608
            ).fetchall()
            names = []
            with RowReader(self.root / MANIFEST) as reader:
                for at, length in found:
                    row = reader.row(int(at), int(length))
                    if row is not None and filters.risk in risks_of(row):
                        names.append(str(row.get("file_name")))
            self._risky[key] = names
        return self._risky[key]

    def _row_of(self, file_name: str) -> dict[str, Any] | None:
        found = self.index.db.execute(
            "SELECT offset, length FROM rows WHERE file_name = ? ORDER BY id DESC LIMIT 1", (file_name,)
        ).fetchone()
        if found is None:
            return None
        with RowReader(self.root / MANIFEST) as reader:
            return reader.row(int(found[0]), int(found[1]))

    def row(self, file_name: str) -> dict[str, Any] | None:
        with self.lock:
            return self._row_of(file_name)

    def groups(self, label: str) -> list[list[dict[str, Any]]]:
        """Near-duplicate groups of a class (imagespider/review/groups.py), each image with its facts."""
        with self.lock:
            found = self.index.db.execute(
                "SELECT file_name, phash FROM rows WHERE label = ? AND phash IS NOT NULL AND file_name IS NOT NULL",
                (label,),
            ).fetchall()
            groups = near_duplicate_groups(found, self.max_distance)
            return [[_item(self._row_of(name)) for name in group] for group in groups]

    # -- files -------------------------------------------------------------------------------

    def image_path(self, name: str) -> Path | None:
        """The file of a row (``label/<sha256>.<ext>``) inside the store, or None: nothing else is served."""
        file_name = _inside(name)
        if file_name is None:
            return None
        with self.lock:
            if not self.index.has_file(file_name):
                return None
        return _within(self.root, file_name)

    def thumbnail_path(self, name: str) -> Path | None:
        """A row's thumbnail (made now if it is missing), else its image."""
        image = self.image_path(name)
        if image is None:
            return None
        label, _, base = str(normal_file_name(name)).rpartition("/")
        sha = base.partition(".")[0]
        if not sha.isalnum():
            return image
        thumb = self.root / label / THUMBS / f"{sha}.jfif"
        if thumb.is_file() or make_thumbnail(image, thumb):
            return _within(self.root, f"{label}/{THUMBS}/{sha}.jfif") or image
        return image

    # -- changes -----------------------------------------------------------------------------

    def apply(self, marks: list[Mapping[str, Any]]) -> dict[str, Any]:
        """Apply the page's marks as one review; the index, the documents and what later crawls skip follow."""
        with self.lock:
            changes = plan_review(self.root, marks)
            review_id = apply_review(self.root, changes)
            self._refresh()
        return {
            "review_id": review_id,
            "removed": sum(change["action"] == "remove" for change in changes),
            "moved": sum(change["action"] == "move" for change in changes),
        }

    def undo(self, review_id: str) -> Review:
        with self.lock:
            review = undo_review(self.root, review_id)
            self._refresh()
        return review

    def _refresh(self) -> None:
        self._risky.clear()
        self.index.close()
        self.index.open()  # the manifest was replaced: rebuilt
        self.dataset.removals = removed_by_reviews(self.root)
        self.write_documents()

    def write_documents(self) -> list[str]:
        """Rebuild the store's documents from the index; remember (and return) those not written."""
        self.unwritten = write_documents(self.root, self.index)
        return self.unwritten


def risks_of(row: Mapping[str, Any]) -> list[str]:
    """The drop risks of a row: ``cc-unspecified``, ``ai-generated``, ``small``."""
    found = []
    if row.get("license") == "cc-unspecified":
        found.append("cc-unspecified")
    rights = row.get("rights")
    if isinstance(rights, Mapping) and rights.get("ai_generated") is True:
        found.append("ai-generated")
    width, height = row.get("width"), row.get("height")
    if isinstance(width, int) and isinstance(height, int) and 0 < min(width, height) < SMALL_SIDE:
        found.append("small")
    return found


def _item(row: Mapping[str, Any] | None) -> dict[str, Any]:
    """What the grid shows of a row (text only: the page puts it in attributes and text nodes)."""
    row = row or {}
    return {
        "file": row.get("file_name"), "title": str(row.get("title") or "")[:300],
        "license": str(row.get("license") or "unknown"), "engine": row.get("engine"),
        "width": row.get("width"), "height": row.get("height"), "bytes": row.get("bytes"),
        "risks": risks_of(row),
    }


def _inside(name: str) -> str | None:
    """``label/file`` with no ``..``, no dot folder, no absolute path; else None."""
    file_name = normal_file_name(name)
    if file_name is None or file_name != name.replace("\\", "/"):
        return None
    parts = file_name.split("/")
    if len(parts) != 2 or any(not part or part.startswith(".") for part in parts):
        return None
    return file_name


def _within(root: Path, relative: str) -> Path | None:
    """The real path of ``root/relative`` if it is a regular file inside ``root`` (no symlink out)."""
    base = root.resolve()
    path = (root / relative).resolve()
    if base not in path.parents or not path.is_file():
        return None
    return path
