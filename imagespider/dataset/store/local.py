"""The dataset on disk: image files, ``metadata.jsonl`` and ``rejected.jsonl``, kept in step by one crawl.

Opening locks the store (imagespider/dataset/store/lock.py), refuses a manifest that cannot be
trusted and repairs what a killed crawl left (imagespider/dataset/store/repair.py): a torn last line and
lines that are not rows and image files with no row are set aside, never deleted. Rows are
appended with one ``write()`` each (imagespider/dataset/store/jsonl.py), after their image file.

The store holds no row in memory: what a crawl asks (is this URL kept, who holds these bytes, the
nearest perceptual hash, counts per class) is answered by the on-disk index
(imagespider/dataset/store/index.py, ``<store>/.index.sqlite``), updated with every row appended and
brought up to date with the manifest when the store opens. Opening reads the manifest only when
the index is stale, one line at a time; only this crawl's claims (bytes being stored now) are kept
in memory.
"""

from __future__ import annotations

import os
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from imagespider.dataset.neardup.phash import PhashIndex, Twin
from imagespider.dataset.store.crawls import amend_crawl, append_crawl
from imagespider.dataset.store.files import MANIFEST, REJECTED
from imagespider.dataset.store.index import StoreIndex
from imagespider.dataset.store.jsonl import append_row, clean_row, read_jsonl
from imagespider.dataset.store.lock import StoreRefused, take_lock
from imagespider.dataset.store.repair import (
    check_manifest,
    set_orphans_aside,
    set_torn_tails_aside,
    set_unreadable_lines_aside,
    unreadable_aside,
)
from imagespider.dataset.store.reviewapply import finish_reviews
from imagespider.dataset.store.reviewjournal import Removals, removed_by_reviews


class Dataset:
    """A store opened for a crawl: the questions it asks before keeping an image, and the rows it adds."""

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
        #: Image URLs and sha256 removed by reviews (``scrapy review``): never downloaded again.
        self.removals = Removals(frozenset(), frozenset())

    # -- opening -------------------------------------------------------------------------

    def open(self) -> None:
        """Lock the store, read its manifest and repair what a killed crawl left.

        Raises :class:`StoreLocked` when another crawl holds the store, :class:`StoreUnreadable`
        (having changed nothing but the lock file) when its manifest cannot be trusted."""
        self.root.mkdir(parents=True, exist_ok=True)
        self._lock_fd = take_lock(self.root)
        try:
            check_manifest(self.root)
            set_torn_tails_aside(self.root)  # every JSON-lines file, before anything appends to one
            finish_reviews(self.root)  # a review cut short: files and rows in step before orphans are looked for
        except StoreRefused:
            self.close()
            raise
        manifest = self.root / MANIFEST
        synced = self.index.open()
        if synced.unreadable:
            # Lines that are not rows: set aside (the manifest is rewritten), then indexed anew.
            self.index.close()
            set_unreadable_lines_aside(manifest, unreadable_aside(manifest))
            self.index.open()
        set_orphans_aside(self.root, self.index.unreferenced)
        self.removals = removed_by_reviews(self.root)
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

    # -- questions -----------------------------------------------------------------------

    def removed_in_review(self, image_url: str | None = None, sha256: str | None = None) -> bool:
        """Whether a review removed this URL or these bytes from the store (reason ``reviewed_removed``)."""
        return (image_url is not None and image_url in self.removals.urls) or (
            sha256 is not None and sha256 in self.removals.sha256s
        )

    def holder_of(self, sha256: str) -> str | None:
        """The file already holding these bytes, kept or being stored right now."""
        return self._claims.get(sha256) or self.index.holder_of(sha256)

    def has_url(self, image_url: str, label: str) -> bool:
        return self.index.has_url(image_url, label)

    def has_row(self, file_name: str) -> bool:
        """Whether the manifest holds ``file_name``'s row (its name is ``<label>/<sha256>.<ext>``)."""
        sha256 = file_name.rsplit("/", 1)[-1].split(".", 1)[0]
        return self.index.holder_of(sha256) == file_name

    def twin_of(self, phash: str, max_distance: int) -> Twin | None:
        """The closest kept image (or one being stored now) within ``max_distance`` bits of
        ``phash``, as imagespider/dataset/neardup/phash.py's ``PhashIndex.twin_of`` would say over every
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
        kept), then index it (a crash between the two, or an index that could not take it, is
        healed by the next add or the next open, imagespider/dataset/store/index.py): a row in the
        manifest is kept, whatever SQLite said."""
        row = clean_row(row, self.scrub)
        with self._write_lock:
            offset, line = append_row(self._manifest_fd, row)
            indexed = self.index.add(row, offset, line)
        # The index answers for these bytes from now on: the claim goes, so the claims hold only
        # the images in flight, not every image of the crawl (memory, and the pHash scan each
        # image's twin_of makes over them). A row the index could not take yet keeps its claim.
        sha256 = row.get("sha256")
        if indexed and isinstance(sha256, str) and self._claims.get(sha256) == row.get("file_name"):
            self.unclaim(sha256)

    def reject(self, row: dict[str, Any]) -> None:
        append_row(self._rejected_fd, clean_row(row, self.scrub))

    def record_crawl(self, row: dict[str, Any]) -> None:
        """Append the crawl's ``crawls.jsonl`` row, cleaned as every row (:func:`clean_row`)."""
        append_crawl(self.root, clean_row(row, self.scrub))

    def amend_crawl(self, row: dict[str, Any]) -> bool:
        """Replace the crawl's ``crawls.jsonl`` row by ``row`` (same id), cleaned as every row."""
        return amend_crawl(self.root, clean_row(row, self.scrub))

    def path_of(self, file_name: str) -> Path:
        return self.root / file_name
