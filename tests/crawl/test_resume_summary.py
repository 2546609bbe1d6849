"""A resumed JOBDIR job: its summary agrees with its own "ended" line, and results it rejected in
an earlier run are not downloaded and rejected again. ``-a mode=top-up``: ``limit`` counts what
the store holds per class, so a repeated (nightly) crawl tops classes up instead of growing them."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

from tests.crawl.conftest import FAST_SCROLL, Crawl, CrawlResult, assert_manifest_matches_files, read_jsonl


def bing60(crawl: Crawl, store: Path, query: str, limit: int, *extra: str) -> CrawlResult:
    # /s/60/: 60 results, every one whose index ends in 3 broken (rejected), some duplicates.
    return crawl(
        "bing", "-a", f"q={query}", "-a", f"limit={limit}", "-a", "license=any", *extra,
        store=store, endpoint="/s/60/images/search", settings=FAST_SCROLL,
    )


def test_a_resumed_job_agrees_with_itself_and_rejects_nothing_twice(crawl: Crawl, tmp_path: Path) -> None:
    store, job = tmp_path / "store", ["-s", f"JOBDIR={tmp_path / 'job'}"]
    first = bing60(crawl, store, "resumesum", 8, *job)
    assert first.returncode == 0, first.stderr[-3000:]
    rejected_first = read_jsonl(store / "rejected.jsonl")
    assert rejected_first, "the plan has broken results among the first ones"

    second = bing60(crawl, store, "resumesum", 20, *job)
    assert second.returncode == 0, second.stderr[-3000:]
    ended = re.search(r"query 'resumesum' \(label resumesum\) ended, [^:]+: kept (\d+) of 20", second.stderr)
    assert ended, second.stderr[-3000:]
    rows = assert_manifest_matches_files(store)
    assert int(ended.group(1)) == len(rows) == 20
    assert "summary: bing 'resumesum' (resumesum): kept 20/20 (12 in this run)" in second.stderr
    assert "summary: 1 query, kept 12 in this run" in second.stderr
    # What the first run rejected was neither fetched nor listed again.
    urls = Counter(row["url"] for row in read_jsonl(store / "rejected.jsonl"))
    assert [url for url, count in urls.items() if count > 1] == []
    fetched = set(second.requests)
    assert not [row for row in rejected_first if row["url"].split("127.0.0.1:")[1].split("/", 1)[1] in
                {path.lstrip("/") for path in fetched}]
    assert f"'imagespider/skipped/rejected_by_this_job': {len(rejected_first)}" in second.stderr


def test_top_up_fills_each_class_to_its_limit_and_no_further(crawl: Crawl, tmp_path: Path) -> None:
    store = tmp_path / "store"
    for before, limit in ((0, 4), (4, 6), (6, 6)):
        result = bing60(crawl, store, "topup", limit, "-a", "mode=top-up")
        assert result.returncode == 0, result.stderr[-3000:]
        assert f"(label topup) tops up: the store holds {before} of {limit}" in result.stderr
        assert len(assert_manifest_matches_files(store)) == limit
    last = json.loads((store / "crawls.jsonl").read_text(encoding="utf-8").splitlines()[-1])
    assert last["arguments"]["mode"] == "top-up" and last["kept"] == 0 and last["finish_reason"] == "finished"
    assert "summary: bing 'topup' (topup): kept 6/6 (0 in this run)" in result.stderr


def test_top_up_with_two_queries_of_one_label_ends_the_label_at_its_limit(crawl: Crawl, tmp_path: Path) -> None:
    """Issue 28, item 11: the class holds 4, ``limit=6``, two queries share its label: together
    they keep 2 (each counted the whole class as its own start, so the class ended at 8)."""
    store, queries = tmp_path / "store", tmp_path / "queries.txt"
    env = {"FLICKR_API_KEY": "goodkey-topup"}
    first = crawl("flickr", "-a", "q=tabby", "-a", "label=cats", "-a", "limit=4", "-a", "license=any",
                  store=store, env=env)
    assert first.returncode == 0, first.stderr[-3000:]
    queries.write_text("cats: kitten\ncats: housecat\n")
    second = crawl("flickr", "-a", f"queries={queries}", "-a", "limit=6", "-a", "mode=top-up", "-a", "license=any",
                   store=store, env=env)
    assert second.returncode == 0, second.stderr[-3000:]
    rows = assert_manifest_matches_files(store)
    assert Counter(row["label"] for row in rows) == {"cats": 6}
    assert "(label cats) tops up: the store holds 4 of 6" in second.stderr
