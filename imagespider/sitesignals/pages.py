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
from dataclasses import dataclass
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import DownloadCancelledError, IgnoreRequest
from scrapy.http import TextResponse
from twisted.internet import defer

from imagespider.rights.page import PageIndex, index_page
from imagespider.sitesignals.config import PageConfig
from imagespider.sitesignals.fetch import SiteSignals

__all__ = ["PageConfig", "PageFailure", "SourcePages"]

_HTML_TYPES = ("text/html", "application/xhtml+xml")
#: The kind of source pages in the site-signal cache and its stats (``imagespider/pages/...``).
KIND = "pages"


@dataclass(frozen=True, slots=True)
class PageFailure:
    """Why a page gave no evidence (``http_error``, ``not_html``, ``too_large``, ``refused``,
    ``unreachable``, ``unreadable``) and the one-line detail recorded in the manifest."""

    kind: str
    detail: str


class SourcePages:
    """Source pages of one crawl, fetched once each (see the module docstring), kept in the
    crawl's site-signal cache under the page's host, each weighing what its index holds."""

    def __init__(self, crawler: Crawler, config: PageConfig | None = None) -> None:
        self.crawler = crawler
        self.signals = SiteSignals.of(crawler)
        self.config = config or self.signals.config.page

    async def index(self, page_url: str) -> PageIndex | PageFailure:
        """The page read, or why it could not be: the first caller fetches, the rest wait."""
        key = page_url.split("#", 1)[0]
        return await self.signals.get(KIND, key, key, lambda: self._fetch(key))

    async def _fetch(self, url: str) -> tuple[PageIndex | PageFailure, int]:
        try:
            result = await self._download(url)
        except Exception as error:  # noqa: BLE001  (a page we cannot read says nothing; never a crash)
            message = (str(error) or "").splitlines()[0][:200] if str(error) else ""
            result = PageFailure("unreadable", f"{type(error).__name__}: {message}")
        if isinstance(result, PageIndex):
            self.signals.count(KIND, "fetched")
            return result, result.weight()
        self.signals.count(KIND, f"failed/{result.kind}")
        return result, 1

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
            response = await self.signals.download(request)
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
