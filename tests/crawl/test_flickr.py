"""The flickr spider end to end, as a user runs it, against the Flickr-playing mock (tests/mockserver/flickr.py).

Every crawl runs at DEBUG, where Scrapy logs each request URL (and the key is in the URL), so
"the key never appears" is checked where it is most likely to leak.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.conftest import run_scrapy
from tests.mockserver import MockHTTPServer
from tests.mockserver.flickr import COMMERCIAL_MODIFY_IDS

KEY = "goodkey-7d3f9a2c51e04b"
PAGE_URL = re.compile(r"^https://www\.flickr\.com/photos/[^/]+@N\d+/\d+$")
COMMERCIAL_MODIFY = {"cc-by", "cc-by-sa", "cc0", "pdm", "no-known-restrictions", "us-gov"}


def crawl(
    mockserver: MockHTTPServer, store: Path, *args: str, key: str = KEY
) -> tuple[Any, list[dict[str, list[str]]]]:
    """Run ``scrapy crawl flickr`` and return the process and the API calls it made."""
    before = len(mockserver.requests)
    result = run_scrapy(
        "crawl", "flickr", *args,
        "-s", f"FLICKR_API_URL={mockserver.base}/services/rest/",
        "-s", f"IMAGES_STORE={store}",
        "-s", 'DOWNLOAD_SLOTS={"flickr-api": {"delay": 0}}',
        "-s", "LOG_LEVEL=DEBUG",
        env={"FLICKR_API_KEY": key},
    )
    calls = [parse_qs(urlsplit(p).query) for p in mockserver.requests[before:] if p.startswith("/services/rest/")]
    return result, calls


def searches(calls: list[dict[str, list[str]]]) -> list[dict[str, list[str]]]:
    return [c for c in calls if c["method"] == ["flickr.photos.search"]]


def error_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if "] ERROR:" in line]


def assert_key_nowhere(key: str, output: str, store: Path) -> None:
    assert key not in output
    for path in store.rglob("*"):
        if path.is_file():
            assert key.encode() not in path.read_bytes(), path


def test_keeps_limit_under_commercial_modify_licenses(mockserver: MockHTTPServer, tmp_path: Path) -> None:
    result, calls = crawl(
        mockserver, tmp_path, "-a", "q=cat", "-a", "limit=60", "-a", "license=commercial,modify",
        "-s", "FLICKR_PER_PAGE=25",
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    assert len([p for p in (tmp_path / "cat").iterdir() if p.is_file()]) == 60  # .thumbs/ is the report's
    rows = [json.loads(line) for line in (tmp_path / "metadata.jsonl").read_text().splitlines()]
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
    assert_key_nowhere(KEY, output, tmp_path)


def test_no_key_is_one_line_and_a_failed_exit(mockserver: MockHTTPServer, tmp_path: Path) -> None:
    result, calls = crawl(mockserver, tmp_path, "-a", "q=cat", "-a", "limit=5", key="")
    output = result.stdout + result.stderr
    assert result.returncode != 0
    errors = error_lines(output)
    assert len(errors) == 1, errors
    assert "FLICKR_API_KEY" in errors[0]
    assert "Traceback" not in output
    assert "failed_flickr_no_key" in output
    assert calls == []


def test_bad_key_names_flickrs_message(mockserver: MockHTTPServer, tmp_path: Path) -> None:
    key = "bad-key-0f3e9a71c2"
    result, calls = crawl(mockserver, tmp_path, "-a", "q=cat", "-a", "limit=5", key=key)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    errors = error_lines(output)
    assert len(errors) == 1, errors
    assert "Invalid API Key (Key has invalid format)" in errors[0]
    assert "Traceback" not in output
    assert "failed_flickr_api_error" in output
    assert searches(calls) == []  # code 100 on licenses.getInfo already ends the crawl
    assert_key_nowhere(key, output, tmp_path)


def test_http_errors_fail_without_leaking_the_key(mockserver: MockHTTPServer, tmp_path: Path) -> None:
    key = "http500-key-5c2d81aa"
    result, calls = crawl(mockserver, tmp_path, "-a", "q=cat", "-a", "limit=5", "-s", "RETRY_TIMES=1", key=key)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "HTTP 500 from the Flickr API" in output
    assert "failed_flickr_http_error" in output
    assert "Retrying" in output  # the retry middleware's lines are there, and redacted
    assert len(searches(calls)) == 2
    assert_key_nowhere(key, output, tmp_path)


def test_license_table_falls_back_to_built_in(mockserver: MockHTTPServer, tmp_path: Path) -> None:
    key = "nolicenses-key-a83e91"
    result, calls = crawl(
        mockserver, tmp_path, "-a", "q=dog", "-a", "limit=5", "-a", "license=commercial,modify", key=key
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    assert "could not read the license table" in output
    assert searches(calls)[0]["license"] == ["4,5,7,8,9,10"]  # the built-in 0-10 ids only
    assert len((tmp_path / "metadata.jsonl").read_text().splitlines()) == 5


def test_no_flickr_license_fits_means_no_search(mockserver: MockHTTPServer, tmp_path: Path) -> None:
    result, calls = crawl(mockserver, tmp_path, "-a", "q=cat", "-a", "license=unknown")
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    assert "no Flickr license fits" in output
    assert searches(calls) == []


def test_bad_setting_is_one_line_exit_2(mockserver: MockHTTPServer, tmp_path: Path) -> None:
    result, calls = crawl(mockserver, tmp_path, "-a", "q=cat", "-s", "FLICKR_PER_PAGE=900")
    output = result.stdout + result.stderr
    assert result.returncode == 2
    assert error_lines(output) == [line for line in output.splitlines() if "FLICKR_PER_PAGE" in line]
    assert calls == []
