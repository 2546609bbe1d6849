"""``scrapy enginecheck`` against the mocks: every engine checked with one tiny query."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from tests.conftest import PROJECT, scrapy_env
from tests.mockserver import MockHTTPServer


def enginecheck(mockserver: MockHTTPServer, store: Path, *args: str, bing: str = "/images/search",
                google: str = "/search", flickr_key: str = "goodkey-7d3f9a2c51") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable, "-m", "scrapy", "enginecheck", *args,
            "-s", f"OPENVERSE_API_URL={mockserver.base}",
            "-s", f"COMMONS_API_URL={mockserver.base}/w/api.php",
            "-s", f"FLICKR_API_URL={mockserver.base}/services/rest/",
            "-s", f"BING_SEARCH_URL={mockserver.base}{bing}",
            "-s", f"GOOGLE_SEARCH_URL={mockserver.base}{google}",
            "-s", f"IMAGES_STORE={store}", "-s", "ALLOW_PRIVATE_ADDRESSES=True",
        ],
        cwd=PROJECT, env=scrapy_env({"FLICKR_API_KEY": flickr_key, "OPENVERSE_CLIENT_ID": ""}),
        capture_output=True, text=True, timeout=300, check=False,
    )


def log_records(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if re.match(r"^\d{4}-\d\d-\d\d ", line)]


def report(result: subprocess.CompletedProcess[str]) -> dict[str, str]:
    lines = result.stdout.splitlines()
    return {line.split()[0]: line for line in lines if line.split() and not line.startswith("enginecheck:")}


def test_every_engine_healthy(mockserver: MockHTTPServer, tmp_path: Path) -> None:
    result = enginecheck(mockserver, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    found = report(result)
    assert set(found) == {"openverse", "commons", "flickr", "bing", "google"}
    for name, line in found.items():
        assert " ok " in line and "results parsed" in line, line
        assert "page_url 100%" in line
    assert "license 100%" in found["openverse"] and "license" not in found["bing"]
    # The user's store is not written to: nothing downloaded, no documents.
    assert not any(tmp_path.iterdir())
    # No banner at -L INFO: the table is the whole output.
    assert not log_records(result.stderr), result.stderr[-3000:]


def test_changed_refused_unreachable_and_skipped(mockserver: MockHTTPServer, tmp_path: Path) -> None:
    result = enginecheck(
        mockserver, tmp_path, "--query", "changedapi",
        bing="/changed/images/search", google="/sorry/search", flickr_key="",
    )
    assert result.returncode == 1, result.stdout + result.stderr[-3000:]
    found = report(result)
    assert "CHANGED" in found["openverse"] and "CHANGED" in found["commons"]
    assert "CHANGED" in found["bing"] and "markup probably changed" in found["bing"]
    assert "REFUSED" in found["google"] and "unusual traffic" in found["google"]
    assert "skipped" in found["flickr"] and "FLICKR_API_KEY" in found["flickr"]
    saved = sorted(p.name.split("-")[0] for p in (tmp_path / ".debug").iterdir())
    assert saved == ["bing", "commons", "openverse"]
    assert str(tmp_path / ".debug") in found["bing"]
    assert not (tmp_path / "metadata.jsonl").exists()
    # The log holds one line per engine that failed, no banner, no "finish reason finished" of an exit-1 check.
    records = log_records(result.stderr)
    assert len(records) == 4, records
    assert all(" WARNING: " in line or " ERROR: " in line for line in records), records
    assert "finish reason" not in result.stderr and "Overridden settings" not in result.stderr


def test_a_failed_check_does_not_end_finished(mockserver: MockHTTPServer, tmp_path: Path) -> None:
    # Its DEBUG log said "Spider closed (finished)" and "finish reason finished" while it exited 1 (issue 29).
    result = enginecheck(mockserver, tmp_path, "--engines", "openverse", "--query", "changedapi", "-L", "DEBUG")
    assert result.returncode == 1, result.stdout + result.stderr[-3000:]
    assert "Spider closed (failed_check)" in result.stderr
    assert "finish reason failed_check" in result.stderr and "(finished)" not in result.stderr
