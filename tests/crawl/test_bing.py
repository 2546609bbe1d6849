"""`scrapy crawl bing` end to end: real Chromium, the mock playing Bing from the real capture,
real image bytes over loopback, and the dataset checked on disk."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.conftest import class_files
from tests.crawl.conftest import Crawl, CrawlResult, assert_manifest_matches_files
from tests.mockserver import bing_plan

FAST = {"SCROLL_WAIT_TIMEOUT": 3, "SCROLL_STEP_PAUSE": 0.05, "LOG_LEVEL": "INFO"}


@pytest.fixture(scope="module")
def crawl_120(crawl: Crawl) -> CrawlResult:
    return crawl("bing", "-a", "q=cat", "-a", "limit=120", "-a", "license=any", settings=FAST)


def test_keeps_exactly_the_limit_of_valid_images(crawl_120: CrawlResult) -> None:
    crawl_120.assert_ok()
    store = crawl_120.store
    files = class_files(store / "cat")
    assert len(files) == 120
    rows = assert_manifest_matches_files(store)
    assert len(rows) == 120
    assert len({row["sha256"] for row in rows}) == 120
    assert all(row["label"] == "cat" and row["query"] == "cat" and row["engine"] == "bing" for row in rows)
    assert all(row["title"] and row["page_url"] and row["retrieved_at"] for row in rows)


def test_original_bytes_and_formats_are_kept(crawl_120: CrawlResult) -> None:
    rows = crawl_120.rows
    assert {row["format"] for row in rows} == {"JPEG", "PNG", "WEBP"}
    for row in rows:
        served = urlsplit(row["image_url"]).path
        assert Path(row["file_name"]).suffix == {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp"}[row["format"]]
        assert served.rsplit(".", 1)[1] == Path(row["file_name"]).suffix[1:]


def test_broken_and_duplicate_results_are_never_kept(crawl_120: CrawlResult) -> None:
    plan = {result.index: result for result in bing_plan()}
    kept_indexes = [int(Path(urlsplit(row["image_url"]).path).stem) for row in crawl_120.rows]
    assert all(plan[i].kind in ("good", "duplicate") for i in kept_indexes)
    rejected = crawl_120.rejected
    reasons = {row["reason"] for row in rejected}
    assert reasons <= {"corrupt_image", "not_an_image", "http_error", "empty", "too_small", "duplicate"}
    assert {"corrupt_image", "not_an_image", "http_error", "empty", "too_small", "duplicate"} <= reasons
    # Every result handed out is either kept or rejected with a reason: nothing vanishes.
    handed_out = {row["url"] for row in rejected} | {row["image_url"] for row in crawl_120.rows}
    assert len(handed_out) == len(rejected) + 120
    for row in rejected:
        index = int(Path(urlsplit(row["url"]).path).stem)
        expected = {"truncated": "corrupt_image", "html_as_jpeg": "not_an_image", "not_found": "http_error",
                    "empty": "empty", "too_small": "too_small", "duplicate": "duplicate", "good": "duplicate"}
        assert row["reason"] == expected[plan[index].kind], row


def test_drops_are_counted_in_stats_by_reason(crawl_120: CrawlResult) -> None:
    rejected = crawl_120.rejected
    log = crawl_120.stderr
    for reason in {row["reason"] for row in rejected}:
        count = sum(row["reason"] == reason for row in rejected)
        assert f"'imagespider/dropped/{reason}': {count}," in log
    assert "'imagespider/kept': 120," in log


def test_later_results_came_from_scrolling_and_the_see_more_button(crawl_120: CrawlResult) -> None:
    """120 good images need more than the first 35 results: the page's script fetched more (the
    requests this crawl made, not the whole session's)."""
    asyncs = [urlsplit(path) for path in crawl_120.requests if "/images/async" in path]
    firsts = sorted(int(parse_qs(url.query)["first"][0]) for url in asyncs)
    assert firsts[:4] == [35, 70, 105, 140]
    assert "'imagespider/bing/more_button_clicks': 1" in crawl_120.stderr


def test_a_short_engine_keeps_every_usable_result_and_ends(crawl: Crawl) -> None:
    # One stall ends it: the page's results are all there after one wait (SCROLL_MAX_STALLS=2 waited twice).
    result = crawl(
        "bing", "-a", "q=dog", "-a", "limit=50", "-a", "license=any", endpoint="/s/30/images/search",
        settings={**FAST, "SCROLL_MAX_STALLS": 1},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    usable = sum(r.usable for r in bing_plan(30))
    rows = assert_manifest_matches_files(result.store)
    assert len(rows) == usable
    assert "no more results after 30" in result.stderr


def test_filters_and_queries_file_reach_bing(crawl: Crawl, tmp_path: Path) -> None:
    queries = tmp_path / "queries.txt"
    queries.write_text("# two classes\nkitten: small cat\nred fox\n", encoding="utf-8")
    store = tmp_path / "store"
    # Results whose source pages name their licenses (tests/mockserver/pages.py): six of them
    # allow commercial use and modification, so each query can keep five.
    result = crawl(
        "bing", "-a", f"queries={queries}", "-a", "limit=5", "-a", "size=large", "-a", "color=red",
        "-a", "license=commercial,modify", "-a", "safe=moderate",
        store=store, endpoint="/pages/images/search", settings={"SCROLL_MAX_STALLS": 1, **FAST},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    searches = [p for p in result.requests if p.startswith("/pages/images/search?") and "small+cat" in p]
    assert searches, result.requests[-5:]
    assert "qft=+filterui:imagesize-large+filterui:color2-FGcls_RED+filterui:license-L2_L3" in searches[-1]
    assert "adlt=moderate" in searches[-1]
    assert sorted(p.name for p in store.iterdir() if p.is_dir()) == ["kitten", "red-fox"]
    assert len(class_files(store / "kitten")) == 5
    assert len(class_files(store / "red-fox")) == 5
    rows = assert_manifest_matches_files(store)
    # Bing's filter only hinted; every kept image's license is named by its page.
    assert {row["license"] for row in rows} <= {"cc-by", "cc-by-sa", "cc0"}
    assert all(row["license_source"] == "page" and row["license_url"] for row in rows)


def test_an_unreachable_engine_fails_with_one_line(crawl: Crawl) -> None:
    import socket

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = crawl("bing", "-a", "q=cat", settings={"BING_SEARCH_URL": f"http://127.0.0.1:{port}/images/search"})
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if " ERROR: " in line]
    assert len(errors) == 1 and "could not load the results page for 'cat'" in errors[0], errors
    # The one line says what to check: the network, a proxy, the endpoint setting.
    assert "check the network connection and whether a proxy is needed (HTTPS_PROXY)" in errors[0]
    assert f"is BING_SEARCH_URL=http://127.0.0.1:{port}/images/search right?" in errors[0]
    assert "Traceback" not in result.stderr
    assert "'finish_reason': 'failed_bing_unreachable'" in result.stderr
    # A new store of a crawl that never reached its engine gets no empty card, report or credits.
    assert not {"README.md", "report.html", "ATTRIBUTION.md"} & {p.name for p in result.store.iterdir()}


def test_a_page_in_changed_markup_fails_and_is_saved(crawl: Crawl) -> None:
    """No silent zero: Bing answered a normal page full of images the parser cannot read."""
    result = crawl(
        "bing", "-a", "q=cat", "-a", "limit=5", "-a", "license=any", endpoint="/changed/images/search", settings=FAST
    )
    output = result.output
    tmp_path = result.store
    assert result.returncode == 1, output[-3000:]
    assert "Spider closed (failed_bing_markup_changed)" in output
    saved = list((tmp_path / ".debug").glob("bing-cat-*.html"))
    assert len(saved) == 1
    assert "img-tile" in saved[0].read_text(encoding="utf-8")
    errors = result.errors
    assert len(errors) == 1, errors
    assert str(saved[0]) in errors[0] and "markup probably changed" in errors[0]
    assert "Traceback" not in output
    assert not (tmp_path / "metadata.jsonl").exists() or not (tmp_path / "metadata.jsonl").read_text()
