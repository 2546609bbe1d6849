"""``scrapy crawl`` as a user runs it (a child process), with bad arguments and a missing browser.

What is proven here:
- a bad ``-a`` (or a bad numeric/flag ``-s``) ends before the crawl starts with exit status 2 and exactly one ERROR line that names
  the argument, and no traceback;
- a browser that does not exist ends the crawl with exit status 1, one ERROR line saying how to
  install Chromium, and the finish reason ``failed_browser_missing`` in the stats dump.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import run_scrapy


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if " ERROR: " in line]


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["-a", "limit=abc", "-a", "q=cat"], "limit=abc"),
        ([], "-a q="),
        (["-a", "queries=/nonexistent"], "/nonexistent"),
        (["-a", "q=cat", "-a", "size=huge"], "size"),
        (["-a", "q=cat", "-a", "license=comercial"], "license=comercial"),
        (["-a", "q=cat", "-a", "limt=5"], "limt"),
        (["-a", "q=cat", "-s", "IMAGES_MIN_WIDTH=abc"], "IMAGES_MIN_WIDTH=abc"),
        (["-a", "q=cat", "-s", "IMAGES_WORKERS=0"], "IMAGES_WORKERS"),
        (["-a", "q=cat", "-s", "DEDUP=maybe"], "DEDUP=maybe"),
    ],
    ids=["limit", "no-q", "queries-missing", "size", "license", "unknown-name", "setting-not-a-number",
         "setting-out-of-range", "setting-not-a-flag"],
)
def test_bad_argument_is_one_line_and_exit_2(args: list[str], named: str, tmp_path: Path) -> None:
    store = tmp_path / "data"
    result = run_scrapy("crawl", "bing", *args, "-s", f"IMAGES_STORE={store}", timeout=60)
    output = result.stdout + result.stderr
    assert result.returncode == 2, output[-2000:]
    errors = error_lines(result.stderr)
    assert len(errors) == 1, errors
    assert named in errors[0]
    assert "Traceback" not in output
    assert "Spider opened" not in output  # refused before the crawl started
    assert not store.exists()  # and before the dataset was opened


def test_missing_browser_fails_with_exit_1(tmp_path: Path) -> None:
    result = run_scrapy(
        "crawl", "bing", "-a", "q=cat",
        "-s", 'PLAYWRIGHT_LAUNCH_OPTIONS={"executable_path": "/nonexistent/chrome"}',
        "-s", f"IMAGES_STORE={tmp_path / 'data'}",
        timeout=120,
    )  # fmt: skip
    output = result.stdout + result.stderr
    assert result.returncode == 1, output[-2000:]
    errors = error_lines(result.stderr)
    assert len(errors) == 1, errors
    assert "chromium" in errors[0].lower()
    assert "/nonexistent/chrome" in errors[0]
    assert "Traceback" not in output
    assert "failed_browser_missing" in output
    assert "'finish_reason': 'failed_browser_missing'" in output
