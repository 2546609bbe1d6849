"""imagespider/rights/aitxt.py: Spawning's ai.txt, real files (tests/fixtures/aitxt/,
tests/fixtures/README.md) and RFC 9309's group and precedence rules."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from imagespider.rights.aitxt import parse_ai_txt

AITXT = Path(__file__).parents[1] / "fixtures" / "aitxt"


def test_the_ai_robots_txt_projects_file_reserves_everything() -> None:
    found = parse_ai_txt((AITXT / "ai-robots-txt__ai.txt").read_text())
    assert found is not None
    rule = found.disallowing("https://x.example/img/a.jpg", "imagespider")
    assert rule is not None and rule.describe() == 'ai.txt line 5 "Disallow: /"'


def test_a_file_type_list_reserves_those_types() -> None:
    found = parse_ai_txt((AITXT / "spawning-generator-file-types__ai.txt").read_text())
    assert found is not None
    assert found.disallowing("https://x.example/img/a.jpg", "imagespider").describe() == 'ai.txt line 20 "Disallow: *.jpg"'
    assert found.disallowing("https://x.example/img/a.webp?w=300", "imagespider") is not None
    assert found.disallowing("https://x.example/img/a.avif", "imagespider") is None


@pytest.mark.parametrize(
    ("text", "url", "reserved"),
    [
        ("User-Agent: *\nDisallow: *.jpg\nAllow: /free/*.jpg\n", "/free/a.jpg", False),  # longer Allow wins
        ("User-Agent: *\nDisallow: /a/\nAllow: /a/\n", "/a/x.jpg", False),  # a tie goes to Allow
        ("User-Agent: imagespider\nAllow: /\n\nUser-Agent: *\nDisallow: /\n", "/a.jpg", False),  # our group
        ("User-Agent: otherbot\nDisallow: /\n", "/a.jpg", False),
        ("User-Agent: *\nDisallow:\n", "/a.jpg", False),
        ("User-Agent: *\nDisallow: /photos/\n", "/photos/a.jpg", True),
    ],
)
def test_rules(text: str, url: str, reserved: bool) -> None:
    found = parse_ai_txt(text)
    assert found is not None
    assert (found.disallowing("https://x.example" + url, "imagespider") is not None) is reserved


def test_not_an_ai_txt() -> None:
    assert parse_ai_txt("<html><body>Page not found</body></html>") is None
    assert parse_ai_txt("") is None


def test_star_a_patterns_are_linear() -> None:
    text = "User-Agent: *\n" + "".join(f"Disallow: /{'*a' * 50}{n}b\n" for n in range(2000))
    found = parse_ai_txt(text)
    started = time.monotonic()
    assert found is not None and found.disallowing("https://x.example/" + "a" * 20_000, "imagespider") is None
    assert time.monotonic() - started < 2


def test_a_long_run_of_spaces_is_read_in_linear_time() -> None:
    started = time.monotonic()
    found = parse_ai_txt("User-Agent: *\nDisallow: /a" + " " * 400_000 + "b\nDisallow: /c/\n")
    assert time.monotonic() - started < 1
    assert found is not None and found.disallowing("https://x.example/c/d.jpg", "imagespider") is not None
