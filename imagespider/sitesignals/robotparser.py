"""Scrapy's Protego robots.txt parser (``ROBOTSTXT_PARSER``), also knowing which agents a robots.txt
names and its Content-Signal, Content-Usage and License lines, so the robots.txt middleware and the
license pipeline answer every robots.txt question from the one parse (imagespider/sitesignals/robots.py
caches it per host). The reading itself is pure and lives in imagespider/rights/aiagents.py and
imagespider/rights/robotsrules.py; this is the Scrapy side of it, kept out of ``rights/``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Self

from scrapy.crawler import Crawler
from scrapy.robotstxt import ProtegoRobotParser

from imagespider.rights.aiagents import ROBOTS_MAX_BYTES, barring_agent, named_agents, robots_text
from imagespider.rights.robotsrules import parse_robots_rules


class AiAwareRobotParser(ProtegoRobotParser):
    """Scrapy's Protego parser (ROBOTSTXT_PARSER), also knowing which agents the file names, so
    the robots.txt middleware answers the AI-agent question from the robots.txt it already has.
    It reads a robots.txt to its first :data:`ROBOTS_MAX_BYTES` (imagespider/downloadermiddlewares/
    robotstxt.py stops the download there)."""

    @classmethod
    def from_crawler(cls, crawler: Crawler, robotstxt_body: bytes) -> Self:
        stats = crawler.stats if crawler else None
        if len(robotstxt_body) > ROBOTS_MAX_BYTES:
            if stats is not None:
                stats.inc_value("imagespider/robotstxt/truncated")
            robotstxt_body = robots_text(robotstxt_body)
        parser = super().from_crawler(crawler, robotstxt_body)
        if stats is not None:  # imagespider/<signal>/found|missing|broken, once per robots.txt read
            rules = parser.rules
            for directive, signal in (("Content-Signal", "content_signal"), ("Content-Usage", "content_usage")):
                state = "broken" if directive in rules.unreadable else "missing"
                state = "found" if directive in rules.directives() else state
                stats.inc_value(f"imagespider/{signal}/{state}")
        return parser

    def __init__(self, robotstxt_body: bytes, spider: object) -> None:
        super().__init__(robotstxt_body, spider)  # type: ignore[arg-type]
        text = robotstxt_body.decode("utf-8", errors="replace")
        self.named = named_agents(text)
        #: Content-Signal, Content-Usage and License lines (rights/robotsrules.py).
        self.rules = parse_robots_rules(text)

    def barring_agent(self, url: str, agents: Sequence[str]) -> str | None:
        return barring_agent(self.rp, self.named, url, agents)
