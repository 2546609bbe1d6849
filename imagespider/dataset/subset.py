"""``scrapy publish --license POLICY --to FOLDER``: the part of a store a license policy keeps, as a
dataset of its own (crawl once with ``any`` for in-house training, publish what may be shared).

The rows the policy keeps, their images (hard links when the folder is on the same disk, else
copies), the store's ``crawls.jsonl`` (how they were found) and that folder's own documents: its
card names the policy it was published with and describes only these images. The store is read
under its lock (no crawl writes meanwhile) and left as it was. A row naming a file outside the
store, or no file, is left out and counted, never followed.
"""

from __future__ import annotations

import json
import os
import shutil
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from imagespider.dataset.attribution import license_of
from imagespider.dataset.crawls import CRAWLS
from imagespider.dataset.documents import write_documents
from imagespider.dataset.files import MANIFEST
from imagespider.dataset.jsonl import read_jsonl
from imagespider.dataset.store import Dataset
from imagespider.dataset.storelock import StoreRefused
from imagespider.errors import ArgumentError
from imagespider.rights.policy import Policy


@dataclass
class Subset:
    images: int = 0
    #: Rows left out, by reason: the policy's (``license_unnamed``...) or ``file_missing``.
    left_out: Counter[str] = field(default_factory=Counter)
    #: Documents of the subset that could not be written (each said in one ERROR line).
    failed: list[str] = field(default_factory=list)


def _inside(path: Path, folder: Path) -> bool:
    path, folder = path.resolve(), folder.resolve()
    return path == folder or folder in path.parents


def publish_subset(root: str | Path, dest: str | Path, policy: Policy) -> Subset:
    root, dest = Path(root), Path(dest)
    if not (root / MANIFEST).is_file():
        raise StoreRefused(f"{root} is not a store: it holds no {MANIFEST} (a crawl into it makes one); check the path")
    if _inside(dest, root) or _inside(root, dest):
        raise ArgumentError(f"--to {dest} overlaps the store {root}: name a folder outside it")
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise ArgumentError(f"--to {dest} is not an empty folder: name a new or empty one")
    subset = Subset()
    store = Dataset(root)
    store.open()  # its lock, and the repairs an open makes
    try:
        dest.mkdir(parents=True, exist_ok=True)
        with (dest / MANIFEST).open("w", encoding="utf-8") as manifest:
            for row in read_jsonl(root / MANIFEST):
                reason = policy.check(license_of(row))
                name = row.get("file_name")
                parts = PurePosixPath(name).parts if isinstance(name, str) else ()
                if reason is None and (not parts or ".." in parts or PurePosixPath(name).is_absolute()
                                       or not (root / name).is_file()):
                    reason = "file_missing"
                if reason is not None:
                    subset.left_out[reason] += 1
                    continue
                target = dest / name
                target.parent.mkdir(parents=True, exist_ok=True)
                try:
                    os.link(root / name, target)
                except OSError:  # another disk, or a file system without hard links
                    shutil.copy2(root / name, target)
                manifest.write(json.dumps(row, ensure_ascii=False) + "\n")
                subset.images += 1
        if (root / CRAWLS).is_file():
            shutil.copy2(root / CRAWLS, dest / CRAWLS)
    finally:
        store.close()
    published = Dataset(dest)
    published.open()
    try:
        subset.failed = write_documents(published.root, published.index, published_with=str(policy),
                                        left_out=sum(subset.left_out.values()))
    finally:
        published.close()
    return subset
