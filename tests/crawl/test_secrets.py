"""Secrets never at rest (issue 13): the Flickr key is added to each API call as it is sent
(imagespider/downloadermiddlewares/apikey.py), so no request in JOBDIR holds it; the API echoes
it in titles and image URLs (tests/mockserver/flickr.py, keys starting with ``echo``), and it
is still in no file of the store, no file of JOBDIR and no line of the log, short or long.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.crawl.conftest import Crawl


def files_holding(root: Path, key: str) -> list[str]:
    return [str(p) for p in root.rglob("*") if p.is_file() and key.encode() in p.read_bytes()]


@pytest.mark.parametrize("key", ["echo1", "echo-5f0d8e2b9c1a4e7f"], ids=["short", "long"])
def test_the_key_is_in_no_file_at_rest_and_no_log_line(crawl: Crawl, tmp_path: Path, key: str) -> None:
    store, jobdir = tmp_path / "store", tmp_path / "job"
    result = crawl(
        "flickr", "-a", "q=cat", "-a", "limit=6", store=store,
        settings={"JOBDIR": jobdir, "LOG_LEVEL": "DEBUG"}, env={"FLICKR_API_KEY": key},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    calls = [parse_qs(urlsplit(p).query) for p in result.requests if p.startswith("/services/rest/")]
    assert calls and all(call["api_key"] == [key] for call in calls)  # the key was sent...
    rows = result.rows
    assert len(rows) == 6 and all("(key ***)" in row["title"] for row in rows)  # ...and echoed back
    assert key not in result.stderr + result.stdout
    assert files_holding(store, key) == []
    assert jobdir.exists() and files_holding(jobdir, key) == []
