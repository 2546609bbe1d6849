"""flickr: the Flickr REST API, with the license filter applied on Flickr's side.

No browser: plain JSON calls. The license table is read once per crawl from
``flickr.photos.licenses.getInfo`` (Flickr adds ids over time; the built-in 0-10 table is the
fallback), and each query's ``flickr.photos.search`` carries ``license=<ids>`` for exactly the ids
the policy allows, so Flickr only returns photos we may keep. Each photo's own license id is the
evidence recorded in the manifest (source ``api``).

Flickr allows 3,600 calls an hour per key. API calls go through their own download slot
(:data:`API_SLOT`, paced by ``DOWNLOAD_SLOTS`` in settings.py) so image downloads are not slowed,
and a query asks for its next page only when it still has room for more images.

The key travels in the query string, as Flickr wants, added only as each call is sent
(imagespider/downloadermiddlewares/apikey.py), so no request on disk (JOBDIR) holds it;
:class:`~imagespider.extensions.redact.SecretFilter` keeps it out of every log line and every
file of the store, and it is never put in stats, items or errors.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any, ClassVar

import scrapy
from scrapy.http import Response
from scrapy.settings import BaseSettings
from twisted.python.failure import Failure

from imagespider.browser import PLAIN_HTTP_HANDLERS
from imagespider.distributed.config import LOCAL_META
from imagespider.downloadermiddlewares.apikey import API_KEY_META, secret_value
from imagespider.engines import ENGINES, flickr, flickrlicense
from imagespider.errors import ArgumentError
from imagespider.rights.model import License
from imagespider.spiders.api import ApiRunner, whole_number_setting
from imagespider.spiders.base import SearchSpider, logger
from imagespider.spiders.params import Query

#: The download slot of every API call; ``DOWNLOAD_SLOTS[API_SLOT]`` sets its pace.
API_SLOT = ENGINES["flickr"].slot
MAX_PER_PAGE = 500
#: ``-a sort=`` and ``-a safe=`` values (imagespider/engines/flickr.py).
SORTS, SAFE = flickr.SORTS, flickr.SAFE
#: Flickr's error code for an invalid key: fatal at once, since no later call can succeed.
INVALID_KEY = 100

NO_KEY_HELP = (
    "flickr: no API key; export FLICKR_API_KEY=<key> or pass -s FLICKR_API_KEY=<key> "
    "(get one at https://www.flickr.com/services/apps/create/)"
)


@dataclass(frozen=True)
class FlickrConfig:
    """The FLICKR_* settings, read and checked once (a bad value is one line and exit 2)."""

    api_url: str
    #: Empty when none is given; kept out of ``repr`` so it cannot leak through a log of the config.
    api_key: str = field(repr=False)
    size: str
    per_page: int
    sort: str
    safe_search: str

    @classmethod
    def from_settings(cls, settings: BaseSettings, environ: dict[str, str] | None = None) -> FlickrConfig:
        size = (settings.get("FLICKR_SIZE") or "").strip()
        if size and size not in flickr.SIZE_ORDER:
            raise ArgumentError(
                f"FLICKR_SIZE={size} is not a Flickr size; "
                f"use one of {', '.join(flickr.SIZE_ORDER)} or empty for the largest"
            )
        per_page = whole_number_setting(settings, "FLICKR_PER_PAGE", 1, MAX_PER_PAGE)
        sort = str(settings["FLICKR_SORT"]).strip()
        if sort not in SORTS:
            raise ArgumentError(f"FLICKR_SORT={sort} is not a Flickr sort; use one of {', '.join(SORTS)}")
        safe = str(settings["FLICKR_SAFE_SEARCH"]).strip()
        if safe not in SAFE.values():
            raise ArgumentError(f"FLICKR_SAFE_SEARCH must be 1 (safe), 2 (moderate) or 3 (restricted), got {safe}")
        return cls(
            api_url=settings["FLICKR_API_URL"],
            api_key=secret_value(settings, "FLICKR_API_KEY", environ),
            size=size,
            per_page=per_page,
            sort=sort,
            safe_search=safe,
        )


class FlickrRunner(ApiRunner):
    name = "flickr"
    api_title = "Flickr"
    filters: ClassVar = flickr.FlickrProvider.filters
    config_class = FlickrConfig

    config: FlickrConfig
    #: From licenses.getInfo; None means the built-in table (0-10) is used.
    license_table: dict[str, License] | None = None
    #: licenses.getInfo is asked once a crawl (3,600 calls an hour per key): "asking" until it is
    #: answered, then "done"; the queries started meanwhile wait in :attr:`_waiting`.
    _table_state: str = ""
    _waiting: list[Query]

    @classmethod
    def unavailable(cls, settings: BaseSettings) -> str | None:
        """Flickr needs a key: without one it cannot be searched at all."""
        return None if FlickrConfig.from_settings(settings).api_key else NO_KEY_HELP

    def setup(self) -> None:
        super().setup()
        self._waiting = []

    def secrets(self) -> list[str]:
        return [self.config.api_key]

    # -- requests ------------------------------------------------------------------------

    async def start_query(self, query: Query) -> AsyncIterator[scrapy.Request]:
        """The first query asks for the license table; every query waits for its answer."""
        if not self.config.api_key:
            raise self.fail("flickr_no_key", NO_KEY_HELP)
        if self._table_state == "done":
            async for request in super().start_query(query):
                yield request
            return
        self._waiting.append(query)
        if self._table_state == "asking":
            return
        self._table_state = "asking"
        request = self.licenses_request()
        if self.worker is not None:
            request.meta[LOCAL_META] = True  # its answer starts this worker's waiting queries
        yield request

    async def prepare(self) -> AsyncIterator[scrapy.Request]:
        """A distributed worker asks for the table at once: it may read pages of queries other
        workers started, whose licenses it maps with it."""
        if self.config.api_key and not self._table_state:
            self._table_state = "asking"
            request = self.licenses_request()
            request.meta[LOCAL_META] = True
            yield request

    async def first_searches(self) -> AsyncIterator[scrapy.Request]:
        """The waiting queries' first pages, once the license table is known."""
        self._table_state = "done"
        waiting, self._waiting = self._waiting, []
        for query in waiting:
            async for request in super().start_query(query):
                yield request

    @property
    def options(self) -> flickr.FlickrOptions:
        config = self.config
        return flickr.FlickrOptions(
            api_url=config.api_url,
            per_page=config.per_page,
            sort=self.args.filters.get("sort", config.sort),
            safe_search=self.args.filters.get("safe", config.safe_search),
            size=config.size,
            policy=self.args.policy,
            license_table=self.license_table,
        )

    def licenses_request(self) -> scrapy.Request:
        """licenses.getInfo, a preparing call (answered by :meth:`prepared`)."""
        call = self.provider.licenses_call(self.options)  # type: ignore[attr-defined]
        return self.api_request(call.url, prepare=True, **_key_meta("flickr.photos.licenses.getInfo"))

    def call_meta(self, query: Query, page: Any) -> dict[str, Any]:
        return _key_meta("flickr.photos.search")

    def skip_query(self, query: Query) -> str | None:
        if flickrlicense.license_ids_for(self.args.policy, self.license_table) == []:
            # An empty license= would mean "no filter" to Flickr: do not search at all.
            return f"no Flickr license fits -a license={self.args.policy}"
        return None

    # -- the license table ---------------------------------------------------------------

    async def prepared(self, response: Response) -> AsyncIterator[scrapy.Request]:
        try:
            entries = flickr.parse_licenses(response.body)
        except flickr.FlickrApiError as error:
            if error.code == INVALID_KEY:
                waiting, self._waiting = tuple(self._waiting), []
                self._table_state = "done"  # the others' searches meet the same refusal
                raise self.fail("flickr_api_error", f"flickr: {error}", waiting) from None
            self._fall_back(str(error))
        else:
            table = flickrlicense.license_table_from_getinfo({"licenses": {"license": entries}})
            if table:
                self.license_table = table
                logger.info("flickr: license table loaded, %d licenses", len(table))
            else:
                self._fall_back("licenses.getInfo listed no license")
        async for request in self.first_searches():
            yield request

    async def prepare_failed(self, failure: Failure) -> AsyncIterator[scrapy.Request]:
        self._fall_back(self.failure_text(failure))
        async for request in self.first_searches():
            yield request

    def _fall_back(self, why: str) -> None:
        self.crawler.stats.set_value("imagespider/flickr/license_table", "built-in")
        logger.warning("flickr: could not read the license table (%s); using the built-in ids 0-10", why)


def _key_meta(method: str) -> dict[str, Any]:
    """A call's meta: its method, and its key. The key travels in the query string, as Flickr wants,
    but is added only as the request is sent (imagespider/downloadermiddlewares/apikey.py), so no
    request on disk (JOBDIR) holds it."""
    return {API_KEY_META: ("api_key", "FLICKR_API_KEY"), "flickr_method": method}


class FlickrSpider(SearchSpider):
    """``scrapy crawl flickr``: the search spider with the Flickr engine alone."""

    name = "flickr"
    runner_classes: ClassVar = {"flickr": FlickrRunner}
    filters: ClassVar = FlickrRunner.filters
    #: JSON calls and image downloads only: no browser, no Playwright driver.
    custom_settings: ClassVar = {"DOWNLOAD_HANDLERS": PLAIN_HTTP_HANDLERS}
