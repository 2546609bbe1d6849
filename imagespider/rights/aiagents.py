"""robots.txt rules for AI-training crawlers, read as the owner's reservation of AI/TDM use.

Many sites keep robots.txt open to search engines and to us but bar GPTBot, CCBot,
Google-Extended and their kind from the whole site: of the 205 real robots.txt files in
tests/fixtures/robots/ (January 2026), 78 name and bar one of the default agents, 71 of
them while letting ``imagespider`` in (tests/unit/test_rights_aiagents.py). That is a
reservation of text and data mining in machine-readable form (EU DSM Directive Art. 4(3)),
whatever it says to ``imagespider``: a dataset built for training is exactly the use those rules
refuse. ``ROBOTSTXT_AI_AGENTS`` lists the agents; a URL that robots.txt disallows to any of them
is dropped with reason ``robots_txt_ai``.

Only groups that *name* an agent count. An agent that falls back to ``User-agent: *`` is not
singled out: a ``*`` rule binds us already (reason ``robots_txt``), and a robots.txt that lets
``imagespider`` in by name while keeping ``*`` out has said yes to us, not no to AI.

Pure: robots.txt text and URLs in, an agent name out. The parser is Protego, Scrapy's own; the
same parse keeps the file's Content-Signal, Content-Usage and License lines (rights/robotsrules.py).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Self

from protego import Protego
from scrapy.crawler import Crawler
from scrapy.robotstxt import ProtegoRobotParser

from imagespider.rights.robotsrules import parse_robots_rules

__all__ = ["DEFAULT_AI_AGENTS", "AiAwareRobotParser", "barring_agent", "named_agents"]

#: The default of ROBOTSTXT_AI_AGENTS: crawlers that collect training data for AI models.
#: The first thirteen since issue 15; the rest added 2026-12-07 from the ai.robots.txt community
#: list (github.com/ai-robots-txt/ai.robots.txt, robots.txt and robots.json, the copy in
#: tests/fixtures/robots/robots_2026-01.tar.xz), keeping only agents whose stated function is
#: collecting training data or datasets: search, assistant and user-triggered fetchers (ChatGPT-User,
#: OAI-SearchBot, Claude-SearchBot...) are left out, since barring them says nothing about training.
DEFAULT_AI_AGENTS: tuple[str, ...] = (
    "GPTBot",
    "CCBot",
    "Google-Extended",
    "ClaudeBot",
    "anthropic-ai",
    "Applebot-Extended",
    "Bytespider",
    "meta-externalagent",
    "cohere-ai",
    "PerplexityBot",
    "Diffbot",
    "omgili",
    "img2dataset",
    "AI2Bot",
    "Ai2Bot-Dolma",
    "cohere-training-data-crawler",
    "ImagesiftBot",
    "LAIONDownloader",
    "laion-huggingface-processor",
    "Google-CloudVertexBot",
    "GoogleOther-Image",
    "FacebookBot",
    "TikTokSpider",
    "Timpibot",
    "Webzio-Extended",
    "YandexAdditional",
    "PanguBot",
    "DeepSeekBot",
    "omgilibot",
)

#: Blanks, not ``\s``, around the name: ``^\s*`` crosses newlines, and a robots.txt of 100,000 empty
#: lines took 36 s of the reactor thread (each line start rescanned every line after it).
_USER_AGENT_LINE = re.compile(r"^[ \t]*user[-_ ]?agent[ \t]*:[ \t]*([^#\s]+)", re.IGNORECASE | re.MULTILINE)


def named_agents(robots_txt: str) -> frozenset[str]:
    """Every user-agent token a robots.txt names in a group, lower-cased, ``*`` excluded."""
    return frozenset(t.lower() for t in _USER_AGENT_LINE.findall(robots_txt) if t != "*")


def barring_agent(parser: Protego, named: frozenset[str], url: str, agents: Sequence[str]) -> str | None:
    """The first of ``agents`` that the robots.txt names and disallows ``url`` to, else None."""
    for agent in agents:
        if agent.lower() in named and not parser.can_fetch(url, agent):
            return agent
    return None


#: Bytes of a robots.txt that are read; Google reads 500 KiB and ignores the rest.
ROBOTS_MAX_BYTES = 500 * 1024


def robots_text(body: bytes, limit: int = ROBOTS_MAX_BYTES) -> bytes:
    """The first ``limit`` bytes of a robots.txt, cut back to a whole line."""
    if len(body) <= limit:
        return body
    head = body[:limit]
    return head[: head.rfind(b"\n") + 1]


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


def ai_agents_setting(value: object) -> tuple[str, ...]:
    """ROBOTSTXT_AI_AGENTS as a tuple: a list, or a comma-separated string from ``-s``; empty = off."""
    items = value.split(",") if isinstance(value, str) else list(value or ())  # type: ignore[call-overload]
    return tuple(str(a).strip() for a in items if str(a).strip())
