"""Web text made safe where it enters (imagespider/text.py, imagespider/items.py): lone surrogates
replaced, control characters dropped, a non-string where text belongs marks the item for a
``bad_row`` drop; the store writes any row whatever its text; a URL list whose every row is
mistyped is one line (ArgumentError)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from imagespider.dataset.files import MANIFEST
from imagespider.dataset.store import Dataset
from imagespider.errors import ArgumentError, Rejected
from imagespider.items import ImageItem
from imagespider.pipelines.rowcheck import RowCheckPipeline
from imagespider.spiders.urllist import read_url_list
from imagespider.text import clean_text, clean_value


def test_clean_text_replaces_surrogates_and_drops_controls() -> None:
    assert clean_text("a\ud800b\udfffc") == "a\ufffdb\ufffdc"
    assert clean_text("t\x00i\x1bt\x7fl\x85e\tkeeps\ntabs") == "title\tkeeps\ntabs"
    assert clean_value({"k\x00": ["\ud83d", 3, None]}) == {"k": ["\ufffd", 3, None]}


def item(**fields: object) -> ImageItem:
    return ImageItem(**{"image_url": "http://h/x.jpg", "label": "cat", "query": "cat", "engine": "bing", **fields})


def test_an_item_cleans_its_text_once() -> None:
    made = item(title=json.loads('"Cat \\ud800 photo\\u0007"'), author="A\x00B", tags=["x\ud800", 3])
    assert (made.title, made.author, made.tags, made.problem) == ("Cat \ufffd photo", "AB", ["x\ufffd"], None)
    assert RowCheckPipeline().process_item(made) is made


@pytest.mark.parametrize(
    ("field", "value"), [("title", ["a", "b"]), ("author", {"name": "x"}), ("query", 42), ("page_url", 3.5)]
)
def test_a_non_string_where_text_belongs_is_a_bad_row(field: str, value: object) -> None:
    made = item(**{field: value})
    assert made.problem and field in made.problem
    assert getattr(made, field) in (None, "")
    with pytest.raises(Rejected) as dropped:
        RowCheckPipeline().process_item(made)
    assert dropped.value.reason == "bad_row"


def test_the_store_writes_any_row_whatever_its_text(tmp_path: Path) -> None:
    dataset = Dataset(tmp_path)
    dataset.open()
    dataset.add({"file_name": "cat/x.jpg", "title": "bad \ud800 surrogate\x00"})
    dataset.reject({"url": "http://h/\udfff"})
    dataset.close()
    row = json.loads((tmp_path / MANIFEST).read_bytes())
    assert row["title"] == "bad \ufffd surrogate"


def test_a_url_list_with_only_mistyped_rows_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "m.jsonl"
    path.write_text(json.dumps({"image_url": "http://h/1.jpg", "title": ["x"]}) + "\n")
    with pytest.raises(ArgumentError, match="title is list, not text") as refused:
        read_url_list(str(path), "images")
    assert "\n" not in str(refused.value)
    path.write_text(path.read_text() + json.dumps({"image_url": "http://h/2.jpg", "title": "fine"}) + "\n")
    assert len(read_url_list(str(path), "images").rows) == 2  # the mistyped one is a bad_row drop when crawled
    path.write_text(json.dumps({"image_url": "http://h/1.jpg", "label": ["x"]}) + "\n" + json.dumps({"image_url": "http://h/2.jpg"}) + "\n")
    assert len(read_url_list(str(path), "images").rows) == 1
