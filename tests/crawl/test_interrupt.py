"""Ctrl-C in a terminal: SIGINT goes to the whole process group, Chromium and Playwright's driver
included. The crawl ends cleanly: no traceback, no results handed out after the stop began, and
the count in the query's "the crawl is stopping" line is the count it ends with."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import time
import uuid
from pathlib import Path

from tests.conftest import PROJECT, scrapy_command, scrapy_env
from tests.crawl.conftest import assert_manifest_matches_files
from tests.mockserver import MockHTTPServer

LIMIT = 40


def test_ctrl_c_to_the_process_group_ends_cleanly(mockserver: MockHTTPServer, tmp_path: Path) -> None:
    run, store = uuid.uuid4().hex[:8], tmp_path / "store"
    args = [
        "crawl", "bing", "-a", "q=interrupt", "-a", f"limit={LIMIT}", "-a", "license=any",
        "-s", f"BING_SEARCH_URL={mockserver.base}/slow/{run}/images/search", "-s", f"IMAGES_STORE={store}",
        "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=2", "-s", "SCROLL_WAIT_TIMEOUT=5", "-s", "SCROLL_STEP_PAUSE=0.05",
    ]
    # A session of its own: the signal reaches the crawl, its Chromium and its driver, as a
    # terminal's Ctrl-C does, and not pytest.
    process = subprocess.Popen(
        scrapy_command(*args, stats_dump=False), cwd=PROJECT, env=scrapy_env(), text=True,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
    )
    manifest = store / "metadata.jsonl"
    try:
        deadline = time.monotonic() + 90
        while (not manifest.exists() or len(manifest.read_bytes().splitlines()) < 3) and time.monotonic() < deadline:
            assert process.poll() is None, "the crawl ended before it could be interrupted"
            time.sleep(0.1)
        os.killpg(process.pid, signal.SIGINT)
        stdout, stderr = process.communicate(timeout=90)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    assert "Traceback" not in stderr, stderr[-6000:]
    assert "TargetClosedError" not in stderr
    assert " ERROR: " not in stderr, stderr[-6000:]
    stop = re.search(r"query 'interrupt' \(label interrupt\) ended, the crawl is stopping: kept (\d+) of 40", stderr)
    assert stop, stderr[-6000:]
    kept = int(stop.group(1))
    assert 3 <= kept < LIMIT
    rows = assert_manifest_matches_files(store)
    assert len(rows) == kept  # nothing kept after the line
    after = stderr[stop.end():]
    assert "Kept " not in after  # (DEBUG lines are off; belt and braces)
    summary = [line for line in stderr.splitlines() if "summary:" in line]
    assert f"kept {kept}/40" in summary[0]
    assert "finish reason shutdown" in summary[-1]
    # A script tells an interrupted crawl from a finished one, and the user learns how to go on.
    assert process.returncode == 130
    last, before = stderr.strip().splitlines()[-1], stderr.strip().splitlines()[-2]
    assert summary[-1] == before
    assert last.endswith(
        f"interrupted: kept {kept} images; run the same command with -s JOBDIR=jobs/bing -a mode=top-up to resume"
    ), last
    record = json.loads((store / "crawls.jsonl").read_text(encoding="utf-8").splitlines()[-1])
    assert record["finish_reason"] == "shutdown"
