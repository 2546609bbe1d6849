"""The google spider end to end, against tests/mockserver/google.py playing Google Images.

No real Google capture exists: the mock's pages follow the reconstructed structure of
``tests/fixtures/google_images_udm2_reconstructed.html`` (tests/fixtures/README.md section 2a), so these crawls prove
the spider drives such a page (scrolls, clicks "Show more results", reads appended data) and names
Google's refusals, not that Google's live markup still looks like this.
"""

from __future__ import annotations

import hashlib
import json
import re

import pytest

from tests.conftest import class_files
from tests.crawl.conftest import Crawl, CrawlResult, error_lines

#: Short waits: the mock appends results after 0.4 s, and refusals need no scrolling at all.
FAST = {"SCROLL_WAIT_TIMEOUT": 3, "SCROLL_STEP_PAUSE": 0.05, "LOG_LEVEL": "INFO"}


def google(crawl: Crawl, endpoint: str, *args: str) -> CrawlResult:
    return crawl("google", "-a", "q=cat", *args, endpoint=endpoint, settings=FAST)


def test_crawl_keeps_exactly_the_limit_with_page_urls_and_titles(crawl: Crawl) -> None:
    result = google(crawl, "/search", "-a", "limit=50", "-a", "license=any")
    code, log, store, base = result.returncode, result.output, result.store, crawl.mockserver.base
    assert code == 0, log[-3000:]
    assert "Traceback" not in log
    rows = [json.loads(line) for line in (store / "metadata.jsonl").read_text().splitlines()]
    assert len(rows) == 50
    assert len({row["image_url"] for row in rows}) == 50
    for row in rows:
        assert row["engine"] == "google"
        assert row["page_url"].startswith(f"{base}/page/cat/")
        assert row["title"]
        assert hashlib.sha256((store / row["file_name"]).read_bytes()).hexdigest() == row["sha256"]
    assert len(class_files(store / "cat")) == 50
    # Results ending in 5 have no "2003" block: page URL from the tile, title from "2008".
    assert any(row["title"] == "cat 5" and row["page_url"].endswith("/5.html?src=google&i=5") for row in rows)
    # Only 48 of the first 60 results are usable: the 50th needed the button to be clicked.
    assert re.search(r"'imagespider/google/more_button_clicks': 1\b", log), log[-3000:]
    assert any("/search/more?q=cat&start=60" in url for url in result.requests)
    assert "'imagespider/kept': 50" in log
    # The page is re-read after every scroll; its one cut-off record is still counted once.
    assert "'imagespider/google/unparsable_records': 1," in log


@pytest.mark.parametrize(
    ("route", "named"),
    [
        ("consent", "cookie-consent page (consent.google.com)"),
        ("sorry", "'unusual traffic' CAPTCHA page (/sorry/index)"),
        ("empty", "page without image results markup"),
    ],
)
def test_refusal_fails_with_one_line_naming_the_answer(crawl: Crawl, route: str, named: str) -> None:
    result = google(crawl, f"/{route}/search", "-a", "limit=5")
    code, log = result.returncode, result.output
    assert code == 1, log[-3000:]
    assert "Traceback" not in log
    errors = error_lines(log)
    assert len(errors) == 1, errors
    assert named in errors[0] and "(query 'cat')" in errors[0]
    assert "'finish_reason': 'failed_google_refused'" in log


def test_bad_filter_argument_is_one_line_and_exit_2(crawl: Crawl) -> None:
    result = google(crawl, "/search", "-a", "size=huge")
    code, log = result.returncode, result.output
    assert code == 2
    assert "Traceback" not in log
    assert error_lines(log) == [next(line for line in log.splitlines() if "unknown size 'huge'" in line)]


def test_a_page_in_changed_markup_fails_and_is_saved(crawl: Crawl) -> None:
    """No silent zero: a results page full of images, none of them in markup the parser knows."""
    result = google(crawl, "/changed/search", "-a", "limit=5", "-a", "license=any")
    code, log, store = result.returncode, result.output, result.store
    assert code == 1, log[-3000:]
    assert "Spider closed (failed_google_markup_changed)" in log
    saved = list((store / ".debug").glob("google-cat-*.html"))
    assert len(saved) == 1 and "data-item=" in saved[0].read_text(encoding="utf-8")
    errors = error_lines(log)
    assert len(errors) == 1 and "markup probably changed" in errors[0] and str(saved[0]) in errors[0]
    assert "Traceback" not in log
