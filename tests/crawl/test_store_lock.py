"""One crawl writes a store at a time: a second crawl into a busy store ends at once with one
line, and its finish is a failure, whether it is refused before starting (our ``crawl`` command)
or after (the dataset extension, when the store was taken in between)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from imagespider.dataset.store.files import LOCK
from imagespider.dataset.store.local import Dataset
from imagespider.dataset.store.lock import StoreLocked, check_unlocked
from imagespider.extensions.dataset import STORE_LOCKED_REASON
from tests.conftest import PROJECT, run_scrapy
from tests.mockserver import MockHTTPServer

#: The private-address guard would drop the mock's loopback images; harmless before it exists.
LOOPBACK = ["-s", "ALLOW_PRIVATE_ADDRESSES=True"]


def error_lines(log: str) -> list[str]:
    return [line for line in log.splitlines() if "] ERROR: " in line]


def test_second_open_is_refused_until_the_first_closes(tmp_path: Path) -> None:
    first = Dataset(tmp_path)
    first.open()
    with pytest.raises(StoreLocked, match=rf"another crawl \(pid {os.getpid()}\) is writing to {tmp_path}"):
        Dataset(tmp_path).open()
    with pytest.raises(StoreLocked):
        check_unlocked(tmp_path)
    first.close()
    check_unlocked(tmp_path)
    second = Dataset(tmp_path)
    second.open()
    second.close()


def test_checking_a_store_that_does_not_exist_creates_nothing(tmp_path: Path) -> None:
    check_unlocked(tmp_path / "new")
    assert not (tmp_path / "new").exists()


def test_a_crawl_into_a_store_being_written_fails_at_once(mockserver: MockHTTPServer, tmp_path: Path) -> None:
    """A real first crawl, kept busy by long scroll waits on an engine with 30 results."""
    store = tmp_path / "store"
    env = {**os.environ, "PYTHONPATH": str(PROJECT)}
    first = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "scrapy", "crawl", "bing", "-a", "q=cat", "-a", "limit=500", "-a", "license=any",
         "-s", f"BING_SEARCH_URL={mockserver.base}/s/30/images/search", "-s", f"IMAGES_STORE={store}",
         "-s", "SCROLL_WAIT_TIMEOUT=60", *LOOPBACK],
        cwd=PROJECT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not (store / LOCK).is_file() or not (store / LOCK).read_text().strip():
            assert first.poll() is None, first.communicate()[1][-3000:]
            assert time.monotonic() < deadline, "the first crawl never took the store"
            time.sleep(0.1)
        started = time.monotonic()
        second = run_scrapy(
            "crawl", "bing", "-a", "q=dog", "-a", "limit=5", "-a", "license=any",
            "-s", f"BING_SEARCH_URL={mockserver.base}/images/search", "-s", f"IMAGES_STORE={store}", *LOOPBACK,
        )
        assert time.monotonic() - started < 30
        assert first.poll() is None, "the first crawl ended too soon to prove anything"
    finally:
        first.kill()
        first.communicate()
    assert second.returncode == 1, second.stderr[-3000:]
    assert "Traceback" not in second.stderr
    errors = error_lines(second.stderr)
    assert errors == [errors[0]] and f"another crawl (pid {first.pid}) is writing to {store}" in errors[0]
    assert "Spider opened" not in second.stderr
    assert not (store / "dog").exists()


def test_a_store_taken_after_the_check_closes_the_spider_as_failed(tmp_path: Path) -> None:
    """``runspider`` skips our command's check, as a race between check and open would: the
    extension then refuses at spider_opened, with one line and a failed_ finish reason."""
    holder = Dataset(tmp_path)
    holder.open()
    try:
        result = run_scrapy(
            "runspider", str(PROJECT / "imagespider" / "spiders" / "bing.py"),
            "-a", "q=cat", "-a", "limit=5", "-a", "license=any",
            "-s", "BING_SEARCH_URL=http://127.0.0.1:9/images/search", "-s", f"IMAGES_STORE={tmp_path}",
        )
    finally:
        holder.close()
    assert "Traceback" not in result.stderr
    errors = error_lines(result.stderr)
    assert len(errors) == 1, result.stderr[-3000:]
    assert f"another crawl (pid {os.getpid()}) is writing to {tmp_path}" in errors[0]
    assert f"Spider closed ({STORE_LOCKED_REASON})" in result.stderr
