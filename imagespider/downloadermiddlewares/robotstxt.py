"""robots.txt obeyed for every image.

``RobotsTxtMiddleware`` works around a Scrapy 2.19 bug: while a host's robots.txt is being
fetched, every request to that host waits on one Deferred through ``maybe_deferred_to_future``;
the first waiter's callback returns None, so every later waiter receives None and is let
through unchecked (scrapy/scrapy#6802 turned the old callback, which passed the parser on,
into ``await maybe_deferred_to_future(parser)``). An image host disallowing us must be obeyed
for every image, not only the first two, so the parser is read back from the cache after the wait.

It also refuses a URL that robots.txt bars to a named AI-training crawler (``ROBOTSTXT_AI_AGENTS``,
imagespider/rights/aiagents.py), with reason ``robots_txt_ai``: the same robots.txt, read once.
"""

from __future__ import annotations

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware as ScrapyRobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.robotstxt import RobotParser
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred

from imagespider.rights.aiagents import AiAwareRobotParser, ai_agents_setting


class AiAgentsBarred(IgnoreRequest):
    """A URL robots.txt disallows to a named AI-training crawler; ``reason`` is the drop reason."""

    reason = "robots_txt_ai"


class RobotsTxtMiddleware(ScrapyRobotsTxtMiddleware):
    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.ai_agents = ai_agents_setting(crawler.settings.get("ROBOTSTXT_AI_AGENTS"))

    def process_request_2(self, rp: RobotParser | None, request: Request) -> None:
        super().process_request_2(rp, request)
        if self.ai_agents and isinstance(rp, AiAwareRobotParser):
            agent = rp.barring_agent(request.url, self.ai_agents)
            if agent:
                self._stats.inc_value("robotstxt/forbidden_ai")
                raise AiAgentsBarred(f"robots.txt disallows {agent} (an AI-training crawler) from {request.url}")

    async def robot_parser(self, request: Request) -> RobotParser | None:
        parser = await super().robot_parser(request)
        cached = self._parsers.get(urlparse_cached(request).netloc)
        return parser if isinstance(cached, Deferred) else cached
