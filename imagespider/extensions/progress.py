"""ProgressExtension: how each query is doing while a crawl runs, and a summary at its end.

A crawl of many queries can run for hours; Scrapy's LogStats says how many items per minute, not
whether ``cat`` has 57 of its 120 images or is losing most results to ``http_error``. Every
``PROGRESS_INTERVAL`` seconds this logs one line per query whose counts changed since the last
line (a finished query is not repeated), e.g.::

    bing 'cat' (cat): kept 57/120, dropped 12 (duplicate 5, corrupt_image 3, http_error 4)

and at the end one such line per query, then the totals: the summary. It is the last thing a
crawl prints (our ``crawl`` command logs it once the crawl has stopped, after Scrapy's own closing
lines) and it is logged at the crawl's ``LOG_LEVEL`` when that is above INFO, so ``-L WARNING``
still shows it. The same counts go into Scrapy stats (``imagespider/query/<label>/kept``,
``.../dropped``, ``.../dropped/<reason>``), so a Scrapyd job or a test can read them without
parsing the log. A resumed job's line counts what the whole job kept, and how much of it this run.

A crawl that kept nothing at all while results came in (every one dropped: a license policy the
engine cannot satisfy, private addresses, a broken network) ends with finish reason
``failed_nothing_kept`` (so ``scrapy crawl`` exits 1 and a cron job notices) and one ERROR line
naming the top drop reasons and what to change. One that kept nothing because the API
rate-limited its queries (HTTP 429 beyond what the spider waits out) ends ``failed_rate_limited``.
One that ran to its end while part of it failed (imagespider/failures.py: rows the store refused)
ends ``failed_<kind>`` of its first failure, not ``finished``: it exits 1. A part that fails while
the crawl closes (its record, the documents, the end-of-crawl publish) comes after Scrapy chose the
reason: the summary's reason and ``crawls.jsonl`` still name it.

Counts come from the item outcomes (imagespider/outcomes.py) that also settle the spider's
quotas and fill ``rejected.jsonl``, so they agree with the manifest and ``rejected.jsonl``.
"""

from __future__ import annotations

import logging
import sys
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Self

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import CloseSpider, NotConfigured
from scrapy.utils.asyncio import AsyncioLoopingCall, create_looping_call
from twisted.internet.task import LoopingCall

from imagespider.errors import FAILURE_PREFIX
from imagespider.failures import failures_line, failures_of, finish_reason
from imagespider.outcomes import Outcome, on_item_settled
from imagespider.query import Query
from imagespider.rights.model import License
from imagespider.rights.policy import Policy

#: What "may be shared" means in the summary of a crawl made with ``any``.
SHARE = Policy.parse("share")

logger = logging.getLogger(__name__)

NOTHING_KEPT_REASON = FAILURE_PREFIX + "nothing_kept"
#: Finish reason of a crawl that kept nothing because the API rate-limited its queries (a 429 storm).
RATE_LIMITED_REASON = FAILURE_PREFIX + "rate_limited"
#: The stat an engine counts a query it ended rate-limited under (imagespider/spiders/openverse.py).
RATE_LIMITED_STAT = "imagespider/queries_ended_rate_limited"

#: What to change when every result was dropped for this reason (see docs/troubleshooting.md's reasons table).
FIXES = {
    "license_not_shareable": "the engine found no result under a named open license: try -a license=any "
    "(in-house use) or another engine such as flickr",
    "license_noncommercial": "widen the policy (-a license=share or any) or try another engine",
    "license_no_derivatives": "widen the policy (-a license=share or any) or try another engine",
    "license_not_in_list": "add license ids to -a license= or use -a license=share",
    "license_unnamed": "no result's page or file names its license: use -a license=any (in-house use), an engine "
    "with per-image licenses (flickr, openverse, commons) or give a license column",
    "private_address": "the results point at private or loopback addresses; set -s ALLOW_PRIVATE_ADDRESSES=True "
    "only to crawl such hosts on purpose",
    "robots_txt": "the image hosts' robots.txt forbids us; try other queries or another engine",
    "too_small": "lower -s IMAGES_MIN_WIDTH / IMAGES_MIN_HEIGHT",
    "duplicate": "the store already holds these images: give another IMAGES_STORE or other queries",
    "near_duplicate": "the store already holds these images: give another IMAGES_STORE or -s DEDUP=False",
    "timeout": "the image hosts did not answer in time: check the network or raise -s DOWNLOAD_TIMEOUT",
    "connection_error": "the image hosts could not be reached: check the network or proxy",
    "dns_error": "host names do not resolve: check the network's DNS",
    "http_error": "the image hosts answered with errors: see rejected.jsonl",
}

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
    #: Kept by earlier runs of the same job (a JOBDIR resume), counted toward ``limit``.
    earlier: int = 0
    #: Kept in this run by engine, when the crawl's spider is not the engine (``search``, ``urls``).
    engines: Counter[str] = field(default_factory=Counter)

    def line(self) -> str:
        """``bing 'cat' (cat): kept 57/120, dropped 12 (duplicate 5, corrupt_image 3)``; a resumed
        job: ``kept 120/120 (25 in this run)``, the same count the spider's "ended" line gives; a
        search: ``kept 20/20 (bing 15, google 5)``."""
        total = self.earlier + self.kept
        kept = f"{total}/{self.limit}" if self.limit else str(total)
        notes = [f"{self.kept} in this run"] if self.earlier else []
        if self.engines:
            notes.append(", ".join(f"{engine} {count}" for engine, count in ranked(self.engines)))
        if notes:
            kept += f" ({'; '.join(notes)})"
        return f"{self.engine} {self.query!r} ({self.label}): kept {kept}, {dropped_text(self.dropped)}"

    def state(self) -> tuple[int, int]:
        return self.kept, sum(self.dropped.values())


def ranked(reasons: Counter[str]) -> list[tuple[str, int]]:
    """Reasons, most frequent first (ties by name)."""
    return sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))


def reasons_text(reasons: Counter[str]) -> str:
    """``duplicate 5, corrupt_image 3, ...``"""
    order = ranked(reasons)
    named = ", ".join(f"{reason} {count}" for reason, count in order[:_REASONS_SHOWN])
    return named + (", ..." if len(order) > _REASONS_SHOWN else "")


def dropped_text(reasons: Counter[str]) -> str:
    """``dropped 12 (duplicate 5, corrupt_image 3, ...)``, most frequent reasons first."""
    total = sum(reasons.values())
    return f"dropped {total} ({reasons_text(reasons)})" if total else "dropped 0"


class ProgressExtension:
    def __init__(self, crawler: Crawler, interval: float) -> None:
        self.crawler = crawler
        self.interval = interval
        self.queries: dict[tuple[str, str, str], QueryProgress] = {}
        self._last_logged: dict[tuple[str, str, str], tuple[int, int]] = {}
        self.task: AsyncioLoopingCall | LoopingCall | None = None
        self.reason: str | None = None
        #: Set by our ``crawl`` command, which logs the summary itself once the crawl has stopped.
        self.summary_deferred = False
        #: Crawled with ``any``: the summary says how many of the kept images ``share`` would keep.
        self.policy_is_any = False
        self.shareable = 0
        self._summary_logged = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        interval = crawler.settings.getfloat("PROGRESS_INTERVAL")
        if interval < 0:
            raise NotConfigured("PROGRESS_INTERVAL is negative")
        extension = cls(crawler, interval)
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        on_item_settled(crawler, extension.item_settled)
        crawler.signals.connect(extension.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(extension.engine_stopped, signal=signals.engine_stopped)
        return extension

    # -- signals -------------------------------------------------------------------------

    def spider_opened(self, spider: Spider) -> None:
        # Every query of a search spider is listed from the start, so the summary also names
        # the ones that kept nothing.
        args = getattr(spider, "args", None)
        limit = getattr(args, "limit", None)
        self.policy_is_any = bool(getattr(getattr(args, "policy", None), "is_any", False))
        for query in getattr(args, "queries", ()):
            self._progress(spider.name, query.text, query.label, limit)
        if self.interval:
            self.task = create_looping_call(self.log_progress)
            self.task.start(self.interval, now=False)

    def item_settled(self, item: Any, outcome: Outcome) -> None:
        progress = self._of(item)
        if outcome.kept:
            progress.kept += 1
            license = getattr(item, "license", None)
            if isinstance(license, License) and SHARE.check(license) is None:
                self.shareable += 1
            engine = getattr(item, "engine", None)
            if engine and engine != progress.engine:
                progress.engines[str(engine)] += 1
            self._inc(f"imagespider/query/{progress.label}/kept")
        else:
            reason = outcome.reason or "dropped"
            progress.dropped[reason] += 1
            self._inc(f"imagespider/query/{progress.label}/dropped")
            self._inc(f"imagespider/query/{progress.label}/dropped/{reason}")

    def spider_idle(self, spider: Spider) -> None:
        """The crawl is about to finish: if results came in and none was kept, it failed."""
        line = self.nothing_kept_line()
        if line:
            logger.error("%s", line)
            raise CloseSpider(NOTHING_KEPT_REASON)
        line = self.rate_limited_line()
        if line:
            logger.error("%s", line)
            raise CloseSpider(RATE_LIMITED_REASON)
        failures = failures_of(self.crawler)
        if failures:  # each already said in its ERROR line
            raise CloseSpider(finish_reason("finished", failures))

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self.task is not None and self.task.running:
            self.task.stop()
        self.reason = reason
        quotas = getattr(spider, "quotas", None) or {}
        for progress in self.queries.values():
            quota = quotas.get(Query(progress.query, progress.label)) if quotas else None
            kept_in_all = getattr(quota, "kept", None)
            if isinstance(kept_in_all, int) and kept_in_all > progress.kept:
                progress.earlier = kept_in_all - progress.kept

    def engine_stopped(self) -> None:
        if not self.summary_deferred:
            self.log_summary()

    # -- logging -------------------------------------------------------------------------

    def log_progress(self) -> None:
        """One line per query whose counts changed since its last line."""
        for key, progress in self.queries.items():
            state = progress.state()
            if state != self._last_logged.get(key, (0, 0)):
                self._last_logged[key] = state
                logger.info("progress: %s", progress.line())

    def summary_lines(self) -> list[str]:
        """One line per query, then the totals of this run and the finish reason."""
        lines = [f"summary: {progress.line()}" for progress in self.queries.values()]
        total = self.total_dropped()
        kept = sum(p.kept for p in self.queries.values())
        count = len(self.queries)
        if self.policy_is_any and kept:
            in_house = kept - self.shareable
            lines.append(
                f"summary: of the {kept} kept in this run, {self.shareable} may be shared (license policy share) "
                f"and {in_house} {'is' if in_house == 1 else 'are'} for in-house training only"
            )
        lines.append(
            f"summary: {count} {'query' if count == 1 else 'queries'}, kept {kept} in this run, "
            f"{dropped_text(total)}; finish reason {self.final_reason() or '?'}"
        )
        failures = failures_of(self.crawler)
        if failures:
            lines.append(f"summary: {failures_line(failures)} (see the ERROR lines above)")
        return lines

    def final_reason(self) -> str | None:
        """How the crawl ended, counting parts that failed while it closed (after Scrapy chose its reason)."""
        return None if self.reason is None else finish_reason(self.reason, failures_of(self.crawler))

    def log_summary(self, level: int = logging.INFO) -> None:
        """Log the summary once, at INFO. When the crawl's LOG_LEVEL (``level``) hides INFO, the
        lines are also printed to stderr as they are: a summary is not a warning, and a crawl run
        with ``-L WARNING`` still ends saying what it kept."""
        if self._summary_logged or self.reason is None:
            return
        self._summary_logged = True
        lines = self.summary_lines()
        for line in lines:
            logger.info("%s", line)
        if level > logging.INFO:
            print("\n".join(lines), file=sys.stderr, flush=True)

    def total_dropped(self) -> Counter[str]:
        total: Counter[str] = Counter()
        for progress in self.queries.values():
            total.update(progress.dropped)
        return total

    def nothing_kept_line(self) -> str | None:
        """The one line for a crawl whose results were all dropped; None if anything was kept
        or nothing came in (an engine with no results is not a failure of ours)."""
        dropped = self.total_dropped()
        if not dropped or any(p.kept for p in self.queries.values()):
            return None
        top = ranked(dropped)[0][0]
        fix = FIXES.get(top, "see each result's reason in rejected.jsonl")
        total = sum(dropped.values())
        which = "the only result was" if total == 1 else f"all {total} results were"
        return f"kept nothing: {which} dropped ({reasons_text(dropped)}); fix: {fix}"

    def rate_limited_line(self) -> str | None:
        """The one line for a crawl that kept nothing while the API rate-limited queries."""
        stats = self.crawler.stats
        limited = stats.get_value(RATE_LIMITED_STAT, 0) if stats is not None else 0
        if not limited or any(p.kept for p in self.queries.values()):
            return None
        count = f"{limited} {'query' if limited == 1 else 'queries'}"
        return (
            f"kept nothing: the API rate-limited this crawl ({count} ended on HTTP 429 before keeping an image); "
            "fix: run again later, raise OPENVERSE_MAX_WAIT, or use registered access (higher limits)"
        )

    # -- counting ------------------------------------------------------------------------

    def _of(self, item: Any) -> QueryProgress:
        """The item's query row, under the crawl's spider: a ``search`` keeps one row per query
        whichever engine found the item (the row counts them by engine)."""
        spider = self.crawler.spider
        engine = str(getattr(spider, "name", None) or getattr(item, "engine", None) or "?")
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
