"""Secrets never at rest (issue 13): the Flickr key is added to each API call as it is sent
(imagespider/downloadermiddlewares/apikey.py), so no request in JOBDIR holds it; the API echoes
it in titles and image URLs (tests/mockserver/flickr.py, keys starting with ``echo``), and it
is still in no file of the store, no file of JOBDIR and no line of the log, short or long.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.conftest import run_scrapy
from tests.mockserver import MockHTTPServer


def files_holding(root: Path, key: str) -> list[str]:
    return [str(p) for p in root.rglob("*") if p.is_file() and key.encode() in p.read_bytes()]


@pytest.mark.parametrize("key", ["echo1", "echo-5f0d8e2b9c1a4e7f"], ids=["short", "long"])
def test_the_key_is_in_no_file_at_rest_and_no_log_line(mockserver: MockHTTPServer, tmp_path: Path, key: str) -> None:
    store, jobdir = tmp_path / "store", tmp_path / "job"
    before = len(mockserver.requests)
    result = run_scrapy(
        "crawl", "flickr", "-a", "q=cat", "-a", "limit=6",
        "-s", f"FLICKR_API_URL={mockserver.base}/services/rest/", "-s", f"IMAGES_STORE={store}",
        "-s", f"JOBDIR={jobdir}", "-s", 'DOWNLOAD_SLOTS={"flickr-api": {"delay": 0}}', "-s", "LOG_LEVEL=DEBUG",
        env={"FLICKR_API_KEY": key},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    calls = [parse_qs(urlsplit(p).query) for p in mockserver.requests[before:] if p.startswith("/services/rest/")]
    assert calls and all(call["api_key"] == [key] for call in calls)  # the key was sent...
    rows = [json.loads(line) for line in (store / "metadata.jsonl").read_text().splitlines()]
    assert len(rows) == 6 and all("(key ***)" in row["title"] for row in rows)  # ...and echoed back
    assert key not in result.stderr + result.stdout
    assert files_holding(store, key) == []
    assert jobdir.exists() and files_holding(jobdir, key) == []
