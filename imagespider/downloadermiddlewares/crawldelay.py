"""robots.txt ``Crawl-delay`` honoured per host, for every request we make to it.

Scrapy reads Crawl-delay (``RobotParser.crawl_delay``) but never applies it. Here each request
to a host whose robots.txt sets one for our user agent (or ``*``) goes to a download slot of its
own, ``crawl-delay:<host:port>``, that starts one request at a time and waits the delay between
starts, with no jitter (Scrapy's ``DOWNLOAD_DELAY_JITTER`` would start some at half the delay).
Images, source pages (their ``page:`` slot is replaced) and site files (tdmrep.json, ai.txt, RSL
documents: :data:`SITE_FILE_META`) all share it; robots.txt itself is fetched first, and an
engine's own results pages and API calls (``dont_obey_robotstxt``) keep their pacing.

A delay over ``ROBOTSTXT_CRAWL_DELAY_MAX`` (default 10 s) is waited at the cap and logged once per
host: a 30 s delay on a site of 300 images would hold a crawl for hours. ``0`` turns this off,
and so does ``ROBOTSTXT_OBEY = False``. The slot's settings are set in Scrapy's downloader
(``per_slot_settings``, the ``DOWNLOAD_SLOTS`` it read), so a slot Scrapy drops when idle comes
back with the same delay; AutoThrottle is told not to shorten it. The first request after
robots.txt waits the delay too (the slot is made here, last used as robots.txt answered).
"""

from __future__ import annotations

import logging
from time import monotonic
from typing import Self

from scrapy import Request
from scrapy.core.downloader import Slot
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.utils.httpobj import urlparse_cached

from imagespider.sitesignals.fetch import SITE_FILE_META
from imagespider.sitesignals.robots import RobotsCache

__all__ = ["CrawlDelayMiddleware"]

logger = logging.getLogger(__name__)

SLOT_PREFIX = "crawl-delay:"
#: Hosts whose capped delay has been logged; past this, further hosts are not logged.
MAX_LOGGED = 4096


class CrawlDelayMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        self.cap = settings.getfloat("ROBOTSTXT_CRAWL_DELAY_MAX")
        if not settings.getbool("ROBOTSTXT_OBEY") or self.cap <= 0:
            raise NotConfigured
        self.crawler = crawler
        self.cache = RobotsCache.of(crawler)
        self._logged: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    async def process_request(self, request: Request) -> None:
        if request.meta.get("dont_obey_robotstxt") and not request.meta.get(SITE_FILE_META):
            return  # robots.txt itself, an engine's results page or API call
        parts = urlparse_cached(request)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            return
        delay = await self.cache.crawl_delay(request.url)
        if delay is None:
            if str(request.meta.get("download_slot", "")).startswith(SLOT_PREFIX):
                del request.meta["download_slot"]  # redirected here from a Crawl-delay host
            return
        if delay > self.cap:
            self._log_cap(parts.netloc, delay)
            delay = self.cap
        key = SLOT_PREFIX + parts.netloc
        request.meta["download_slot"] = key
        request.meta["autothrottle_dont_adjust_delay"] = True
        engine = self.crawler.engine
        downloader = getattr(engine, "downloader", None)
        if downloader is None:
            return
        delay = max(delay, self.crawler.settings.getfloat("DOWNLOAD_DELAY"))
        downloader.per_slot_settings[key] = {"concurrency": 1, "delay": delay, "jitter": 0}
        slot = downloader.slots.get(key)
        if slot is None:
            # robots.txt was read just now (this request waited for it): the first request
            # waits the delay after it too, as it would after any other request to the host.
            slot = downloader.slots[key] = Slot(1, delay, 0)
            slot.lastseen = monotonic()
        slot.concurrency, slot.delay, slot.jitter = 1, delay, 0

    def _log_cap(self, netloc: str, delay: float) -> None:
        if netloc in self._logged or len(self._logged) >= MAX_LOGGED:
            return
        self._logged.add(netloc)
        logger.warning(
            "robots.txt of %s asks a Crawl-delay of %g s; waiting %g s between its requests "
            "(ROBOTSTXT_CRAWL_DELAY_MAX)", netloc, delay, self.cap,
        )  # fmt: skip
