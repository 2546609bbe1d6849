"""``scrapy publish``: assemble a store's files from its rows, local or in an object store.

A local store already has its ``metadata.jsonl``; publishing rebuilds ATTRIBUTION.md, report.html
and the dataset card under the store's lock (what every single-machine crawl does at its end).
An object store (imagespider/dataset/objectstore.py) holds one sidecar row per image and one
object per rejection: publishing lists them and writes ``metadata.jsonl`` (sorted by file name),
``rejected.jsonl`` (in the order written), ``crawls.jsonl`` (one row per crawl, ``.crawls/``) and the
same documents beside them. An image with no
sidecar (a worker killed between the two puts), a sidecar with no image, and an image whose sidecar
is not a row (with that sidecar) are moved under ``.orphans/``, never deleted, so afterwards every
image has its row and every row its image.
Publishing twice gives the same files: it is idempotent, and safe to run while no crawl writes.
"""

from __future__ import annotations

import json
import logging
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from imagespider.dataset.crawls import CRAWLS
from imagespider.dataset.documents import write_documents
from imagespider.dataset.files import MANIFEST, REJECTED
from imagespider.dataset.index import StoreIndex
from imagespider.dataset.jsonl import read_jsonl
from imagespider.dataset.store import Dataset
from imagespider.dataset.storelock import StoreRefused

logger = logging.getLogger(__name__)


@dataclass
class Published:
    images: int
    rejected: int
    orphans: list[str]
    #: Documents that could not be written (each said in one ERROR line): the publish failed in part.
    failed: list[str] = field(default_factory=list)


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


def publish_objects(store: Any) -> Published:
    """Assemble an object store (an :class:`imagespider.dataset.objectstore.ObjectStore`)."""
    from imagespider.dataset.objectstore import CRAWLS_PREFIX, ORPHANS_PREFIX

    images, sidecars, rejected_keys = store.layout()
    orphans: list[str] = []
    for stem in sorted(images.keys() - sidecars.keys()):
        orphans.append(images[stem])
        store.move(images[stem], ORPHANS_PREFIX + images[stem])
    for stem in sorted(sidecars.keys() - images.keys()):
        orphans.append(sidecars[stem])
        store.move(sidecars[stem], ORPHANS_PREFIX + sidecars[stem])
    unreadable: list[tuple[str, str]] = []
    rows = store.rows(unreadable)
    # A sidecar that is not a row cannot say what its image is: both go aside, as a local store's
    # unreadable lines do (imagespider/dataset/repair.py), so no image stays without its row.
    for sidecar, image in unreadable:
        for key in (image, sidecar):
            orphans.append(key)
            store.move(key, ORPHANS_PREFIX + key)
    if orphans:
        logger.warning("moved %d objects with no row or no image under %s: %s", len(orphans), ORPHANS_PREFIX,
                       ", ".join(orphans[:5]))
    rows.sort(key=lambda row: str(row.get("file_name")))
    rejected = []
    for key in sorted(rejected_keys, key=_written_order):
        row = store.row(key)
        if row is not None:
            rejected.append(row)
    # Each crawl's row (every worker's, in a distributed job), oldest first: ids begin with the start time.
    found = (store.row(key) for key in sorted(store.keys(CRAWLS_PREFIX)))
    crawls = [row for row in found if row is not None]
    with tempfile.TemporaryDirectory(prefix="imagespider-publish-") as scratch:
        root = Path(scratch)
        (root / MANIFEST).write_text("".join(_line(row) for row in rows), encoding="utf-8")
        (root / REJECTED).write_text("".join(_line(row) for row in rejected), encoding="utf-8")
        if crawls:
            (root / CRAWLS).write_text("".join(_line(row) for row in crawls), encoding="utf-8")
        index = StoreIndex(root)  # the documents are written from an index of the manifest (dataset/index.py)
        index.open()
        try:
            write_documents(root, index)
        finally:
            index.close()
        for path in sorted(root.iterdir()):
            if path.is_file() and not path.name.startswith("."):
                kind = {".html": "text/html", ".md": "text/markdown"}.get(path.suffix, "application/jsonl")
                store.put(path.name, path.read_bytes(), f"{kind}; charset=utf-8")
    return Published(len(rows), len(rejected), orphans)


def _written_order(key: str) -> tuple[int, str]:
    """``.rejected/<worker>/<time_ns>-<n>.json`` by time, then key."""
    name = key.rsplit("/", 1)[-1]
    stamp = name.split("-", 1)[0]
    return (int(stamp) if stamp.isascii() and stamp.isdigit() else 0, key)  # "²".isdigit() too


def _line(row: dict[str, Any]) -> str:
    return json.dumps(row, ensure_ascii=False) + "\n"
