"""ApiRunner: engines answering JSON pages (Flickr, Openverse, Wikimedia Commons).

What every paged API shares lives here: API calls in the engine's own download slot (from the
engine registry, imagespider/engines/__init__.py, so image downloads are never slowed by the
API's pace), robots.txt left to image hosts, one page asked for at a time and only while the
query still has room, the end-of-query lines, failures as one line, and an answer the parser
cannot read ending the engine with ``failed_<engine>_api_changed`` and the body saved under
``<store>/.debug/`` (imagespider/spiders/debug.py) instead of a silent "no results".

The engine's calls and their reading are its provider's (imagespider/engines/<name>.py:
``search`` builds a page's call from the query and the page token, ``parse`` reads the answer
into a ``ResultsPage`` whose ``next`` is the next page's token, ``declared_license`` maps each
result's license). A new API engine's runner then writes only :attr:`ApiRunner.config_class` (its
typed settings, a dataclass with ``from_settings``, read and checked once as ``self.config``),
:attr:`~imagespider.spiders.runner.EngineRunner.options` (the provider's options from them) and,
when it needs them, :meth:`ApiRunner.call_meta` (a key's meta, statuses it handles itself),
:meth:`ApiRunner.secrets` (kept out of every log line and failure text) and
:meth:`ApiRunner.api_error` (an error the API names: fail, or wait and ask again).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Mapping
from typing import Any, ClassVar
from urllib.parse import urlencode

import scrapy
from scrapy.exceptions import DownloadCancelledError
from scrapy.http import Response
from scrapy.settings import BaseSettings
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet import defer
from twisted.python.failure import Failure

from imagespider.engines import ENGINES, ApiError, ResultsPage, ShapeError
from imagespider.errors import ArgumentError
from imagespider.extensions.redact import SecretFilter, crawl_secrets
from imagespider.spiders.params import Query
from imagespider.spiders.runner import EngineRunner

logger = logging.getLogger(__name__)
#: Pages in a row bringing no result not seen before that end a query: Flickr answers any page
#: number up to ``pages`` but repeats itself past its 4,000th result, and an API that keeps
#: answering the same page would otherwise be asked forever while the quota never fills.
MAX_STALE_PAGES = 5
#: Bytes an API's answer may have (Scrapy's ``download_maxsize`` for the call): a real page of
#: 500 results is 1-2 MB, and a 52 MB answer of 4 million tiny objects took the crawl past 1 GiB
#: to parse (issue 28). A longer answer is not read: the engine ends with one line.
MAX_API_ANSWER = 8 << 20
#: Results in a row dropped (none kept) that end a query: an API serving endless pages of fresh
#: results that all fail (404 images) was otherwise asked forever (132 calls in 30 s).
MAX_DROPS_IN_A_ROW = 500


def whole_number_setting(settings: BaseSettings, name: str, low: int, high: int, use: str = "") -> int:
    """An API engine's whole-number setting, from ``low`` to ``high``; anything else is one line
    naming it (exit 2). ``use`` says whose range it is ("for anonymous use")."""
    try:
        value = settings.getint(name)
    except ValueError:
        value = low - 1
    if not low <= value <= high:
        whose = f" {use}" if use else ""
        raise ArgumentError(f"{name} must be a whole number from {low} to {high}{whose}, got {settings.get(name)}")
    return value


def _too_large(error: BaseException | None) -> bool:
    """Whether Scrapy cancelled the download at ``download_maxsize`` (announced or grown past:
    the latter comes with no message, the way imagespider/pipelines/images.py reads it too)."""
    message = str(error)
    return isinstance(error, (DownloadCancelledError, defer.CancelledError)) or "max size" in message


class ApiRunner(EngineRunner):
    #: The API's name in messages ("the Flickr API").
    api_title: ClassVar[str] = ""
    #: The engine's settings as one typed object: a class whose ``from_settings(settings)`` reads
    #: and checks them (a bad value is one line and exit 2); built once as :attr:`config`.
    config_class: ClassVar[Any] = None
    #: ``config_class.from_settings(self.crawler.settings)``; the engine's own spider narrows the type.
    config: Any

    #: Image URLs already handed out, per query (pages may repeat a result).
    _seen: dict[Query, set[str]]
    #: Pages in a row that brought no new image URL, per query (see MAX_STALE_PAGES).
    _stale: dict[Query, int]
    #: The crawl's one secret filter (imagespider/extensions/redact.py), holding :meth:`secrets`
    #: too: they are kept out of every log line and every row.
    _redactor: SecretFilter

    @classmethod
    def check_settings(cls, settings: BaseSettings) -> None:
        if cls.config_class is not None:
            cls.config_class.from_settings(settings)  # checked before the crawl starts

    def setup(self) -> None:
        super().setup()
        self._seen = {}
        self._stale = {}
        if self.config_class is not None:
            self.config = self.config_class.from_settings(self.crawler.settings)
        self._redactor = crawl_secrets(self.crawler)
        self._redactor.add(*self.secrets())

    # -- what an engine writes -----------------------------------------------------------

    def call_meta(self, query: Query, page: Any) -> dict[str, Any]:
        """Request meta of a search call (a key added at download time, statuses the runner
        handles itself)."""
        return {}

    def secrets(self) -> list[str]:
        """The engine's credentials (from :attr:`config`), masked in every log line and failure text."""
        return []

    async def api_error(self, query: Query, response: Response, error: ApiError) -> AsyncIterator[scrapy.Request]:
        """An error the API names in its answer: the engine fails with one line. An engine whose
        API asks to wait (Commons' ``maxlag``) yields the call again instead."""
        raise self.fail(f"{self.name}_api_error", f"{self.name}: {self.redact(str(error))} (query {query.text!r})")
        yield  # an async generator, as the ones that ask again

    def skip_query(self, query: Query) -> str | None:
        """Why ``query`` is not searched at all (e.g. no license of this engine fits the
        policy), or None."""
        return None

    # -- requests ------------------------------------------------------------------------

    def install(self) -> None:
        self._redactor.install()  # installed once for the process (RedactSecretsExtension, if enabled)

    async def start_query(self, query: Query) -> AsyncIterator[scrapy.Request]:
        """The query's first page, unless :meth:`skip_query` says why not."""
        why = self.skip_query(query)
        if why:
            self.log_query_end(query, why)
            return
        yield self.page_request(query, self.provider.first_page)

    @property
    def api_slot(self) -> str:
        engine = ENGINES.get(self.name)
        return (engine.slot if engine and engine.slot else None) or f"{self.name}-api"

    def page_request(self, query: Query, page: Any) -> scrapy.Request:
        """The call for one page of ``query``, as the provider builds it."""
        call = self.provider.search(query.text, page, self.options)
        options: dict[str, Any] = {"method": call.method, "headers": dict(call.headers)}
        if call.body is not None:
            options["body"] = call.body
        return self.api_request(call.url, query=query, page=page, **options, **self.call_meta(query, page))

    def api_request(self, url: str, *, params: Mapping[str, Any] | None = None, prepare: bool = False,
                    **kwargs: Any) -> scrapy.Request:
        """One API call in the engine's paced slot; robots.txt is for image hosts, not the API.
        ``params`` is the query string; ``prepare`` for a preparing call (:meth:`prepared` answers
        it); ``kwargs`` are request meta, except ``method``, ``body`` and ``headers``."""
        self.crawler.stats.inc_value(f"imagespider/{self.name}/api_calls")
        if params is not None:
            url = f"{url}?{urlencode(params)}"
        request_args = {k: kwargs.pop(k) for k in ("method", "body", "headers") if k in kwargs}
        return self.request(
            url,
            prepare=prepare,
            dont_filter=True,
            meta={"download_slot": self.api_slot, "dont_obey_robotstxt": True,
                  "download_maxsize": MAX_API_ANSWER, **kwargs},
            **request_args,
        )

    # -- results -------------------------------------------------------------------------

    async def parse(self, response: Response) -> AsyncIterator[Any]:
        query: Query = response.meta["query"]
        try:
            page = self.provider.parse(response.body, self.options)
        except ShapeError as error:
            raise self.api_changed(query, response, str(error)) from None
        except ApiError as error:
            async for request in self.api_error(query, response, error):
                yield request
            return
        stats = self.crawler.stats
        stats.inc_value(f"imagespider/{self.name}/pages")
        if page.skipped:
            stats.inc_value(f"imagespider/{self.name}/skipped_no_url", page.skipped)
        quota, seen = self.quotas[query], self._seen.setdefault(query, set())
        before = len(seen)
        async for item in self.hand_out(query, page.results, seen):
            yield item
        if quota.full:
            self.log_query_end(query, "limit reached")
            return
        stale = self._stale[query] = 0 if len(seen) > before else self._stale.get(query, 0) + 1
        if page.next is not None and quota.dropped_in_a_row >= MAX_DROPS_IN_A_ROW:
            stats.inc_value(f"imagespider/{self.name}/dropped_in_a_row_end")
            self.log_query_end(
                query, f"its last {quota.dropped_in_a_row} results were all dropped (see rejected.jsonl for why)"
            )
            return
        if page.next is not None and stale >= MAX_STALE_PAGES:
            stats.inc_value(f"imagespider/{self.name}/stale_pages_end")
            self.log_query_end(query, f"the API answered {stale} pages in a row with nothing new after {len(seen)}")
            return
        if page.next is not None:
            # Ask for more only once a place is free: API calls are rationed, downloads are not.
            if await quota.wait_for_room():
                request = await self.next_page_request(query, page, response)
                if request is not None:
                    yield request
                return
            self.log_query_end(query, "limit reached")
            return
        await quota.wait_settled()
        if quota.full:
            self.log_query_end(query, "limit reached")
        else:
            where = f" ({page.position})" if page.position else ""
            self.log_query_end(query, f"no more results after {len(seen)}{where}")

    async def next_page_request(self, query: Query, page: ResultsPage, response: Response) -> scrapy.Request | None:
        """The request for the page after ``page``; an engine that paces itself by the API's
        rate-limit headers waits here, or ends the query (returning None)."""
        return self.page_request(query, page.next)

    def api_changed(self, query: Query, response: Response, why: str) -> Exception:
        """An answer in a shape we do not know: save it and end this engine with one line."""
        from imagespider.spiders.debug import save_debug_page  # noqa: PLC0415

        where = save_debug_page(self.crawler.settings, self.name, query.text, response.body, "json")
        return self.fail(
            f"{self.name}_api_changed",
            f"{self.name}: the {self.api_title or self.name} API answered {query.text!r} in a shape we do not "
            f"know ({why}); saved it to {where}: the API probably changed",
        )

    async def failed(self, failure: Failure) -> None:  # type: ignore[override]
        query: Query = failure.request.meta["query"]  # type: ignore[attr-defined]
        # An answer with an error status, or none at all (refused, DNS, timeout): named apart, so
        # `scrapy enginecheck` says which (imagespider/commands/enginecheck.py).
        kind = "http_error" if isinstance(failure.value, HttpError) else "unreachable"
        if kind == "unreachable" and _too_large(failure.value):
            self.fail_soon(
                f"{self.name}_answer_too_large",
                f"{self.name}: the {self.api_title or self.name} API answered {query.text!r} with more than "
                f"{MAX_API_ANSWER >> 20} MiB, which no page of results needs: not read", (query,),
            )
            return
        # Not raised: an exception out of an errback makes Scrapy log the download error's traceback.
        hint = f": {self.unreachable_hint()}" if kind == "unreachable" else ""
        self.fail_soon(
            f"{self.name}_{kind}",
            f"{self.name}: search for {query.text!r} failed: {self.failure_text(failure)}{hint}", (query,),
        )


    def failure_text(self, failure: Failure) -> str:
        """One line about a failed API call, without its URL (it may hold a key)."""
        error = failure.value
        if isinstance(error, HttpError):
            return f"HTTP {error.response.status} from the {self.api_title or self.name} API"
        lines = (failure.getErrorMessage() or type(error).__name__).splitlines() or [""]
        return self.redact(lines[0])

    def redact(self, text: str) -> str:
        """``text`` without the engine's :meth:`secrets` (nor any ``api_key=`` value)."""
        return self._redactor.redact(text)
