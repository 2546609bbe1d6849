"""imagespider/commands/crawl.py in-process: what is refused before a crawl starts (the store
setting, the spider's arguments), each as one ArgumentError line. Crawls end to end are
tests/crawl/test_arguments.py."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest
from scrapy.exceptions import UsageError
from scrapy.settings import Settings

from imagespider import settings as project_settings
from imagespider.commands.crawl import Command
from imagespider.errors import ArgumentError


def command(**extra: object) -> Command:
    settings = Settings()
    settings.setmodule(project_settings)
    settings.update(extra)
    found = Command()
    found.settings = settings
    return found


def options(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    command().add_options(parser)
    return parser.parse_args(argv)


@pytest.mark.parametrize("store", ["", "file://"])
def test_a_store_setting_naming_no_folder_is_refused(store: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # "file://" is the empty path, the working directory: the dataset's README.md would
    # overwrite the one there.
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ArgumentError, match=r'IMAGES_STORE=(""|file://) names no folder; give one such as -s IMAGES_STORE='):
        command(IMAGES_STORE=store)._check("openverse", {"q": "cat"})
    assert not list(tmp_path.iterdir())


def test_a_folder_store_is_checked_and_created(tmp_path: Path) -> None:
    command(IMAGES_STORE=f"file://{tmp_path}/new")._check("openverse", {"q": "cat"})
    assert (tmp_path / "new").is_dir()


@pytest.mark.parametrize("jobdir", ["/proc/imagespider-job", "file"])
def test_a_job_folder_that_cannot_be_one_is_refused(jobdir: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Scrapy creates JOBDIR when the crawl starts: under /proc, or in a file's place, that was a
    # FileNotFoundError / FileExistsError traceback.
    monkeypatch.chdir(tmp_path)
    (tmp_path / "file").write_text("not a folder")
    with pytest.raises(ArgumentError, match=rf"^JOBDIR={jobdir} is .*; give a folder for the job's state$"):
        command(IMAGES_STORE=str(tmp_path / "data"), JOBDIR=jobdir)._check("openverse", {"q": "cat"})


@pytest.mark.parametrize(("given", "level"), [("info", "INFO"), ("Warning", "WARNING"), ("10", 10), (20, 20)])
def test_a_log_level_is_taken_in_any_case_or_as_a_number(given: object, level: object) -> None:
    found = command(LOG_LEVEL=given)
    found.process_options([], options())
    assert found.settings is not None and found.settings["LOG_LEVEL"] == level


@pytest.mark.parametrize("given", ["bogus", "", "-5", "²"])  # "²": isdigit(), but not int()
def test_an_unknown_log_level_is_a_usage_error(given: str) -> None:
    # Scrapy hands LOG_LEVEL to logging, which raised ValueError before any of our code ran.
    with pytest.raises(UsageError, match=rf"^LOG_LEVEL must be DEBUG, INFO, WARNING, ERROR or CRITICAL, got {given}$"):
        command(LOG_LEVEL=given).process_options([], options())


def test_a_job_folder_is_checked_beside_an_object_store_too(monkeypatch: pytest.MonkeyPatch) -> None:
    # The check came after the object store's early return.
    with pytest.raises(ArgumentError, match=r"^JOBDIR=/proc/imagespider-job is under /proc; "):
        command(IMAGES_STORE="s3://bucket/data", JOBDIR="/proc/imagespider-job", AWS_ENDPOINT_URL="http://127.0.0.1:9")._check(
            "openverse", {"q": "cat"}
        )


def test_the_interrupted_line_says_how_to_go_on() -> None:
    from imagespider.commands.crawl import interrupted_line

    assert interrupted_line(1, "bing", "jobs/cats", {}) == "interrupted: kept 1 image; run the same command again to resume"
    assert interrupted_line(0, "urls", None, {}) == (
        "interrupted: kept 0 images; run the same command with -s JOBDIR=jobs/urls -a mode=top-up to resume"
    )
    assert interrupted_line(5, "bing", "", {"mode": "top-up"}).endswith("with -s JOBDIR=jobs/bing to resume")
