"""openverse: the Openverse API (openly licensed images from 50+ sources), license filtered server-side.

``GET <OPENVERSE_API_URL>/v1/images/?q=&page=&page_size=&license=&license_type=&mature=false``.
The policy becomes Openverse's ``license``/``license_type`` filters (imagespider/engines/openverse.py),
and each result's own ``license``/``license_version``/``license_url`` is the evidence recorded
(source ``api``); the pipelines still check every item and download the image from ``url``.

Anonymous use works (20 results a page; 20 calls a minute, 200 a day). With
``OPENVERSE_CLIENT_ID``/``OPENVERSE_CLIENT_SECRET`` (settings or environment) the spider gets an
OAuth2 client-credentials token from ``/v1/auth_tokens/token/``, has it sent as a Bearer header
(added at download time by imagespider/downloadermiddlewares/apikey.py, so never queued on disk),
and gets a new one when it expires or a call answers 401. The secret and the token never reach a
log line (:class:`~imagespider.extensions.redact.SecretFilter`), stats, items or errors.

Pacing: calls go through the ``openverse-api`` slot (``DOWNLOAD_SLOTS``); after each answer the
``x-ratelimit-available-*`` headers are read and, when a limit is used up, the next page waits
for it, or, when the wait would pass ``OPENVERSE_MAX_WAIT``, the query ends with one line. A 429
does the same with the wait the API names.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any, ClassVar

import scrapy
from scrapy.http import Response
from scrapy.settings import BaseSettings

from imagespider.browser import PLAIN_HTTP_HANDLERS
from imagespider.downloadermiddlewares.apikey import (
    BEARER_META,
    BEARER_SENT_META,
    register_bearer,
    secret_value,
    token_fingerprint,
)
from imagespider.engines import ResultsPage, openverse
from imagespider.errors import ArgumentError
from imagespider.extensions.progress import RATE_LIMITED_STAT
from imagespider.spiders.api import ApiRunner, whole_number_setting
from imagespider.spiders.base import SearchSpider, logger
from imagespider.spiders.params import Query

TOKEN_PATH = openverse.TOKEN_PATH
#: A token is renewed this many seconds before Openverse says it expires.
TOKEN_MARGIN = 60.0
#: 429 answers waited out per query before it ends.
MAX_THROTTLED = 3
#: Retry 5xx as Scrapy does, but never a 429 at once: the spider waits it out itself.
RETRY_CODES = [500, 502, 503, 504, 522, 524, 408]


@dataclass
class SharedToken:
    """The crawl's one Openverse token: asked once a crawl, and a refused one is not asked again
    (each query fails with the refusal's line)."""

    token: str = ""
    expires: float = 0.0
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    #: The one line a refusal gave: every engine object fails with it, with no second call.
    refused: str = ""


#: The ``meta[BEARER_META]`` of every registered call (downloadermiddlewares/apikey.py).
BEARER_NAME = "openverse"


@dataclass(frozen=True)
class OpenverseConfig:
    """The OPENVERSE_* settings, read and checked once (a bad value is one line and exit 2)."""

    api_url: str
    client_id: str = field(repr=False)
    client_secret: str = field(repr=False)
    page_size: int
    max_wait: float

    @property
    def registered(self) -> bool:
        return bool(self.client_id and self.client_secret)

    @classmethod
    def from_settings(cls, settings: BaseSettings, environ: dict[str, str] | None = None) -> OpenverseConfig:
        client_id = secret_value(settings, "OPENVERSE_CLIENT_ID", environ)
        client_secret = secret_value(settings, "OPENVERSE_CLIENT_SECRET", environ)
        if bool(client_id) != bool(client_secret):
            raise ArgumentError(
                "give both OPENVERSE_CLIENT_ID and OPENVERSE_CLIENT_SECRET (registered use) or neither (anonymous)"
            )
        most = openverse.MAX_PAGE_SIZE if client_id else openverse.ANONYMOUS_PAGE_SIZE
        who = "registered" if client_id else "anonymous (no OPENVERSE_CLIENT_ID)"
        page_size = whole_number_setting(settings, "OPENVERSE_PAGE_SIZE", 1, most, f"for {who} use")
        try:
            max_wait = settings.getfloat("OPENVERSE_MAX_WAIT")
        except ValueError:
            max_wait = -1
        if max_wait < 0:
            raise ArgumentError(f"OPENVERSE_MAX_WAIT must be seconds >= 0, got {settings.get('OPENVERSE_MAX_WAIT')}")
        return cls(
            api_url=str(settings["OPENVERSE_API_URL"]).rstrip("/"),
            client_id=client_id,
            client_secret=client_secret,
            page_size=page_size,
            max_wait=max_wait,
        )


class OpenverseRunner(ApiRunner):
    name = "openverse"
    api_title = "Openverse"
    config_class = OpenverseConfig

    config: OpenverseConfig
    _shared: SharedToken

    def setup(self) -> None:
        super().setup()
        self._throttled = {}
        self._shared = SharedToken()
        self._told_use = False
        # The token is added to each call at download time (downloadermiddlewares/apikey.py), so
        # no queued request (JOBDIR) ever holds it.
        shared = self._shared
        register_bearer(self.crawler, BEARER_NAME, lambda: shared.token)

    _throttled: dict[Query, int]

    def secrets(self) -> list[str]:
        return [self.config.client_secret, self.config.client_id]

    # -- the token (registered use) ------------------------------------------------------

    async def start_query(self, query: Query) -> AsyncIterator[scrapy.Request]:
        if self.config.registered and not await self.ensure_token(query):
            return
        if not self._told_use:
            self._told_use = True
            logger.info(
                "openverse: %s use, %d results a page",
                "registered" if self.config.registered else "anonymous", self.config.page_size,
            )
        async for request in super().start_query(query):
            yield request

    async def ensure_token(self, query: Query, refused: str = "") -> bool:
        """A valid token, fetched or renewed when needed; False (after one line, ending ``query``
        on this engine) when refused. ``refused``: the fingerprint of the token a call was refused
        with (HTTP 401): renewed unless another query's call has renewed it already."""
        shared = self._shared
        async with shared.lock:
            if shared.refused:
                self.fail_soon("openverse_auth_error", shared.refused, (query,))
                return False
            fresh = shared.token and time.monotonic() < shared.expires - TOKEN_MARGIN
            if fresh and token_fingerprint(shared.token) != refused:
                return True
            call = self.provider.token_call(  # type: ignore[attr-defined]
                self.options, self.config.client_id, self.config.client_secret
            )
            request = self.api_request(
                call.url, method=call.method, body=call.body, headers=dict(call.headers), handle_httpstatus_all=True,
            )
            assert self.crawler.engine is not None
            try:
                response = await self.crawler.engine.download_async(request)
            except Exception as error:  # noqa: BLE001 (any download failure is one line)
                # Not kept as a refusal: the next query's call may reach the API.
                self.fail_soon(
                    "openverse_auth_error", f"openverse: could not get a token: {self.redact(str(error))}", (query,)
                )
                return False
            token, expires_in = openverse.parse_token(response.body) if response.status == 200 else (None, None)
            if not token:
                detail = openverse.error_detail(response.body) or f"HTTP {response.status}"
                shared.refused = f"openverse: {TOKEN_PATH} refused OPENVERSE_CLIENT_ID/_SECRET: {self.redact(detail)}"
                self.fail_soon("openverse_auth_error", shared.refused, (query,))
                return False
            shared.token = token
            self._redactor.add(token)  # out of every log line and every row (an API may echo it)
            shared.expires = time.monotonic() + (expires_in or 3600)
            self.crawler.stats.inc_value("imagespider/openverse/tokens")
            return True

    # -- searches ------------------------------------------------------------------------

    @property
    def options(self) -> openverse.OpenverseOptions:
        return openverse.OpenverseOptions(self.config.api_url, self.config.page_size, self.args.policy)

    def call_meta(self, query: Query, page: Any) -> dict[str, Any]:
        # A 401 (token renewed) and a 429 (waited out) are handled here, not by Scrapy.
        extra = {BEARER_META: BEARER_NAME} if self.config.registered else {}
        return {"handle_httpstatus_list": [401, 429], **extra}

    async def parse(self, response: Response) -> AsyncIterator[Any]:
        query: Query = response.meta["query"]
        if response.status == 401 and self.config.registered and not response.meta.get("renewed"):
            # The token expired early or was revoked: renew it once and ask again.
            if await self.ensure_token(query, refused=response.meta.get(BEARER_SENT_META, "")):
                request = self.page_request(query, response.meta["page"])
                request.meta["renewed"] = True
                yield request
            return
        if response.status == 401:
            detail = openverse.error_detail(response.body) or "HTTP 401"
            raise self.fail("openverse_auth_error", f"openverse: the API refused our token: {self.redact(detail)}")
        if response.status == 429:
            again = await self.throttled(query, response)
            if again is not None:
                yield again
            return
        async for result in super().parse(response):
            yield result

    async def throttled(self, query: Query, response: Response) -> scrapy.Request | None:
        """A 429: wait as long as the API asks and ask again, or end the query with one line."""
        self.crawler.stats.inc_value("imagespider/openverse/throttled")
        detail = openverse.error_detail(response.body)
        wait = openverse.retry_after(_headers(response), detail)
        wait = wait if wait is not None else openverse.pace(_headers(response)) or 60.0
        count = self._throttled[query] = self._throttled.get(query, 0) + 1
        if wait > self.config.max_wait or count > MAX_THROTTLED:
            self.end_throttled(query, f"HTTP 429 ({detail or 'rate-limited'})", wait)
            return None
        logger.info("openverse: rate-limited, waiting %.0f s before asking again for %r", wait, query.text)
        await asyncio.sleep(wait)
        request = self.page_request(query, response.meta["page"])
        return request

    async def next_page_request(self, query: Query, page: ResultsPage, response: Response) -> scrapy.Request | None:
        wait = openverse.pace(_headers(response))
        if wait > self.config.max_wait:
            self.end_throttled(query, "its rate limit is used up", wait)
            return None
        if wait:
            logger.info("openverse: rate limit used up, waiting %.0f s for the next page of %r", wait, query.text)
            await asyncio.sleep(wait)
        if self.config.registered and not await self.ensure_token(query):
            return None  # the token could not be renewed: the crawl is ending with one line
        return await super().next_page_request(query, page, response)

    def end_throttled(self, query: Query, why: str, wait: float) -> None:
        quota = self.quotas[query]
        hint = "" if self.config.registered else "; registered use (OPENVERSE_CLIENT_ID/_SECRET) has higher limits"
        logger.warning(
            "openverse: query %r ends rate-limited: %s, and the wait (%.0f s) passes OPENVERSE_MAX_WAIT=%g; "
            "kept %d of %d%s",
            query.text, why, wait, self.config.max_wait, quota.kept, quota.limit, hint,
        )
        # A crawl that keeps nothing for it failed (imagespider/extensions/progress.py): exit 1.
        self.crawler.stats.inc_value(RATE_LIMITED_STAT)
        self.log_query_end(query, "rate-limited")


def _headers(response: Response) -> dict[str, str]:
    return {
        key.decode("latin-1"): (values[-1].decode("latin-1") if values else "")
        for key, values in response.headers.items()
    }


class OpenverseSpider(SearchSpider):
    """``scrapy crawl openverse``: the search spider with the Openverse engine alone."""

    name = "openverse"
    runner_classes: ClassVar = {"openverse": OpenverseRunner}
    filters: ClassVar = OpenverseRunner.filters
    custom_settings: ClassVar = {"DOWNLOAD_HANDLERS": PLAIN_HTTP_HANDLERS, "RETRY_HTTP_CODES": RETRY_CODES}
