"""A crawl through every way an image host misbehaves (tests/mockserver/faults.py) ends normally: good
images kept, every bad one recorded with its reason, the manifest in step with the files."""

from __future__ import annotations

import uuid

import pytest

from imagespider.dataset.store.labels import safe_label
from tests.crawl.conftest import FAST_SCROLL, Crawl, assert_manifest_matches_files, read_jsonl
from tests.mockserver.faults import DOWNLOAD_MAXSIZE, DOWNLOAD_TIMEOUT, EXPECTED, EXPECTED_REQUESTS, MAX_PIXELS

#: Not Latin, and with characters a folder name must not keep.
QUERY = "кошка 猫 / ✓"


@pytest.fixture(scope="module")
def fault_crawl(crawl: Crawl):
    run = uuid.uuid4().hex[:8]
    result = crawl(
        "bing", "-a", f"q={QUERY}", "-a", "limit=100", "-a", "license=any", endpoint=f"/faults/{run}/images/search",
        settings={"DOWNLOAD_TIMEOUT": DOWNLOAD_TIMEOUT, "RETRY_TIMES": 1, "DOWNLOAD_MAXSIZE": DOWNLOAD_MAXSIZE,
                  "IMAGES_MAX_PIXELS": MAX_PIXELS, **FAST_SCROLL},
    )
    return result.store, run, result, result.seconds


def _kind(url: str) -> str:
    return url.rsplit("/", 1)[1]


def test_the_crawl_survives_every_fault_and_finishes(fault_crawl) -> None:
    _, _, result, seconds = fault_crawl
    assert result.returncode == 0, result.stderr[-3000:]
    assert "'finish_reason': 'finished'" in result.stderr
    assert "Traceback" not in result.stderr
    assert seconds < 90


def test_good_images_are_kept_and_bad_ones_rejected_with_their_reason(fault_crawl) -> None:
    store, _, result, _ = fault_crawl
    rows = assert_manifest_matches_files(store)
    kept = {_kind(row["image_url"]): row for row in rows}
    rejected = {_kind(row["url"]): row for row in read_jsonl(store / "rejected.jsonl")}
    outcome = {kind: "kept" for kind in kept} | {kind: row["reason"] for kind, row in rejected.items()}
    assert outcome == EXPECTED, {k: (outcome.get(k), v) for k, v in EXPECTED.items() if outcome.get(k) != v}
    assert len(rejected) + len(kept) == len(EXPECTED)
    for kind, row in rejected.items():
        assert row["detail"], row
    for reason in set(EXPECTED.values()) - {"kept"}:
        count = sum(value == reason for value in EXPECTED.values())
        assert f"'imagespider/dropped/{reason}': {count}," in result.stderr


def test_retries_are_spent_only_where_they_can_help(fault_crawl) -> None:
    _, run, result, _ = fault_crawl
    for kind, expected in EXPECTED_REQUESTS.items():
        assert result.requests.count(f"/faults/{run}/{kind}") == expected, kind
    # A loop is followed REDIRECT_MAX_TIMES, not forever.
    loop = sum(path.startswith(f"/faults/{run}/redirect-loop-") for path in result.requests)
    assert 2 <= loop <= 7


def test_non_latin_query_lands_in_a_safe_folder_inside_the_store(fault_crawl) -> None:
    store, _, _, _ = fault_crawl
    label = safe_label(QUERY)
    assert label and "/" not in label
    folders = [p for p in store.iterdir() if p.is_dir()]
    assert [p.name for p in folders] == [label]
    for row in read_jsonl(store / "metadata.jsonl"):
        assert (store / row["file_name"]).resolve().is_relative_to(store.resolve())
        assert row["label"] == label and row["query"] == QUERY

