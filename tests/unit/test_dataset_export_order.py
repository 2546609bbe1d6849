"""imagespider/dataset/export/order.py: an export's rows held on disk, by (label, sha256), each sha256 once."""

from __future__ import annotations

from pathlib import Path

from imagespider.dataset.export.order import OrderedRows


def test_rows_come_back_by_label_then_sha256_each_sha256_once(tmp_path: Path) -> None:
    rows = OrderedRows(tmp_path / "rows.sqlite")
    try:
        assert rows.add("dog", "b" * 64, {"n": 1})
        assert rows.add("cat", "c" * 64, {"n": 2})
        assert rows.add("cat", "a" * 64, {"n": 3})
        assert not rows.add("dog", "a" * 64, {"n": 4})  # the same bytes again: the first row wins
        assert rows.add("cat", "d" * 64, {"title": "a lone \ud800 surrogate"})  # stored, not a UnicodeEncodeError
        assert rows.labels() == ["cat", "dog"] and len(rows) == 4
        assert [row.get("n") for row in rows] == [3, 2, None, 1]
    finally:
        rows.close()
