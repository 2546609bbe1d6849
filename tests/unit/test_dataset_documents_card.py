"""imagespider/dataset/documents/card.py in-process: the dataset card's YAML header types every column for
Hugging Face (``label`` a ClassLabel of the store's classes, sorted as torchvision numbers them;
each other column by the kinds of value it holds), names the licenses, and its body counts the
classes. Loading a store with ``datasets`` is tests/crawl/test_dataset_card.py."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from imagespider.dataset.documents.card import render_card


def header(rows: list[dict[str, Any]]) -> dict[str, Any]:
    return yaml.safe_load(render_card(rows).split("---\n")[1])


def features(rows: list[dict[str, Any]]) -> dict[str, Any]:
    return {f["name"]: f for f in header(rows)["configs"][0]["features"]}


@pytest.mark.parametrize("labels", [["a"], ["b", "a", "c"]])
def test_class_names_are_sorted_like_torchvision(labels: list[str]) -> None:
    rows = [{"label": label, "file_name": f"{label}/x.jpg"} for label in labels]
    header = yaml.safe_load(render_card(rows).split("---\n")[1])
    names = next(f for f in header["configs"][0]["features"] if f["name"] == "label")["dtype"]["class_label"]["names"]
    assert list(names.values()) == sorted(labels)


def test_each_column_is_typed_by_what_it_holds() -> None:
    rows = [
        {"file_name": "cat/a.jpg", "label": "cat", "width": 64, "author": None, "tags": ["x"],
         "permissions": {"share": True}, "rights": {"creator": "A"}, "score": 0.5, "flag": True},
        {"file_name": "dog/b.jpg", "label": "dog", "width": 32, "author": "Bo", "tags": [],
         "permissions": {"share": False}, "rights": {}, "score": 1, "flag": False},
    ]
    found = features(rows)
    assert found["image"]["dtype"] == "image"
    assert found["width"]["dtype"] == "int64" and found["author"]["dtype"] == "string"
    assert found["tags"]["list"] == "string" and found["score"]["dtype"] == "float64"
    assert found["flag"]["dtype"] == "bool" and found["rights"]["dtype"] == "json"
    assert {f["name"] for f in found["permissions"]["struct"]} >= {"share", "commercial"}
    assert "file_name" not in found
    assert header(rows)["configs"][0]["features"] == header(rows)["dataset_info"]["features"]


def test_licenses_and_class_counts_are_named() -> None:
    rows = [{"file_name": f"cat/{n}.jpg", "label": "cat", "license": "cc-by"} for n in range(3)]
    card = render_card(rows)
    assert header(rows)["license"] == ["cc-by-4.0"] and "license_name" not in header(rows)
    assert "| cat | 3 |" in card
    mixed = [*rows, {"file_name": "dog/1.jpg", "label": "dog", "license": "unknown"}]
    assert header(mixed)["license_name"] == "mixed" and header(mixed)["license_link"] == "ATTRIBUTION.md"


def test_a_hand_edited_key_cannot_break_the_yaml_header() -> None:
    odd = ["note: x", "a\nlicense: evil", "# comment", "ok_name"]
    rows = [{"file_name": "cat/a.jpg", "label": "cat", **{key: "v" for key in odd}}]
    found = features(rows)
    assert set(odd) <= set(found)
    assert "license" not in header(rows) or header(rows)["license"] != "evil"
    assert "- name: ok_name" in render_card(rows)


def test_the_card_says_one_class_and_names_only_the_policies_that_kept_something() -> None:
    from imagespider.dataset.documents.card import render_card

    rows = [{"file_name": f"cat/{i}.jpg", "label": "cat", "engine": "bing", "license": "cc0"} for i in range(150)]
    crawls = [
        {"spider": "bing", "arguments": {"license": "share"}, "kept": 0},
        {"spider": "bing", "arguments": {"license": "any"}, "kept": 150},
    ]
    card = render_card(rows, crawls)
    assert "150 images in 1 class, from bing (2 crawls with bing)." in card
    assert "Crawled with the license policy `any` (" in card and "`share`" not in card.split("## Policy")[1][:80]
    one = render_card(rows[:1], crawls[1:])
    assert "1 image in 1 class, from bing (1 crawl with bing)." in one


def test_a_store_crawled_with_any_says_how_many_may_be_shared() -> None:
    from imagespider.dataset.documents.card import render_card

    rows = [{"file_name": f"cat/{i}.jpg", "label": "cat", "engine": "bing", "license": lic}
            for i, lic in enumerate(["cc-by", "cc0", "cc-unspecified", "unknown", "cc-by-nc"])]
    card = render_card(rows, [{"spider": "bing", "arguments": {"license": "any"}, "kept": 5}])
    assert ("Of the 5 images, 3 may be shared (`share`: a license known by name that allows redistribution; "
            "`scrapy export --license share`) and 2 are for in-house training only.") in card
    assert "may be shared" not in render_card(rows, [{"spider": "bing", "arguments": {"license": "share"}, "kept": 5}])
