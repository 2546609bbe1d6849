"""crawls.jsonl rows: built from a crawl's stats, appended whole, read back oldest first."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from imagespider.dataset.store.crawls import (
    CRAWLS,
    amend_crawl,
    append_crawl,
    crawl_row,
    dropped_by_reason,
    new_crawl_id,
    read_crawls,
)

START = datetime(2026, 11, 30, 6, 31, 23, tzinfo=UTC)
END = datetime(2026, 11, 30, 6, 40, 0, tzinfo=UTC)


def test_dropped_by_reason_leaves_out_the_license_breakdown() -> None:
    stats = {"imagespider/dropped": 9, "imagespider/dropped/http_error": 2, "imagespider/dropped/too_small": 7,
             "imagespider/dropped/license/cc-by": 3, "imagespider/kept": 1}
    assert dropped_by_reason(stats) == {"too_small": 7, "http_error": 2}
    assert list(dropped_by_reason(stats)) == ["too_small", "http_error"]


def test_a_row_is_json_and_reads_back(tmp_path: Path) -> None:
    crawl_id = new_crawl_id("bing", START)
    assert crawl_id.startswith("20261130T063123Z-bing-")
    assert new_crawl_id("bing", START, "abc") == "20261130T063123Z-bing-abc"
    row = crawl_row(
        crawl_id=crawl_id, spider="bing", arguments={"q": "cat", "limit": 5}, settings={"DEDUP": True},
        start=START, end=END, finish_reason="finished", queries=[],
        stats={"imagespider/kept": 5, "start_time": START, "odd": object(), "imagespider/dropped/empty": 1},
    )
    append_crawl(tmp_path, row)
    append_crawl(tmp_path, row | {"id": "second"})
    with (tmp_path / CRAWLS).open("ab") as handle:
        handle.write(b'{"torn')
    rows = list(read_crawls(tmp_path))
    assert [r["id"] for r in rows] == [crawl_id, "second"]
    assert rows[0]["arguments"] == {"q": "cat", "limit": "5"}
    assert rows[0]["start"] == "2026-11-30T06:31:23+00:00" and rows[0]["stats"]["start_time"] == rows[0]["start"]
    assert rows[0]["kept"] == 5 and rows[0]["dropped"] == {"empty": 1}
    assert list(read_crawls(tmp_path / "nowhere")) == []


def test_hand_edited_rows_of_the_wrong_types_do_not_stop_the_card_or_the_report(tmp_path: Path) -> None:
    """One crawls.jsonl row with ``"arguments": "x"`` made every later card and report fail to be
    written ("could not write README.md: AttributeError: 'str' object has no attribute 'get'")."""
    import json

    from imagespider.dataset.documents.card import render_card
    from imagespider.dataset.documents.report import _limits, _runs

    damaged = [
        {"id": "a", "arguments": "x", "settings": [1], "queries": "q", "dropped": [1], "kept": "many"},
        {"id": 5, "spider": ["s"], "queries": [1, {"label": ["l"], "kept": "2", "limit": "x"}], "dropped": {"e": "1"}},
        {"id": "c", "spider": "bing", "arguments": {"license": "any"}, "kept": 3, "dropped": {"empty": 2},
         "queries": [{"label": "cat", "kept": 3, "limit": 5}]},
    ]
    (tmp_path / CRAWLS).write_text("".join(json.dumps(row) + "\n" for row in damaged), encoding="utf-8")
    rows = list(read_crawls(tmp_path))
    assert [r["id"] for r in rows] == ["a", None, "c"]
    assert rows[0]["arguments"] == {} and rows[0]["kept"] == 0 and rows[1]["dropped"] == {}
    assert rows[1]["queries"] == [{"label": None, "kept": 0, "limit": None}]
    assert rows[2] == {**damaged[2], "settings": {}, "stats": {}}
    assert "`any`" in render_card([], rows)
    assert "kept 3 · dropped 2 (empty 2)" in _runs(rows)
    assert _limits(rows)["cat"] == (3, 5, "add")


def test_amending_a_crawl_replaces_its_row_only(tmp_path: Path) -> None:
    # A crawl whose documents failed after its row was written records the failure (issue 29).
    append_crawl(tmp_path, {"id": "a", "finish_reason": "finished"})
    append_crawl(tmp_path, {"id": "b", "finish_reason": "finished", "text": "chat \u00e9"})
    (tmp_path / CRAWLS).open("a").write('{"id": "c", "finish_re')  # a torn last line stays as it was
    assert amend_crawl(tmp_path, {"id": "b", "finish_reason": "failed_documents", "text": "chat \u00e9"})
    assert [(row["id"], row["finish_reason"]) for row in read_crawls(tmp_path)] == [
        ("a", "finished"), ("b", "failed_documents"),
    ]
    assert (tmp_path / CRAWLS).read_text().endswith('{"id": "c", "finish_re')
    assert not amend_crawl(tmp_path, {"id": "z", "finish_reason": "failed_documents"})
    assert [p.name for p in tmp_path.iterdir()] == [CRAWLS]  # no temporary file left
