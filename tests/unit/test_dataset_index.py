"""The store's on-disk index (imagespider/dataset/index.py), on real files in tmp_path.

What is proven here:
- URL+label, sha256 and file lookups, counts per label and per (engine, query, label) agree with the
  manifest, through the Dataset that uses them;
- the perceptual-hash search gives exactly the answer of the in-memory PhashIndex (same twin, same
  distance, ties to the first row) on clustered random hashes, for every DEDUP_MAX_DISTANCE tried,
  including the distances where it scans instead of probing bands;
- the index is rebuilt when missing, damaged, of another inode (a rewritten manifest), shorter or
  edited in place; a manifest only appended to (a crash between the row and its index update) is
  caught up from the stored offset without a rebuild;
- the index is a hidden file the loaders skip, and memory does not hold the rows.
"""

from __future__ import annotations

import json
import os
import random
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from imagespider.dataset.index import INDEX, MAX_PROBES, StoreIndex, _probe_count, bands
from imagespider.dataset.neardup import PhashIndex
from imagespider.dataset.store import MANIFEST, Dataset


def row(n: int, label: str = "cat", **extra: Any) -> dict[str, Any]:
    digest = f"{n:064x}"
    return {
        "file_name": f"{label}/{digest}.jpg", "label": label, "query": label, "engine": "bing",
        "image_url": f"https://img.example.com/{n}.jpg", "sha256": digest, "license": "cc-by",
        "license_version": "2.0", "license_url": "https://creativecommons.org/licenses/by/2.0/", **extra,
    }


def write_manifest(root: Path, rows: list[dict[str, Any]]) -> None:
    root.mkdir(parents=True, exist_ok=True)
    (root / MANIFEST).write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")


def opened_index(root: Path) -> StoreIndex:
    index = StoreIndex(root)
    index.open()
    return index


def test_lookups_and_counts_through_the_dataset(tmp_path: Path) -> None:
    write_manifest(tmp_path, [row(1), row(2, "dog"), row(3, "dog", engine="flickr", query="puppy")])
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
        dataset.add(row(4, "dog"))
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


def clustered_hashes(rng: random.Random, count: int) -> list[int]:
    """Hashes in clusters a few bits apart (as copies of one photo are), plus lone ones."""
    found: list[int] = []
    while len(found) < count:
        base = rng.getrandbits(64)
        found.append(base)
        for _ in range(rng.randrange(0, 4)):
            value = base
            for bit in rng.sample(range(64), rng.randrange(0, 12)):
                value ^= 1 << bit
            found.append(value)
    return found[:count]


@pytest.mark.parametrize("max_distance", [0, 1, 4, 6, 7, 9, 12, 15, 16, 20])
def test_near_duplicates_agree_with_the_in_memory_index(tmp_path: Path, max_distance: int) -> None:
    rng = random.Random(max_distance)
    hashes = clustered_hashes(rng, 600)
    rows = [row(n, phash=f"{value:016x}") for n, value in enumerate(hashes)]
    rows.append(row(9999, phash=f"{hashes[0]:016x}"))  # the same hash twice: the first row wins
    write_manifest(tmp_path, rows)
    memory = PhashIndex.from_rows(rows)
    index = opened_index(tmp_path)
    try:
        queries = [hashes[rng.randrange(len(hashes))] for _ in range(150)] + [rng.getrandbits(64) for _ in range(50)]
        for base in queries:
            value = base
            for bit in rng.sample(range(64), rng.randrange(0, max_distance + 3)):
                value ^= 1 << bit
            query = f"{value:016x}"
            assert index.twin_of(query, max_distance) == memory.twin_of(query, max_distance), query
    finally:
        index.close()
    assert (_probe_count(max_distance // 4) > MAX_PROBES) == (max_distance >= 16)  # both paths are run


def test_bands_cover_the_hash() -> None:
    assert bands(0x0123456789ABCDEF) == [0x0123, 0x4567, 0x89AB, 0xCDEF]


def test_claims_count_as_near_duplicates_until_unclaimed(tmp_path: Path) -> None:
    write_manifest(tmp_path, [row(1, phash="ffff000000000000")])
    dataset = Dataset(tmp_path)
    dataset.open()
    try:
        dataset.claim("b" * 64, "cat/b.jpg", "00000000000000ff")
        twin = dataset.twin_of("00000000000000fe", 6)
        assert twin is not None and (twin.file_name, twin.distance) == ("cat/b.jpg", 1)
        twin = dataset.twin_of("ffff000000000001", 6)
        assert twin is not None and twin.file_name == f"cat/{1:064x}.jpg"
        dataset.unclaim("b" * 64)
        assert dataset.twin_of("00000000000000fe", 6) is None
    finally:
        dataset.close()


def _rows_of(index: StoreIndex) -> int:
    return len(index)


def test_a_missing_or_damaged_index_is_rebuilt(tmp_path: Path) -> None:
    write_manifest(tmp_path, [row(1), row(2)])
    index = StoreIndex(tmp_path)
    assert index.open().rebuilt
    index.close()
    again = StoreIndex(tmp_path)
    result = again.open()
    assert not result.rebuilt and result.read == 0  # fresh: nothing read
    again.close()
    (tmp_path / INDEX).write_bytes(b"not a database at all" * 100)
    damaged = StoreIndex(tmp_path)
    assert damaged.open().rebuilt and _rows_of(damaged) == 2
    damaged.close()


def test_a_rewritten_shorter_or_edited_manifest_rebuilds(tmp_path: Path) -> None:
    write_manifest(tmp_path, [row(1), row(2)])
    opened_index(tmp_path).close()
    write_manifest(tmp_path, [row(3)])  # rewritten: other inode or size
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
    write_manifest(tmp_path, [row(1), row(2)])
    opened_index(tmp_path).close()
    with (tmp_path / MANIFEST).open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(row(3)) + "\n" + json.dumps(row(4)) + "\n")
    index = StoreIndex(tmp_path)
    result = index.open()
    try:
        assert not result.rebuilt and result.read == 2
        assert len(index) == 4 and index.has_url("https://img.example.com/4.jpg", "cat")
    finally:
        index.close()
    # An edit of the last indexed line with growth is not taken for an append.
    manifest = tmp_path / MANIFEST
    manifest.write_bytes(manifest.read_bytes().replace(b"/4.jpg", b"/8.jpg") + json.dumps(row(5)).encode() + b"\n")
    index = StoreIndex(tmp_path)
    assert index.open().rebuilt
    assert index.has_url("https://img.example.com/8.jpg", "cat") and not index.has_url("https://img.example.com/4.jpg", "cat")
    index.close()


def test_rows_are_found_again_by_offset(tmp_path: Path) -> None:
    from imagespider.dataset.index import RowReader

    rows = [row(3), row(1, "dog"), row(2), row(4, title="猫 " * 50)]
    write_manifest(tmp_path, rows)
    index = opened_index(tmp_path)
    try:
        with RowReader(tmp_path / MANIFEST) as reader:
            cats = [reader.row(*where) for where in index.locations("cat")]
            assert cats == sorted([rows[0], rows[2], rows[3]], key=lambda r: r["file_name"])
            assert [reader.row(*where) for where in index.locations("cat", limit=1)] == cats[:1]
    finally:
        index.close()


def test_column_kinds_are_remembered(tmp_path: Path) -> None:
    write_manifest(tmp_path, [row(1, extra_int=3), row(2, extra_int=None, tags=["a"])])
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
