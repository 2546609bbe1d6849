"""Manifest rows built in tests: for the documents rendered from a store (attribution, report, card), and
for the store's index (imagespider/dataset/store/index.py) written to a manifest in tmp_path."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from imagespider.dataset.store.files import MANIFEST
from imagespider.dataset.store.index import StoreIndex
from imagespider.rights.model import License

#: Web text with every kind of markup a title could smuggle in.
EVIL_TITLE = '[x](javascript:alert(1)) **bold** <script>alert(2)</script> `code` _em_ # h | t'


def row(n: int, lic: License, **extra: Any) -> dict[str, Any]:
    base = {
        "file_name": f"cat/{n:064x}.jpg",
        "label": "cat",
        "query": "cat",
        "engine": "flickr",
        "image_url": f"https://img.example/{n}.jpg",
        "page_url": f"https://photos.example/{n}",
        "title": f"Cat {n}",
        "author": f"Author {n}",
        "author_url": f"https://photos.example/people/{n}",
        "width": 640,
        "height": 480,
        "format": "JPEG",
        **lic.to_dict(),
    }
    return base | extra


CC_BY_2 = License("cc-by", "2.0", "https://creativecommons.org/licenses/by/2.0/", "api")
CC_BY_SA_4 = License("cc-by-sa", "4.0", "https://creativecommons.org/licenses/by-sa/4.0/", "api")


def store_row(n: int, label: str = "cat", **extra: Any) -> dict[str, Any]:
    """A kept row as the store's index reads it (the columns it keeps, numbered ``n``)."""
    digest = f"{n:064x}"
    return {
        "file_name": f"{label}/{digest}.jpg", "label": label, "query": label, "engine": "bing",
        "image_url": f"https://img.example.com/{n}.jpg", "sha256": digest, "license": "cc-by",
        "license_version": "2.0", "license_url": "https://creativecommons.org/licenses/by/2.0/", **extra,
    }


def write_manifest(root: Path, rows: list[dict[str, Any]]) -> None:
    root.mkdir(parents=True, exist_ok=True)
    (root / MANIFEST).write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")


def opened_index(root: Path) -> StoreIndex:
    index = StoreIndex(root)
    index.open()
    return index
