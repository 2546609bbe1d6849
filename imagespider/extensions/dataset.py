"""DatasetExtension: opens the dataset for the crawl and accounts for every dropped result.

Pipelines raise :class:`~imagespider.errors.Rejected`; Scrapy's item signals bring each drop
here (imagespider/outcomes.py), where it is counted under ``imagespider/dropped/<reason>`` and written to
``rejected.jsonl``. One place, so no drop can go unrecorded.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Self

from itemadapter import ItemAdapter
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import CloseSpider, NotConfigured

from imagespider.dataset.crawlstore import attach_store
from imagespider.dataset.documents.write import write_documents
from imagespider.dataset.export.publish import publish_objects
from imagespider.dataset.objectstore.config import is_object_store
from imagespider.dataset.objectstore.dataset import ObjectDataset
from imagespider.dataset.store.local import Dataset
from imagespider.dataset.store.lock import StoreLocked, StoreRefused
from imagespider.errors import FAILURE_PREFIX, ArgumentError, shown
from imagespider.extensions.redact import crawl_secrets
from imagespider.failures import failed_part, one_line
from imagespider.outcomes import Outcome, on_item_settled

logger = logging.getLogger(__name__)

#: Finish reason of a crawl refused because another crawl holds the store.
STORE_LOCKED_REASON = StoreLocked.reason


#: Set by extensions/record.py when the spider opens (this module is imported by it, not the reverse).
CRAWL_ID_STAT = "imagespider/crawl_id"


def local_store(uri: str) -> str:
    """IMAGES_STORE as a local folder (an object store, ``s3://``, is handled apart)."""
    if "://" in uri and not uri.startswith("file://"):
        raise ArgumentError(
            f"IMAGES_STORE={uri} is neither a local folder nor s3://bucket/prefix; give a path such as "
            "-s IMAGES_STORE=data"
        )
    folder = uri.removeprefix("file://")
    if not folder:
        # The empty path is the working directory: the dataset's README.md would overwrite the one there.
        given = shown(uri) or '""'
        raise ArgumentError(f"IMAGES_STORE={given} names no folder; give one such as -s IMAGES_STORE=data")
    return folder


class DatasetExtension:
    def __init__(self, crawler: Crawler) -> None:
        store = crawler.settings.get("IMAGES_STORE")
        if not store:
            raise NotConfigured("IMAGES_STORE is not set")
        self.crawler = crawler
        self.kept = 0
        # Every row written is cleaned of the crawl's secrets, tokens obtained during it included
        # (an API may echo its key or token in a URL or title).
        scrub = crawl_secrets(crawler).scrub
        self.object_store = is_object_store(store)
        self.dataset: Dataset | ObjectDataset
        if self.object_store:
            self.dataset = ObjectDataset(store, crawler.settings, scrub=scrub)
            self.dataset.on_put_failure = self._rejected_row_not_stored
        else:
            root = Path(local_store(store)).expanduser()
            #: A store this crawl creates: if the crawl never reaches its engine, it writes no documents into it.
            self.new_store = not root.is_dir() or not any(root.iterdir())
            self.dataset = Dataset(local_store(store), scrub=scrub)
        # The pipelines, spiders and distributed worker find it there (imagespider/dataset/crawlstore.py).
        attach_store(crawler, self.dataset)
        # Raising here would end the crawl with a traceback: the refusal is kept for
        # spider_opened, which may close the spider with a reason.
        self.refused: StoreRefused | None = None
        #: Called at the crawl's end after the documents (or the publish), while the store is still
        #: ours: the crawl's record names a failure that came after it was written (extensions/record.py).
        self.before_release: list[Callable[[], None]] = []
        try:
            self.dataset.open()
        except StoreRefused as error:
            self.refused = error

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        extension = cls(crawler)
        on_item_settled(crawler, extension.item_settled)
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_opened(self, **_: Any) -> None:
        """A store locked (or damaged) after our ``crawl`` command checked it: one line, then a
        failed close."""
        if self.refused is not None:
            logger.error("%s", self.refused)
            raise CloseSpider(self.refused.reason)

    def item_settled(self, item: Any, outcome: Outcome) -> None:
        # A pipeline's bug (internal_error) is not a verdict on the image, but is still
        # accounted for, so counts add up.
        if outcome.kept:
            self.kept += 1
        else:
            self.record(item, outcome.reason or "dropped", outcome.detail)

    def record(self, item: Any, reason: str, detail: str = "") -> None:
        adapter = ItemAdapter(item)
        stats = self.crawler.stats
        assert stats is not None
        stats.inc_value(f"imagespider/dropped/{reason}")
        stats.inc_value("imagespider/dropped")
        if reason.startswith("license_"):
            # Only a license verdict is about the license: a download that failed says nothing of it.
            license = adapter.get("license")
            stats.inc_value(f"imagespider/dropped/license/{getattr(license, 'id', 'unknown')}")
        try:
            self._reject(adapter, reason, detail)
        except Exception as error:  # noqa: BLE001  (a full disk: one line and exit 1, not a traceback per drop)
            self._rejected_row_not_stored(one_line(error))

    def _rejected_row_not_stored(self, why: str) -> None:
        """A rejected row the store refused (a full disk; a bucket answering 403, said from the
        put's thread): the crawl failed in part, said once."""
        failed_part(self.crawler, "store_write", f"the store refused to write a rejected row: {why}")

    def _reject(self, adapter: ItemAdapter, reason: str, detail: str) -> None:
        self.dataset.reject(
            {
                "url": adapter.get("image_url"),
                "label": adapter.get("label"),
                "query": adapter.get("query"),
                "engine": adapter.get("engine"),
                "page_url": adapter.get("page_url"),
                "reason": reason,
                "detail": detail,
                "at": datetime.now(UTC).isoformat(timespec="seconds"),
                # rejected.jsonl is the history of every attempt: each row names its crawl (crawls.jsonl `id`).
                "crawl": self.crawler.stats.get_value(CRAWL_ID_STAT) if self.crawler.stats is not None else None,
            }
        )

    def spider_closed(self, reason: str = "", **_: Any) -> None:
        if getattr(self, "refused", None) is None:
            if isinstance(self.dataset, ObjectDataset):
                self.dataset.flush()  # the rows still being put are in the store before it is published
                # Several workers may share an object store: publish once they are all done.
                if not self.crawler.settings.get("REDIS_URL"):
                    publish_store(self.crawler, self.dataset, self.crawler.settings.getfloat("PUBLISH_ORPHAN_GRACE"))
            elif getattr(self, "new_store", False) and never_reached_an_engine(reason) and not self.kept:
                # An empty card, report and ATTRIBUTION.md for a crawl that was offline only mislead.
                logger.info("no documents written: the crawl never reached its engine and kept nothing")
            else:
                # Rebuilt from the store's index and manifest, while the store is still ours (before the lock goes).
                documents_failed(self.crawler, write_documents(self.dataset.root, self.dataset.index))
            for call in self.before_release:
                call()
        self.dataset.close()


def never_reached_an_engine(reason: str) -> bool:
    """A finish reason saying the engine's endpoint could not be reached (``failed_bing_unreachable``)."""
    return reason.startswith(FAILURE_PREFIX) and reason.endswith("_unreachable")


def publish_store(crawler: Crawler, dataset: ObjectDataset, grace: float) -> None:
    """A single crawl into an object store publishes it at its end, as a local crawl does; a
    publish that fails is a crawl that failed in part (one line, exit 1)."""
    try:
        published = publish_objects(dataset.store, grace)
    except Exception as error:  # noqa: BLE001  (botocore, a disk: one line, exit 1)
        failed_part(
            crawler, "publish", f"could not publish {dataset.uri}: {one_line(error)}; run scrapy publish {dataset.uri}"
        )
        return
    documents_failed(crawler, published.failed)


def documents_failed(crawler: Crawler, failed: list[str]) -> None:
    """Documents not written at the crawl's end (each said in its own ERROR line by
    imagespider/dataset/documents/write.py): the crawl failed in part, exit 1."""
    if failed:
        failed_part(crawler, "documents", f"documents not written: {', '.join(failed)}", said=True)


def store_refused(crawler: Crawler) -> bool:
    """Whether the crawl's store was refused when opened (the crawl then closes at spider_opened)."""
    extension = crawler.get_extension(DatasetExtension)
    return extension is not None and extension.refused is not None
