"""imagespider/dataset/store/manifest.py: the row written for a kept image has every column, its License
spelled out in the license columns with the TASL credit, every ``rights`` key (null when absent:
Hugging Face takes a nested column's schema from the first rows) and every engine-rights key."""

from __future__ import annotations

from imagespider.dataset.store.manifest import MANIFEST_FIELDS, RIGHTS_FIELDS, manifest_row
from imagespider.engines import ENGINE_RIGHTS_FIELDS
from imagespider.items import ImageItem
from imagespider.rights.model import cc_license


def kept_item(**fields: object) -> ImageItem:
    item = ImageItem(image_url="https://h/fox.jpg", label="fox", query="red fox", engine="flickr",
                     page_url="https://photos.example/1", title="A fox", author="Ada",
                     license=cc_license("cc-by-sa", "2.0", "api"), **fields)  # type: ignore[arg-type]
    item.file_name, item.width, item.height, item.sha256 = "fox/ab.jpg", 640, 480, "ab" * 32
    return item


def test_the_row_has_every_column_in_order_and_the_license_spelled_out() -> None:
    row = manifest_row(kept_item(tags=("red", "wild")))
    assert list(row)[: len(MANIFEST_FIELDS)] == list(MANIFEST_FIELDS)
    assert (row["license"], row["license_version"], row["license_source"]) == ("cc-by-sa", "2.0", "api")
    assert row["license_url"] == "https://creativecommons.org/licenses/by-sa/2.0/"
    assert row["permissions"]["commercial"] is True
    assert row["attribution"].startswith('"A fox" by Ada')
    assert row["tags"] == ["red", "wild"]


def test_every_rights_and_engine_rights_key_is_on_every_row() -> None:
    bare = manifest_row(kept_item())
    assert tuple(bare["rights"]) == RIGHTS_FIELDS and set(bare["rights"].values()) == {None}
    assert tuple(bare["engine_rights"]) == ENGINE_RIGHTS_FIELDS
    item = kept_item(engine_rights={"provider": "flickr", "not_a_field": 1})
    item.rights = {"creator": "Ada", "ai_generated": False, "extra_key": "kept after the fixed ones"}
    row = manifest_row(item)
    assert row["rights"]["creator"] == "Ada" and row["rights"]["ai_generated"] is False
    assert list(row["rights"])[-1] == "extra_key" and tuple(row["rights"])[: len(RIGHTS_FIELDS)] == RIGHTS_FIELDS
    assert row["engine_rights"]["provider"] == "flickr" and "not_a_field" not in row["engine_rights"]
