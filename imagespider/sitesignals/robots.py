"""robots.txt of every host a crawl touches, fetched once per host and shared.

Two parts of a crawl ask robots.txt: Scrapy's downloader middleware, for every request we make
(images, source pages, site files), and the license pipeline, for an image's source page before
the page is read (imagespider/pipelines/license.py). They share this one cache, so each host's
robots.txt is downloaded once, whichever asks first; tests/crawl/test_optouts.py counts it.

The cache replaces Scrapy 2.19's ``RobotsTxtMiddleware.robot_parser`` (the middleware in
imagespider/downloadermiddlewares/robotstxt.py asks here), because that one has two faults for
us: while a host's robots.txt loads, every waiter after the first is handed None from the shared
Deferred and let through unchecked (scrapy/scrapy#6802 made the old callback, which passed the
parser on, into ``await maybe_deferred_to_future(parser)``), and it logs a traceback for every
host that does not answer. Here each host is an asyncio task that every waiter awaits.

A robots.txt that cannot be had (no answer, a 4xx or 5xx) allows everything, as in Scrapy. One is
read to its first :data:`ROBOTS_MAX_BYTES` (500 KiB, as Google does: rules past it are ignored).
Without a cap a 34 MB robots.txt took 1.8 GB and 40-50 s of the reactor thread to parse; now its
download stops at the cap (:func:`cap_bodies`: Scrapy's ``bytes_received`` signal and
``StopDownload(fail=False)``, which keeps what arrived) and the parser reads what arrived up to
the last whole line. Any request can ask for the same with ``meta[MAX_BODY_META] = bytes``.
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from typing import Any

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest, StopDownload
from scrapy.http.request import NO_CALLBACK
from scrapy.robotstxt import RobotParser
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.misc import build_from_crawler, load_object

from imagespider.rights.aiagents import ROBOTS_MAX_BYTES
from imagespider.rights.robotsrules import RobotsRules
from imagespider.sitesignals.fetch import MAX_BODY_META, PRIORITY, SITE_FILE_META, SiteSignals
from imagespider.sitesignals.robotparser import AiAwareRobotParser

__all__ = ["MAX_BODY_META", "ROBOTS_MAX_BYTES", "SITE_FILE_META", "RobotsCache", "body_cap", "cap_bodies"]

_SEEN_META = "_imagespider_body_seen"
#: The kind of robots.txt in the site-signal cache and its stats (``imagespider/robotstxt/...``).
KIND = "robotstxt"


def body_cap(request: Request) -> int | None:
    """The bytes of ``request``'s response body that are read: the meta key's, or
    :data:`ROBOTS_MAX_BYTES` for any robots.txt fetched for the robots rules."""
    cap = request.meta.get(MAX_BODY_META)
    if cap is None and request.meta.get("dont_obey_robotstxt") and urlparse_cached(request).path == "/robots.txt":
        cap = ROBOTS_MAX_BYTES
    return cap


def _stop_at_cap(data: bytes, request: Request, **_: Any) -> None:
    cap = body_cap(request)
    if cap is None:
        return
    seen = request.meta.get(_SEEN_META, 0) + len(data)
    request.meta[_SEEN_META] = seen
    if seen >= cap:
        raise StopDownload(fail=False)


_CAPPED: weakref.WeakSet[Crawler] = weakref.WeakSet()


def cap_bodies(crawler: Crawler) -> None:
    """Connect the cap to ``crawler`` once (every component that needs it may ask)."""
    if crawler not in _CAPPED:
        crawler.signals.connect(_stop_at_cap, signal=signals.bytes_received)
        _CAPPED.add(crawler)


_CACHES: weakref.WeakKeyDictionary[Crawler, RobotsCache] = weakref.WeakKeyDictionary()


class RobotsCache:
    """One crawl's parsed robots.txt, by host (netloc, as Scrapy's middleware keys them), kept in
    the crawl's site-signal cache (imagespider/sitesignals/cache.py)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.signals = SiteSignals.of(crawler)
        self.user_agent = self.signals.config.user_agent
        self.parser_class = load_object(self.signals.config.robots_parser)
        cap_bodies(crawler)

    @classmethod
    def of(cls, crawler: Crawler) -> RobotsCache:
        """The crawl's one cache (the middleware and the license pipeline share it)."""
        cache = _CACHES.get(crawler)
        if cache is None:
            cache = _CACHES[crawler] = cls(crawler)
        return cache

    async def parser(self, url: str) -> RobotParser | None:
        """The parsed robots.txt of ``url``'s host, or None when it says nothing: the first
        caller starts the download, every other caller waits for the same one."""
        try:
            request = Request(url, callback=NO_CALLBACK) if url.startswith(("http://", "https://")) else None
        except ValueError:  # "Invalid IPv6 URL", "Port out of range": no host to ask
            return None
        if request is None or not urlparse_cached(request).netloc:
            return None
        parts = urlparse_cached(request)
        robots_url = f"{parts.scheme}://{parts.netloc}/robots.txt"
        return await self.signals.get(KIND, request.url, "robots.txt", lambda: self._fetch(robots_url))

    async def allowed(self, url: str) -> bool:
        parser = await self.parser(url)
        return parser is None or parser.allowed(url, self.user_agent)

    async def barring_ai_agent(self, url: str, agents: Sequence[str]) -> str | None:
        """The AI-training crawler the URL's robots.txt names and bars from it (rights/aiagents.py)."""
        if not agents:
            return None
        parser = await self.parser(url)
        return parser.barring_agent(url, agents) if isinstance(parser, AiAwareRobotParser) else None

    async def rules(self, url: str) -> RobotsRules | None:
        """The Content-Signal, Content-Usage and License lines of the URL's robots.txt."""
        parser = await self.parser(url)
        return parser.rules if isinstance(parser, AiAwareRobotParser) else None

    async def crawl_delay(self, url: str) -> float | None:
        """The Crawl-delay the URL's robots.txt sets for our user agent (or ``*``), in seconds."""
        parser = await self.parser(url)
        delay = parser.crawl_delay(self.user_agent) if parser is not None else None
        return delay if delay is not None and delay > 0 else None

    async def _fetch(self, robots_url: str) -> tuple[RobotParser | None, int]:
        """The parser and its weight in the cache (the body's size, in half kilobytes). Scrapy's
        own ``robotstxt/...`` stats are kept, and the scheme's ``imagespider/robotstxt/found|
        missing|broken|unavailable`` counted."""
        # One try, briefly: a host that does not answer has said nothing, and every request to
        # that host waits on this answer.
        config = self.signals.config
        request = Request(
            robots_url,
            priority=PRIORITY,
            meta={
                "dont_obey_robotstxt": True, "dont_retry": True, "download_timeout": config.timeout,
                MAX_BODY_META: config.robots_maxsize,
            },
            callback=NO_CALLBACK,
            dont_filter=True,
        )  # fmt: skip
        stats = self.crawler.stats
        if stats is not None:
            stats.inc_value("robotstxt/request_count")
        try:
            response = await self.signals.download(request)
        except Exception as error:  # noqa: BLE001  (a host that cannot be reached has said nothing)
            if stats is not None and not isinstance(error, IgnoreRequest):
                stats.inc_value(f"robotstxt/exception_count/{type(error).__name__}")
            self.signals.count(KIND, "unavailable")
            return None, 1
        if stats is not None:
            stats.inc_value("robotstxt/response_count")
            stats.inc_value(f"robotstxt/response_status_count/{response.status}")
        if response.status >= 400:
            self.signals.count(KIND, "missing")
            return None, 1
        try:
            parser: RobotParser = build_from_crawler(self.parser_class, self.crawler, response.body)
        except Exception:  # noqa: BLE001  (an unparseable robots.txt says nothing)
            self.signals.count(KIND, "broken")
            return None, 1
        self.signals.count(KIND, "found")
        await self.crawler.signals.send_catch_log_async(
            signal=signals.robots_parsed, robotparser=parser, request=request
        )
        return parser, 1 + len(response.body) // 512
