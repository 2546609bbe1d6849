"""A job stopped with Ctrl-C, or killed, and started again with its JOBDIR and IMAGES_STORE ends
with exactly ``limit`` images, no duplicate or lost row, no orphan file, and nothing kept by the
first run downloaded again. A new crawl into the finished store skips what it already holds."""

from __future__ import annotations

import signal
import subprocess
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.conftest import PROJECT, run_scrapy, scrapy_command, scrapy_env
from tests.crawl.conftest import FAST_SCROLL, Crawl, assert_manifest_matches_files, read_jsonl
from tests.mockserver import MockHTTPServer

LIMIT = 16
# The slow page brings each batch after SLOW_PAGE_DELAY (1 s): wait well past it, or a loaded
# machine takes a late batch for the end of the results.
FAST = ["-s", "SCROLL_WAIT_TIMEOUT=5", "-s", "SCROLL_MAX_STALLS=1", "-s", "SCROLL_STEP_PAUSE=0.05"]


def crawl_args(mockserver: MockHTTPServer, run: str, store: Path, jobdir: Path | None, limit: int = LIMIT) -> list[str]:
    job = ["-s", f"JOBDIR={jobdir}"] if jobdir else []
    return [
        "crawl", "bing", "-a", "q=resume", "-a", f"limit={limit}", "-a", "license=any",
        "-s", f"BING_SEARCH_URL={mockserver.base}/slow/{run}/images/search", "-s", f"IMAGES_STORE={store}",
        # One image at a time, half a second each: slow enough to stop halfway.
        "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=2", *job, *FAST,
    ]


def rows_in(store: Path) -> int:
    manifest = store / "metadata.jsonl"
    return len(manifest.read_bytes().splitlines()) if manifest.exists() else 0


def interrupt(args: list[str], store: Path, signum: signal.Signals) -> subprocess.CompletedProcess[str]:
    """Start the crawl, wait until it has kept a few images, then send ``signum`` once."""
    process = subprocess.Popen(
        scrapy_command(*args), cwd=PROJECT, env=scrapy_env(), text=True,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 90
        while rows_in(store) < 3 and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.1)
        assert process.poll() is None, "the crawl ended before it could be interrupted"
        process.send_signal(signum)
        stdout, stderr = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


def image_paths(mockserver: MockHTTPServer, since: int) -> list[str]:
    return [path for path in mockserver.requests[since:] if "/img/" in path]


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGKILL], ids=["ctrl-c", "sigkill"])
def test_an_interrupted_job_resumes_to_exactly_its_limit(
    signum: signal.Signals, mockserver: MockHTTPServer, tmp_path: Path
) -> None:
    run, store, jobdir = uuid.uuid4().hex[:8], tmp_path / "store", tmp_path / "job"
    args = crawl_args(mockserver, run, store, jobdir)
    first = interrupt(args, store, signum)
    if signum == signal.SIGINT:
        assert "shutting down gracefully" in first.stderr, first.stderr[-3000:]
        assert first.returncode == 130
        assert first.stderr.strip().splitlines()[-1].endswith("; run the same command again to resume")
    else:
        assert first.returncode == -signal.SIGKILL
    first_rows = read_jsonl(store / "metadata.jsonl")
    assert 3 <= len(first_rows) < LIMIT
    mark = len(mockserver.requests)

    second = run_scrapy(*args)
    assert second.returncode == 0, second.stderr[-3000:]
    assert "'finish_reason': 'finished'" in second.stderr
    rows = assert_manifest_matches_files(store)  # no orphan file, no row without its file
    assert len(rows) == LIMIT, second.stderr[-6000:]
    assert len({row["sha256"] for row in rows}) == LIMIT
    assert len({row["image_url"] for row in rows}) == LIMIT
    assert rows[: len(first_rows)] == first_rows  # nothing lost or rewritten
    kept_first = {urlsplit(row["image_url"]).path for row in first_rows}
    assert not kept_first & set(image_paths(mockserver, mark))
    assert not [row for row in read_jsonl(store / "rejected.jsonl") if row["reason"] == "already_in_dataset"]

    # The job is done: starting it again keeps nothing more and downloads nothing.
    mark = len(mockserver.requests)
    again = run_scrapy(*args)
    assert again.returncode == 0, again.stderr[-3000:]
    assert len(read_jsonl(store / "metadata.jsonl")) == LIMIT
    assert not image_paths(mockserver, mark)


def test_a_new_crawl_into_an_existing_store_skips_what_it_holds(crawl: Crawl, tmp_path: Path) -> None:
    """Nothing to interrupt here: the mock's ordinary (fast) results page, a query of its own."""
    store, query = tmp_path / "store", f"q=skip-{uuid.uuid4().hex[:8]}"
    args = ("-a", query, "-a", "limit=6", "-a", "license=any")
    first_crawl = crawl("bing", *args, store=store, settings=FAST_SCROLL)
    assert first_crawl.returncode == 0, first_crawl.stderr[-3000:]
    first = {urlsplit(row["image_url"]).path for row in first_crawl.rows}
    assert len(first) == 6
    result = crawl("bing", *args, store=store, settings=FAST_SCROLL)
    assert result.returncode == 0, result.stderr[-3000:]
    rows = assert_manifest_matches_files(store)
    assert len(rows) == 12  # without JOBDIR a crawl adds `limit` new images
    assert len({row["image_url"] for row in rows}) == 12
    assert not first & {path for path in result.requests if "/img/" in path}
    assert "'imagespider/skipped/already_in_dataset': 6" in result.stderr
