"""imagespider/pipelines/rowcheck.py: an item marked with a problem when it was made is dropped as
``bad_row`` before anything is fetched for it; a clean item passes unchanged."""

from __future__ import annotations

import pytest

from imagespider.errors import Rejected
from imagespider.items import ImageItem
from imagespider.pipelines.rowcheck import RowCheckPipeline


def item(**fields: object) -> ImageItem:
    return ImageItem(**{"image_url": "http://h/x.jpg", "label": "cat", "query": "cat", "engine": "bing", **fields})


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


def test_a_clean_item_passes_unchanged() -> None:
    made = item(title="A cat")
    assert RowCheckPipeline().process_item(made) is made
