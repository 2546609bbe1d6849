"""imagespider/rights/robotsrules.py: Content-Signal, Content-Usage and License lines of robots.txt,
read from the real files in tests/fixtures/robots/ (stackoverflow.com, lobste.rs, davidguetta.com
carry Content-Signal; stackoverflow.com a License line) and from draft-ietf-aipref-attach's shapes;
and the verdicts on all 205 real files: the same as before except where these lines apply."""

from __future__ import annotations

import time

import pytest
from protego import Protego

from imagespider.rights.aiagents import DEFAULT_AI_AGENTS, barring_agent, named_agents
from imagespider.rights.robotsrules import parse_robots_rules
from tests.unit.test_rights_aiagents import US, real_files


def test_real_content_signals_and_license() -> None:
    so = parse_robots_rules(real_files()["stackoverflow.com.robots.txt"])
    assert so.licenses == ("https://stackoverflow.com/license.xml",)
    hit = so.reservation("Content-Signal", "https://stackoverflow.com/questions/1")
    assert hit is not None and hit.reserved == "ai-train=no"
    assert hit.describe() == 'robots.txt line 4 "Content-Signal: search=no, ai-train=no"'
    guetta = parse_robots_rules(real_files()["davidguetta.com.robots.txt"])
    assert guetta.reservation("Content-Signal", "https://davidguetta.com/wp-content/uploads/a.jpg") is not None
    # lobste.rs writes it after its search engines' group: every group counts.
    assert parse_robots_rules(real_files()["lobste.rs.robots.txt"]).reservation("Content-Signal", "https://lobste.rs/")


def test_content_usage_longest_path_wins_and_a_tie_says_no() -> None:
    rules = parse_robots_rules(
        "User-Agent: *\nAllow: /\nContent-Usage: train-ai=n\nContent-Usage: /ai-ok/ train-ai=y\n"
        "Content-Usage: /mixed/ train-ai=y\nContent-Usage: /mixed/ train-ai=n\n"
    )
    assert rules.reservation("Content-Usage", "https://x.example/photos/a.jpg").describe() == (
        'robots.txt line 3 "Content-Usage: train-ai=n"'
    )
    assert rules.reservation("Content-Usage", "https://x.example/ai-ok/a.jpg") is None
    assert rules.reservation("Content-Usage", "https://x.example/mixed/a.jpg").line == 6
    assert rules.reservation("Content-Signal", "https://x.example/photos/a.jpg") is None


def test_a_yes_in_one_group_does_not_undo_a_no_in_another() -> None:
    text = "User-agent: imagespider\nContent-Usage: train-ai=y\n\nUser-agent: *\nContent-Usage: /p/ train-ai=n\n"
    assert parse_robots_rules(text).reservation("Content-Usage", "https://x.example/p/a.jpg") is not None


def test_unreadable_lines_and_bounds() -> None:
    rules = parse_robots_rules("Content-Signal: nothing here\nContent-Usage:\nLicense: a\nLicense: b\n" + "License: c\n" * 9)
    assert rules.groups == () and rules.unreadable == ("Content-Signal", "Content-Usage")
    assert len(rules.licenses) == 4
    hostile = "User-agent: *\n" + "".join(f"Content-Usage: /{'*a' * 40}{n}b train-ai=n\n" for n in range(5000))
    started = time.monotonic()
    assert parse_robots_rules(hostile).reservation("Content-Usage", "https://x.example/" + "a" * 5000) is None
    assert time.monotonic() - started < 2


def verdict(text: str, url: str, agents: tuple[str, ...], signals: bool = True) -> str:
    parser = Protego.parse(text)
    if not parser.can_fetch(url, US):
        return "robots_txt"
    if barring_agent(parser, named_agents(text), url, agents):
        return "robots_txt_ai"
    rules = parse_robots_rules(text)
    for directive, reason in (("Content-Signal", "content_signal"), ("Content-Usage", "content_usage")):
        if signals and rules.reservation(directive, url):
            return reason
    return "kept"


@pytest.mark.parametrize("path", ["/", "/wp-content/uploads/2025/01/photo.jpg"])
def test_real_files_keep_their_verdicts_except_where_the_new_signals_apply(path: str) -> None:
    """Before: robots.txt for us, then the 13 AI agents of issue 15. After: the longer agent list and
    the Content-Signal / Content-Usage rules. No verdict of the 205 changes: the three files with a
    Content-Signal already keep us out (stackoverflow.com, lobste.rs: Disallow: /) or bar GPTBot
    (davidguetta.com); without the AI-agent rule, davidguetta.com's Content-Signal is what drops."""
    url = f"https://site.example{path}"
    changed = {
        name: (before, after)
        for name, text in real_files().items()
        if (before := verdict(text, url, DEFAULT_AI_AGENTS[:13], signals=False))
        != (after := verdict(text, url, DEFAULT_AI_AGENTS))
    }
    assert changed == {}
    with_signals = {name for name, text in real_files().items() if parse_robots_rules(text).groups}
    assert with_signals == {"stackoverflow.com.robots.txt", "lobste.rs.robots.txt", "davidguetta.com.robots.txt"}
    guetta = real_files()["davidguetta.com.robots.txt"]
    assert (verdict(guetta, url, (), signals=False), verdict(guetta, url, ())) == ("kept", "content_signal")


def test_a_long_run_of_spaces_is_read_in_linear_time() -> None:
    """A (.*?)\\s*$ line pattern took 45 s on one 100 KB line of spaces; robots.txt is read to 500 KiB."""
    text = "User-agent: *\nContent-Usage: /a" + " " * 400_000 + "train-ai=n\n"
    started = time.monotonic()
    rules = parse_robots_rules(text)
    assert time.monotonic() - started < 1
    assert rules.reservation("Content-Usage", "https://x.example/a/b.jpg") is not None
