"""Odd input through real crawls (issue 13): a urls manifest with mistyped rows and broken text
gives ``bad_row`` drops and clean rows, and every document is still written; odd settings and
stores end with one line and exit 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import run_scrapy
from tests.mockserver import MockHTTPServer


def error_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if " ERROR: " in line or " CRITICAL: " in line]


def test_mistyped_rows_are_bad_row_and_broken_text_is_cleaned(mockserver: MockHTTPServer, tmp_path: Path) -> None:
    base = f"{mockserver.base}/hostile/ok"
    rows = [
        {"image_url": f"{base}/20.png", "title": ["a", "list"]},
        {"image_url": f"{base}/21.png", "author": {"name": "x"}},
        {"image_url": f"{base}/22.png", "query": 42},
        {"image_url": f"{base}/23.png", "page_url": 7},
        {"image_url": f"{base}/24.png", "title": "lone \ud800 surrogate\u0007", "author": "Ann\x00"},
        {"image_url": f"{base}/25.png", "title": "www.evil.com and http://x *bold* [link](http://y)"},
    ]
    manifest = tmp_path / "in.jsonl"
    manifest.write_text("".join(json.dumps(row) + "\n" for row in rows))  # \ud800 as JSON writes it
    store = tmp_path / "store"
    result = run_scrapy("crawl", "urls", "-a", f"path={manifest}", "-a", "license=any", "-s", f"IMAGES_STORE={store}")
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Traceback" not in result.stderr
    rejected = {row["url"].rsplit("/", 1)[1]: row for row in map(json.loads, (store / "rejected.jsonl").read_text().splitlines())}
    assert {name: row["reason"] for name, row in rejected.items()} == {f"{n}.png": "bad_row" for n in (20, 21, 22, 23)}
    assert "title is list" in rejected["20.png"]["detail"]
    kept = [json.loads(line) for line in (store / "metadata.jsonl").read_text(encoding="utf-8").splitlines()]
    assert sorted(row["title"] for row in kept) == ["lone \ufffd surrogate", rows[5]["title"]]
    assert [row["author"] for row in kept if row["title"].startswith("lone")] == ["Ann"]
    for document in ("ATTRIBUTION.md", "report.html"):
        assert (store / document).stat().st_size > 0
    attribution = (store / "ATTRIBUTION.md").read_text()
    # Titles are text, not links: no bare www./http:// autolink, no live Markdown.
    assert "www.evil.com" not in attribution and "http://x " not in attribution
    assert "[link](http://y)" not in attribution


def test_a_manifest_of_only_mistyped_rows_is_one_line_and_exit_2(tmp_path: Path) -> None:
    manifest = tmp_path / "in.jsonl"
    manifest.write_text(json.dumps({"image_url": "http://h.example/1.png", "author": 3}) + "\n")
    result = run_scrapy("crawl", "urls", "-a", f"path={manifest}", "-s", f"IMAGES_STORE={tmp_path / 's'}")
    assert result.returncode == 2, result.stderr[-2000:]
    errors = error_lines(result.stderr)
    assert len(errors) == 1 and "author is int" in errors[0]
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("setting", "words"),
    [
        ("IMAGES_STORE={file}", "is a file"),
        ("IMAGES_STORE=/proc/imagespider-test", "/proc"),
        ("PLAYWRIGHT_LAUNCH_OPTIONS=not json", "PLAYWRIGHT_LAUNCH_OPTIONS"),
        ("FLICKR_API_URL=not a url", "FLICKR_API_URL"),
    ],
    ids=["store-is-a-file", "store-under-proc", "launch-options-not-json", "flickr-url-not-a-url"],
)
def test_odd_settings_are_one_line_and_exit_2(tmp_path: Path, setting: str, words: str) -> None:
    a_file = tmp_path / "a-file"
    a_file.write_text("x")
    listing = tmp_path / "list.txt"
    listing.write_text("http://h.example/1.png\n")
    spider = "flickr" if setting.startswith("FLICKR") else "urls"
    args = ["-a", "q=cat"] if spider == "flickr" else ["-a", f"path={listing}"]
    result = run_scrapy(
        "crawl", spider, *args, "-s", setting.format(file=a_file),
        *([] if setting.startswith("IMAGES_STORE") else ["-s", f"IMAGES_STORE={tmp_path / 's'}"]),
        env={"FLICKR_API_KEY": "goodkey-odd-input"},
    )
    assert result.returncode == 2, result.stderr[-2000:]
    errors = error_lines(result.stderr)
    assert len(errors) == 1 and words in errors[0], errors
    assert "Traceback" not in result.stderr
