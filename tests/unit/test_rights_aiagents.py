"""AI-crawler rules in real robots.txt files, and the reading of ROBOTSTXT_AI_AGENTS.

tests/fixtures/robots/robots_2026-01.tar.xz holds, byte for byte, the 204 robots.txt files that
samber/the-great-gpt-firewall fetched in January 2026 and the ai.robots.txt community blocklist
(tests/fixtures/robots/, tests/fixtures/README.md), compressed since they are 3.4 MB.
"""

from __future__ import annotations

import tarfile
from functools import cache
from pathlib import Path

import pytest
from protego import Protego

from imagespider.rights.aiagents import (
    DEFAULT_AI_AGENTS,
    ai_agents_setting,
    barring_agent,
    named_agents,
)
from imagespider.sitesignals.robotparser import AiAwareRobotParser

ARCHIVE = Path(__file__).parents[1] / "fixtures" / "robots" / "robots_2026-01.tar.xz"
US = "imagespider/0.1 (+https://github.com/imagespider/imagespider)"


@cache
def real_files() -> dict[str, str]:
    with tarfile.open(ARCHIVE) as tar:
        return {
            m.name.rsplit("/", 1)[-1]: tar.extractfile(m).read().decode("utf-8", "replace")  # type: ignore[union-attr]
            for m in tar.getmembers()
            if m.isfile()
        }


def test_the_archive_holds_205_files() -> None:
    assert len(real_files()) == 205


def test_how_many_real_sites_bar_ai_crawlers() -> None:
    """78 of the 205 name a default AI agent and bar it from the whole site; 71 of them let
    imagespider in, so only this rule hears their "no AI training" (the issue estimated 73)."""
    barred, barred_but_open_to_us = [], []
    for name, text in real_files().items():
        parser = Protego.parse(text)
        agent = barring_agent(parser, named_agents(text), "https://site.example/", DEFAULT_AI_AGENTS)
        if agent:
            barred.append(name)
            if parser.can_fetch("https://site.example/", US):
                barred_but_open_to_us.append(name)
    assert (len(barred), len(barred_but_open_to_us)) == (78, 71)
    assert "www.nytimes.com.robots.txt" in barred_but_open_to_us


@pytest.mark.parametrize(
    ("name", "agent"),
    [
        ("www.nytimes.com.robots.txt", "GPTBot"),
        ("ai-robots-txt__robots.txt", "GPTBot"),
    ],
)
def test_named_agent_from_a_real_file(name: str, agent: str) -> None:
    text = real_files()[name]
    assert barring_agent(Protego.parse(text), named_agents(text), "https://x.example/a.jpg", DEFAULT_AI_AGENTS) == agent


def test_star_rules_do_not_single_out_ai_agents() -> None:
    text = "User-agent: imagespider\nAllow: /\n\nUser-agent: *\nDisallow: /\n"
    parser = Protego.parse(text)
    assert barring_agent(parser, named_agents(text), "https://x.example/a.jpg", DEFAULT_AI_AGENTS) is None


def test_path_rules_and_grouped_agents() -> None:
    text = "User-agent: CCBot\nUser-agent: ClaudeBot\nDisallow: /photos/\n\nUser-agent: *\nAllow: /\n"
    parser = Protego.parse(text)
    named = named_agents(text)
    assert barring_agent(parser, named, "https://x.example/photos/1.jpg", DEFAULT_AI_AGENTS) == "CCBot"
    assert barring_agent(parser, named, "https://x.example/other/1.jpg", DEFAULT_AI_AGENTS) is None
    assert barring_agent(parser, named, "https://x.example/photos/1.jpg", ("ClaudeBot",)) == "ClaudeBot"
    assert barring_agent(parser, named, "https://x.example/photos/1.jpg", ()) is None


def test_scrapy_parser_subclass_knows_named_agents() -> None:
    parser = AiAwareRobotParser(b"User-agent: GPTBot\nDisallow: /\n", None)
    assert parser.allowed("https://x.example/a.jpg", US)
    assert parser.barring_agent("https://x.example/a.jpg", DEFAULT_AI_AGENTS) == "GPTBot"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (list(DEFAULT_AI_AGENTS), DEFAULT_AI_AGENTS),
        ("GPTBot, CCBot", ("GPTBot", "CCBot")),
        ("", ()),
        ([], ()),
        (None, ()),
    ],
)
def test_setting(value: object, expected: tuple[str, ...]) -> None:
    assert ai_agents_setting(value) == expected


def test_every_default_agent_is_named_in_the_ai_robots_txt_list() -> None:
    """The list the defaults were taken from (2026-12-07) names every one of them, LAIONDownloader
    included, so a site that copies it bars each from the whole site."""
    text = real_files()["ai-robots-txt__robots.txt"]
    named, parser = named_agents(text), Protego.parse(text)
    for agent in DEFAULT_AI_AGENTS:
        assert barring_agent(parser, named, "https://x.example/a.jpg", (agent,)) == agent, agent


def test_laion_downloader_by_name() -> None:
    text = "User-agent: LAIONDownloader\nDisallow: /photos/\n\nUser-agent: *\nAllow: /\n"
    parser = AiAwareRobotParser(text.encode(), None)
    assert parser.allowed("https://x.example/photos/a.jpg", US)
    assert parser.barring_agent("https://x.example/photos/a.jpg", DEFAULT_AI_AGENTS) == "LAIONDownloader"
    assert parser.barring_agent("https://x.example/photos/a.jpg", DEFAULT_AI_AGENTS[:13]) is None


def test_named_agents_reads_a_file_of_blank_lines_in_linear_time() -> None:
    import time

    started = time.monotonic()
    assert named_agents("\n" * 200_000 + " \n" * 100_000 + "User-agent: GPTBot\n") == frozenset({"gptbot"})
    assert time.monotonic() - started < 1
