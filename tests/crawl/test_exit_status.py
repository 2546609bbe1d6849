"""Exit status tells the truth (issue 28): a crawl that failed in part exits non-zero, with one
line per kind of failure and no traceback (imagespider/failures.py, imagespider/commands/crawl.py)."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.crawl.conftest import Crawl
from tests.servers import _wait_for, free_port


def _list_of(tmp_path: Path, *urls: str) -> Path:
    path = tmp_path / "urls.txt"
    path.write_text("".join(f"{url}\n" for url in urls))
    return path


def test_a_crawl_whose_record_cannot_be_written_exits_1_with_one_line(crawl: Crawl, tmp_path: Path) -> None:
    store = tmp_path / "store"
    (store / "crawls.jsonl").mkdir(parents=True)  # a folder where the crawl's record goes
    base = f"{crawl.mockserver.base}/faults/record"
    result = crawl("urls", "-a", f"path={_list_of(tmp_path, f'{base}/good-jpeg')}", "-a", "license=any", store=store)
    assert result.returncode == 1, result.output[-3000:]
    assert len(result.rows) == 1  # the crawl itself went through
    (line,) = [line for line in result.errors if "could not record the crawl in" in line]
    assert "Is a directory" in line
    assert "summary: failed in part: crawl_record 1" in result.output
    assert "Traceback" not in result.output


@contextmanager
def read_only_redis(folder: Path) -> Iterator[str]:
    """A redis-server that answers PING (our crawl command's check passes) but refuses every
    write: a replica of a master that is not there, as a REDIS_URL pointed at the wrong node."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail("redis-server is not installed: apt-get install -y redis-server (setup.sh does it)")
    port = free_port()
    process = subprocess.Popen(
        [binary, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no",
         "--dir", str(folder), "--replicaof", "127.0.0.1", str(free_port())],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for(port, process, "redis-server")
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(10)


def test_a_start_that_raises_exits_1_with_one_line(crawl: Crawl, tmp_path: Path) -> None:
    # Scrapy logged "Error while reading start items and requests" with a traceback and closed
    # the spider with start_error: exit 0 for a distributed job that seeded nothing.
    with read_only_redis(tmp_path) as url:
        result = crawl("bing", "-a", "q=cat", "-a", "limit=3", settings={"REDIS_URL": url})
    assert result.returncode == 1, result.output[-3000:]
    assert "finish reason failed_start" in result.output
    assert "Error while reading start items" not in result.output
    starts = [line for line in result.errors if "could not start" in line]
    assert len(starts) == 1 and "ReadOnlyError" in starts[0], result.errors


def test_an_unreachable_api_is_one_error_line(crawl: Crawl) -> None:
    # Scrapy's retry middleware said "Gave up retrying <GET full URL>" at ERROR before our line.
    result = crawl(
        "openverse", "-a", "q=cat", "-a", "limit=3", endpoint="",
        settings={"OPENVERSE_API_URL": f"http://127.0.0.1:{free_port()}", "RETRY_TIMES": 1},
    )
    assert result.returncode == 1, result.output[-3000:]
    (line,) = result.errors
    assert "openverse: search for 'cat' failed" in line
    assert "Traceback" not in result.output


def test_a_429_storm_that_keeps_nothing_exits_1(crawl: Crawl) -> None:
    result = crawl(
        "openverse", "-a", "q=SearchPage429error", "-a", "limit=5", settings={"OPENVERSE_MAX_WAIT": 5},
    )
    assert result.returncode == 1, result.output[-3000:]
    assert "finish reason failed_rate_limited" in result.output
    (line,) = result.errors
    assert "kept nothing: the API rate-limited this crawl" in line
    assert "Traceback" not in result.output
