"""The manifest's shape: its columns, in order, and the row written for one kept image.

``metadata.jsonl`` sits at the dataset's root with ``file_name`` relative to it, which is what
Hugging Face's ``imagefolder`` loader reads; the label folders make it a torchvision
``ImageFolder`` too.
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from imagespider.dataset.store.credit import credit_line
from imagespider.engines import ENGINE_RIGHTS_FIELDS
from imagespider.items import ImageItem
from imagespider.rights.embedded import EmbeddedRights
from imagespider.rights.headers import HeaderSignals

#: Manifest columns, in order (see docs/output.md).
MANIFEST_FIELDS = (
    "file_name", "label", "query", "engine", "image_url", "page_url", "title", "author",
    "author_url", "site", "license", "license_version", "license_url", "license_source",
    "permissions", "attribution", "width", "height", "format", "bytes", "sha256", "phash", "retrieved_at", "rights",
    "tags", "engine_rights", "is_thumbnail",
)  # fmt: skip


#: Keys of the ``rights`` column, every one written on every row (null when the evidence is
#: absent). Hugging Face ``datasets`` takes a nested column's schema from the first 10 MB of
#: metadata.jsonl; a key first seen after that would make the manifest fail to load.
RIGHTS_FIELDS = (
    tuple(f.name for f in fields(EmbeddedRights))
    + tuple(f.name for f in fields(HeaderSignals))
    # The weighing's AI verdict (rights/evidence.py) and the source page's evidence (rights/page.py).
    + ("ai_generated", "ai_evidence", "page")
)


def manifest_row(item: ImageItem) -> dict[str, Any]:
    """The row for a kept item: its fields, its License spelled out in the license columns, and
    the plain TASL credit (imagespider/dataset/documents/attribution.py) in ``attribution``."""
    row: dict[str, Any] = {name: getattr(item, name, None) for name in MANIFEST_FIELDS}
    row.update(item.license.to_dict())
    row["attribution"] = credit_line(row, item.license)
    rights = dict(item.rights)
    row["rights"] = {name: rights.pop(name, None) for name in RIGHTS_FIELDS} | rights
    engine_rights = item.engine_rights or {}
    row["engine_rights"] = {name: engine_rights.get(name) for name in ENGINE_RIGHTS_FIELDS}
    row["tags"] = list(row.get("tags") or [])
    row["is_thumbnail"] = item.is_thumbnail is True
    return row
