"""The counts the store's documents show, from the on-disk index or from rows in memory.

report.html, ATTRIBUTION.md and the dataset card summarise every row of the store: counts per
class, engine and license, the kinds of value each column holds, and the drop reasons of
``rejected.jsonl``. For a store of a million rows these come from the index
(imagespider/dataset/store/index.py: SQL ``GROUP BY`` over its table, and ``rejected.jsonl`` read only
from where the last publish stopped), never from the rows held in memory; a few rows in memory
(tests, a small tool) give the same summary through :meth:`StoreSummary.from_rows`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from imagespider.dataset.store.credit import license_of
from imagespider.dataset.store.index import StoreIndex
from imagespider.dataset.store.indexrow import value_kind
from imagespider.dataset.store.jsonl import tail_jsonl

#: The newest rejected results shown in report.html (the counts include every one).
MAX_REJECTED_ROWS = 1000


@dataclass
class StoreSummary:
    """Counts over every kept row and every rejected result of a store."""

    kept: int = 0
    labels: Counter[str] = field(default_factory=Counter)
    engines: Counter[str] = field(default_factory=Counter)
    #: By license label ("CC BY 2.0"), as ATTRIBUTION.md and report.html group.
    licenses: Counter[str] = field(default_factory=Counter)
    #: By license id (``cc-by``), as the dataset card lists.
    license_ids: Counter[str] = field(default_factory=Counter)
    label_licenses: Counter[tuple[str, str]] = field(default_factory=Counter)
    #: Column name -> kinds of value seen (imagespider/dataset/store/indexrow.py ``KIND_*`` bits).
    kinds: dict[str, int] = field(default_factory=dict)
    rejected: int = 0
    reasons: Counter[str] = field(default_factory=Counter)
    label_reasons: Counter[tuple[str, str]] = field(default_factory=Counter)
    #: The newest rejected rows, oldest first, at most MAX_REJECTED_ROWS.
    newest_rejected: list[dict[str, Any]] = field(default_factory=list)
    _licenses_by_label: dict[str, dict[str, int]] | None = field(default=None, compare=False, repr=False)
    _reasons_by_label: dict[str, dict[str, int]] | None = field(default=None, compare=False, repr=False)

    @classmethod
    def from_rows(cls, rows: Iterable[Mapping[str, Any]], rejected: Iterable[Mapping[str, Any]] = ()) -> StoreSummary:
        summary = cls()
        kept: set[tuple[str, str]] = set()
        for row in rows:
            kept.add((str(row.get("image_url")), str(row.get("label") or "")))
            label = str(row.get("label") or "?")
            lic = license_of(row).label
            summary.kept += 1
            summary.labels[label] += 1
            summary.engines[str(row.get("engine") or "?")] += 1
            summary.licenses[lic] += 1
            summary.license_ids[str(row.get("license") or "unknown")] += 1
            summary.label_licenses[(label, lic)] += 1
            for name, value in row.items():
                summary.kinds[name] = summary.kinds.get(name, 0) | value_kind(value)
        latest = latest_rejections(rejected, lambda url, label: (url, label) in kept)
        for found in latest:
            summary.add_rejected(found)
        summary.newest_rejected = latest[-MAX_REJECTED_ROWS:]
        return summary

    def add_rejected(self, found: Mapping[str, Any]) -> None:
        reason = str(found.get("reason") or "?")
        self._reasons_by_label = None
        self.rejected += 1
        self.reasons[reason] += 1
        self.label_reasons[(str(found.get("label") or "?"), reason)] += 1

    @classmethod
    def from_index(cls, index: StoreIndex, rejected_path: Path) -> StoreSummary:
        """The summary of the whole store from its index, reading no manifest row."""
        summary = cls()
        for (label, engine, lic, lic_id), count in index.count_by("label", "engine", "license", "license_id").items():
            name = str(label or "?")
            summary.kept += count
            summary.labels[name] += count
            summary.engines[str(engine or "?")] += count
            summary.licenses[lic] += count
            summary.license_ids[str(lic_id)] += count
            summary.label_licenses[(name, lic)] += count
        summary.kinds = index.column_kinds()
        for (label, reason), count in index.rejected_counts(rejected_path).items():
            summary.rejected += count
            summary.reasons[reason] += count
            summary.label_reasons[(label, reason)] += count
        summary.newest_rejected = latest_rejections(tail_jsonl(rejected_path, MAX_REJECTED_ROWS), index.has_url)
        return summary

    def licenses_of(self, label: str) -> Counter[str]:
        """The class's rows per license label."""
        if self._licenses_by_label is None:
            self._licenses_by_label = _per_label(self.label_licenses)
        return Counter(self._licenses_by_label.get(label, {}))

    def reasons_of(self, label: str) -> Counter[str]:
        """The class's rejected results per reason."""
        if self._reasons_by_label is None:
            self._reasons_by_label = _per_label(self.label_reasons)
        return Counter(self._reasons_by_label.get(label, {}))


def latest_rejections(rejected: Iterable[Mapping[str, Any]], kept: Callable[[str, str], bool]) -> list[dict[str, Any]]:
    """Each image URL's latest rejection, in the order of those, leaving out the URLs ``kept(url, label)``
    now (a later crawl kept them): what holds now, as the index counts it (indexqueries.rejected_counts).
    A row without a URL stands on its own."""
    latest: dict[Any, dict[str, Any]] = {}
    for n, found in enumerate(rejected):
        url, label = found.get("url"), str(found.get("label") or "")
        key: Any = (url, label) if isinstance(url, str) and url else n
        latest.pop(key, None)
        latest[key] = dict(found)
    return [found for key, found in latest.items() if not (isinstance(key, tuple) and kept(*key))]


def _per_label(counts: Counter[tuple[str, str]]) -> dict[str, dict[str, int]]:
    """``{(label, x): n}`` as ``{label: {x: n}}`` (asked once per class: not a scan each time)."""
    grouped: dict[str, dict[str, int]] = {}
    for (label, name), count in counts.items():
        grouped.setdefault(label, {})[name] = count
    return grouped
