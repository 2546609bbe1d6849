"""robots.txt obeyed for every image.

``RobotsTxtMiddleware`` works around a Scrapy 2.19 bug: while a host's robots.txt is being
fetched, every request to that host waits on one Deferred through ``maybe_deferred_to_future``;
the first waiter's callback returns None, so every later waiter receives None and is let
through unchecked (scrapy/scrapy#6802 turned the old callback, which passed the parser on,
into ``await maybe_deferred_to_future(parser)``). An image host disallowing us must be obeyed
for every image, not only the first two, so each parsed robots.txt is also kept here, from
Scrapy's public ``robots_parsed`` signal (sent before any waiter wakes), and a waiter handed
None gets the host's parser from that copy. A robots.txt that could not be fetched sends no
signal and allows everything, as in Scrapy.

It also refuses a URL that robots.txt bars to a named AI-training crawler (``ROBOTSTXT_AI_AGENTS``,
imagespider/rights/aiagents.py), with reason ``robots_txt_ai``: the same robots.txt, read once.

A robots.txt is read to its first :data:`ROBOTS_MAX_BYTES` (500 KiB, as Google does: rules
past it are ignored). Without a cap a 34 MB robots.txt took 1.8 GB and 40-50 s of the reactor
thread to parse, stalling every other host; now its download stops at the cap
(:func:`cap_bodies`, Scrapy's ``bytes_received`` signal and ``StopDownload(fail=False)``, which
keeps what arrived) and the rest is never read; the parser (imagespider/rights/aiagents.py) reads
what arrived up to the last whole line within the cap. Any request can ask for the same with
``meta[MAX_BODY_META] = bytes`` (the source pages' robots.txt in imagespider/rights/robots.py).
"""

from __future__ import annotations

from typing import Any

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware as ScrapyRobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest, StopDownload
from scrapy.robotstxt import RobotParser
from scrapy.utils.httpobj import urlparse_cached

from imagespider.rights.aiagents import ROBOTS_MAX_BYTES, AiAwareRobotParser, ai_agents_setting, robots_text

__all__ = ["MAX_BODY_META", "ROBOTS_MAX_BYTES", "RobotsTxtMiddleware", "body_cap", "cap_bodies", "robots_text"]

#: Request meta key: stop the body after this many bytes and keep what arrived.
MAX_BODY_META = "imagespider_max_body"
_SEEN_META = "_imagespider_body_seen"


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


def cap_bodies(crawler: Crawler) -> None:
    """Connect the cap to ``crawler`` once (every component that needs it may ask)."""
    if not getattr(crawler, "_imagespider_bodies_capped", False):
        crawler.signals.connect(_stop_at_cap, signal=signals.bytes_received)
        crawler._imagespider_bodies_capped = True  # type: ignore[attr-defined]


class AiAgentsBarred(IgnoreRequest):
    """A URL robots.txt disallows to a named AI-training crawler; ``reason`` is the drop reason."""

    reason = "robots_txt_ai"


class RobotsTxtMiddleware(ScrapyRobotsTxtMiddleware):
    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.ai_agents = ai_agents_setting(crawler.settings.get("ROBOTSTXT_AI_AGENTS"))
        cap_bodies(crawler)
        #: Parsed robots.txt by host (netloc), as Scrapy's middleware keys them.
        self.parsed: dict[str, RobotParser] = {}
        crawler.signals.connect(self._robots_parsed, signal=signals.robots_parsed)

    def _robots_parsed(self, robotparser: RobotParser, request: Request, **_: Any) -> None:
        self.parsed[urlparse_cached(request).netloc] = robotparser

    def process_request_2(self, rp: RobotParser | None, request: Request) -> None:
        super().process_request_2(rp, request)
        if self.ai_agents and isinstance(rp, AiAwareRobotParser):
            agent = rp.barring_agent(request.url, self.ai_agents)
            if agent:
                self._stats.inc_value("robotstxt/forbidden_ai")
                raise AiAgentsBarred(f"robots.txt disallows {agent} (an AI-training crawler) from {request.url}")

    async def robot_parser(self, request: Request) -> RobotParser | None:
        parser = await super().robot_parser(request)
        return parser if parser is not None else self.parsed.get(urlparse_cached(request).netloc)
