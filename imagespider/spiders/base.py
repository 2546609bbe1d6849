"""SearchSpider: the one spider that runs a query through engines.

What it shares with the urls spider (arguments, quotas) is imagespider/spiders/quotaspider.py.

``scrapy crawl bing`` is a SearchSpider with one engine, ``scrapy crawl search`` one with several
(imagespider/spiders/search.py). Each engine is a runner (imagespider/spiders/runner.py) made once
per crawl; every request calls back into this spider's own methods with the engine's name in its
meta, and a query that one engine ended or failed moves to the next engine as a change of this
spider's state (:class:`~imagespider.spiders.turns.Turns`), its next requests following the output
of the callback that saw it end. So any worker of a distributed job can run any of its requests.

Arguments are parsed once (``check_arguments``, also called by our ``crawl`` command before the
crawl starts, so a bad ``-a`` is one line and a non-zero exit). Each query gets a :class:`Quota`
that the pipelines settle through Scrapy's item signals, so a query keeps exactly ``limit`` images.
Results already in the store's manifest (same URL, same label) are skipped before download; a
job resumed with its ``JOBDIR`` counts what its earlier runs kept (imagespider/dataset/store/resume.py).
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import AsyncIterator, Mapping
from typing import Any, ClassVar, Self

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.settings import BaseSettings

from imagespider.dataset.crawlstore import store_of
from imagespider.dataset.store import resume
from imagespider.dataset.store.files import REJECTED
from imagespider.dataset.store.jsonl import read_jsonl
from imagespider.distributed.feed import OTHER_LIST, OtherList
from imagespider.distributed.worker import fingerprint, query_key
from imagespider.engines import EngineResult
from imagespider.extensions.dataset import store_refused
from imagespider.items import ImageItem
from imagespider.quota import Quota
from imagespider.spiders.params import (
    ArgumentHelp,
    Query,
    SearchArgs,
    filter_help,
    parse_search_args,
    shared_argument_help,
)
from imagespider.spiders.quotaspider import QuotaSpider
from imagespider.spiders.runner import ENGINE_META, EngineFailed, EngineRunner
from imagespider.spiders.turns import TakingTurns, Turns

logger = logging.getLogger(__name__)


class SearchSpider(TakingTurns, QuotaSpider[SearchArgs, Query]):
    """A query (or a list) searched through engines in order, each query with one quota across them."""

    #: The engines this spider may run, by name, in their default order.
    runner_classes: ClassVar[Mapping[str, type[EngineRunner]]] = {}
    #: Argument name -> {user value: engine code}: the spider's filters (an engine reads its own).
    filters: ClassVar[Mapping[str, Mapping[str, str]]] = {}
    #: Arguments of a spider beyond the shared ones and the filters, which it parses itself.
    own_arguments: ClassVar[tuple[str, ...]] = ()
    #: Several engines fill a query in turn (the ``search`` spider): an engine's failure hands its
    #: query to the next one with a WARNING; run alone, an engine's failure ends the crawl.
    takes_turns: ClassVar[bool] = False
    #: True for `scrapy enginecheck` (imagespider/commands/enginecheck.py): results are inspected.
    inspecting: ClassVar[bool] = False

    #: The engines this crawl runs, in order (those that can run with its settings).
    engines: tuple[str, ...]
    runners: dict[str, EngineRunner]
    turns: Turns
    #: Scrapy's spider state (JOBDIR), set by its SpiderState extension when the spider opens.
    state: dict[str, Any]

    @classmethod
    def check_arguments(cls, kwargs: Mapping[str, str], settings: BaseSettings) -> SearchArgs:
        for name in cls.chosen_engines(kwargs):  # the engines first: "unknown engine" before all else
            cls.runner_classes[name].check_settings(settings)
        return parse_search_args(cls.name, kwargs, cls.filters, settings["LICENSE_POLICY"], cls.own_arguments)

    @classmethod
    def chosen_engines(cls, kwargs: Mapping[str, str]) -> tuple[str, ...]:
        """The engines the arguments choose, in order (``-a engines=`` for the search spider)."""
        return tuple(cls.runner_classes)

    @classmethod
    def argument_help(cls, settings: BaseSettings) -> list[ArgumentHelp]:
        """The ``-a`` arguments, defaults and choices, for ``scrapy describe``."""
        return shared_argument_help(settings["LICENSE_POLICY"]) + filter_help(cls.filters)

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        spider = super().from_crawler(crawler, *args, **kwargs)
        for warning in spider.args.warnings:
            logger.warning("%s", warning)
        crawler.signals.connect(spider._count_earlier_runs, signal=signals.spider_opened)
        crawler.signals.connect(spider._idle, signal=signals.spider_idle)
        spider.engines = cls.chosen_engines(kwargs)
        spider.runners = {name: cls.runner_classes[name](spider) for name in spider.engines}
        spider.turns = Turns(spider.engines_for)
        return spider

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

    @property
    def row_engines(self) -> tuple[str, ...]:
        """The ``engine`` values of the manifest rows this spider writes (resume counts them)."""
        return tuple(self.runner_classes)

    def engines_for(self, query: Query) -> tuple[str, ...]:
        """The engines that may fill ``query``, in order."""
        return self.engines

    # -- starting ------------------------------------------------------------------------

    async def start(self) -> AsyncIterator[Any]:
        if self.takes_turns:
            self.drop_unavailable_engines()
            if not self.engines:
                raise self.fail(
                    "all_engines", f"{self.name}: no engine can run with these settings (see the lines above)"
                )
            logger.info("%s: engines in order: %s", self.name, ", ".join(self.engines))
            self._resume_engines()
        for runner in self.runners.values():
            runner.install()
        if self.worker is not None:
            for runner in self.runners.values():
                async for request in runner.prepare():
                    yield request
        async for query in self.queries_to_search():
            async for request in self.start_next_engine(query):
                yield request
            async for request in self.handover_requests():
                yield request

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

    def drop_unavailable_engines(self) -> None:
        """Keep in :attr:`engines` only those that can run with the settings (Flickr needs a key);
        each one left out goes to :meth:`skip_engine` with why."""
        usable = []
        for name in self.engines:
            why = self.runner_classes[name].unavailable(self.crawler.settings)
            if why:
                self.skip_engine(name, why)
            else:
                usable.append(name)
        self.engines = tuple(usable)

    def skip_engine(self, name: str, why: str) -> None:
        logger.warning("%s: skipping %s: %s", self.name, name, why)

    # -- callbacks: every engine request comes back here, its engine named in its meta ---

    async def parse_results(self, response: Any) -> AsyncIterator[Any]:
        async for output in self._step(response.meta, lambda runner: runner.parse(response)):
            yield output

    async def results_failed(self, failure: Any) -> AsyncIterator[Any]:
        async for output in self._step(failure.request.meta, lambda runner: runner.failed(failure)):
            yield output

    async def parse_prepared(self, response: Any) -> AsyncIterator[Any]:
        async for output in self._step(response.meta, lambda runner: runner.prepared(response)):
            yield output

    async def prepare_failed(self, failure: Any) -> AsyncIterator[Any]:
        async for output in self._step(failure.request.meta, lambda runner: runner.prepare_failed(failure)):
            yield output

    async def _step(self, meta: Mapping[str, Any], step: Any) -> AsyncIterator[Any]:
        """Run one step of the engine named in ``meta``; then the first requests of every query
        that an engine ended or failed for meanwhile."""
        runner = self.runners.get(meta.get(ENGINE_META, ""))
        if runner is None:
            logger.warning("%s: an answer of engine %r, which this crawl does not run: left alone",
                           self.name, meta.get(ENGINE_META))
            return
        query = meta.get("query")
        if isinstance(query, Query):
            self.turns.adopt(query, runner.name)
        try:
            outputs = step(runner)
            if isinstance(outputs, AsyncIterator):
                async for output in outputs:
                    yield output
            elif inspect.isawaitable(outputs):
                await outputs
            elif outputs is not None:
                for output in outputs:
                    yield output
        except EngineFailed as failure:
            self.engine_failed(failure, query)
        async for request in self.handover_requests():
            yield request

    # -- items ---------------------------------------------------------------------------

    async def hand_out(
        self, runner: EngineRunner, query: Query, results: list[EngineResult], seen: set[str]
    ) -> AsyncIterator[ImageItem]:
        """Yield items for new results, only while the query's quota has room."""
        if self.inspecting:
            # `scrapy enginecheck`: the results are looked at, never downloaded.
            self.inspect(runner, query, results)
            return
        quota = self.quotas[query]
        if self.worker is not None:
            self.worker.feed.touch(self.shared_key(query))  # this worker works on it: keep its lease
        dataset = getattr(self, "_dataset", None)
        rejected_before = self._rejected_before
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
            yield runner.build_item(query, result)

    def inspect(self, runner: EngineRunner, query: Query, results: list[EngineResult]) -> None:
        """`scrapy enginecheck` looks at the results here (imagespider/commands/enginecheck.py)."""

    @property
    def stopping(self) -> bool:
        """True once a graceful stop began (Ctrl-C, CloseSpider): hand out nothing more.

        Scrapy lets a running callback finish before it closes; a browser engine's callback
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
        ``limit`` in all, not ``limit`` more (see :mod:`imagespider.dataset.store.resume`); with
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
