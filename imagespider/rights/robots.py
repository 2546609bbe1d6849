"""robots.txt of hosts we do not fetch from directly (an image's source page).

Scrapy's RobotsTxtMiddleware already guards every request we make, image downloads included.
A source page is never requested, yet its owner's robots.txt is an opt-out too: this asks the
page host's robots.txt, once per host, through Scrapy's downloader, and reads it with Protego,
the parser Scrapy itself uses.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from urllib.parse import urlsplit

from protego import Protego
from scrapy import Request
from scrapy.crawler import Crawler

from imagespider.downloadermiddlewares.robotstxt import MAX_BODY_META, ROBOTS_MAX_BYTES, cap_bodies, robots_text
from imagespider.rights.aiagents import barring_agent, named_agents


class RobotsCache:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        settings = crawler.settings
        self.user_agent = settings.get("ROBOTSTXT_USER_AGENT") or settings.get("USER_AGENT") or "*"
        self._parsers: dict[str, asyncio.Future[Protego | None]] = {}
        #: The user agents each origin's robots.txt names (for the AI-agent rule).
        self._named: dict[str, frozenset[str]] = {}
        cap_bodies(crawler)  # read to ROBOTS_MAX_BYTES, as the image hosts' robots.txt

    async def allowed(self, url: str) -> bool:
        parser, _ = await self._parser(url)
        return parser is None or parser.can_fetch(url, self.user_agent)

    async def barring_ai_agent(self, url: str, agents: Sequence[str]) -> str | None:
        """The AI-training crawler the URL's robots.txt names and bars from it (rights/aiagents.py)."""
        if not agents:
            return None
        parser, key = await self._parser(url)
        if parser is None:
            return None
        return barring_agent(parser, self._named.get(key, frozenset()), url, agents)

    async def _parser(self, url: str) -> tuple[Protego | None, str]:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            return None, ""
        key = f"{parts.scheme}://{parts.netloc}"
        if key not in self._parsers:
            future: asyncio.Future[Protego | None] = asyncio.get_running_loop().create_future()
            self._parsers[key] = future
            future.set_result(await self._fetch(key))
        return await self._parsers[key], key

    async def _fetch(self, origin: str) -> Protego | None:
        """A missing or unreadable robots.txt allows everything, as in Scrapy's middleware."""
        # One try, briefly: a page host that does not answer has said nothing, and every item
        # from that host waits on this answer.
        request = Request(
            f"{origin}/robots.txt",
            meta={
                "dont_obey_robotstxt": True, "dont_retry": True, "download_timeout": 10,
                MAX_BODY_META: ROBOTS_MAX_BYTES,
            },
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
        text = robots_text(response.body).decode("utf-8", errors="replace")
        try:
            parser = Protego.parse(text)
        except Exception:  # noqa: BLE001
            return None
        self._named[origin] = named_agents(text)
        return parser
