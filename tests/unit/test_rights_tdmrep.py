"""The TDMRep site file: real deployed files (tests/fixtures/tdmrep/, copied from
tests/fixtures/tdmrep/, tests/fixtures/README.md) and the W3C spec's own examples."""

from __future__ import annotations

from pathlib import Path

import pytest

from imagespider.rights.tdmrep import TdmRule, TdmRules, parse_tdmrep

FIXTURES = Path(__file__).parents[1] / "fixtures" / "tdmrep"

#: The spec's second example (section "TDM File on the Origin Server"), as written there.
SPEC_EXAMPLE = """[
  {"location": "/directory-a/", "tdm-reservation": 1},
  {"location": "/directory-b/html/", "tdm-reservation": 1, "tdm-policy":"https://provider.com/policies/policy.json"},
  {"location": "/directory-b/images/*.jpg", "tdm-reservation": 0}
]"""


def test_real_site_reserving_everything() -> None:
    rules = parse_tdmrep((FIXTURES / "healsdata-ai-training-opt-out__tdmrep.json").read_bytes())
    assert rules == TdmRules((TdmRule("/", True),))
    assert rules.reservation("https://site.example/any/photo.jpg") == TdmRule("/", True)


def test_real_site_with_policy() -> None:
    rules = parse_tdmrep((FIXTURES / "embassy-sourcelibrary-v2__tdmrep.json").read_text())
    rule = rules.reservation("https://sourcelibrary.org/img/a.png")
    assert rule == TdmRule("/", True, "https://sourcelibrary.org/licensing")
    assert rule.describe() == 'tdmrep.json rule "location": "/", tdm-reservation 1, tdm-policy https://sourcelibrary.org/licensing'


@pytest.mark.parametrize(
    ("url", "reserved", "policy"),
    [
        ("https://provider.com/directory-a/doc.pdf", True, None),
        ("https://provider.com/directory-a/", True, None),
        ("https://provider.com/directory-a", None, None),  # the pattern's path is not reached
        ("https://provider.com/directory-b/html/page.html", True, "https://provider.com/policies/policy.json"),
        ("https://provider.com/directory-b/images/cat.jpg", False, None),
        ("https://provider.com/directory-b/images/cat.png", None, None),
        ("https://provider.com/Directory-A/doc.pdf", None, None),  # case-sensitive
        ("https://provider.com/elsewhere/a.jpg", None, None),
        ("https://provider.com/%64irectory-a/doc.pdf", True, None),  # %64 is "d", unreserved
    ],
)
def test_spec_example(url: str, reserved: bool | None, policy: str | None) -> None:
    rule = parse_tdmrep(SPEC_EXAMPLE).rule_for(url)
    if reserved is None:
        assert rule is None
    else:
        assert rule is not None and (rule.reserved, rule.policy) == (reserved, policy)


def test_first_matching_rule_wins() -> None:
    rules = parse_tdmrep('[{"location": "/img/free/", "tdm-reservation": 0}, {"location": "/img/", "tdm-reservation": 1}]')
    assert rules.reservation("https://s.example/img/free/a.jpg") is None
    assert rules.reservation("https://s.example/img/a.jpg") == TdmRule("/img/", True)


@pytest.mark.parametrize(
    ("location", "path", "matches"),
    [
        ("/this/path/exactly$", "/this/path/exactly", True),
        ("/this/path/exactly$", "/this/path/exactly/more", False),
        ("/this/*/then", "/this/a/b/then/x", True),
        ("*.jpg$", "/a/b.jpg", True),
        ("*.jpg$", "/a/b.jpg?x=1", False),
        ("/a?x=", "/a?x=1", True),
        ("/path/foo-%24", "/path/foo-%24", True),
    ],
)
def test_pattern_syntax(location: str, path: str, matches: bool) -> None:
    assert TdmRule(location, True).matches(path) is matches


@pytest.mark.parametrize(
    "body",
    [b"", b"not json", b'{"location": "/", "tdm-reservation": 1}', b"<html>404</html>", b"\xff\xfe\x00", b"null"],
)
def test_broken_files_reserve_nothing(body: bytes) -> None:
    assert parse_tdmrep(body) == TdmRules()
    assert parse_tdmrep(body).reservation("https://s.example/a.jpg") is None


def test_bad_entries_are_skipped() -> None:
    rules = parse_tdmrep(
        '[{"location": "/a/", "tdm-reservation": 2}, {"location": 5, "tdm-reservation": 1},'
        ' "junk", {"tdm-reservation": 1}, {"location": "/b/", "tdm-reservation": "1", "tdm-policy": 7}]'
    )
    assert rules == TdmRules((TdmRule("/b/", True),))


def test_a_pattern_of_many_wildcards_is_matched_in_linear_time() -> None:
    """A site writes the pattern; as a regex ``.*a.*a...b`` took seconds on a 30-character path
    (exponential backtracking), on the reactor thread."""
    import json
    import time

    rules = parse_tdmrep(json.dumps([{"location": "*a" * 12 + "b", "tdm-reservation": 1},
                                     {"location": "/*a*a$", "tdm-reservation": 1}]))
    started = time.thread_time()  # CPU time: another process's load does not count
    assert rules.rule_for("https://example.org/" + "a" * 28) == rules.rules[1]  # seconds as a regex
    assert time.thread_time() - started < 0.5
    assert rules.rule_for("https://example.org/" + "a" * 5000) == rules.rules[1]
    assert rules.rule_for("https://example.org/" + "a" * 5000 + "b") == rules.rules[0]
    assert rules.rule_for("https://example.org/ab") is None
    assert time.thread_time() - started < 1


def test_a_file_nested_thousands_deep_reserves_nothing() -> None:
    """A site's tdmrep.json of 2000 "[" (well under TDMREP_MAXSIZE) raised RecursionError."""
    assert parse_tdmrep(b"[" * 5000 + b"]" * 5000) == TdmRules()
