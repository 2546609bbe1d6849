"""robots.txt of hosts we do not fetch from directly (an image's source page).

Scrapy's RobotsTxtMiddleware already guards every request we make, image downloads included.
A source page is never requested, yet its owner's robots.txt is an opt-out too: this asks the
page host's robots.txt, once per host, through Scrapy's downloader, and reads it with Protego,
the parser Scrapy itself uses.
"""

from __future__ import annotations

import asyncio
from urllib.parse import urlsplit

from protego import Protego
from scrapy import Request
from scrapy.crawler import Crawler


class RobotsCache:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        settings = crawler.settings
        self.user_agent = settings.get("ROBOTSTXT_USER_AGENT") or settings.get("USER_AGENT") or "*"
        self._parsers: dict[str, asyncio.Future[Protego | None]] = {}

    async def allowed(self, url: str) -> bool:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            return True
        key = f"{parts.scheme}://{parts.netloc}"
        if key not in self._parsers:
            future: asyncio.Future[Protego | None] = asyncio.get_running_loop().create_future()
            self._parsers[key] = future
            future.set_result(await self._fetch(key))
        parser = await self._parsers[key]
        return parser is None or parser.can_fetch(url, self.user_agent)

    async def _fetch(self, origin: str) -> Protego | None:
        """A missing or unreadable robots.txt allows everything, as in Scrapy's middleware."""
        # One try, briefly: a page host that does not answer has said nothing, and every item
        # from that host waits on this answer.
        request = Request(
            f"{origin}/robots.txt",
            meta={"dont_obey_robotstxt": True, "dont_retry": True, "download_timeout": 10},
            dont_filter=True,
        )
        try:
            engine = self.crawler.engine
            assert engine is not None
            response = await engine.download_async(request)
        except Exception:  # noqa: BLE001  (a host that cannot be reached has said nothing)
            return None
        if response.status != 200:
            return None
        try:
            return Protego.parse(response.body.decode("utf-8", errors="replace"))
        except Exception:  # noqa: BLE001
            return None
