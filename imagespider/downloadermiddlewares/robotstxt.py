"""robots.txt obeyed for every request, from the crawl's one robots.txt cache.

Scrapy's middleware decides (``process_request_2``); the parser comes from
imagespider/sitesignals/robots.py, which the license pipeline shares for source pages and which
says why it replaces Scrapy's ``robot_parser``.

It also refuses a URL that robots.txt bars to a named AI-training crawler (``ROBOTSTXT_AI_AGENTS``,
imagespider/rights/aiagents.py), with reason ``robots_txt_ai``: the same robots.txt, read once.
"""

from __future__ import annotations

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware as ScrapyRobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.robotstxt import RobotParser

from imagespider.rights.aiagents import ai_agents_setting
from imagespider.sitesignals.robotparser import AiAwareRobotParser
from imagespider.sitesignals.robots import RobotsCache

__all__ = ["AiAgentsBarred", "RobotsTxtMiddleware"]


class AiAgentsBarred(IgnoreRequest):
    """A URL robots.txt disallows to a named AI-training crawler; ``reason`` is the drop reason."""

    reason = "robots_txt_ai"


class RobotsTxtMiddleware(ScrapyRobotsTxtMiddleware):
    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.ai_agents = ai_agents_setting(crawler.settings.get("ROBOTSTXT_AI_AGENTS"))
        self.cache = RobotsCache.of(crawler)

    def process_request_2(self, rp: RobotParser | None, request: Request) -> None:
        super().process_request_2(rp, request)
        if self.ai_agents and isinstance(rp, AiAwareRobotParser):
            agent = rp.barring_agent(request.url, self.ai_agents)
            if agent:
                if self.crawler.stats is not None:
                    self.crawler.stats.inc_value("robotstxt/forbidden_ai")
                raise AiAgentsBarred(f"robots.txt disallows {agent} (an AI-training crawler) from {request.url}")

    async def robot_parser(self, request: Request) -> RobotParser | None:
        return await self.cache.parser(request.url)
