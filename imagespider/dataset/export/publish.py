"""``scrapy publish``: assemble a store's files from its rows, local or in an object store.

A local store already has its ``metadata.jsonl``; publishing rebuilds ATTRIBUTION.md, report.html
and the dataset card under the store's lock (what every single-machine crawl does at its end).
An object store (imagespider/dataset/objectstore/client.py) holds one sidecar row per image and one
object per rejection: publishing lists them and writes ``metadata.jsonl`` (sorted by file name),
``rejected.jsonl`` (in the order written), ``crawls.jsonl`` (one row per crawl, ``.crawls/``) and the
same documents beside them, streamed (memory does not grow with the store). An image with no
sidecar written more than :data:`ORPHAN_GRACE` ago (a worker killed between the two puts; a younger
one may be a worker's in flight, and is left alone), a sidecar with no image, and an image whose
sidecar is not a row (with that sidecar) are moved under ``.orphans/``, never deleted, so afterwards
every image has its row and every row its image.
Publishing twice gives the same files: it is idempotent, and safe to run while no crawl writes.
"""

from __future__ import annotations

import logging
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from imagespider.dataset.documents.write import write_documents
from imagespider.dataset.store.crawls import CRAWLS
from imagespider.dataset.store.files import MANIFEST, REJECTED
from imagespider.dataset.store.index import StoreIndex
from imagespider.dataset.store.jsonl import clean_row, read_jsonl, row_bytes
from imagespider.dataset.store.local import Dataset
from imagespider.dataset.store.lock import StoreRefused

logger = logging.getLogger(__name__)

#: Seconds an object-store image may wait for its sidecar before a publish calls it an orphan: a
#: worker puts the image, then (its row built) the sidecar, a moment later; one killed between
#: the two never puts it. Ten minutes is far longer than that moment.
ORPHAN_GRACE = 600.0


@dataclass
class Published:
    images: int
    rejected: int
    orphans: list[str]
    #: Documents that could not be written (each said in one ERROR line): the publish failed in part.
    failed: list[str] = field(default_factory=list)
    #: Images with no row yet, too young to be called orphans (an object store: see ORPHAN_GRACE).
    young: int = 0


def publish_local(root: str | Path) -> Published:
    """Rebuild a local store's documents. Raises :class:`StoreRefused` for a folder that is not a
    store (no ``metadata.jsonl``, which every crawl's open makes): publishing ``.`` in a project
    would write the dataset card over its README.md, and a mistyped path would become a store."""
    if not (Path(root) / MANIFEST).is_file():
        raise StoreRefused(f"{root} is not a store: it holds no {MANIFEST} (a crawl into it makes one); check the path")
    dataset = Dataset(root)
    dataset.open()  # the lock, and the repairs an open makes (torn lines, orphans set aside)
    try:
        failed = write_documents(dataset.root, dataset.index)
        return Published(len(dataset.index), sum(1 for _ in read_jsonl(dataset.root / REJECTED)), [], failed)
    finally:
        dataset.close()


def publish_objects(store: Any, grace: float = ORPHAN_GRACE) -> Published:
    """Assemble an object store (an :class:`imagespider.dataset.objectstore.client.ObjectStore`), a key
    at a time: the listing is read a page at a time and each file is written to a scratch folder
    on disk as it is made, then streamed up, so memory does not grow with the store.

    An image with no sidecar written less than ``grace`` seconds ago is left where it is and
    left out: a worker may be between its image's put and its sidecar's (an object store has no
    lock); it is published, or set aside, by a publish after that."""
    from imagespider.dataset.objectstore.client import CRAWLS_PREFIX, ORPHANS_PREFIX

    orphans: list[str] = []
    young = 0
    images = 0
    now = time.time()

    def aside(*keys: str) -> None:
        for key in keys:
            orphans.append(key)
            store.move(key, ORPHANS_PREFIX + key)

    with tempfile.TemporaryDirectory(prefix="imagespider-publish-") as scratch:
        root = Path(scratch)
        with (root / MANIFEST).open("w", encoding="utf-8") as manifest:
            for stem in store.stems():  # in key order: the manifest is sorted by file name
                if stem.sidecar is None:
                    if now - stem.image_modified < grace:
                        young += 1
                    else:
                        aside(stem.image)  # a worker killed between the two puts
                    continue
                if stem.image is None:
                    aside(stem.sidecar)
                    continue
                row = store.row_of(stem)
                if row is None:
                    # A sidecar that is not a row cannot say what its image is: both go aside, as a
                    # local store's unreadable lines do (imagespider/dataset/store/repair.py), so no
                    # image stays without its row.
                    aside(stem.image, stem.sidecar)
                    continue
                manifest.write(_line(row))
                images += 1
        if orphans:
            logger.warning("moved %d objects with no row or no image under %s: %s", len(orphans), ORPHANS_PREFIX,
                           ", ".join(orphans[:5]))
        if young:
            logger.warning(
                "left %d images with no row yet in place (written less than %d s ago: a crawl may be writing "
                "their rows); publish again once the crawls have ended", young, grace,
            )
        rejected = 0
        with (root / REJECTED).open("w", encoding="utf-8") as out:
            for key in store.rejected_keys():
                row = store.row(key)
                if row is not None:
                    out.write(_line(clean_row(row)))
                    rejected += 1
        # Each crawl's row (every worker's, in a distributed job), oldest first: ids begin with the start time.
        found = (store.row(key) for key in store.keys(CRAWLS_PREFIX))
        crawls = [_line(clean_row(row)) for row in found if row is not None]  # one per crawl: few
        if crawls:
            (root / CRAWLS).write_text("".join(crawls), encoding="utf-8")
        index = StoreIndex(root)  # the documents are written from an index of the manifest (dataset/index.py)
        index.open()
        try:
            failed = write_documents(root, index)
        finally:
            index.close()
        for path in sorted(root.iterdir()):
            if path.is_file() and not path.name.startswith("."):
                kind = {".html": "text/html", ".md": "text/markdown"}.get(path.suffix, "application/jsonl")
                store.put_file(path.name, path, f"{kind}; charset=utf-8")
    return Published(images, rejected, orphans, failed, young)


def _line(row: dict[str, Any]) -> str:
    return row_bytes(row).decode("utf-8") + "\n"
