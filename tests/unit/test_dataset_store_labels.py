"""imagespider/dataset/store/labels.py: a folder name from any label or query, safe on every OS and
never outside the store; degenerate inputs still get distinct, stable names."""

from __future__ import annotations

from pathlib import Path

import pytest

from imagespider.dataset.store.labels import MAX_LABEL_BYTES, MAX_LABEL_LENGTH, safe_label, short_hash, with_suffix


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("cat", "cat"),
        ("Golden Retriever", "golden-retriever"),
        ("../../etc", "etc"),
        ("/abs/path", "abs-path"),
        ("C:\\Windows\\System32", "c-windows-system32"),
        ("a\x00b", "a-b"),
        ("猫", "猫"),
        ("кошка", "кошка"),
        ("قطة", "قطة"),
        ("snake_case--and---dashes", "snake_case-and-dashes"),
        ("Ｃａｔ", "cat"),  # NFKC folds full-width letters
    ],
)
def test_safe_label_examples(text: str, expected: str) -> None:
    assert safe_label(text) == expected


NASTY = [
    "../../etc",
    "..",
    ".",
    "/abs/path",
    "/",
    "\\\\server\\share",
    "a\x00b",
    "\x00",
    "x" * 300,
    "猫" * 300,
    "кошка",
    "قطة",
    "con",
    "CON",
    "NUL",
    "nul_",
    "com1",
    "COM¹",
    "lpt9",
    "aux.txt",
    "",
    " ",
    "!!!",
    "...",
    "-_-",
    "\ud800",
    "\u202e",
]


@pytest.mark.parametrize("text", NASTY)
def test_safe_label_is_a_safe_folder_name(text: str, tmp_path: Path) -> None:
    label = safe_label(text)
    assert label
    assert label not in (".", "..")
    assert not any(sep in label for sep in ("/", "\\", "\x00", ":"))
    assert len(label) <= MAX_LABEL_LENGTH
    assert label.split(".")[0] not in {"con", "prn", "aux", "nul"} | {f"com{i}" for i in range(1, 10)} | {
        f"lpt{i}" for i in range(1, 10)
    }
    root = tmp_path.resolve()
    assert Path(root, label).resolve().parent == root
    (root / label).mkdir()
    assert safe_label(text) == label  # stable


def test_degenerate_inputs_get_distinct_non_empty_labels() -> None:
    degenerate = ["", " ", "!!!", "...", "-_-", "\x00", "/", "con", "CON", "nul", "com1", "lpt9"]
    labels = [safe_label(text) for text in degenerate]
    assert all(labels)
    # "con" and "CON" are different inputs: they may not share a folder by accident of casefolding
    assert len(set(labels)) == len(labels)


def test_long_query_is_cut_to_max_length() -> None:
    label = safe_label("a very long query " * 20)
    assert len(label) <= MAX_LABEL_LENGTH
    assert label.startswith("a-very-long-query-")
    assert not label.endswith(("-", "_"))


def test_label_of_four_byte_characters_fits_a_file_name(tmp_path: Path) -> None:
    label = safe_label("\U00020000" * 100)  # 𠀀, a letter, so \w keeps it
    assert len(label.encode("utf-8")) <= 255
    (tmp_path / label).mkdir()  # raises OSError ENAMETOOLONG today


def test_with_suffix_keeps_the_slug_distinct_and_within_the_limits() -> None:
    assert with_suffix("con", "CON") == f"con-{short_hash('CON')}"
    assert with_suffix("con", "CON") != with_suffix("con", "con")
    long = with_suffix("x" * 300, "text")
    assert len(long) == MAX_LABEL_LENGTH and long.endswith(f"-{short_hash('text')}")
    assert len(short_hash("\ud800")) == 8  # a lone surrogate hashes too
    assert MAX_LABEL_BYTES < 255
