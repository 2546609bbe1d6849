"""Fetching source pages for their rights evidence: once per page URL per crawl, politely.

An engine that names no license per image (Bing, Google) points at the page that shows the
image; that page usually says more (:mod:`imagespider.rights.page` reads it). Many images share
a page (a gallery, an article), so each page is fetched once and kept as a small
:class:`~imagespider.rights.page.PageIndex`; items asking while the fetch is under way wait for
the same one.

Pages go through Scrapy's downloader, like :mod:`imagespider.sitesignals.robots`: the downloader
middlewares apply (robots.txt of the page host, the private-address guard on every redirect
hop, ``REDIRECT_MAX_TIMES``, ``DOWNLOAD_TIMEOUT``), plus a size cap of their own
(``PAGE_MAXSIZE``) and a download slot per page host (``page:<host>``), so pages never queue
behind or crowd out that host's image downloads. A page that cannot be had is evidence of
nothing: the failure is recorded, never raised.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from dataclasses import dataclass
from functools import partial
from typing import Self
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import DownloadCancelledError, IgnoreRequest
from scrapy.http import TextResponse
from scrapy.settings import BaseSettings
from twisted.internet import defer

from imagespider.rights.page import PageIndex, index_page

#: Pages kept per crawl; the oldest are forgotten past this (a PageIndex is a few KB).
CACHE_SIZE = 10_000
#: And past this much held in them (PageIndex.weight: images plus statements, ~0.5 KB each),
#: as a page of a thousand images weighs as much as a thousand ordinary pages.
CACHE_WEIGHT = 200_000
_HTML_TYPES = ("text/html", "application/xhtml+xml")


@dataclass(frozen=True, slots=True)
class PageConfig:
    """``PAGE_EVIDENCE``, ``PAGE_MAXSIZE`` and the robots token (``BOT_NAME``), read once; their
    defaults are in imagespider/settings.py."""

    enabled: bool
    maxsize: int
    user_agent_token: str

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> Self:
        maxsize = settings.getint("PAGE_MAXSIZE")
        if maxsize <= 0:
            raise ValueError(f"PAGE_MAXSIZE must be a positive number of bytes, got {maxsize}")
        return cls(
            enabled=settings.getbool("PAGE_EVIDENCE"),
            maxsize=maxsize,
            user_agent_token=str(settings["BOT_NAME"]),
        )


@dataclass(frozen=True, slots=True)
class PageFailure:
    """Why a page gave no evidence (``http_error``, ``not_html``, ``too_large``, ``refused``,
    ``unreachable``, ``unreadable``) and the one-line detail recorded in the manifest."""

    kind: str
    detail: str


class SourcePages:
    """Source pages of one crawl, fetched once each (see the module docstring)."""

    def __init__(self, crawler: Crawler, config: PageConfig | None = None) -> None:
        self.crawler = crawler
        self.config = config or PageConfig.from_settings(crawler.settings)
        self._pages: OrderedDict[str, asyncio.Future[PageIndex | PageFailure]] = OrderedDict()
        #: The weight of each page read and still kept, and their sum.
        self._weights: dict[str, int] = {}
        self._weight = 0

    async def index(self, page_url: str) -> PageIndex | PageFailure:
        """The page read, or why it could not be: the first caller fetches, the rest wait."""
        key = page_url.split("#", 1)[0]
        future = self._pages.get(key)
        stats = self.crawler.stats
        if future is None:
            future = asyncio.ensure_future(self._fetch(key))
            self._pages[key] = future
            future.add_done_callback(partial(self._weigh, key))
            self._evict()
        else:
            self._pages.move_to_end(key)
            if stats is not None:
                stats.inc_value("imagespider/pages/shared")
        return await asyncio.shield(future)

    def _weigh(self, key: str, future: asyncio.Future[PageIndex | PageFailure]) -> None:
        if self._pages.get(key) is not future or future.cancelled() or future.exception() is not None:
            return
        result = future.result()
        weight = result.weight() if isinstance(result, PageIndex) else 1
        self._weights[key] = weight
        self._weight += weight
        self._evict()

    def _evict(self) -> None:
        """Forget the oldest pages past CACHE_SIZE pages or CACHE_WEIGHT (the newest is kept)."""
        while len(self._pages) > 1 and (len(self._pages) > CACHE_SIZE or self._weight > CACHE_WEIGHT):
            key, _ = self._pages.popitem(last=False)
            self._weight -= self._weights.pop(key, 0)

    async def _fetch(self, url: str) -> PageIndex | PageFailure:
        stats = self.crawler.stats
        try:
            result = await self._download(url)
        except Exception as error:  # noqa: BLE001  (a page we cannot read says nothing; never a crash)
            message = (str(error) or "").splitlines()[0][:200] if str(error) else ""
            result = PageFailure("unreadable", f"{type(error).__name__}: {message}")
        if stats is not None:
            stats.inc_value("imagespider/pages/fetched" if isinstance(result, PageIndex) else
                            f"imagespider/pages/failed/{result.kind}")
        return result

    async def _download(self, url: str) -> PageIndex | PageFailure:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            return PageFailure("refused", f"not an http(s) URL: {url[:100]}")
        request = Request(
            url,
            headers={"Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5"},
            meta={
                "download_slot": f"page:{parts.netloc}",
                "download_maxsize": self.config.maxsize,
                "download_warnsize": 0,
                "max_retry_times": 1,
            },
            dont_filter=True,
        )
        try:
            engine = self.crawler.engine
            assert engine is not None
            response = await engine.download_async(request)
        except Exception as error:  # noqa: BLE001  (a page that cannot be had says nothing)
            return _failure(error, self.config.maxsize)
        if response.status != 200:
            return PageFailure("http_error", f"HTTP {response.status}")
        content_type = (response.headers.get(b"Content-Type") or b"").decode("latin-1").lower()
        if not isinstance(response, TextResponse) or not any(t in content_type for t in _HTML_TYPES):
            return PageFailure("not_html", f"not an HTML page ({content_type or 'no Content-Type'})")
        text = response.text
        loop = asyncio.get_running_loop()
        # Parsing a large page takes tens of milliseconds: off the reactor thread.
        return await loop.run_in_executor(
            None, index_page, text, response.url, response.headers, self.config.user_agent_token
        )


def _failure(error: Exception, maxsize: int) -> PageFailure:
    message = (str(error) or type(error).__name__).splitlines()[0][:200]
    name = type(error).__name__
    if isinstance(error, (DownloadCancelledError, defer.CancelledError)) or "max size" in message:
        return PageFailure("too_large", f"the page is larger than PAGE_MAXSIZE={maxsize} bytes")
    if isinstance(error, IgnoreRequest):
        reason = getattr(error, "reason", None)
        return PageFailure("refused", f"{reason}: {message}" if reason else message)
    return PageFailure("unreachable", f"{name}: {message}")
