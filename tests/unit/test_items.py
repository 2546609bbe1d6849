"""imagespider/items.py: an ImageItem cleans its web text once when it is made, and marks (never
raises on) a value of the wrong type, for the ``bad_row`` drop (test_pipelines_rowcheck.py)."""

from __future__ import annotations

import json

import pytest

from imagespider.items import TEXT_FIELDS, ImageItem
from imagespider.pipelines.rowcheck import RowCheckPipeline
from imagespider.rights.model import unknown


def item(**fields: object) -> ImageItem:
    return ImageItem(**{"image_url": "http://h/x.jpg", "label": "cat", "query": "cat", "engine": "bing", **fields})


def test_an_item_cleans_its_text_once() -> None:
    made = item(title=json.loads('"Cat \\ud800 photo\\u0007"'), author="A\x00B", tags=["x\ud800", 3])
    assert (made.title, made.author, made.tags, made.problem) == ("Cat \ufffd photo", "AB", ["x\ufffd"], None)
    assert RowCheckPipeline().process_item(made) is made


@pytest.mark.parametrize("field", ["image_url", "label", "query", "engine"])
def test_a_required_field_of_the_wrong_type_is_blank_text_and_a_problem(field: str) -> None:
    made = item(**{field: ["not", "text"]})
    assert getattr(made, field) == ""
    assert made.problem and field in made.problem


def test_defaults_what_the_download_fills_and_the_url_to_fetch() -> None:
    made = item(tags="not a list")
    assert made.image_urls == ["http://h/x.jpg"]
    assert made.tags == [] and made.license == unknown() and made.engine_rights == {}
    assert (made.file_name, made.sha256, made.problem) == (None, None, None)
    assert "title" in TEXT_FIELDS and "tags" not in TEXT_FIELDS
