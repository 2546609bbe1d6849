"""SearchSpider: what every engine spider shares.

Arguments are parsed once (``check_arguments``, also called by our ``crawl`` command before the
crawl starts, so a bad ``-a`` is one line and a non-zero exit). Each query gets a :class:`Quota`
that the pipelines settle through Scrapy's item signals, so a query keeps exactly ``limit`` images.
Results already in the store's manifest (same URL, same label) are skipped before download; a
job resumed with its ``JOBDIR`` counts what its earlier runs kept (imagespider/dataset/resume.py).
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import AsyncIterator, Hashable, Mapping
from typing import Any, ClassVar, Generic, Self, TypeVar

import scrapy
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import CloseSpider, NotConfigured
from scrapy.settings import BaseSettings

from imagespider.dataset import resume
from imagespider.dataset.crawlstore import store_of
from imagespider.dataset.files import REJECTED
from imagespider.dataset.jsonl import read_jsonl
from imagespider.distributed.feed import OTHER_LIST, OtherList
from imagespider.distributed.worker import Worker, fingerprint, query_key, worker_for
from imagespider.engines import ENGINES, EngineResult
from imagespider.errors import FAILURE_PREFIX, shown
from imagespider.extensions.dataset import store_refused
from imagespider.items import ImageItem
from imagespider.quota import Quota, settle_on_signals
from imagespider.rights.model import License
from imagespider.scrapy_compat import attach_crawler
from imagespider.spiders.params import (
    ArgumentHelp,
    Query,
    SearchArgs,
    filter_help,
    parse_search_args,
    shared_argument_help,
)

logger = logging.getLogger(__name__)


ArgsT = TypeVar("ArgsT")
KeyT = TypeVar("KeyT", bound=Hashable)


class QuotaSpider(scrapy.Spider, Generic[ArgsT, KeyT]):
    """Arguments parsed once, and a :class:`Quota` per key that item outcomes settle: what the
    search spiders (a quota per query) and the urls spider (per label) share."""

    args: ArgsT
    #: The ``-a`` arguments as given, for the store's crawls.jsonl.
    arguments: dict[str, str]
    quotas: dict[KeyT, Quota]
    #: This crawl's part in a distributed job (``REDIS_URL`` set), else None.
    worker: Worker | None = None
    #: Whether this spider can be a worker of a distributed job (our ``crawl`` command refuses
    #: ``REDIS_URL`` otherwise): its requests' callbacks must be its own methods.
    distributable: ClassVar[bool] = True

    @classmethod
    def check_arguments(cls, kwargs: Mapping[str, str], settings: BaseSettings) -> ArgsT:
        """Parse every ``-a``; raises ArgumentError with a one-line message. Our ``crawl``
        command calls it before the crawl starts."""
        raise NotImplementedError

    def make_quotas(self) -> dict[KeyT, Quota]:
        """The quotas for :attr:`args`, by key; a key without one has no limit."""
        raise NotImplementedError

    def quota_key(self, item: ImageItem) -> KeyT:
        raise NotImplementedError

    def shared_key(self, key: KeyT) -> str:
        """A quota's key as a Redis string (distributed crawls)."""
        return str(key)

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.args = cls.check_arguments(kwargs, crawler.settings)
        spider.arguments = dict(kwargs)
        spider.quotas = spider.make_quotas()
        spider.worker = worker_for(crawler, spider.name, kwargs)
        if spider.worker is not None:
            spider.quotas = spider.worker.share_quotas(spider.quotas, spider.shared_key)
        settle_on_signals(crawler, spider.quota_for)
        return spider

    def quota_for(self, item: Any) -> Quota | None:
        if not isinstance(item, ImageItem):
            return None
        return self.quotas.get(self.quota_key(item))


class SearchSpider(QuotaSpider[SearchArgs, Query]):
    #: Argument name -> {user value: engine code}; spiders add their own filters.
    filters: ClassVar[Mapping[str, Mapping[str, str]]] = {}
    #: Arguments of a spider beyond the shared ones and the filters, which it parses itself.
    own_arguments: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def check_arguments(cls, kwargs: Mapping[str, str], settings: BaseSettings) -> SearchArgs:
        return parse_search_args(cls.name, kwargs, cls.filters, settings["LICENSE_POLICY"], cls.own_arguments)

    @classmethod
    def argument_help(cls, settings: BaseSettings) -> list[ArgumentHelp]:
        """The ``-a`` arguments, defaults and choices, for ``scrapy describe``."""
        return shared_argument_help(settings["LICENSE_POLICY"]) + filter_help(cls.filters)

    def make_quotas(self) -> dict[Query, Quota]:
        """One per query; with ``-a mode=top-up`` one per label, which its queries share: the
        limit is the class's size in the store, so two queries of one class together fill it to
        ``limit`` (each counting the whole class as its own start ended it at 250 of 200)."""
        if self.args.mode != "top-up":
            return {query: Quota(self.args.limit) for query in self.args.queries}
        by_label: dict[str, Quota] = {}
        return {query: by_label.setdefault(query.label, Quota(self.args.limit)) for query in self.args.queries}

    def quota_key(self, item: ImageItem) -> Query:
        return Query(item.query, item.label)

    def shared_key(self, key: Query) -> str:
        return query_key(key.text, key.label)

    async def queries_to_search(self) -> AsyncIterator[Query]:
        """This crawl's queries: all of them, or, in a distributed job, those the job's query list
        hands this worker (imagespider/distributed/feed.py), as it finishes others."""
        if self.worker is None:
            for query in self.args.queries:
                yield query
            return
        feed = self.worker.feed
        by_key = {self.shared_key(query): query for query in self.args.queries}
        items = list(by_key)
        try:
            seeded = await self.worker.io.call(feed.seed, items, fingerprint(items))
        except OtherList as error:
            raise self.fail(OTHER_LIST, f"{self.name}: {error}") from None
        if seeded:
            logger.info("%s: seeded the job's query list with %d queries", self.name, len(items))
        async for item in feed.queries():
            found = by_key.get(item)
            if found is None:
                logger.warning("%s: the job's list holds a query this worker was not given: %s", self.name, item)
                feed.done(item)
                continue
            yield found

    #: The ``search`` spider running this engine for one query (imagespider/spiders/search.py),
    #: or None when this spider runs alone. See :meth:`as_engine`.
    host: Any = None

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        spider = super().from_crawler(crawler, *args, **kwargs)
        for warning in spider.args.warnings:
            logger.warning("%s", warning)
        crawler.signals.connect(spider._count_earlier_runs, signal=signals.spider_opened)
        spider.setup()
        return spider

    @property
    def row_engines(self) -> tuple[str, ...]:
        """The ``engine`` values of the manifest rows this spider writes (resume counts them)."""
        return (self.name,)

    def setup(self) -> None:
        """Per-crawl state of an engine (its config, its key filter...), set once its crawler
        and arguments are known: by :meth:`from_crawler`, or by :meth:`as_engine`."""

    @classmethod
    def unavailable(cls, settings: BaseSettings) -> str | None:
        """Why this engine cannot be searched at all with these settings (a missing key), as
        one line; None when it can. The ``search`` spider skips such an engine with that line."""
        return None

    @classmethod
    def as_engine(cls, host: Any, query: Query) -> Self:
        """This engine, run by the ``search`` spider for one query: the host's crawler, policy and
        quotas (one quota per query across engines); items name this engine. Its failures and its
        end of the query go to the host (:meth:`fail`, :meth:`fail_soon`, :meth:`log_query_end`),
        which lets the next engine take over."""
        spider = cls()
        attach_crawler(spider, host.crawler)
        spider.host = host
        spider.args = dataclasses.replace(
            host.args,
            queries=(query,),
            filters={name: code for name, code in host.args.filters.items() if name in cls.filters},
        )
        spider.arguments = dict(host.arguments)
        spider.quotas = host.quotas
        spider.setup()
        return spider

    # -- items ---------------------------------------------------------------------------

    def declared_license(self, result: EngineResult) -> License:
        """The license evidence an engine gives for a result, before anything is downloaded."""
        raise NotImplementedError

    def build_item(self, query: Query, result: EngineResult) -> ImageItem:
        return ImageItem(
            image_url=result.image_url,
            label=query.label,
            query=query.text,
            engine=self.name,
            page_url=result.page_url,
            thumbnail_url=result.thumbnail_url,
            title=result.title,
            author=result.author,
            author_url=result.author_url,
            site=result.site,
            date_taken=result.date_taken,
            tags=list(result.tags),
            license=self.declared_license(result),
            engine_rights=dict(result.rights),
            is_thumbnail=result.is_thumbnail,
        )

    async def hand_out(
        self, query: Query, results: list[EngineResult], seen: set[str]
    ) -> AsyncIterator[ImageItem]:
        """Yield items for new results, only while the query's quota has room."""
        if self.host is not None and getattr(self.host, "inspecting", False):
            # `scrapy enginecheck`: the results are looked at, never downloaded.
            self.host.inspect(self, query, results)
            return
        quota = self.quotas[query]
        if self.worker is not None:
            self.worker.feed.touch(self.shared_key(query))  # this worker works on it: keep its lease
        owner = self.host or self  # the search spider opened the dataset for its engines
        dataset = getattr(owner, "_dataset", None)
        rejected_before = owner._rejected_before
        for result in results:
            if result.image_url in seen:
                continue  # already handed out (the page is read whole after every scroll)
            seen.add(result.image_url)
            if (dataset is not None and dataset.has_url(result.image_url, query.label)) or (
                self.worker is not None and await self.worker.has_url(result.image_url, query.label)
            ):
                # Kept by an earlier crawl: not downloaded again, not a rejection either.
                self.crawler.stats.inc_value("imagespider/skipped/already_in_dataset")
                continue
            if dataset is not None and dataset.removed_in_review(result.image_url):
                # Removed by a person in `scrapy review`: not fetched into this store again.
                self.crawler.stats.inc_value("imagespider/skipped/reviewed_removed")
                continue
            if (result.image_url, query.label) in rejected_before:
                # Rejected by an earlier run of this job: not fetched and rejected twice.
                self.crawler.stats.inc_value("imagespider/skipped/rejected_by_this_job")
                continue
            if self.stopping or not await quota.acquire():
                return
            if self.stopping:
                quota.give_back()
                return
            yield self.build_item(query, result)

    @property
    def stopping(self) -> bool:
        """True once a graceful stop began (Ctrl-C, CloseSpider): hand out nothing more.

        Scrapy lets a running callback finish before it closes; a browser spider's callback
        scrolls until the limit is kept, so without this Ctrl-C would wait for the whole job.
        """
        try:
            engine = getattr(self.crawler, "engine", None)
        except RuntimeError:  # Scrapy 2.19: "not set yet" (Request.to_dict reads every attribute)
            return False
        return engine is not None and not engine.running and not self.crawler.crawling

    #: (image URL, label) rejected by earlier runs of this JOBDIR job: skipped on resume.
    _rejected_before: frozenset[tuple[str, str]] = frozenset()

    def _count_earlier_runs(self, **_: Any) -> None:
        """Start each quota at what earlier runs of this job kept, so a resumed job keeps
        ``limit`` in all, not ``limit`` more (see :mod:`imagespider.dataset.resume`); with
        ``-a mode=top-up``, at what the store holds for the class."""
        try:
            self._dataset = store_of(self.crawler)
        except NotConfigured:
            return
        if store_refused(self.crawler):
            return  # the store was refused (locked, damaged): the crawl is closing with one line
        settings = self.crawler.settings
        self._rejected_before = frozenset(
            resume.rejected_by_this_job(settings, read_jsonl(self._dataset.root / REJECTED))
        )
        if self.args.mode == "top-up":
            in_store = self._dataset.count_by_label()
            for query, quota in self.quotas.items():
                quota.kept = min(in_store[query.label], quota.limit)
                logger.info(
                    "%s: query %r (label %s) tops up: the store holds %d of %d",
                    self.name, query.text, query.label, in_store[query.label], quota.limit,
                )
            return
        counts = self._dataset.count_by_query()
        for query, kept in resume.kept_by_this_job_from_counts(settings, counts, self.row_engines).items():
            if query in self.quotas:
                self.quotas[query].kept = min(kept, self.quotas[query].limit)
                if kept:
                    logger.info("%s: query %r resumed with %d of %d kept", self.name, query.text, kept, self.args.limit)

    # -- ending --------------------------------------------------------------------------

    def fail(self, reason: str, message: str) -> Exception:
        """Log one line and return the CloseSpider to raise; ``scrapy crawl`` then exits 1.
        Run by the ``search`` spider, the exception ends this engine only (:class:`EngineFailed`)."""
        if self.host is not None:
            return EngineFailed(self, reason, message)
        logger.error(message)
        return CloseSpider(FAILURE_PREFIX + reason)

    def unreachable_hint(self) -> str:
        """What to check when the engine did not answer at all (offline, DNS, a proxy needed, a
        wrong endpoint): said on the failure's one line, since ``net::ERR_NAME_NOT_RESOLVED`` alone
        tells a newcomer nothing."""
        names = ENGINES[self.name].endpoint_settings if self.name in ENGINES else ()
        endpoints = [f"{name}={shown(str(self.settings.get(name) or ''))}" for name in names]
        where = f"; is {' / '.join(endpoints)} right?" if endpoints else ""
        return f"check the network connection and whether a proxy is needed (HTTPS_PROXY){where}"

    def fail_soon(self, reason: str, message: str) -> None:
        """Like :meth:`fail`, from a place where raising would make Scrapy log a traceback
        (an errback): log one line and ask the engine to close the spider."""
        if self.host is not None:
            self.host.engine_failed(EngineFailed(self, reason, message))
            return
        logger.error(message)
        engine = self.crawler.engine
        assert engine is not None
        self._closing = asyncio.get_running_loop().create_task(
            engine.close_spider_async(reason=FAILURE_PREFIX + reason)
        )

    def log_query_end(self, query: Query, why: str) -> None:
        if self.host is not None:
            self.host.engine_ended(self, query, why)
            return
        if self.worker is not None:
            self.worker.feed.done(self.shared_key(query))
        quota = self.quotas[query]
        logger.info(
            "%s: query %r (label %s) ended, %s: kept %d of %d",
            self.name, query.text, query.label, why, quota.kept, quota.limit,
        )


class EngineFailed(Exception):
    """An engine run by the ``search`` spider failed (refused, unreachable, changed): only that
    engine ends, and the next one takes the query over (imagespider/spiders/search.py)."""

    def __init__(self, engine: SearchSpider, reason: str, message: str) -> None:
        self.engine = engine
        self.reason = reason
        self.message = message
        super().__init__(message)
