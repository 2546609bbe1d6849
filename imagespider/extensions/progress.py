"""ProgressExtension: how each query is doing while a crawl runs, and a summary at its end.

A crawl of many queries can run for hours; Scrapy's LogStats says how many items per minute, not
whether ``cat`` has 57 of its 120 images or is losing most results to ``http_error``. Every
``PROGRESS_INTERVAL`` seconds this logs one line per query whose counts changed since the last
line (a finished query is not repeated), e.g.::

    bing 'cat' (cat): kept 57/120, dropped 12 (duplicate 5, corrupt_image 3, http_error 4)

and at the end one such line per query, then the totals. The same counts go into Scrapy stats
(``imagespider/query/<label>/kept``, ``.../dropped``, ``.../dropped/<reason>``), so a Scrapyd job
or a test can read them without parsing the log.

Counts come from the item outcomes (imagespider/outcomes.py) that also settle the spider's
quotas and fill ``rejected.jsonl``, so they agree with the manifest and ``rejected.jsonl``.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Self

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.utils.asyncio import AsyncioLoopingCall, create_looping_call
from twisted.internet.task import LoopingCall

from imagespider.outcomes import Outcome, on_item_settled

logger = logging.getLogger(__name__)

#: Reasons named in a line before the rest is summed up as "...".
_REASONS_SHOWN = 6


@dataclass
class QueryProgress:
    """Counts of one query (engine, text, label)."""

    engine: str
    query: str
    label: str
    limit: int | None = None
    kept: int = 0
    dropped: Counter[str] = field(default_factory=Counter)

    def line(self) -> str:
        """``bing 'cat' (cat): kept 57/120, dropped 12 (duplicate 5, corrupt_image 3)``"""
        kept = f"{self.kept}/{self.limit}" if self.limit else str(self.kept)
        return f"{self.engine} {self.query!r} ({self.label}): kept {kept}, {dropped_text(self.dropped)}"

    def state(self) -> tuple[int, int]:
        return self.kept, sum(self.dropped.values())


def dropped_text(reasons: Counter[str]) -> str:
    """``dropped 12 (duplicate 5, corrupt_image 3, ...)``, most frequent reasons first."""
    total = sum(reasons.values())
    if not total:
        return "dropped 0"
    ranked = sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))
    named = ", ".join(f"{reason} {count}" for reason, count in ranked[:_REASONS_SHOWN])
    if len(ranked) > _REASONS_SHOWN:
        named += ", ..."
    return f"dropped {total} ({named})"


class ProgressExtension:
    def __init__(self, crawler: Crawler, interval: float) -> None:
        self.crawler = crawler
        self.interval = interval
        self.queries: dict[tuple[str, str, str], QueryProgress] = {}
        self._last_logged: dict[tuple[str, str, str], tuple[int, int]] = {}
        self.task: AsyncioLoopingCall | LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        interval = crawler.settings.getfloat("PROGRESS_INTERVAL", 30.0)
        if interval < 0:
            raise NotConfigured("PROGRESS_INTERVAL is negative")
        extension = cls(crawler, interval)
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        on_item_settled(crawler, extension.item_settled)
        return extension

    # -- signals -------------------------------------------------------------------------

    def spider_opened(self, spider: Spider) -> None:
        # Every query of a search spider is listed from the start, so the summary also names
        # the ones that kept nothing.
        args = getattr(spider, "args", None)
        limit = getattr(args, "limit", None)
        for query in getattr(args, "queries", ()):
            self._progress(spider.name, query.text, query.label, limit)
        if self.interval:
            self.task = create_looping_call(self.log_progress)
            self.task.start(self.interval, now=False)

    def item_settled(self, item: Any, outcome: Outcome) -> None:
        progress = self._of(item)
        if outcome.kept:
            progress.kept += 1
            self._inc(f"imagespider/query/{progress.label}/kept")
        else:
            reason = outcome.reason or "dropped"
            progress.dropped[reason] += 1
            self._inc(f"imagespider/query/{progress.label}/dropped")
            self._inc(f"imagespider/query/{progress.label}/dropped/{reason}")

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self.task is not None and self.task.running:
            self.task.stop()
        self.log_summary(reason)

    # -- logging -------------------------------------------------------------------------

    def log_progress(self) -> None:
        """One line per query whose counts changed since its last line."""
        for key, progress in self.queries.items():
            state = progress.state()
            if state != self._last_logged.get(key, (0, 0)):
                self._last_logged[key] = state
                logger.info("progress: %s", progress.line())

    def log_summary(self, reason: str) -> None:
        for progress in self.queries.values():
            logger.info("summary: %s", progress.line())
        total: Counter[str] = Counter()
        for progress in self.queries.values():
            total.update(progress.dropped)
        kept = sum(p.kept for p in self.queries.values())
        count = len(self.queries)
        logger.info(
            "summary: %d %s, kept %d, %s; finished: %s",
            count, "query" if count == 1 else "queries", kept, dropped_text(total), reason,
        )

    # -- counting ------------------------------------------------------------------------

    def _of(self, item: Any) -> QueryProgress:
        spider = self.crawler.spider
        engine = str(getattr(item, "engine", None) or getattr(spider, "name", "?"))
        query = str(getattr(item, "query", None) or "")
        label = str(getattr(item, "label", None) or "?")
        limit = getattr(getattr(spider, "args", None), "limit", None)
        return self._progress(engine, query, label, limit)

    def _progress(self, engine: str, query: str, label: str, limit: int | None) -> QueryProgress:
        key = (engine, query, label)
        if key not in self.queries:
            self.queries[key] = QueryProgress(engine, query, label, limit)
        return self.queries[key]

    def _inc(self, key: str) -> None:
        stats = self.crawler.stats
        assert stats is not None
        stats.inc_value(key)
