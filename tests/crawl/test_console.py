"""What a crawl prints and records, as a user sees it: a short log whose last lines are the
summary (at INFO and at WARNING), no stats dump at INFO, the run recorded in crawls.jsonl with its
stats; a crawl that keeps nothing fails with one line and exit 1; the spiders and their
arguments are listed by name."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.conftest import run_scrapy
from tests.crawl.conftest import FAST_SCROLL, Crawl, CrawlResult


def two_queries(crawl: Crawl, *extra: str, total: int = 40, allow_private: bool = True,
                store: Path | None = None) -> CrawlResult:
    """Bing, 4 images for each of two queries, out of ``total`` results each, without the stats dump."""
    store = store or crawl.tmp_path_factory.mktemp("console") / "data"
    queries = store.parent / "queries.txt"
    queries.write_text("cat\nkitten: small cat\n", encoding="utf-8")
    return crawl(
        "bing", "-a", f"queries={queries}", "-a", "limit=4", "-a", "license=any", *extra, store=store,
        endpoint=f"/s/{total}/images/search", settings=FAST_SCROLL, stats_dump=False, allow_private=allow_private,
    )


def log_lines(stderr: str) -> list[str]:
    """Log records (a record's continuation lines belong to it)."""
    return [line for line in stderr.splitlines() if re.match(r"^\d{4}-\d\d-\d\d ", line)]


@pytest.fixture(scope="module")
def info_crawl(crawl: Crawl) -> tuple[Path, CrawlResult]:
    result = two_queries(crawl)
    return result.store, result


def test_the_summary_closes_a_short_log(info_crawl) -> None:
    store, result = info_crawl
    assert result.returncode == 0, result.stderr[-3000:]
    lines = log_lines(result.stderr)
    last = [line.split(" INFO: ")[1] for line in lines[-4:]]
    assert last[0].startswith("summary: bing 'cat' (cat): kept 4/4, dropped ")
    assert last[1].startswith("summary: bing 'small cat' (kitten): kept 4/4, dropped ")
    # Crawled with `any`: what of it may be shared (Bing's mock pages name no license).
    assert last[2] == "summary: of the 8 kept in this run, 0 may be shared (license policy share) and 8 are for in-house training only"
    assert last[3].startswith("summary: 2 queries, kept 8 in this run, dropped ")
    assert last[3].endswith("; finish reason finished")
    assert "finished: finished" not in result.stderr
    assert "Dumping Scrapy stats" not in result.stderr
    assert "Enabled extensions" not in result.stderr and "Versions:" not in result.stderr
    assert "Overridden settings" not in result.stderr  # at DEBUG, as docs/output.md says
    assert len(result.stderr.splitlines()) < 50, result.stderr


def test_the_crawl_is_recorded_with_its_stats(info_crawl) -> None:
    store, _ = info_crawl
    rows = [json.loads(line) for line in (store / "crawls.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 1
    row = rows[0]
    assert row["spider"] == "bing" and row["finish_reason"] == "finished"
    assert row["arguments"]["limit"] == "4" and row["arguments"]["license"] == "any"
    assert row["settings"]["IMAGES_STORE"] == str(store)
    assert row["kept"] == 8 == row["stats"]["imagespider/kept"]
    assert row["stats"]["imagespider/crawl_id"] == row["id"]
    assert row["start"] <= row["end"]
    assert {q["label"]: q["kept"] for q in row["queries"]} == {"cat": 4, "kitten": 4}
    assert row["stats"]["finish_reason"] == "finished"


def test_at_warning_the_summary_is_still_shown_last(crawl: Crawl) -> None:
    result = two_queries(crawl, "-L", "WARNING")
    assert result.returncode == 0, result.stderr[-3000:]
    # The summary is not a warning: printed on lines of its own, last, with no level label.
    lines = result.stderr.splitlines()
    assert lines[-1].startswith("summary: 2 queries, kept 8 in this run"), lines[-5:]
    assert [line for line in lines if "summary:" in line] == [line for line in lines[-4:]]
    assert all(line.startswith("summary: ") for line in lines[-4:])
    assert "WARNING: summary" not in result.stderr
    assert not [line for line in log_lines(result.stderr) if " INFO: " in line]


def test_a_crawl_that_keeps_nothing_fails_with_one_line(crawl: Crawl) -> None:
    # Every image is on 127.0.0.1, which a default crawl refuses.
    result = two_queries(crawl, total=12, allow_private=False)
    store = result.store
    assert result.returncode == 1, result.stderr[-3000:]
    errors = [line for line in log_lines(result.stderr) if " ERROR: " in line]
    assert len(errors) == 1, errors
    assert "kept nothing: all 24 results were dropped (private_address 24); fix:" in errors[0]
    assert "ALLOW_PRIVATE_ADDRESSES" in errors[0]
    assert "Traceback" not in result.stderr
    row = json.loads((store / "crawls.jsonl").read_text(encoding="utf-8"))
    assert row["finish_reason"] == "failed_nothing_kept"
    assert row["dropped"] == {"private_address": 24}
    # A download refused for its address says nothing about a license.
    assert not [key for key in row["stats"] if key.startswith("imagespider/dropped/license/")]
    assert "finish reason failed_nothing_kept" in log_lines(result.stderr)[-1]


def test_an_unknown_spider_lists_the_spiders() -> None:
    result = run_scrapy("crawl", "bign")
    assert result.returncode == 2
    listed = result.stderr.split("the spiders are: ")[1].split(" (")[0].split(", ")
    assert "Spider not found: bign;" in result.stderr
    assert {"bing", "flickr", "google", "urls"} <= set(listed) and listed == sorted(listed)


def test_describe_lists_arguments_defaults_and_choices() -> None:
    result = run_scrapy("describe", "bing")
    assert result.returncode == 0, result.stderr
    text = result.stdout
    assert text.startswith("bing: Bing Images")
    for needle in ("limit", "Default: 100", "queries", "Choices: small, medium, large, wallpaper", "Default: strict"):
        assert needle in text
    assert "describe <spider>" in run_scrapy("crawl", "-h").stdout


def test_documents_count_what_holds_now_not_every_attempt(crawl: Crawl) -> None:
    """A crawl that failed (every image on a private address), then a rerun that kept them all: the
    report no longer counts the images kept now as rejected; rejected.jsonl keeps the history, each
    row naming its crawl."""
    failed = two_queries(crawl, total=12, allow_private=False)
    assert failed.returncode == 1
    store = failed.store
    report = (store / "report.html").read_text(encoding="utf-8")
    assert "24 results rejected." in report
    kept = two_queries(crawl, total=12, allow_private=True, store=store)
    assert kept.returncode == 0, kept.stderr[-3000:]
    rows = [json.loads(line) for line in (store / "metadata.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 8
    report = (store / "report.html").read_text(encoding="utf-8")
    # The 8 kept now were rejected before: 16 of the 24 remain rejected (not tried again: the limit was reached).
    assert "8 images kept in 2 classes" in report and "16 results rejected." in report, report[:3000]
    rejected = [json.loads(line) for line in (store / "rejected.jsonl").read_text(encoding="utf-8").splitlines()]
    crawl_ids = [json.loads(line)["id"] for line in (store / "crawls.jsonl").read_text(encoding="utf-8").splitlines()]
    assert {row["crawl"] for row in rejected} <= set(crawl_ids)
    assert sum(row["crawl"] == crawl_ids[0] for row in rejected) == 24  # the history stays
