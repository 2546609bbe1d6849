"""What the store's index (imagespider/dataset/store/index.py) keeps of one manifest row, and how.

A row becomes one line of the index's ``rows`` table (:func:`row_params`): the columns a crawl and
the documents ask about, ``(image_url, label)`` as one 64-bit key (:func:`url_key`), and the
perceptual hash cut into bands for the twin search (imagespider/dataset/neardup/twinsearch.py). The kinds
of JSON value each manifest column holds (:func:`value_kind`) are kept too, for the dataset card.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from imagespider.dataset.neardup.twinsearch import hash_columns, phash_value
from imagespider.dataset.store.credit import license_of

#: Kinds of JSON values seen in a column (a bit each), for the dataset card's feature types.
KIND_NULL, KIND_STR, KIND_BOOL, KIND_INT, KIND_FLOAT, KIND_LIST_STR, KIND_OTHER = (1 << i for i in range(7))

#: The ``rows`` table's columns, in the order :func:`row_params` gives them.
ROW_COLUMNS = (
    "offset", "length", "file_name", "label", "query", "engine", "url_key", "image_url", "sha256", "license",
    "license_id", "phash", "b0", "b1", "b2", "b3",
)


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
    # A damaged row's list or object is no dict key (TypeError): keyed by its text instead.
    key = tuple(_hashable(row.get(name)) for name in ("license", "license_version", "license_url"))
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


def _hashable(value: Any) -> Any:
    return value if value is None or isinstance(value, (str, int, float)) else f"{type(value).__name__}:{value!r}"


def row_params(entry: IndexedRow, offset: int, length: int) -> tuple[Any, ...]:
    """The values of :data:`ROW_COLUMNS` for a row whose line is ``length`` bytes at ``offset``."""
    key = url_key(entry.image_url, entry.label) if entry.image_url else None
    return (offset, length, entry.file_name, entry.label, entry.query, entry.engine, key, entry.image_url,
            entry.sha256, entry.license, entry.license_id, *hash_columns(entry.phash))
