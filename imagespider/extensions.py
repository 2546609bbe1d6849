"""DatasetExtension: opens the dataset for the crawl and accounts for every dropped result.

Pipelines raise :class:`~imagespider.errors.Rejected`; Scrapy's ``item_dropped`` signal brings
each drop here, where it is counted under ``imagespider/dropped/<reason>`` and written to
``rejected.jsonl``. One place, so no drop can go unrecorded.
"""

from __future__ import annotations

import logging
from datetime import datetime, timezone
from typing import Any

from itemadapter import ItemAdapter
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from typing_extensions import Self

from imagespider.dataset import Dataset
from imagespider.errors import ArgumentError

logger = logging.getLogger(__name__)


def local_store(uri: str) -> str:
    """IMAGES_STORE as a local folder; object stores are not supported yet."""
    if "://" in uri and not uri.startswith("file://"):
        raise ArgumentError(
            f"IMAGES_STORE={uri} is not a local folder; give a path such as -s IMAGES_STORE=data"
        )
    return uri.removeprefix("file://")


class DatasetExtension:
    def __init__(self, crawler: Crawler) -> None:
        store = crawler.settings.get("IMAGES_STORE")
        if not store:
            raise NotConfigured("IMAGES_STORE is not set")
        self.crawler = crawler
        self.dataset = Dataset(local_store(store))
        self.dataset.open()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        extension = cls(crawler)
        crawler.signals.connect(extension.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(extension.item_error, signal=signals.item_error)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def item_dropped(self, item: Any, exception: BaseException, **_: Any) -> None:
        reason = getattr(exception, "reason", "dropped")
        self.record(item, reason, getattr(exception, "detail", str(exception)))

    def item_error(self, item: Any, failure: Any, **_: Any) -> None:
        # A bug, not a verdict on the image: still accounted for, so counts add up.
        self.record(item, "internal_error", failure.getErrorMessage().splitlines()[0])

    def record(self, item: Any, reason: str, detail: str = "") -> None:
        adapter = ItemAdapter(item)
        stats = self.crawler.stats
        assert stats is not None
        stats.inc_value(f"imagespider/dropped/{reason}")
        stats.inc_value("imagespider/dropped")
        self.dataset.reject(
            {
                "url": adapter.get("image_url"),
                "label": adapter.get("label"),
                "query": adapter.get("query"),
                "engine": adapter.get("engine"),
                "page_url": adapter.get("page_url"),
                "reason": reason,
                "detail": detail,
                "at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            }
        )

    def spider_closed(self, **_: Any) -> None:
        self.dataset.close()


def dataset_of(crawler: Crawler) -> Dataset:
    """The crawl's dataset, for the pipelines that write into it."""
    extension = crawler.get_extension(DatasetExtension)
    if extension is None:
        raise NotConfigured("imagespider's pipelines need imagespider.extensions.DatasetExtension in EXTENSIONS")
    return extension.dataset
