"""MetadataExportPipeline: one manifest row per kept image, written the moment it is kept.

``metadata.jsonl`` sits at the dataset's root with ``file_name`` relative to it, which is what
Hugging Face's ``imagefolder`` loader reads; the label folders make it a torchvision
``ImageFolder`` too. A row the store refuses to write (a full disk, a bucket answering 403) drops
its image as ``store_error`` and makes the crawl one that failed in part (imagespider/failures.py).
"""

from __future__ import annotations

from typing import Any, Self

from scrapy.crawler import Crawler

from imagespider.dataset.crawlstore import store_of
from imagespider.dataset.store.manifest import manifest_row
from imagespider.distributed.worker import worker_of
from imagespider.failures import store_write_failed


class MetadataExportPipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.dataset = store_of(crawler)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    async def process_item(self, item: Any) -> Any:
        row = manifest_row(item)
        quota_for = getattr(self.crawler.spider, "quota_for", None)
        quota = quota_for(item) if quota_for is not None else None
        if quota is not None:
            await quota.commit(row["file_name"])  # a distributed job's place, held by this row until it counts
        add_soon = getattr(self.dataset, "add_soon", None)
        try:
            if add_soon is not None:
                await add_soon(row)  # an object store: the sidecar's PUT in a thread (dataset/objectstore/dataset.py)
            else:
                self.dataset.add(row)
        except Exception as error:  # noqa: BLE001  (a disk or a bucket that refuses: a drop, one line, exit 1)
            raise store_write_failed(self.crawler, f"the row of {row['file_name']}", error) from None
        worker = worker_of(self.crawler)
        if worker is not None:
            # The bytes' claim becomes permanent and the URL known to every worker (sent in order).
            worker.keep_row(row["sha256"], row["file_name"], row["image_url"], row["label"])
        stats = self.crawler.stats
        assert stats is not None
        stats.inc_value("imagespider/kept")
        stats.inc_value(f"imagespider/kept/license/{row.get('license') or 'unknown'}")
        # Malformed metadata never stops an image; it is counted so a pattern can be noticed.
        for block in (row.get("rights") or {}).get("malformed") or ():
            stats.inc_value(f"imagespider/rights/malformed/{block}")
        return item
