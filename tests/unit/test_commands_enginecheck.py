"""imagespider/commands/enginecheck.py in-process: each engine's line in the report (its state, the
share of results carrying each field, the detail). Checking engines against the mocks end to end is
tests/crawl/test_enginecheck.py."""

from __future__ import annotations

import argparse

import pytest
from scrapy.exceptions import UsageError
from scrapy.settings import Settings

from imagespider.commands.enginecheck import Command, EngineCheck
from tests.settings import project_values


def test_a_working_engine_shows_its_results_and_field_shares() -> None:
    check = EngineCheck("bing", "ok", parsed=35, fields={"page_url": 1.0, "title": 0.5})
    assert check.ok
    assert check.line() == "bing       ok           35 results parsed; page_url 100%, title 50%"


def test_a_failing_engine_is_shouted_with_its_detail_and_skipped_is_fine() -> None:
    refused = EngineCheck("google", "refused", detail="'unusual traffic' CAPTCHA page")
    assert not refused.ok
    assert refused.line() == "google     REFUSED      'unusual traffic' CAPTCHA page"
    missing = EngineCheck("flickr", "fields missing", parsed=4, fields={"license": 0.0})
    assert not missing.ok and missing.line().startswith("flickr     FIELDS MISSING 4 results parsed; license 0%")
    assert EngineCheck("openverse", "skipped", detail="no key").ok


def command(**extra: object) -> Command:
    found = Command()
    found.settings = Settings(project_values(extra))
    found.crawler_process = None  # type: ignore[assignment]  # a check that passed would need one
    return found


def options(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    command().add_options(parser)
    return parser.parse_args(argv)


@pytest.mark.parametrize(
    ("argv", "settings", "said"),
    [
        (["--engines", ","], {}, "--engines=, names no engine; use a comma list of: openverse, "),
        (["--engines", "altavista"], {}, "unknown engine altavista in --engines=altavista; use"),
        (["--query", " "], {}, "--query is empty; give one such as --query cat"),
        ([], {"COMMONS_PAGE_SIZE": 99}, "COMMONS_PAGE_SIZE must be a whole number from 1 to 50"),
        ([], {"DOWNLOAD_TIMEOUT": "abc"}, "DOWNLOAD_TIMEOUT"),
        ([], {"CONCURRENT_REQUESTS": "nan"}, "CONCURRENT_REQUESTS"),
    ],
)
def test_bad_options_and_settings_are_one_line_before_any_crawl(
    argv: list[str], settings: dict[str, object], said: str, capsys: pytest.CaptureFixture[str]
) -> None:
    checker = command(**settings)
    checker.run([], options(*argv))  # no crawler process: a check that passed would fail here
    printed = capsys.readouterr().out.splitlines()
    assert len(printed) == 1 and printed[0].startswith("enginecheck: ") and said in printed[0], printed
    assert checker.exitcode == 2


def test_a_stray_word_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="takes no arguments"):
        command().run(["openverse"], options())
