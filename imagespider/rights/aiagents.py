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

Pure: robots.txt text and URLs in, an agent name out. The parser is Protego, Scrapy's own; Scrapy's
side of it (``ROBOTSTXT_PARSER``, the same parse keeping the file's Content-Signal, Content-Usage and
License lines) is imagespider/sitesignals/robotparser.py.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from protego import Protego

__all__ = ["DEFAULT_AI_AGENTS", "barring_agent", "named_agents"]

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


def ai_agents_setting(value: object) -> tuple[str, ...]:
    """ROBOTSTXT_AI_AGENTS as a tuple: a list, or a comma-separated string from ``-s``; empty = off."""
    items = value.split(",") if isinstance(value, str) else list(value or ())  # type: ignore[call-overload]
    return tuple(str(a).strip() for a in items if str(a).strip())
