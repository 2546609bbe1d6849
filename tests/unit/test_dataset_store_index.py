"""The store's on-disk index kept up to date with the manifest (imagespider/dataset/store/index.py), on real files.

What is proven here:
- the index is rebuilt when missing, damaged, of another inode (a rewritten manifest), shorter or
  edited in place; a manifest only appended to (a crash between the row and its index update) is
  caught up from the stored offset without a rebuild;
- the kinds of value each column holds are kept in the index file, read back when it is fresh;
- an index write that fails (a full disk) keeps the row, leaves no transaction open, and is
  caught up by the next add or the next open.
"""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

from imagespider.dataset.store.files import MANIFEST
from imagespider.dataset.store.index import INDEX, StoreIndex
from tests.manifest_rows import opened_index, store_row, write_manifest
from tests.stores import file_size_limit, lines_of, opened, row


def test_a_missing_or_damaged_index_is_rebuilt(tmp_path: Path) -> None:
    write_manifest(tmp_path, [store_row(1), store_row(2)])
    index = StoreIndex(tmp_path)
    assert index.open().rebuilt
    index.close()
    again = StoreIndex(tmp_path)
    result = again.open()
    assert not result.rebuilt and result.read == 0  # fresh: nothing read
    again.close()
    (tmp_path / INDEX).write_bytes(b"not a database at all" * 100)
    damaged = StoreIndex(tmp_path)
    assert damaged.open().rebuilt and len(damaged) == 2
    damaged.close()


def test_a_rewritten_shorter_or_edited_manifest_rebuilds(tmp_path: Path) -> None:
    write_manifest(tmp_path, [store_row(1), store_row(2)])
    opened_index(tmp_path).close()
    write_manifest(tmp_path, [store_row(3)])  # rewritten: other inode or size
    index = opened_index(tmp_path)
    assert not index.has_url("https://img.example.com/1.jpg", "cat") and index.has_url("https://img.example.com/3.jpg", "cat")
    index.close()
    # The same length, edited in place (same inode): the mtime tells.
    manifest = tmp_path / MANIFEST
    data = manifest.read_bytes()
    with manifest.open("r+b") as handle:
        handle.write(data.replace(b"/3.jpg", b"/7.jpg"))
    os.utime(manifest, ns=(1, 1))
    index = opened_index(tmp_path)
    assert index.has_url("https://img.example.com/7.jpg", "cat")
    index.close()


def test_an_appended_manifest_is_caught_up_without_a_rebuild(tmp_path: Path) -> None:
    """A crash between the manifest append and the index update: the next open reads only the
    missing lines."""
    write_manifest(tmp_path, [store_row(1), store_row(2)])
    opened_index(tmp_path).close()
    with (tmp_path / MANIFEST).open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(store_row(3)) + "\n" + json.dumps(store_row(4)) + "\n")
    index = StoreIndex(tmp_path)
    result = index.open()
    try:
        assert not result.rebuilt and result.read == 2
        assert len(index) == 4 and index.has_url("https://img.example.com/4.jpg", "cat")
    finally:
        index.close()
    # An edit of the last indexed line with growth is not taken for an append.
    manifest = tmp_path / MANIFEST
    manifest.write_bytes(manifest.read_bytes().replace(b"/4.jpg", b"/8.jpg") + json.dumps(store_row(5)).encode() + b"\n")
    index = StoreIndex(tmp_path)
    assert index.open().rebuilt
    assert index.has_url("https://img.example.com/8.jpg", "cat") and not index.has_url("https://img.example.com/4.jpg", "cat")
    index.close()


def test_column_kinds_are_remembered(tmp_path: Path) -> None:
    write_manifest(tmp_path, [store_row(1, extra_int=3), store_row(2, extra_int=None, tags=["a"])])
    index = opened_index(tmp_path)
    index.close()
    index = opened_index(tmp_path)  # read back from the file, not from the rebuild
    try:
        kinds = index.column_kinds()
        assert set(kinds) >= {"extra_int", "tags", "label", "file_name"}
    finally:
        index.close()
    db = sqlite3.connect(tmp_path / INDEX)
    assert db.execute("SELECT count(*) FROM rows").fetchone() == (2,)
    db.close()


def test_a_failed_index_write_keeps_the_row_and_later_adds_work(tmp_path: Path, caplog) -> None:
    """Issue 28 item 2: one SQLite error (a full disk: here RLIMIT_FSIZE stops the index's WAL
    growing while the small manifest still takes its line) lost the row from the index for good,
    or left its BEGIN open so that every later add failed after its manifest line was written."""
    dataset = opened(tmp_path)
    dataset.add(row(1))
    with file_size_limit((tmp_path / f"{INDEX}-wal").stat().st_size):
        dataset.add(row(2))  # the manifest takes the line; the index cannot: still kept
    assert "could not index cat/" in caplog.text and "it is kept" in caplog.text
    assert not dataset.index.db.in_transaction
    dataset.add(row(3))
    assert [dataset.holder_of(row(n)["sha256"]) for n in (1, 2, 3)] == [row(n)["file_name"] for n in (1, 2, 3)]
    dataset.close()
    assert lines_of(tmp_path / MANIFEST) == [row(1), row(2), row(3)]
    again = StoreIndex(tmp_path)
    assert not again.open().rebuilt and len(again) == 3
    again.close()


def test_rows_the_index_could_not_take_are_read_by_the_next_open(tmp_path: Path) -> None:
    dataset = opened(tmp_path)
    dataset.add(row(1))
    with file_size_limit((tmp_path / f"{INDEX}-wal").stat().st_size):
        dataset.add(row(2))
        dataset.close()
    again = StoreIndex(tmp_path)
    result = again.open()
    assert len(again) == 2 and result.read == 1 and not result.rebuilt
    again.close()
