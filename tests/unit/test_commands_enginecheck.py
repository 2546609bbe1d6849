"""imagespider/commands/enginecheck.py in-process: each engine's line in the report (its state, the
share of results carrying each field, the detail). Checking engines against the mocks end to end is
tests/crawl/test_enginecheck.py."""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

import pytest
from scrapy.exceptions import UsageError
from scrapy.settings import Settings

from imagespider.commands.enginecheck import Command, EngineCheck, EngineCheckSpider, exit_status
from imagespider.spiders.debug import DEBUG_DIR
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


def _saved_page(tmp_path: Path) -> tuple[Settings, Path]:
    """The check's own temporary store, holding one page an engine answered in a changed markup."""
    temporary = tmp_path / "imagespider-enginecheck-x"
    page = temporary / DEBUG_DIR / "bing-cat-20261130T071152Z.html"
    page.parent.mkdir(parents=True)
    page.write_text("<html>changed</html>")
    return Settings({"IMAGES_STORE": str(temporary)}), page


def test_saved_pages_go_to_the_users_store_given_as_a_file_url(tmp_path: Path) -> None:
    crawl_settings, page = _saved_page(tmp_path)
    moved = command(IMAGES_STORE=f"file://{tmp_path}/data")._keep_debug_pages(crawl_settings)
    kept = tmp_path / "data" / DEBUG_DIR / page.name
    assert kept.read_text() == "<html>changed</html>"
    assert moved == {str(page.resolve()): str(kept.resolve())}
    assert not page.parent.parent.exists()  # the temporary store is gone


@pytest.mark.parametrize("store", ["file", "s3://bucket/data"])
def test_saved_pages_stay_where_the_report_says_when_the_users_store_cannot_take_them(
    tmp_path: Path, store: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # A file where the folder should be, or an object store: the report used to be lost to a
    # traceback, or the page moved into a local folder named "s3:".
    monkeypatch.chdir(tmp_path)
    (tmp_path / "file").write_text("not a folder")
    crawl_settings, page = _saved_page(tmp_path)
    assert command(IMAGES_STORE=store)._keep_debug_pages(crawl_settings) == {}
    assert page.read_text() == "<html>changed</html>"
    assert not (tmp_path / "s3:").exists()
    (note,) = capsys.readouterr().out.splitlines()
    assert note.startswith(f"enginecheck: pages kept in {page.parent}, not in IMAGES_STORE={store}: ")


def test_the_check_never_runs_in_the_users_job_folder_nor_joins_a_distributed_job(tmp_path: Path) -> None:
    # With the user's JOBDIR the check wrote its spider.state, requests.seen and resume baseline
    # over a paused job's; with REDIS_URL it tried to be a worker and ended in a traceback.
    settings = Settings(project_values({"JOBDIR": str(tmp_path / "job"), "REDIS_URL": "redis://127.0.0.1:9/0"}))
    settings.setdict({"JOBDIR": str(tmp_path / "job"), "REDIS_URL": "redis://127.0.0.1:9/0"}, priority="cmdline")
    EngineCheckSpider.update_settings(settings)
    try:
        assert not settings.get("JOBDIR") and not settings.get("REDIS_URL")
        assert Path(settings["IMAGES_STORE"]).name.startswith("imagespider-enginecheck-")
    finally:
        shutil.rmtree(settings["IMAGES_STORE"], ignore_errors=True)


def test_a_check_in_which_no_engine_ran_is_not_a_pass() -> None:
    # `scrapy enginecheck --engines flickr` without a key checked nothing, and exited 0 for cron.
    fine, skipped = EngineCheck("openverse", "ok", parsed=20), EngineCheck("flickr", "skipped", detail="no key")
    assert exit_status([fine, skipped]) == 0
    assert exit_status([skipped]) == 1
    assert exit_status([]) == 1
    assert exit_status([fine, EngineCheck("bing", "changed")]) == 1


def test_one_result_parsed_is_singular() -> None:
    from imagespider.commands.enginecheck import EngineCheck

    line = EngineCheck("commons", state="ok", parsed=1, fields={"page_url": 1.0}).line()
    assert "1 result parsed; page_url 100%" in line
