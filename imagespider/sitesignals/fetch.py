"""The crawl's one place for site signals: its config, its cache, its stats, and the request a
site file is fetched with.

Every fetcher of this package asks :meth:`SiteSignals.get` with a kind (``robotstxt``,
``tdmrep``, ``ai_txt``, ``rsl``, ``pages``), the URL's host, its own key and a coroutine that
fetches and says what the answer weighs; the first asker runs it, every other one waits for
the same answer (counted as ``imagespider/<kind>/shared``). A waiter cancelled while it waits
does not cancel the fetch others wait on.

Stats follow one scheme, ``imagespider/<kind>/<outcome>`` (imagespider/sitesignals/__init__.py).
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Awaitable, Callable, Hashable
from typing import TypeVar
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.http import Response

from imagespider.sitesignals.cache import SiteCache
from imagespider.sitesignals.config import SiteSignalsConfig

__all__ = ["MAX_BODY_META", "SITE_FILE_META", "SiteSignals", "host_of", "origin_of"]

T = TypeVar("T")

#: Request meta key: stop the body after this many bytes and keep what arrived
#: (imagespider/sitesignals/robots.py, :func:`cap_bodies`).
MAX_BODY_META = "imagespider_max_body"
#: Request meta key of a site file fetch: exempt from robots rules, not from Crawl-delay
#: (downloadermiddlewares/crawldelay.py).
SITE_FILE_META = "imagespider_site_file"
#: Scrapy's own priority for robots.txt requests: ahead of everything waiting on them.
PRIORITY = 1000

_SIGNALS: weakref.WeakKeyDictionary[Crawler, SiteSignals] = weakref.WeakKeyDictionary()


def origin_of(url: str) -> str | None:
    """``scheme://netloc`` of an http(s) URL, or None (a data: URL, a broken one)."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (read to check it: a port out of range raises here, not in urlsplit)
    except ValueError:  # "Invalid IPv6 URL", "Port out of range": no origin to ask
        return None
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}"


def host_of(url: str) -> str:
    """The cache's host key of a URL: its netloc (host and port as written, as Scrapy keys
    robots.txt), or ``""`` for one without."""
    try:
        return urlsplit(url).netloc
    except ValueError:
        return ""


class SiteSignals:
    """One crawl's site signals (see the module docstring)."""

    def __init__(self, crawler: Crawler, config: SiteSignalsConfig | None = None) -> None:
        self.crawler = crawler
        self.config = config or SiteSignalsConfig.from_settings(crawler.settings)
        self.cache = SiteCache(self.config.cache_hosts, self.config.cache_weight)

    @classmethod
    def of(cls, crawler: Crawler) -> SiteSignals:
        """The crawl's one instance (the middlewares and pipelines share it)."""
        found = _SIGNALS.get(crawler)
        if found is None:
            found = _SIGNALS[crawler] = cls(crawler)
        return found

    async def get(
        self, kind: str, url: str, key: Hashable, fetch: Callable[[], Awaitable[tuple[T, int]]]
    ) -> T:
        """What ``fetch()`` answered for (``kind``, ``key``) of ``url``'s host: fetched by the
        first asker, shared by the rest. ``fetch`` returns the answer and its weight."""
        host = host_of(url)
        entry = (kind, key)
        future = self.cache.find(host, entry)
        if future is None:
            future = asyncio.ensure_future(fetch())
            self.cache.add(host, entry, future, _weight)
        else:
            self.count(kind, "shared")
        answer, _ = await asyncio.shield(future)
        return answer  # type: ignore[no-any-return]

    def count(self, kind: str, outcome: str) -> None:
        """One more ``imagespider/<kind>/<outcome>``."""
        stats = self.crawler.stats
        if stats is not None:
            stats.inc_value(f"imagespider/{kind}/{outcome}")

    def site_file_request(self, url: str, maxsize: int) -> Request:
        """The request of a site file (tdmrep.json, ai.txt, an RSL document): one short try,
        ahead of the requests waiting on it, a size cap, and exempt from robots rules (a rights
        statement is read whatever robots.txt says) but not from Crawl-delay."""
        return Request(
            url,
            meta={
                "dont_obey_robotstxt": True, SITE_FILE_META: True, "dont_retry": True,
                "download_timeout": self.config.timeout, "download_maxsize": maxsize, "download_warnsize": 0,
            },
            dont_filter=True,
            priority=PRIORITY,
        )  # fmt: skip

    async def download(self, request: Request) -> Response:
        """``request`` through the engine and every downloader middleware (the private-address
        guard on every redirect hop, robots.txt unless exempt, Crawl-delay)."""
        engine = self.crawler.engine
        assert engine is not None
        return await engine.download_async(request)


def _weight(answer: tuple[object, int]) -> int:
    return answer[1]
