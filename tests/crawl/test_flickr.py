"""The flickr spider end to end, as a user runs it, against the Flickr-playing mock (tests/mockserver/flickr.py).

Every crawl runs at DEBUG, where Scrapy logs each request URL (and the key is in the URL), so
"the key never appears" is checked where it is most likely to leak.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from tests.crawl.conftest import Crawl, CrawlResult, error_lines
from tests.mockserver.flickr import COMMERCIAL_MODIFY_IDS

KEY = "goodkey-7d3f9a2c51e04b"
PAGE_URL = re.compile(r"^https://www\.flickr\.com/photos/[^/]+@N\d+/\d+$")
COMMERCIAL_MODIFY = {"cc-by", "cc-by-sa", "cc0", "pdm", "no-known-restrictions", "us-gov"}


def flickr(crawl: Crawl, *args: str, key: str = KEY) -> tuple[CrawlResult, list[dict[str, list[str]]]]:
    """Run ``scrapy crawl flickr`` at DEBUG and return the crawl and the API calls it made."""
    result = crawl("flickr", *args, settings={"LOG_LEVEL": "DEBUG"}, env={"FLICKR_API_KEY": key})
    calls = [parse_qs(urlsplit(p).query) for p in result.requests if p.startswith("/services/rest/")]
    return result, calls


def searches(calls: list[dict[str, list[str]]]) -> list[dict[str, list[str]]]:
    return [c for c in calls if c["method"] == ["flickr.photos.search"]]


def assert_key_nowhere(key: str, output: str, store: Path) -> None:
    assert key not in output
    for path in store.rglob("*"):
        if path.is_file():
            assert key.encode() not in path.read_bytes(), path


def test_keeps_limit_under_commercial_modify_licenses(crawl: Crawl) -> None:
    result, calls = flickr(
        crawl, "-a", "q=cat", "-a", "limit=60", "-a", "license=commercial,modify",
        "-s", "FLICKR_PER_PAGE=25",
    )
    output = result.output
    assert result.returncode == 0, output[-3000:]
    assert len([p for p in (result.store / "cat").iterdir() if p.is_file()]) == 60  # .thumbs/ is the report's
    rows = result.rows
    assert len(rows) == 60
    for row in rows:
        assert row["engine"] == "flickr"
        assert row["author"]
        assert row["license"] in COMMERCIAL_MODIFY, row
        assert row["license_source"] == "api"
        assert row["license_url"], row  # every license in the getInfo table has one
        assert PAGE_URL.match(row["page_url"]), row["page_url"]
        assert row["page_url"].rsplit("/", 1)[1] in row["image_url"]
    # Ids 11 and 12 (CC 4.0) come from licenses.getInfo, not from the built-in table.
    assert {"4.0", "2.0"} <= {row["license_version"] for row in rows}

    assert calls[0]["method"] == ["flickr.photos.licenses.getInfo"]
    pages = searches(calls)
    assert len(pages) > 1
    assert [p["page"] for p in pages] == [[str(n)] for n in range(1, len(pages) + 1)]
    for page in pages:
        assert page["license"] == [",".join(COMMERCIAL_MODIFY_IDS)]
        assert page["text"] == ["cat"]
        assert page["per_page"] == ["25"]
        assert page["sort"] == ["relevance"] and page["safe_search"] == ["1"]
        assert page["content_type"] == ["1"] and page["media"] == ["photos"]
        assert {"license", "owner_name", "url_l"} <= set(page["extras"][0].split(","))
    assert "limit reached: kept 60 of 60" in output
    # Scrapy logged the API URLs, which never held the key (added as sent: downloadermiddlewares/apikey.py).
    assert "/services/rest/?method=flickr.photos.search" in output and "api_key=" not in output
    assert_key_nowhere(KEY, output, result.store)


def test_no_key_is_one_line_and_a_failed_exit(crawl: Crawl) -> None:
    result, calls = flickr(crawl, "-a", "q=cat", "-a", "limit=5", key="")
    output = result.output
    assert result.returncode != 0
    errors = error_lines(output)
    assert len(errors) == 1, errors
    assert "FLICKR_API_KEY" in errors[0]
    assert "Traceback" not in output
    assert "failed_flickr_no_key" in output
    assert calls == []


def test_bad_key_names_flickrs_message(crawl: Crawl) -> None:
    key = "bad-key-0f3e9a71c2"
    result, calls = flickr(crawl, "-a", "q=cat", "-a", "limit=5", key=key)
    output = result.output
    assert result.returncode != 0
    errors = error_lines(output)
    assert len(errors) == 1, errors
    assert "Invalid API Key (Key has invalid format)" in errors[0]
    assert "Traceback" not in output
    assert "failed_flickr_api_error" in output
    assert searches(calls) == []  # code 100 on licenses.getInfo already ends the crawl
    assert_key_nowhere(key, output, result.store)


def test_http_errors_fail_without_leaking_the_key(crawl: Crawl) -> None:
    key = "http500-key-5c2d81aa"
    result, calls = flickr(crawl, "-a", "q=cat", "-a", "limit=5", "-s", "RETRY_TIMES=1", key=key)
    output = result.output
    assert result.returncode != 0
    assert "HTTP 500 from the Flickr API" in output
    assert "failed_flickr_http_error" in output
    assert "Retrying" in output  # the retry middleware's lines are there, and redacted
    assert len(searches(calls)) == 2
    assert_key_nowhere(key, output, result.store)


def test_license_table_falls_back_to_built_in(crawl: Crawl) -> None:
    key = "nolicenses-key-a83e91"
    result, calls = flickr(
        crawl, "-a", "q=dog", "-a", "limit=5", "-a", "license=commercial,modify", key=key
    )
    output = result.output
    assert result.returncode == 0, output[-3000:]
    assert "could not read the license table" in output
    assert searches(calls)[0]["license"] == ["4,5,7,8,9,10"]  # the built-in 0-10 ids only
    assert len((result.store / "metadata.jsonl").read_text().splitlines()) == 5


def test_no_flickr_license_fits_means_no_search(crawl: Crawl) -> None:
    result, calls = flickr(crawl, "-a", "q=cat", "-a", "license=unknown")
    output = result.output
    assert result.returncode == 0, output[-3000:]
    assert "no Flickr license fits" in output
    assert searches(calls) == []


def test_bad_setting_is_one_line_exit_2(crawl: Crawl) -> None:
    result, calls = flickr(crawl, "-a", "q=cat", "-s", "FLICKR_PER_PAGE=900")
    output = result.output
    assert result.returncode == 2
    assert error_lines(output) == [line for line in output.splitlines() if "FLICKR_PER_PAGE" in line]
    assert calls == []
