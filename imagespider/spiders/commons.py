"""commons: Wikimedia Commons through the MediaWiki API, every file with its own license metadata.

``action=query&generator=search&gsrsearch=<q> filetype:bitmap&gsrnamespace=6&prop=imageinfo&
iiprop=url|size|mime|extmetadata`` (``iiurlwidth`` when ``COMMONS_THUMB_WIDTH`` is set), paged with
the answer's ``continue`` block, and ``maxlag`` on every call: when Wikimedia's replicas lag, the
API answers a ``maxlag`` error and the spider waits as asked (``Retry-After``) and tries again, as
Wikimedia's API etiquette asks of bots. Calls go one at a time through the ``commons-api`` slot.

Wikimedia's User-Agent policy wants a client name and a way to reach its operator: every call and
every image download sends ``imagespider/<version> (<COMMONS_CONTACT>) Scrapy/<version>``.

Commons has no server-side license filter for search; the license of every file is read from its
``extmetadata`` (imagespider/engines/commons.py) and the policy is applied before download.
``-a restrictions=exclude`` drops files Commons marks with restrictions (personality rights,
trademarks...) with reason ``restricted``; files marked ``NonFree`` are never kept under ``share``
(imagespider/pipelines/license.py).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import ClassVar

import scrapy
from scrapy.http import Response
from scrapy.settings import BaseSettings

import imagespider
from imagespider.browser import PLAIN_HTTP_HANDLERS
from imagespider.engines import ApiError, commons
from imagespider.errors import ArgumentError
from imagespider.spiders.api import ApiRunner, whole_number_setting
from imagespider.spiders.base import SearchSpider, logger
from imagespider.spiders.params import Query

#: ``-a restrictions=``: keep files with Commons restrictions (recorded in the manifest), or drop them.
RESTRICTIONS = commons.CommonsProvider.filters["restrictions"]
#: maxlag answers waited out in a row before the engine gives up.
MAX_LAG_RETRIES = 5
#: Longest wait a lagged answer's ``Retry-After`` is obeyed for (Wikimedia asks for about 5 s).
MAX_LAG_WAIT = 300.0


def user_agent(settings: BaseSettings) -> str:
    """Wikimedia's User-Agent policy: name/version (contact) library/version."""
    contact = str(settings["COMMONS_CONTACT"] or "").strip()
    return f"imagespider/{imagespider.__version__} ({contact}) Scrapy/{scrapy.__version__}"


@dataclass(frozen=True)
class CommonsConfig:
    api_url: str
    page_size: int
    thumb_width: int
    maxlag: int
    user_agent: str

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> CommonsConfig:
        if not str(settings.get("COMMONS_CONTACT") or "").strip():
            raise ArgumentError(
                "COMMONS_CONTACT is empty; Wikimedia asks every client for a way to reach its operator: "
                "-s COMMONS_CONTACT=you@example.org"
            )
        return cls(
            api_url=settings["COMMONS_API_URL"],
            page_size=whole_number_setting(settings, "COMMONS_PAGE_SIZE", 1, 50),
            thumb_width=whole_number_setting(settings, "COMMONS_THUMB_WIDTH", 0, 100_000),
            maxlag=whole_number_setting(settings, "COMMONS_MAXLAG", 1, 3600),
            user_agent=user_agent(settings),
        )


class CommonsRunner(ApiRunner):
    name = "commons"
    api_title = "Wikimedia Commons"
    filters: ClassVar = commons.CommonsProvider.filters
    config_class = CommonsConfig

    config: CommonsConfig

    @property
    def options(self) -> commons.CommonsOptions:
        config = self.config
        return commons.CommonsOptions(
            config.api_url, config.page_size, config.thumb_width, config.maxlag, config.user_agent
        )

    async def api_error(self, query: Query, response: Response, error: ApiError) -> AsyncIterator[scrapy.Request]:
        """Wikimedia's ``maxlag``: wait and ask again; any other error the API names ends the engine."""
        if isinstance(error, commons.CommonsApiError) and error.code == "maxlag":
            again = await self.lagged(query, response, error)
            if again is not None:
                yield again
            return
        raise self.fail("commons_api_error", f"commons: the API answered {error} (query {query.text!r})")

    async def lagged(self, query: Query, response: Response, error: commons.CommonsApiError) -> scrapy.Request | None:
        """Wikimedia's replicas lag: wait as the API asks, then ask again (a few times)."""
        self.crawler.stats.inc_value("imagespider/commons/maxlag")
        tries = response.meta.get("lag_tries", 0) + 1
        if tries > MAX_LAG_RETRIES:
            raise self.fail(
                "commons_api_error", f"commons: Wikimedia stayed lagged ({error.info}) after {MAX_LAG_RETRIES} waits"
            )
        retry_after = (response.headers.get(b"Retry-After") or b"").decode("latin-1").strip()
        # isascii: "²".isdigit() is True and float("²") a ValueError; a day's Retry-After is capped.
        asked = float(retry_after) if retry_after.isascii() and retry_after.isdigit() else float(self.config.maxlag)
        wait = min(asked, MAX_LAG_WAIT)
        logger.info("commons: Wikimedia is lagged (%s); waiting %.0f s as asked", error.info, wait)
        await asyncio.sleep(wait)
        request = self.page_request(query, response.meta["page"])
        request.meta["lag_tries"] = tries
        return request


class CommonsSpider(SearchSpider):
    """``scrapy crawl commons``: the search spider with the Wikimedia Commons engine alone."""

    name = "commons"
    runner_classes: ClassVar = {"commons": CommonsRunner}
    filters: ClassVar = CommonsRunner.filters
    custom_settings: ClassVar = {"DOWNLOAD_HANDLERS": PLAIN_HTTP_HANDLERS}

    @classmethod
    def update_settings(cls, settings: BaseSettings) -> None:
        super().update_settings(settings)
        # Image downloads from upload.wikimedia.org fall under the same User-Agent policy.
        settings.set("USER_AGENT", user_agent(settings), priority="spider")
