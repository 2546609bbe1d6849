"""``scrapy publish --license POLICY --to FOLDER``: the part of a store a license policy keeps, as a
dataset of its own (crawl once with ``any`` for in-house training, publish what may be shared).

The rows the policy keeps, their images (hard links when the folder is on the same disk, else
copies), the store's ``crawls.jsonl`` (how they were found) and that folder's own documents: its
card names the policy it was published with and describes only these images. The store is read
under its lock (no crawl writes meanwhile) and left as it was. A row naming a file outside the
store, or no file, is left out and counted, never followed.

An object store (``s3://``) is published the same way into a local folder: its sidecar rows (as
``scrapy export`` reads them), each image fetched and checked against its sha256, and its crawls'
rows (``.crawls/``) as ``crawls.jsonl``. It has no lock (several workers may share it), so what is
read is the bucket as listed; a bucket that fails midway (credentials, network) leaves no half
set: what was written into ``--to`` is removed.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from imagespider.dataset.documents.write import write_documents
from imagespider.dataset.objectstore.client import CRAWLS_PREFIX, ObjectStore
from imagespider.dataset.objectstore.source import ObjectSource
from imagespider.dataset.store.crawls import CRAWLS
from imagespider.dataset.store.credit import license_of
from imagespider.dataset.store.files import MANIFEST, NotARegularFile
from imagespider.dataset.store.jsonl import clean_row, read_jsonl, row_bytes
from imagespider.dataset.store.local import Dataset
from imagespider.dataset.store.lock import StoreRefused
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


def _check_dest(dest: Path) -> None:
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise ArgumentError(f"--to {dest} is not an empty folder: name a new or empty one")


def _unsafe(name: object) -> bool:
    """A file name that names no file inside a store: none, absolute, or climbing out with ``..``."""
    if not isinstance(name, str) or not name:
        return True
    path = PurePosixPath(name)
    return path.is_absolute() or ".." in path.parts or not path.parts


def publish_subset(root: str | Path, dest: str | Path, policy: Policy) -> Subset:
    root, dest = Path(root), Path(dest)
    if not (root / MANIFEST).is_file():
        raise StoreRefused(f"{root} is not a store: it holds no {MANIFEST} (a crawl into it makes one); check the path")
    if _inside(dest, root) or _inside(root, dest):
        raise ArgumentError(f"--to {dest} overlaps the store {root}: name a folder outside it")
    _check_dest(dest)
    subset = Subset()
    store = Dataset(root)
    store.open()  # its lock, and the repairs an open makes
    try:
        dest.mkdir(parents=True, exist_ok=True)
        with (dest / MANIFEST).open("w", encoding="utf-8") as manifest:
            for row in read_jsonl(root / MANIFEST):
                reason = policy.check(license_of(row))
                name = row.get("file_name")
                if reason is None and (_unsafe(name) or not (root / name).is_file()):
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
    _documents(dest, policy, subset)
    return subset


def _documents(dest: Path, policy: Policy, subset: Subset) -> None:
    """The subset's own documents: its card names the policy and how many images were left out."""
    published = Dataset(dest)
    published.open()
    try:
        subset.failed = write_documents(published.root, published.index, published_with=str(policy),
                                        left_out=sum(subset.left_out.values()))
    finally:
        published.close()


def publish_object_subset(store: ObjectStore, dest: str | Path, policy: Policy) -> Subset:
    """The part of an object store ``policy`` keeps, into the local folder ``dest`` (see the module's docstring)."""
    dest = Path(dest)
    _check_dest(dest)
    made = not dest.exists()
    subset = Subset()
    try:
        dest.mkdir(parents=True, exist_ok=True)
        with (dest / MANIFEST).open("w", encoding="utf-8") as manifest:
            for row in ObjectSource(store).rows():
                reason = policy.check(license_of(row))
                name = row.get("file_name")
                if reason is None:
                    reason = "file_missing" if _unsafe(name) else _fetch(store, row, dest / str(name))
                if reason is not None:
                    subset.left_out[reason] += 1
                    continue
                manifest.write(json.dumps(row, ensure_ascii=False) + "\n")
                subset.images += 1
        # Each crawl's row, oldest first (ids begin with the start time), as publish_objects gathers them.
        crawls = (store.row(key) for key in store.keys(CRAWLS_PREFIX))
        lines = [row_bytes(clean_row(row)).decode("utf-8") + "\n" for row in crawls if row is not None]
        if lines:
            (dest / CRAWLS).write_text("".join(lines), encoding="utf-8")
    except BaseException:
        # No half set: the folder was new or empty, so all it holds is ours.
        if made:
            shutil.rmtree(dest, ignore_errors=True)
        else:
            for child in dest.iterdir():
                if child.is_dir() and not child.is_symlink():
                    shutil.rmtree(child, ignore_errors=True)
                else:
                    child.unlink(missing_ok=True)
        raise
    _documents(dest, policy, subset)
    return subset


def _fetch(store: ObjectStore, row: dict[str, object], target: Path) -> str | None:
    """Write the row's image to ``target``; the reason it is left out instead (absent, too large,
    not the bytes its sha256 names), or None."""
    try:
        data = store.get(str(row["file_name"]))
    except NotARegularFile:  # larger than any image the crawl keeps
        return "file_unreadable"
    if data is None:
        return "file_missing"
    if hashlib.sha256(data).hexdigest() != row.get("sha256"):
        return "file_unreadable"
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    except (FileExistsError, NotADirectoryError, IsADirectoryError):  # keys "cat" and "cat/x.jpg": one is left out
        return "file_unreadable"
    return None
