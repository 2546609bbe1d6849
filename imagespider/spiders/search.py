"""search: one query filled from several engines in order, one quota per query across them.

``scrapy crawl search -a q=cat -a engines=openverse,commons,flickr,bing,google -a limit=200``

Each query starts with the first engine of the list (default: the engines whose license is
per-image first, imagespider/engines/__init__.py). That engine runs as it does alone (it is the
engine's own spider, made by :meth:`~imagespider.spiders.base.SearchSpider.as_engine` to share
this spider's crawler, policy and quotas), until the query keeps its limit or the engine ends:

- exhausted (no more results, or rate-limited): an INFO line, and the next engine takes over;
- failed (refused: consent wall, CAPTCHA, 429; unreachable; markup or API changed): a WARNING
  line, and the next engine takes over;
- an engine that cannot run at all with these settings (Flickr without a key) is skipped with one
  WARNING line when the crawl starts.

Every item still names the engine that found it; duplicates and near-duplicates across engines
are dropped by the pipelines as within one engine. When every engine failed for every query
(none merely ran out of results), the crawl ends ``failed_all_engines``.

How the hand-over works: an engine's end or failure inside a callback is caught by
:class:`EngineHandoverMiddleware`, which appends the next engine's first requests to that
callback's output; one reported from an errback (where output does not pass the spider
middlewares) is handed over when the crawl next goes idle.

A job resumed with its JOBDIR starts each query at the engine it was running when it stopped
(Scrapy's spider state keeps the name), not at the first engine again.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from typing import Any, ClassVar, Self

import scrapy
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import CloseSpider, DontCloseSpider
from scrapy.http import Response
from scrapy.settings import BaseSettings

from imagespider.browser import use_page_download_handlers
from imagespider.engines import ENGINES
from imagespider.errors import ArgumentError, shown
from imagespider.failures import failed_part, one_line
from imagespider.spiders.base import EngineFailed, SearchSpider, logger
from imagespider.spiders.bing import BingSpider
from imagespider.spiders.commons import RESTRICTIONS, CommonsSpider
from imagespider.spiders.flickr import FlickrSpider
from imagespider.spiders.google import GoogleSpider
from imagespider.spiders.openverse import OpenverseSpider
from imagespider.spiders.params import ArgumentHelp, Query, SearchArgs

#: Every engine the search spider can run, by name.
ENGINE_SPIDERS: dict[str, type[SearchSpider]] = {
    spider.name: spider for spider in (OpenverseSpider, CommonsSpider, FlickrSpider, BingSpider, GoogleSpider)
}
_QUALITY_ORDER = {"per-image": 0, "filter": 1, "none": 2}
#: Default order: per-image licenses (authoritative) first, then engines whose filter only claims.
DEFAULT_ENGINES: tuple[str, ...] = tuple(
    sorted(ENGINE_SPIDERS, key=lambda name: _QUALITY_ORDER[ENGINES[name].license_quality])
)


def parse_engines(value: str | None, given_as: str = "-a engines") -> tuple[str, ...]:
    """The engines named in ``value`` (a comma list), in order; ``given_as`` is how the user
    typed the option (``--engines`` for imagespider/commands/enginecheck.py), for the message."""
    if value is None or not value.strip():
        return DEFAULT_ENGINES
    names = [name.strip().lower() for name in value.split(",") if name.strip()]
    unknown = [name for name in names if name not in ENGINE_SPIDERS]
    choices = f"use a comma list of: {', '.join(DEFAULT_ENGINES)}"
    if unknown:
        raise ArgumentError(f"unknown engine {shown(unknown[0])} in {given_as}={shown(value)}; {choices}")
    if not names:  # "," is no choice left to the default: it names no engine at all
        raise ArgumentError(f"{given_as}={shown(value)} names no engine; {choices}")
    return tuple(dict.fromkeys(names))


def check_engine_settings(engines: tuple[str, ...], settings: BaseSettings) -> None:
    """Each engine's own settings (page sizes, endpoints), checked as its spider would check them."""
    for name in engines:
        ENGINE_SPIDERS[name].check_arguments({"q": "check"}, settings)


class SearchAllSpider(SearchSpider):
    name = "search"
    #: Its engines' requests call back into engine objects, not this spider: scrapy-redis cannot
    #: put them in Redis (Request.to_dict wants the spider's own methods).
    distributable = False
    filters: ClassVar = {"restrictions": RESTRICTIONS}
    own_arguments = ("engines",)
    custom_settings = {  # noqa: RUF012 (Scrapy's own attribute)
        "SPIDER_MIDDLEWARES": {"imagespider.spiders.search.EngineHandoverMiddleware": 950},
    }

    engines: tuple[str, ...]
    #: Scrapy's spider state (JOBDIR), set by its SpiderState extension when the spider opens.
    state: dict[str, Any]
    #: True for `scrapy enginecheck` (imagespider/commands/enginecheck.py): results are inspected.
    inspecting: ClassVar[bool] = False

    @classmethod
    def update_settings(cls, settings: BaseSettings) -> None:
        super().update_settings(settings)
        # Its -a engines= is not known yet: the schemes of every browser engine it may use.
        use_page_download_handlers(settings, ENGINES)

    @classmethod
    def check_arguments(cls, kwargs: Mapping[str, str], settings: BaseSettings) -> SearchArgs:
        check_engine_settings(parse_engines(kwargs.get("engines")), settings)
        return super().check_arguments(kwargs, settings)

    @classmethod
    def argument_help(cls, settings: BaseSettings) -> list[ArgumentHelp]:
        return [
            *super().argument_help(settings),
            ArgumentHelp(
                "engines", "engines to fill each query from, in order", ",".join(DEFAULT_ENGINES),
                tuple(DEFAULT_ENGINES),
            ),
        ]

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.engines = parse_engines(kwargs.get("engines"))
        crawler.signals.connect(spider._idle, signal=signals.spider_idle)
        return spider

    @property
    def row_engines(self) -> tuple[str, ...]:
        return tuple(ENGINE_SPIDERS)

    def setup(self) -> None:
        super().setup()
        #: Per query: the engine running it now, the index of the next one, what happened.
        self._current: dict[Query, SearchSpider | None] = {}
        self._next_index: dict[Query, int] = {query: 0 for query in self.args.queries}
        self._ran_out: set[Query] = set()
        self._finished: set[Query] = set()
        #: Queries whose engine ended or failed and that wait for the next one.
        self._handovers: list[Query] = []
        self._tasks: set[asyncio.Task[None]] = set()

    # -- starting engines ----------------------------------------------------------------

    def drop_unavailable_engines(self) -> None:
        """Keep in :attr:`engines` only those that can run with the settings (Flickr needs a key);
        each one left out goes to :meth:`skip_engine` with why."""
        usable = []
        for name in self.engines:
            why = ENGINE_SPIDERS[name].unavailable(self.crawler.settings)
            if why:
                self.skip_engine(name, why)
            else:
                usable.append(name)
        self.engines = tuple(usable)

    def skip_engine(self, name: str, why: str) -> None:
        logger.warning("search: skipping %s: %s", name, why)

    async def start(self) -> AsyncIterator[Any]:
        self.drop_unavailable_engines()
        if not self.engines:
            raise self.fail("all_engines", "search: no engine can run with these settings (see the lines above)")
        logger.info("search: engines in order: %s", ", ".join(self.engines))
        self._resume_engines()
        for query in self.args.queries:
            async for request in self.start_next_engine(query):
                yield request

    def engines_for(self, query: Query) -> tuple[str, ...]:
        """The engines that may fill ``query``, in order."""
        return self.engines

    async def start_next_engine(self, query: Query) -> AsyncIterator[scrapy.Request]:
        """The first requests of the next engine that starts for ``query``; engines failing at
        start (no browser, a refused token) are passed over with their line."""
        engines = self.engines_for(query)
        while True:
            index = self._next_index[query]
            if self.quotas[query].full or index >= len(engines):
                self._current[query] = None
                self._finish(query)
                return
            self._next_index[query] = index + 1
            name = engines[index]
            self._running_engines()[_state_key(query)] = name
            engine = ENGINE_SPIDERS[name].as_engine(self, query)
            self._current[query] = engine
            requests: list[scrapy.Request] = []
            try:
                async for request in engine.start():
                    request.meta["search_engine"] = name
                    requests.append(request)
            except EngineFailed as failure:
                self.report_failure(failure, query)
                continue
            except CloseSpider:
                raise
            except Exception as error:  # noqa: BLE001  (an engine that cannot start fails alone; the next one takes over)
                why = f"{name}: could not start: {type(error).__name__}: {one_line(error)}"
                self.report_failure(EngineFailed(engine, "start_error", why), query)
                continue
            if self._current.get(query) is not engine:
                # It ended or failed while starting (reported already, and queued for a hand-over):
                # the next engine starts here, so that hand-over must not start another beside it.
                while query in self._handovers:
                    self._handovers.remove(query)
                continue
            logger.info("search: query %r from %s", query.text, name)
            for request in requests:
                yield request
            return

    def _running_engines(self) -> dict[str, str]:
        """The engine each query runs, by :func:`_state_key`, in the spider state Scrapy keeps in
        JOBDIR (an empty dict that is never saved without one)."""
        state = getattr(self, "state", None)
        if not isinstance(state, dict):
            state = self.state = {}
        running = state.get(_STATE_KEY)
        if not isinstance(running, dict):
            running = state[_STATE_KEY] = {}
        return running

    def _resume_engines(self) -> None:
        """A resumed JOBDIR job starts each query at the engine it was running when it stopped:
        the engines before it had ended for that query, and their results are in the store."""
        running = self._running_engines()
        for query in self.args.queries:
            name = running.get(_state_key(query))
            engines = self.engines_for(query)
            if isinstance(name, str) and name in engines and engines.index(name):
                self._next_index[query] = engines.index(name)
                logger.info("search: query %r resumed at %s", query.text, name)

    async def handover_requests(self) -> AsyncIterator[scrapy.Request]:
        """The next engines' first requests, for every query waiting for one."""
        while self._handovers:
            query = self._handovers.pop(0)
            async for request in self.start_next_engine(query):
                yield request

    # -- what engines report -------------------------------------------------------------

    def engine_ended(self, engine: SearchSpider, query: Query, why: str) -> None:
        """An engine's query ended (limit reached, no more results, rate-limited)."""
        if self._current.get(query) is not engine:
            return
        quota = self.quotas[query]
        self._current[query] = None
        if quota.full:
            self._finish(query)
            return
        self._ran_out.add(query)
        logger.info(
            "search: %s ended query %r, %s: kept %d of %d so far%s",
            engine.name, query.text, why, quota.kept, quota.limit, self._next_note(query),
        )
        self._handovers.append(query)

    def engine_failed(self, failure: EngineFailed) -> None:
        """An engine failed in an errback: hand its query over when the crawl next goes idle."""
        for query in failure.engine.args.queries:
            if self.report_failure(failure, query):
                self._handovers.append(query)

    def report_failure(self, failure: EngineFailed, query: Query) -> bool:
        """One WARNING line for a failed engine; False when that engine no longer runs the query."""
        if self._current.get(query) is not failure.engine:
            return False
        self._current[query] = None
        self.crawler.stats.inc_value(f"imagespider/search/engine_failed/{failure.engine.name}")
        logger.warning(
            "search: %s failed for query %r (%s): %s%s",
            failure.engine.name, query.text, failure.reason, failure.message, self._next_note(query),
        )
        return True

    def _next_note(self, query: Query) -> str:
        index, engines = self._next_index[query], self.engines_for(query)
        if index < len(engines):
            return f"; {engines[index]} takes over"
        return "; no engine left"

    def _finish(self, query: Query) -> None:
        if query in self._finished:
            return
        self._finished.add(query)
        quota = self.quotas[query]
        why = "limit reached" if quota.full else "every engine ended"
        SearchSpider.log_query_end(self, query, why)

    # -- ending --------------------------------------------------------------------------

    def _idle(self) -> None:
        if self._handovers:
            task = asyncio.get_running_loop().create_task(self._crawl_handovers())
            self._tasks.add(task)
            task.add_done_callback(self._handover_done)
        if self._tasks:
            raise DontCloseSpider
        unfinished = [q for q in self.args.queries if q not in self._finished and self._current.get(q) is None]
        for query in unfinished:
            self._finish(query)
        self.check_all_failed()

    def check_all_failed(self) -> None:
        """At the end: every engine failed for every query (none merely ran out) and nothing was
        kept means the crawl failed, not "no results"."""
        if self.engines and not (self._ran_out or any(quota.full for quota in self.quotas.values())):
            if not sum(quota.kept for quota in self.quotas.values()):
                raise self.fail(
                    "all_engines", f"search: every engine failed for every query ({', '.join(self.engines)})"
                )

    def _handover_done(self, task: asyncio.Task[None]) -> None:
        """A hand-over task's end. Its exception was never retrieved: the query waiting for its next
        engine was left unfinished and nothing said so. Now one line, and ``scrapy crawl`` exits 1;
        the query is finished at the next idle with what it kept."""
        self._tasks.discard(task)
        if task.cancelled():
            return
        error = task.exception()
        if error is not None:
            failed_part(
                self.crawler, "search_handover",
                f"search: handing a query over to its next engine failed: {type(error).__name__}: {one_line(error)}",
            )
            for query in self.args.queries:
                if self._current.get(query) is None:
                    self._finish(query)

    async def _crawl_handovers(self) -> None:
        engine = self.crawler.engine
        assert engine is not None
        async for request in self.handover_requests():
            engine.crawl(request)


#: The spider-state entry (kept in JOBDIR by Scrapy's SpiderState extension) naming the engine
#: each query was running.
_STATE_KEY = "search_running_engine"


def _state_key(query: Query) -> str:
    return f"{query.label}\t{query.text}"


class EngineHandoverMiddleware:
    """Spider middleware of the ``search`` spider: an engine's failure raised in a callback ends
    that engine (one WARNING line, no traceback), and the next engine's first requests follow the
    callback's output."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    @property
    def spider(self) -> SearchAllSpider | None:
        spider = self.crawler.spider
        return spider if isinstance(spider, SearchAllSpider) else None

    def process_spider_exception(self, response: Response, exception: Exception) -> Any:
        spider = self.spider
        if spider is None or not isinstance(exception, EngineFailed):
            return None
        for query in exception.engine.args.queries:
            if spider.report_failure(exception, query):
                spider._handovers.append(query)
        return spider.handover_requests()

    async def process_spider_output(self, response: Response, result: AsyncIterator[Any]) -> AsyncIterator[Any]:
        async for output in result:
            yield output
        spider = self.spider
        if spider is not None:
            async for request in spider.handover_requests():
                yield request
