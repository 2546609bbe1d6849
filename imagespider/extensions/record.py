"""CrawlRecordExtension: one ``crawls.jsonl`` row per crawl, and the stats dump at DEBUG.

Scrapy dumps its stats at INFO at the end of a crawl: 80 lines between the user and the summary.
The project sets ``STATS_DUMP = False`` and this extension logs the same dump at DEBUG instead,
and keeps it on disk in the crawl's ``crawls.jsonl`` row (see :mod:`imagespider.dataset.store.crawls`),
with the crawl's id, spider, arguments, the settings that change what it keeps, start and end,
kept and dropped by reason, and its finish reason. A row that cannot be written is a crawl that
failed in part (imagespider/failures.py): one line, and ``scrapy crawl`` exits 1.

The row is written in ``spider_closed`` before :class:`~imagespider.extensions.dataset.DatasetExtension`
rebuilds the documents and releases the store's lock (this extension comes first in ``EXTENSIONS``),
so report.html's run history includes the crawl that wrote it, and two crawls never interleave.

The row's ``finish_reason`` agrees with ``scrapy crawl``'s exit status (imagespider/failures.py):
a crawl that failed in part records ``failed_<kind>``, never ``finished``. An object store's puts
still in flight are awaited before the row is made, so a row they fail counts. A part that fails
after the row was written (the documents, an object store's end-of-crawl publish) amends the row
before the store is let go: rewritten in a local ``crawls.jsonl``, put again in an object store
(whose ``crawls.jsonl`` a failed publish did not write; the next ``scrapy publish`` gathers it).
"""


from __future__ import annotations

import logging
import pprint
from datetime import UTC, datetime
from typing import Any, Self

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from imagespider.dataset.objectstore.dataset import ObjectDataset
from imagespider.dataset.store.crawls import (
    SETTINGS_THAT_MATTER,
    crawl_row,
    jsonable,
    new_crawl_id,
)
from imagespider.dataset.store.local import Dataset
from imagespider.extensions.dataset import DatasetExtension
from imagespider.extensions.progress import ProgressExtension
from imagespider.failures import failed_part, failures_of, finish_reason, one_line

logger = logging.getLogger(__name__)


class CrawlRecordExtension:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.started = datetime.now(UTC)
        self.crawl_id = ""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        if not crawler.settings.get("IMAGES_STORE"):
            raise NotConfigured("IMAGES_STORE is not set")
        extension = cls(crawler)
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_opened(self, spider: Spider) -> None:
        self.started = datetime.now(UTC)
        self.crawl_id = new_crawl_id(spider.name, self.started, getattr(spider, "_job", None))
        stats = self.crawler.stats
        assert stats is not None
        stats.set_value("imagespider/crawl_id", self.crawl_id)

    def spider_closed(self, spider: Spider, reason: str) -> None:
        stats = self.crawler.stats
        assert stats is not None
        dataset_extension = self.crawler.get_extension(DatasetExtension)
        if dataset_extension is not None and dataset_extension.refused is None \
                and isinstance(dataset_extension.dataset, ObjectDataset):
            dataset_extension.dataset.flush()  # a row the store refuses now is a failed part the record names
        reason = finish_reason(reason, failures_of(self.crawler))
        ended = datetime.now(UTC)
        snapshot = dict(stats.get_stats())
        snapshot["finish_reason"] = reason
        snapshot.setdefault("finish_time", ended)
        logger.debug("Scrapy stats of crawl %s:\n%s", self.crawl_id, pprint.pformat(jsonable(snapshot)))
        if dataset_extension is None or dataset_extension.refused is not None:
            return  # the store is another crawl's (or damaged): touch nothing, whatever the finish reason
        row = crawl_row(
            crawl_id=self.crawl_id, spider=spider.name, arguments=getattr(spider, "arguments", {}) or {},
            settings={name: self.crawler.settings.get(name) for name in SETTINGS_THAT_MATTER
                      if self.crawler.settings.get(name) is not None},
            start=self.started, end=ended, finish_reason=reason, queries=self._queries(), stats=snapshot,
        )
        dataset = dataset_extension.dataset
        try:
            # cleaned as the store's every row; in an object store an object of its own (publish
            # gathers them into crawls.jsonl)
            dataset.record_crawl(row)
        except Exception as error:  # noqa: BLE001  (a disk or an object store that refuses: one line, exit 1)
            where = getattr(dataset, "uri", dataset.root)
            failed_part(self.crawler, "crawl_record", f"could not record the crawl in {where}: {one_line(error)}")
            return
        dataset_extension.before_release.append(lambda: self._amend(dataset, row))

    def _amend(self, dataset: Dataset | ObjectDataset, row: dict[str, Any]) -> None:
        """Name a failure that came after the row was written (see the module's docstring)."""
        reason = finish_reason(row["finish_reason"], failures_of(self.crawler))
        if reason == row["finish_reason"]:
            return
        amended = {**row, "finish_reason": reason, "stats": {**row["stats"], "finish_reason": reason}}
        try:
            dataset.amend_crawl(amended)
        except Exception as error:  # noqa: BLE001  (the disk that refused the documents may refuse this too)
            where = getattr(dataset, "uri", dataset.root)
            failed_part(
                self.crawler, "crawl_record",
                f"could not record the crawl's finish reason {reason} in {where}: {one_line(error)}",
            )

    def _queries(self) -> list[dict[str, Any]]:
        progress = self.crawler.get_extension(ProgressExtension)
        if progress is None:
            return []
        return [
            {"engine": p.engine, "query": p.query, "label": p.label, "limit": p.limit, "kept": p.kept,
             "dropped": dict(p.dropped), **({"engines": dict(p.engines)} if p.engines else {})}
            for p in progress.queries.values()
        ]
