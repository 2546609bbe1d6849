"""The dataset on disk (imagespider/dataset/store/local.py), exercised on real files in tmp_path.

What is proven here:
- rows added and rejected are appended as whole JSON lines and read back on reopening, and the
  store's index (imagespider/dataset/store/index.py) answers sha256 and (url, label) questions;
- claim/unclaim/holder_of reserve bytes in memory only (a store file is only named by its row), and a
  claimed perceptual hash is a near-duplicate until unclaimed, a stored row winning a tie;
- a claim is released when its row is added (the index answers from then on), so claims do not
  grow with the crawl;
- concurrent appends from several threads never interleave inside a line.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from imagespider.dataset.store.files import MANIFEST, REJECTED
from tests.manifest_rows import store_row, write_manifest
from tests.stores import lines_of, opened, row, sha, store_file


def test_round_trip(tmp_path: Path) -> None:
    dataset = opened(tmp_path / "data")
    rows = [row(1), row(2, label="dog")]
    for r in rows:
        store_file(dataset.root, r["file_name"])
        dataset.add(r)
    dataset.reject({"image_url": "https://img.example.com/x.jpg", "reason": "too_small"})
    dataset.close()

    assert lines_of(tmp_path / "data" / MANIFEST) == rows
    assert lines_of(tmp_path / "data" / REJECTED) == [
        {"image_url": "https://img.example.com/x.jpg", "reason": "too_small"}
    ]

    again = opened(tmp_path / "data")
    try:
        assert list(again.iter_rows()) == rows
        assert again.holder_of(sha(1)) == "cat/" + sha(1) + ".jpg"
        assert again.holder_of(sha(2)) == "dog/" + sha(2) + ".jpg"
        assert again.holder_of(sha(3)) is None
        assert again.has_url("https://img.example.com/1.jpg", "cat")
        assert not again.has_url("https://img.example.com/1.jpg", "dog")  # per label
        assert not again.has_url("https://img.example.com/3.jpg", "cat")
        assert again.path_of(rows[0]["file_name"]).is_file()  # referenced files are kept
        again.add(row(3))
    finally:
        again.close()
    assert lines_of(tmp_path / "data" / MANIFEST) == [*rows, row(3)]
    # rejected rows are appended too, never overwritten
    assert len(lines_of(tmp_path / "data" / REJECTED)) == 1


def test_writing_to_a_closed_dataset_fails(tmp_path: Path) -> None:
    dataset = opened(tmp_path)
    dataset.close()
    dataset.close()  # closing twice is harmless
    with pytest.raises(RuntimeError):
        dataset.add(row(1))
    with pytest.raises(RuntimeError):
        dataset.reject({"reason": "x"})


def test_claim_unclaim_holder_of(tmp_path: Path) -> None:
    dataset = opened(tmp_path)
    try:
        digest = sha(7)
        assert dataset.holder_of(digest) is None
        dataset.claim(digest, f"cat/{digest}.jpg")
        assert dataset.holder_of(digest) == f"cat/{digest}.jpg"
        dataset.unclaim(digest)
        assert dataset.holder_of(digest) is None
        dataset.unclaim(digest)  # unclaiming twice is harmless
        dataset.claim(digest, f"cat/{digest}.jpg")
    finally:
        dataset.close()
    # a claim is in memory only: nothing is written and a reopened store does not know it
    assert (tmp_path / MANIFEST).read_bytes() == b""
    again = opened(tmp_path)
    assert again.holder_of(sha(7)) is None
    again.close()


def test_claims_count_as_near_duplicates_until_unclaimed(tmp_path: Path) -> None:
    write_manifest(tmp_path, [store_row(1, phash="ffff000000000000")])
    dataset = opened(tmp_path)
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


def test_a_claim_is_released_when_its_row_is_added(tmp_path: Path) -> None:
    dataset = opened(tmp_path)
    try:
        for number in range(1, 201):
            stored = row(number, phash=f"{number:016x}")
            dataset.claim(sha(number), stored["file_name"], stored["phash"])
            dataset.add(stored)
        assert dataset._claims == {} and len(dataset._claimed_phashes) == 0
        # ... and the same questions get the same answers, from the index
        assert dataset.holder_of(sha(7)) == f"cat/{sha(7)}.jpg"
        twin = dataset.twin_of(f"{7:016x}", 0)
        assert twin is not None and twin.file_name == f"cat/{sha(7)}.jpg"
        # a claim for other bytes, or the same bytes under another name, is not touched by a row
        dataset.claim(sha(500), "cat/held.jpg", "00000000000001f4")
        dataset.add(row(501))
        dataset.add(row(500, label="dog"))
        assert dataset.holder_of(sha(500)) == "cat/held.jpg"
        assert len(dataset._claimed_phashes) == 1
    finally:
        dataset.close()


def test_rows_are_whole_lines_whatever_their_text(tmp_path: Path) -> None:
    rows = [
        row(1, title="two\nlines"),
        row(2, title="carriage\rreturn and tab\t"),
        row(3, title="line\u2028separator and paragraph\u2029separator"),
        row(4, title="猫 кошка قطة café", author='quote " and backslash \\'),
        row(5, title="x" * 200_000),
    ]
    dataset = opened(tmp_path)
    for r in rows:
        dataset.add(r)
    dataset.close()
    data = (tmp_path / MANIFEST).read_bytes()
    assert data.count(b"\n") == len(rows)
    assert lines_of(tmp_path / MANIFEST) == rows
    again = opened(tmp_path)
    again.close()
    assert list(again.iter_rows()) == rows


def test_concurrent_appends_never_interleave(tmp_path: Path) -> None:
    dataset = opened(tmp_path)
    payload = "y" * 70_000  # over the pipe atomicity size, so a torn write would show

    def add(n: int) -> None:
        dataset.add(row(n, title=payload))

    try:
        with ThreadPoolExecutor(8) as pool:
            list(pool.map(add, range(200)))
    finally:
        dataset.close()
    written = lines_of(tmp_path / MANIFEST)
    assert sorted(r["sha256"] for r in written) == sorted(sha(n) for n in range(200))
