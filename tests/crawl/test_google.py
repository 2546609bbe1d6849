"""The google spider end to end, against tests/mockserver/google.py playing Google Images.

Two kinds of pages: the mock's own pages in the reconstructed script-data structure of
``tests/fixtures/google_images_udm2_reconstructed.html`` (tests/fixtures/README.md section 2a), which
prove the spider drives such a page (scrolls, clicks "Show more results", reads appended data) and
names Google's refusals; and the real captures (a udm=2 page saved as rendered, the basic page),
served with their links pointed at the mock, which prove what the spider keeps from real tiles.
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


# -- the real captures (tests/fixtures: a udm=2 page saved as rendered, the basic page) ----------------


def rows_of(result: CrawlResult) -> list[dict]:
    return [json.loads(line) for line in (result.store / "metadata.jsonl").read_text().splitlines()]


def test_real_udm2_page_keeps_full_size_images_from_the_tiles_previews(crawl: Crawl) -> None:
    """The real June 2025 page as rendered (no script data): each tile's preview, opened in
    Chromium, gives the full-size image; the tile gives its source page, title and site. A tile
    whose preview shows nothing gives its thumbnail, flagged, or nothing when that is inline."""
    result = google(crawl, "/real/udm2/search", "-a", "limit=16", "-a", "license=any")
    code, log, base = result.returncode, result.output, crawl.mockserver.base
    assert code == 0, log[-3000:]
    assert "Traceback" not in log
    rows = rows_of(result)
    assert len(rows) == 16
    by_index = {}
    for row in rows:
        assert re.fullmatch(rf"{base}/img/cat/\d+\.(jpg|png|webp)", row["image_url"])
        index = int(row["image_url"].rsplit("/", 1)[1].split(".")[0])
        assert row["page_url"] == f"{base}/page/cat/{index}.html?src=google-real&i={index}"
        by_index[index] = row
    # Tiles 0-20 less the broken (3, 13), the duplicates (7, 17) and 19 (no preview, inline thumbnail).
    assert sorted(by_index) == [0, 1, 2, 4, 5, 6, 8, 9, 10, 11, 12, 14, 15, 16, 18, 20]
    assert [i for i, row in by_index.items() if row["is_thumbnail"]] == [9]  # no preview: its thumbnail
    assert by_index[0]["title"] == "シャトー・シャロン 2025: 行く前に！見どころをチェック - トリップアドバイザー"
    assert by_index[0]["site"] == "トリップアドバイザー"
    # Tiles 0-20 opened in turn: 19 previews gave an image (broken and duplicate ones included).
    assert "'imagespider/google/full_size_from_preview': 19," in log, log[-3000:]
    assert "'imagespider/google/thumbnails': 1," in log
    assert "'imagespider/google/tiles_without_image': 1," in log  # tile 19: nothing to fetch


def test_real_basic_page_keeps_its_thumbnails_flagged(crawl: Crawl) -> None:
    """Google's basic page names no full-size image: its results are thumbnails, not a refusal."""
    result = google(crawl, "/real/basic/search", "-a", "limit=20", "-a", "license=any")
    code, log, base = result.returncode, result.output, crawl.mockserver.base
    assert code == 0, log[-3000:]
    assert "Traceback" not in log and "failed_google_refused" not in log
    rows = rows_of(result)
    assert len(rows) == 20
    # 16 of a page's 20 are usable (3 and 13 broken, 7 and 17 duplicates): its "Next >" was followed.
    assert "'imagespider/google/basic_pages': 1," in log, log[-3000:]
    assert any("start=20" in url for url in result.requests)
    assert any(int(row["page_url"].split("/")[-1].split(".")[0]) >= 20 for row in rows)  # from page 2
    assert all(row["is_thumbnail"] is True for row in rows)
    first = next(row for row in rows if row["page_url"] == f"{base}/page/cat/0.html?src=google-real&i=0")
    assert first["image_url"] == f"{base}/img/cat/0.jpg"
    assert (first["title"], first["site"]) == ("91,000+ Papaya Stock...", "www.istockphoto.com")
    assert "kept as Google's thumbnails, flagged is_thumbnail" in log


def test_real_udm2_page_whose_tiles_give_no_image_fails_and_is_saved(crawl: Crawl) -> None:
    """The same page exactly as saved (no scripts: no preview opens, thumbnails inline): not 0 in
    silence but failed_google_markup_changed, with the page saved."""
    result = google(crawl, "/real/udm2-as-saved/search", "-a", "limit=5", "-a", "license=any")
    code, log, store = result.returncode, result.output, result.store
    assert code == 1, log[-3000:]
    assert "Spider closed (failed_google_markup_changed)" in log
    saved = list((store / ".debug").glob("google-cat-*.html"))
    assert len(saved) == 1 and saved[0].read_text(encoding="utf-8").count("data-docid=") == 200
    errors = error_lines(log)
    assert len(errors) == 1 and "shows 200 result tiles but none names an image" in errors[0], errors
    assert str(saved[0]) in errors[0] and "Traceback" not in log


def test_real_udm2_page_whose_tile_markup_changed_fails_and_is_saved(crawl: Crawl) -> None:
    """The real tiles with their data-docid renamed: no tile is recognised, the page still shows
    hundreds of images: failed_google_markup_changed with the page saved, not 0 kept in silence."""
    result = google(crawl, "/real/udm2-changed/search", "-a", "limit=5", "-a", "license=any")
    code, log, store = result.returncode, result.output, result.store
    assert code == 1, log[-3000:]
    assert "Spider closed (failed_google_markup_changed)" in log
    saved = list((store / ".debug").glob("google-cat-*.html"))
    assert len(saved) == 1 and saved[0].read_text(encoding="utf-8").count("data-vdid=") == 200
    errors = error_lines(log)
    assert len(errors) == 1 and "the parser read no result" in errors[0] and str(saved[0]) in errors[0], errors
    assert "Traceback" not in log


def test_under_search_a_tile_page_giving_nothing_hands_the_query_to_the_next_engine(crawl: Crawl) -> None:
    """`scrapy crawl search`: Google's real page as saved (tiles, no image) fails that engine only,
    its page saved; Openverse fills the query."""
    base = crawl.mockserver.base
    result = crawl(
        "search", "-a", "q=cat", "-a", "engines=google,openverse", "-a", "limit=5", "-a", "license=any",
        settings={"GOOGLE_SEARCH_URL": f"{base}/real/udm2-as-saved/search", **FAST},
    )
    log = result.output
    assert result.returncode == 0, log[-3000:]
    failed = [line for line in log.splitlines() if "google failed" in line]
    assert len(failed) == 1 and "200 result tiles but none names an image" in failed[0], failed
    assert "openverse takes over" in failed[0]
    assert {row["engine"] for row in rows_of(result)} == {"openverse"} and len(rows_of(result)) == 5
    assert len(list((result.store / ".debug").glob("google-cat-*.html"))) == 1
    assert "Traceback" not in log
