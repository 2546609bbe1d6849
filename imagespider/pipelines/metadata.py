"""MetadataExportPipeline: one manifest row per kept image, written the moment it is kept.

``metadata.jsonl`` sits at the dataset's root with ``file_name`` relative to it, which is what
Hugging Face's ``imagefolder`` loader reads; the label folders make it a torchvision
``ImageFolder`` too.
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any, Self

from itemadapter import ItemAdapter
from scrapy.crawler import Crawler

from imagespider.extensions import dataset_of
from imagespider.rights import EmbeddedRights, HeaderSignals

#: Manifest columns, in order (see README "Output").
MANIFEST_FIELDS = (
    "file_name", "label", "query", "engine", "image_url", "page_url", "title", "author",
    "author_url", "site", "license", "license_version", "license_url", "license_source",
    "permissions", "attribution", "width", "height", "format", "bytes", "sha256", "phash", "retrieved_at", "rights",
)  # fmt: skip


#: Keys of the ``rights`` column, every one written on every row (null when the evidence is
#: absent). Hugging Face ``datasets`` takes a nested column's schema from the first 10 MB of
#: metadata.jsonl; a key first seen after that would make the manifest fail to load.
RIGHTS_FIELDS = tuple(f.name for f in fields(EmbeddedRights)) + tuple(f.name for f in fields(HeaderSignals))


def manifest_row(item: Any) -> dict[str, Any]:
    adapter = ItemAdapter(item)
    row = {name: adapter.get(name) for name in MANIFEST_FIELDS}
    row.update(adapter.get("license") or {})
    rights = dict(row.get("rights") or {})
    row["rights"] = {name: rights.pop(name, None) for name in RIGHTS_FIELDS} | rights
    return row


class MetadataExportPipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.dataset = dataset_of(crawler)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        row = manifest_row(item)
        self.dataset.add(row)
        stats = self.crawler.stats
        assert stats is not None
        stats.inc_value("imagespider/kept")
        stats.inc_value(f"imagespider/kept/license/{row.get('license') or 'unknown'}")
        # Malformed metadata never stops an image; it is counted so a pattern can be noticed.
        for block in (row.get("rights") or {}).get("malformed") or ():
            stats.inc_value(f"imagespider/rights/malformed/{block}")
        return item
