"""Near-duplicates across engines and crawls, and the ``urls`` spider, end to end on the mock.

Bing (tests/mockserver/neardup.py) serves resized and re-encoded copies of photos the Flickr mock
serves; crawling Bing then Flickr into one store must keep each picture once. Then
``scrapy crawl urls -a path=<store>/metadata.jsonl`` rebuilds the store elsewhere byte for byte,
and reports (never replaces) images that changed or vanished at their source.
"""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from imagespider.dataset.neardup.phash import distance
from imagespider.settings import DEDUP_MAX_DISTANCE
from tests.conftest import run_scrapy
from tests.crawl.test_dataset_outputs import load_with_datasets, open_report
from tests.mockserver import MockHTTPServer
from tests.mockserver.neardup import OWN, QUERY, TWINS

FLICKR_KEY = "goodkey-neardup-4f1e"
FLICKR_LIMIT = 20
FAST = ["-s", "SCROLL_WAIT_TIMEOUT=2", "-s", "SCROLL_MAX_STALLS=1", "-s", "SCROLL_STEP_PAUSE=0.05"]


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []


def ok(result: Any) -> None:
    assert result.returncode == 0, (result.stdout + result.stderr)[-4000:]
    assert "Traceback" not in result.stderr, result.stderr[-4000:]


def crawl_urls(store: Path, *args: str) -> Any:
    return run_scrapy("crawl", "urls", *args, "-s", f"IMAGES_STORE={store}")


def files_of(store: Path) -> dict[str, str]:
    """Relative path -> sha256 of every image file in a store."""
    return {
        p.relative_to(store).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in store.glob("*/*")
        if p.is_file()
    }


@pytest.fixture(scope="module")
def two_engines(mockserver: MockHTTPServer, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Bing, then Flickr, into the same store, for the query whose Bing results copy Flickr's."""
    store = tmp_path_factory.mktemp("two-engines")
    ok(run_scrapy(
        "crawl", "bing", "-a", f"q={QUERY}", "-a", "limit=50", "-a", "license=any", *FAST,
        "-s", f"BING_SEARCH_URL={mockserver.base}/neardup/images/search", "-s", f"IMAGES_STORE={store}",
    ))  # fmt: skip
    ok(run_scrapy(
        "crawl", "flickr", "-a", f"q={QUERY}", "-a", f"limit={FLICKR_LIMIT}", "-a", "license=any",
        "-s", f"FLICKR_API_URL={mockserver.base}/services/rest/", "-s", f"IMAGES_STORE={store}",
        "-s", 'DOWNLOAD_SLOTS={"flickr-api": {"delay": 0}}',
        env={"FLICKR_API_KEY": FLICKR_KEY},
    ))  # fmt: skip
    return store


def test_two_engines_keep_each_picture_once(two_engines: Path) -> None:
    rows = read_jsonl(two_engines / "metadata.jsonl")
    by_engine = {engine: [r for r in rows if r["engine"] == engine] for engine in ("bing", "flickr")}
    assert len(by_engine["bing"]) == len(TWINS) + OWN
    assert len(by_engine["flickr"]) == FLICKR_LIMIT  # the dropped twins were replaced from later pages
    assert len({row["sha256"] for row in rows}) == len(rows)
    for i, a in enumerate(rows):
        assert len(a["phash"]) == 16
        for b in rows[i + 1 :]:
            assert distance(a["phash"], b["phash"]) > DEDUP_MAX_DISTANCE, (a["file_name"], b["file_name"])


def test_the_two_engine_store_loads_and_its_report_shows_every_image(two_engines: Path, tmp_path: Path) -> None:
    """Issue 6's whole check on the store two engines filled: datasets loads it, report.html
    renders every kept image in Chromium."""
    rows = read_jsonl(two_engines / "metadata.jsonl")
    loaded = load_with_datasets(two_engines, tmp_path)
    assert loaded["rows"] == len(rows)
    assert loaded["labels"] == sorted({row["label"] for row in rows})
    widths, sources, failed, _ = open_report(two_engines, tmp_path)
    # The report shows each kept image as its thumbnail (<label>/.thumbs/<sha256>.jfif).
    assert sorted(sources) == sorted(f"{row['label']}/.thumbs/{row['sha256']}.jfif" for row in rows)
    assert all(width > 0 for width in widths) and not failed


def test_near_duplicates_are_rejected_naming_the_kept_twin(two_engines: Path) -> None:
    kept = {row["file_name"]: row for row in read_jsonl(two_engines / "metadata.jsonl")}
    near = [row for row in read_jsonl(two_engines / "rejected.jsonl") if row["reason"] == "near_duplicate"]
    # Flickr photo i came second: its Bing copy (twin i) is the one kept.
    assert sorted(int(row["url"].split("/")[-1].split("_")[0]) - 7_000_000_000 for row in near) == sorted(TWINS)
    for row in near:
        assert row["engine"] == "flickr"
        twin = row["detail"].split(" from ")[-1]
        assert kept[twin]["engine"] == "bing" and "/neardup/img/twin/" in kept[twin]["image_url"], row


def test_a_manifest_rebuilds_the_dataset_byte_for_byte(two_engines: Path, tmp_path: Path) -> None:
    rebuilt = tmp_path / "rebuilt"
    result = crawl_urls(rebuilt, "-a", f"path={two_engines / 'metadata.jsonl'}", "-a", "license=any")
    ok(result)
    assert files_of(rebuilt) == files_of(two_engines)
    original, again = read_jsonl(two_engines / "metadata.jsonl"), read_jsonl(rebuilt / "metadata.jsonl")
    assert len(again) == len(original)
    assert read_jsonl(rebuilt / "rejected.jsonl") == []
    keys = ("file_name", "label", "sha256", "phash", "engine", "query", "license", "license_source", "author")
    assert sorted(tuple(r[k] for k in keys) for r in again) == sorted(tuple(r[k] for k in keys) for r in original)


def test_a_rebuild_reports_changed_and_vanished_images(
    two_engines: Path, tmp_path: Path, mockserver: MockHTTPServer
) -> None:
    rows = read_jsonl(two_engines / "metadata.jsonl")
    changed, gone = rows[0], rows[1]
    changed["image_url"] = f"{mockserver.base}/neardup/changed/1.jpg"
    gone["image_url"] = f"{mockserver.base}/neardup/gone/2.jpg"
    manifest = tmp_path / "shared-manifest.jsonl"
    manifest.write_text("".join(json.dumps(row) + "\n" for row in rows))
    rebuilt = tmp_path / "rebuilt"
    result = crawl_urls(rebuilt, "-a", f"path={manifest}", "-a", "license=any")
    ok(result)
    rejected = {row["url"]: row for row in read_jsonl(rebuilt / "rejected.jsonl")}
    assert set(rejected) == {changed["image_url"], gone["image_url"]}
    assert rejected[changed["image_url"]]["reason"] == "changed"
    assert f"expected sha256 {changed['sha256']}, got " in rejected[changed["image_url"]]["detail"]
    assert rejected[gone["image_url"]]["reason"] == "http_error"
    assert len(read_jsonl(rebuilt / "metadata.jsonl")) == len(rows) - 2
    expected = {k: v for k, v in files_of(two_engines).items() if k not in (changed["file_name"], gone["file_name"])}
    assert files_of(rebuilt) == expected
    assert "'imagespider/dropped/changed': 1," in result.stderr


def test_a_plain_list_with_comments_and_bad_lines(mockserver: MockHTTPServer, tmp_path: Path) -> None:
    urls = [f"{mockserver.base}/neardup/img/own/{i}.jpg" for i in range(3)]
    listing = tmp_path / "list.txt"
    listing.write_text("# my images\n" + "\n".join(urls) + "\n\nnot a url\nftp://example.com/x.jpg\n")
    store = tmp_path / "store"
    result = crawl_urls(store, "-a", f"path={listing}", "-a", "label=Mine", "-a", "license=any")
    ok(result)
    rows = read_jsonl(store / "metadata.jsonl")
    assert sorted(row["image_url"] for row in rows) == sorted(urls)
    assert {row["label"] for row in rows} == {"mine"} and {row["engine"] for row in rows} == {"urls"}
    assert all(row["file_name"].startswith("mine/") for row in rows)
    assert "'imagespider/urls/skipped_rows': 2" in result.stderr
    assert "skipped 2 bad rows" in result.stderr


def test_a_plain_list_under_the_default_policy_is_dropped_with_a_warning(
    mockserver: MockHTTPServer, tmp_path: Path
) -> None:
    listing = tmp_path / "list.txt"
    listing.write_text(f"{mockserver.base}/neardup/img/own/0.jpg\n")
    result = crawl_urls(tmp_path / "store", "-a", f"path={listing}")
    # Nothing kept while results came in: the crawl failed (issue 17), with the fix in one line.
    assert result.returncode == 1, result.stderr[-3000:]
    assert "'finish_reason': 'failed_nothing_kept'" in result.stderr
    assert "kept nothing: the only result was dropped (license_unnamed 1); fix:" in result.stderr
    assert "declares no license" in result.stderr
    # Downloaded (the file might have named a license), then dropped: nothing names one.
    assert [row["reason"] for row in read_jsonl(tmp_path / "store" / "rejected.jsonl")] == ["license_unnamed"]


def test_a_csv_with_labels_titles_and_licenses(mockserver: MockHTTPServer, tmp_path: Path) -> None:
    listing = tmp_path / "images.csv"
    with listing.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Title", "url", "label", "license", "author", "page_url"])
        writer.writerow(["first", f"{mockserver.base}/neardup/img/own/3.jpg", "dogs", "CC BY-SA 4.0", "Ann", ""])
        page = f"{mockserver.base}/page/x.html"
        writer.writerow(["second", f"{mockserver.base}/neardup/img/own/4.jpg", "", "cc0", "", page])
        writer.writerow(["no url", "", "dogs", "cc0", "", ""])
        writer.writerow(["unknown", f"{mockserver.base}/neardup/img/own/5.jpg", "", "", "", ""])
    store = tmp_path / "store"
    result = crawl_urls(store, "-a", f"path={listing}", "-a", "license=share")
    ok(result)
    rows = {row["title"]: row for row in read_jsonl(store / "metadata.jsonl")}
    assert set(rows) == {"first", "second"}
    first = rows["first"]
    assert (first["label"], first["license"], first["license_version"]) == ("dogs", "cc-by-sa", "4.0")
    assert rows["first"]["license_source"] == "list" and rows["first"]["author"] == "Ann"
    assert (rows["second"]["label"], rows["second"]["license"]) == ("images", "cc0")
    assert rows["second"]["page_url"] == f"{mockserver.base}/page/x.html"
    assert [row["reason"] for row in read_jsonl(store / "rejected.jsonl")] == ["license_unnamed"]
    assert "'imagespider/urls/skipped_rows': 1" in result.stderr


def test_limit_caps_kept_images_per_label(mockserver: MockHTTPServer, tmp_path: Path) -> None:
    listing = tmp_path / "list.txt"
    listing.write_text("".join(f"{mockserver.base}/neardup/img/own/{i}.jpg\n" for i in range(OWN)))
    store = tmp_path / "store"
    ok(crawl_urls(store, "-a", f"path={listing}", "-a", "license=any", "-a", "limit=2"))
    assert len(read_jsonl(store / "metadata.jsonl")) == 2


@pytest.mark.parametrize(
    ("content", "name", "args", "message"),
    [
        (None, "missing.txt", [], "URL list not found"),
        ("title,link\na,http://x/y.jpg\n", "list.csv", [], "has no url column"),
        ('{"label": "cat"}\n{"image_url": "nope"}\n', "metadata.jsonl", [],
         "holds no usable image URL (2 bad: line 1: no image_url)"),
        ("# nothing\n", "list.txt", [], "holds no usable image URL"),
        ("http://x/y.jpg\n", "list.txt", ["-a", "limit=0"], "limit must be between"),
        ("http://x/y.jpg\n", "list.txt", ["-a", "q=cat"], "unknown argument -a q="),
        ("http://x/y.jpg\n", "list.txt", ["-s", "DEDUP_MAX_DISTANCE=99"], "DEDUP_MAX_DISTANCE must be"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    tmp_path: Path, content: str | None, name: str, args: list[str], message: str
) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_text(content)
    result = crawl_urls(tmp_path / "store", "-a", f"path={path}", *args)
    assert result.returncode == 2, result.stderr[-3000:]
    errors = [line for line in result.stderr.splitlines() if "ERROR" in line]
    assert len(errors) == 1 and message in errors[0], result.stderr[-3000:]
    assert "Traceback" not in result.stderr
