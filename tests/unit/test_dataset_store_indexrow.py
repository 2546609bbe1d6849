"""What the store's index keeps of a manifest row (imagespider/dataset/store/indexrow.py).

What is proven here:
- a row's view holds its license label and id (``unknown`` when absent), and nothing that is not of
  the column's type (a non-hex or too long phash, an empty URL);
- the ``(image_url, label)`` key differs by label and fits a signed 64-bit SQLite integer;
- each JSON value has one kind, a bool is not an int, and a list of strings differs from other lists;
- a row's table values follow the column list, the hash as a signed integer and its four bands.
"""

from __future__ import annotations

from imagespider.dataset.store.indexrow import (
    KIND_BOOL,
    KIND_FLOAT,
    KIND_INT,
    KIND_LIST_STR,
    KIND_NULL,
    KIND_OTHER,
    KIND_STR,
    ROW_COLUMNS,
    indexed,
    row_params,
    url_key,
    value_kind,
)
from tests.manifest_rows import store_row


def test_a_rows_view_keeps_only_values_of_its_columns_type() -> None:
    entry = indexed(store_row(1, phash="ffff000000000000"))
    assert (entry.license, entry.license_id, entry.phash) == ("CC BY 2.0", "cc-by", 0xFFFF000000000000)
    bare = indexed({"label": "dog", "image_url": "", "phash": "not hex", "query": 3})
    assert (bare.license_id, bare.image_url, bare.phash, bare.query, bare.file_name) == ("unknown", None, None, "3", None)
    assert indexed({"label": "dog", "phash": "1" + "0" * 16}).phash is None  # 65 bits


def test_license_labels_are_cached_by_id_version_and_url() -> None:
    labels: dict = {}
    first = indexed(store_row(1), labels)
    assert labels == {("cc-by", "2.0", "https://creativecommons.org/licenses/by/2.0/"): first.license}
    assert indexed(store_row(2), labels).license == first.license


def test_url_key_depends_on_the_label_and_is_a_signed_64_bit_integer() -> None:
    keys = [url_key("https://img.example.com/1.jpg", label) for label in ("cat", "dog")]
    assert keys[0] != keys[1]
    assert all(-(1 << 63) <= key < (1 << 63) for key in keys)


def test_value_kinds() -> None:
    assert [value_kind(v) for v in (None, "a", True, 3, 1.5, ["a"], [1], {"a": 1})] == [
        KIND_NULL, KIND_STR, KIND_BOOL, KIND_INT, KIND_FLOAT, KIND_LIST_STR, KIND_OTHER, KIND_OTHER,
    ]


def test_row_params_follow_the_columns() -> None:
    params = dict(zip(ROW_COLUMNS, row_params(indexed(store_row(1, phash="ffff00000000abcd")), 10, 20), strict=True))
    assert (params["offset"], params["length"], params["label"]) == (10, 20, "cat")
    assert params["phash"] == 0xFFFF00000000ABCD - (1 << 64)
    assert (params["b0"], params["b1"], params["b2"], params["b3"]) == (0xFFFF, 0, 0, 0xABCD)
    assert row_params(indexed({"label": "dog"}), 0, 1)[-5:] == (None,) * 5
