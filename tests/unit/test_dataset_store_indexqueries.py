"""What is asked of the store's index (imagespider/dataset/store/indexqueries.py), on real files in tmp_path.

What is proven here:
- URL+label, sha256 and file lookups, counts per label and per (engine, query, label) agree with the
  manifest, through the Dataset that uses them, and the index is a hidden file the loaders skip;
  memory does not hold the rows;
- rows are read back from the manifest by the offsets the index gives, by file name, capped by a limit.
"""

from __future__ import annotations

from pathlib import Path

from imagespider.dataset.store.files import MANIFEST
from imagespider.dataset.store.index import INDEX
from imagespider.dataset.store.jsonl import RowReader
from imagespider.dataset.store.local import Dataset
from tests.manifest_rows import opened_index, store_row, write_manifest


def test_lookups_and_counts_through_the_dataset(tmp_path: Path) -> None:
    write_manifest(tmp_path, [store_row(1), store_row(2, "dog"), store_row(3, "dog", engine="flickr", query="puppy")])
    dataset = Dataset(tmp_path)
    dataset.open()
    try:
        assert dataset.has_url("https://img.example.com/1.jpg", "cat")
        assert not dataset.has_url("https://img.example.com/1.jpg", "dog")
        assert dataset.holder_of(f"{2:064x}") == f"dog/{2:064x}.jpg"
        assert dataset.holder_of(f"{9:064x}") is None
        assert dataset.count_by_label() == {"cat": 1, "dog": 2}
        assert dataset.count_by_query() == {("bing", "cat", "cat"): 1, ("bing", "dog", "dog"): 1,
                                            ("flickr", "puppy", "dog"): 1}
        dataset.add(store_row(4, "dog"))
        assert dataset.has_url("https://img.example.com/4.jpg", "dog")
        assert dataset.count_by_label()["dog"] == 3
        assert not hasattr(dataset, "rows")  # nothing of the manifest is held in memory
    finally:
        dataset.close()
    index = opened_index(tmp_path)
    try:
        assert len(index) == 4 and index.has_file(f"dog/{4:064x}.jpg")
        assert index.count_by("license") == {("CC BY 2.0",): 4}
    finally:
        index.close()
    assert (tmp_path / INDEX).is_file() and INDEX.startswith(".")


def test_rows_are_found_again_by_offset(tmp_path: Path) -> None:
    rows = [store_row(3), store_row(1, "dog"), store_row(2), store_row(4, title="猫 " * 50)]
    write_manifest(tmp_path, rows)
    index = opened_index(tmp_path)
    try:
        with RowReader(tmp_path / MANIFEST) as reader:
            cats = [reader.row(*where) for where in index.locations("cat")]
            assert cats == sorted([rows[0], rows[2], rows[3]], key=lambda r: r["file_name"])
            assert [reader.row(*where) for where in index.locations("cat", limit=1)] == cats[:1]
        # The last file a sample of N shows (issue 19: thumbnails only for images that sort before it).
        assert [index.sample_last("cat", n) for n in (1, 2, 3, 4)] == [c["file_name"] for c in cats] + [None]
        assert index.sample_last("dog", 1) == rows[1]["file_name"] and index.sample_last("bird", 1) is None
    finally:
        index.close()
