"""EngineRunner: how one engine is crawled, inside the one :class:`~imagespider.spiders.base.SearchSpider`.

The engine itself is its provider (imagespider/engines/base.py ``Provider``, registered in
``ENGINES``): pure request building, parsing, license mapping and failure detection. A runner
holds what crawling it needs beyond that: its typed settings and the provider's options built
from them (:attr:`EngineRunner.options`), its per-crawl state (Flickr's license table, Openverse's token, Google's open
previews) and its steps (API pages in spiders/api.py, scrolled browser pages in spiders/scrolling.py).
It is not a spider: the spider makes one runner per engine it runs, once per crawl, and every
request a runner builds calls back into the spider's own methods (:meth:`EngineRunner.request`),
with the runner's name in ``meta["engine"]``. So a request can be queued in Redis by scrapy-redis
(its callback is a method of the spider that pops it) and a query can move from one engine to the
next as a plain change of the spider's state.
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Mapping
from functools import cached_property
from typing import Any, ClassVar, Protocol

import scrapy
from scrapy.crawler import Crawler
from scrapy.http import Response
from scrapy.settings import BaseSettings
from twisted.python.failure import Failure

from imagespider.distributed.worker import Worker
from imagespider.engines import ENGINES, EngineResult, Provider
from imagespider.errors import shown
from imagespider.items import ImageItem
from imagespider.query import Query
from imagespider.quota import Quota
from imagespider.rights.model import License
from imagespider.spiders.params import SearchArgs

#: The request meta key naming the runner (engine) a request belongs to.
ENGINE_META = "engine"


class EngineFailed(Exception):
    """An engine failed for some queries while the spider runs several engines in turn (refused,
    unreachable, changed): only that engine ends for them, and the next one takes them over.
    ``queries`` empty means the query of the request being handled."""

    def __init__(self, engine: str, reason: str, message: str, queries: tuple[Query, ...] = ()) -> None:
        self.engine = engine
        self.reason = reason
        self.message = message
        self.queries = queries
        super().__init__(message)


class EngineHost(Protocol):
    """What a runner uses of the spider that runs it (imagespider/spiders/base.py)."""

    name: str
    crawler: Crawler
    args: SearchArgs
    quotas: dict[Query, Quota]
    worker: Worker | None

    @property
    def stopping(self) -> bool: ...

    def hand_out(
        self, runner: EngineRunner, query: Query, results: list[EngineResult], seen: set[str]
    ) -> AsyncIterator[ImageItem]: ...

    def engine_failure(self, runner: EngineRunner, reason: str, message: str,
                       queries: tuple[Query, ...] = ()) -> Exception: ...

    def engine_failure_soon(self, runner: EngineRunner, reason: str, message: str,
                            queries: tuple[Query, ...] = ()) -> None: ...

    def engine_ended(self, runner: EngineRunner, query: Query, why: str) -> None: ...

    def parse_results(self, response: Response) -> AsyncIterator[Any]: ...

    def results_failed(self, failure: Failure) -> AsyncIterator[Any]: ...

    def parse_prepared(self, response: Response) -> AsyncIterator[Any]: ...

    def prepare_failed(self, failure: Failure) -> AsyncIterator[Any]: ...


class EngineRunner:
    """One engine in a crawl. Subclasses: :class:`~imagespider.spiders.api.ApiRunner` and
    :class:`~imagespider.spiders.scrolling.BrowserRunner`, then one per engine."""

    #: The engine's name, as in :data:`~imagespider.engines.ENGINES`.
    name: ClassVar[str]
    #: Argument name -> {user value: engine code}: the ``-a`` filters this engine understands
    #: (its provider's).
    filters: ClassVar[Mapping[str, Mapping[str, str]]] = {}

    def __init__(self, spider: EngineHost) -> None:
        self.spider = spider
        self.crawler = spider.crawler
        self.settings = spider.crawler.settings
        #: The spider's arguments, with only this engine's own filters.
        self.args = dataclasses.replace(
            spider.args, filters={name: code for name, code in spider.args.filters.items() if name in self.filters}
        )
        self.setup()

    @classmethod
    def check_settings(cls, settings: BaseSettings) -> None:
        """Check the engine's own settings before the crawl starts (one line and exit 2 when bad)."""

    @classmethod
    def unavailable(cls, settings: BaseSettings) -> str | None:
        """Why this engine cannot be searched at all with these settings (a missing key), as
        one line; None when it can. The ``search`` spider skips such an engine with that line."""
        return None

    def setup(self) -> None:
        """Per-crawl state of the engine (its config, its key filter...)."""

    @cached_property
    def provider(self) -> Provider[Any]:
        """The engine, pure (its entry in ``ENGINES``)."""
        provider = ENGINES[self.name].provider
        assert provider is not None, f"{self.name} has no provider in ENGINES"
        return provider

    @property
    def options(self) -> Any:
        """The provider's options for this crawl (its settings and arguments, as the engine's
        options dataclass): built anew when asked, so state such as Flickr's license table is current."""
        raise NotImplementedError

    def install(self) -> None:
        """Called once as the crawl starts (before any request)."""

    async def prepare(self) -> AsyncIterator[scrapy.Request]:
        """Requests a distributed worker makes as it starts, before any query: it may read answers
        of queries other workers started, so what those need (Flickr's license table) is asked
        at once rather than when a query of its own starts."""
        return
        yield

    @property
    def quotas(self) -> dict[Query, Quota]:
        return self.spider.quotas

    @property
    def worker(self) -> Worker | None:
        return self.spider.worker

    @property
    def stopping(self) -> bool:
        return self.spider.stopping

    # -- steps (the spider's callbacks call these, by ``meta["engine"]``) ----------------

    def start_query(self, query: Query) -> AsyncIterator[scrapy.Request]:
        """The first requests of ``query`` on this engine."""
        raise NotImplementedError

    def parse(self, response: Response) -> AsyncIterator[Any]:
        """A results answer (an API page, a browser page): items and the next requests."""
        raise NotImplementedError

    def failed(self, failure: Failure) -> AsyncIterator[Any]:
        """A results request got no usable answer."""
        raise NotImplementedError

    def prepared(self, response: Response) -> AsyncIterator[Any]:
        """The answer to a preparing call (Flickr's license table)."""
        raise NotImplementedError

    def prepare_failed(self, failure: Failure) -> AsyncIterator[Any]:
        raise NotImplementedError

    def request(self, url: str, *, prepare: bool = False, **kwargs: Any) -> scrapy.Request:
        """A request of this engine, calling back into the spider's own methods; ``prepare`` for
        a preparing call (answered by :meth:`prepared`), else a results call (:meth:`parse`)."""
        spider = self.spider
        meta = {**kwargs.pop("meta", {}), ENGINE_META: self.name}
        return scrapy.Request(
            url,
            callback=spider.parse_prepared if prepare else spider.parse_results,
            errback=spider.prepare_failed if prepare else spider.results_failed,
            meta=meta,
            **kwargs,
        )

    # -- items ---------------------------------------------------------------------------

    def declared_license(self, result: EngineResult) -> License:
        """The license evidence an engine gives for a result, before anything is downloaded."""
        return self.provider.declared_license(result, self.options)

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

    def hand_out(self, query: Query, results: list[EngineResult], seen: set[str]) -> AsyncIterator[ImageItem]:
        """Items for new results, only while the query's quota has room (the spider's rules)."""
        return self.spider.hand_out(self, query, results, seen)

    # -- ending --------------------------------------------------------------------------

    def fail(self, reason: str, message: str, queries: tuple[Query, ...] = ()) -> Exception:
        """The exception to raise for a failure of this engine: run alone, it ends the crawl with
        one line (``failed_<reason>``, exit 1); run among others, it ends this engine for the
        query (or ``queries``) and the next engine takes over."""
        return self.spider.engine_failure(self, reason, message, queries)

    def fail_soon(self, reason: str, message: str, queries: tuple[Query, ...] = ()) -> None:
        """Like :meth:`fail`, from a place where raising would make Scrapy log a traceback
        (an errback)."""
        self.spider.engine_failure_soon(self, reason, message, queries)

    def log_query_end(self, query: Query, why: str) -> None:
        self.spider.engine_ended(self, query, why)

    def unreachable_hint(self) -> str:
        """What to check when the engine did not answer at all (offline, DNS, a proxy needed, a
        wrong endpoint): said on the failure's one line, since ``net::ERR_NAME_NOT_RESOLVED`` alone
        tells a newcomer nothing."""
        names = ENGINES[self.name].endpoint_settings if self.name in ENGINES else ()
        endpoints = [f"{name}={shown(str(self.settings.get(name) or ''))}" for name in names]
        where = f"; is {' / '.join(endpoints)} right?" if endpoints else ""
        return f"check the network connection and whether a proxy is needed (HTTPS_PROXY){where}"
