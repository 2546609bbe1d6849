"""The dataset on disk (``imagespider.dataset.Dataset``), exercised on real files in tmp_path.

What is proven here:
- rows added and rejected are appended as whole JSON lines and read back on reopening, and the
  store's index (imagespider/dataset/index.py) answers sha256 and (url, label) questions;
- a torn last line (no trailing newline) is cut on open and every row before it survives, so the
  next row does not get glued to the fragment;
- image files named like ours (``<label>/<64 hex>.<ext>``) with no manifest row are moved to
  ``.orphans/`` on open, never deleted, and nothing else in the store is touched;
- a manifest that is missing or empty while images exist, or that has no readable row, refuses
  the store and changes nothing; ``file_name`` is normalised when read;
- claim/unclaim/holder_of reserve bytes in memory only (a store file is only named by its row), and a
  claimed perceptual hash is a near-duplicate until unclaimed, a stored row winning a tie;
- concurrent appends from several threads never interleave inside a line.
"""

from __future__ import annotations

import hashlib
import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from imagespider.dataset.store import (
    MANIFEST,
    ORPHANS,
    REJECTED,
    UNREADABLE_ROWS,
    Dataset,
    StoreUnreadable,
    check_manifest,
)
from tests.manifest_rows import store_row, write_manifest


def sha(n: int) -> str:
    return hashlib.sha256(str(n).encode()).hexdigest()


def row(n: int, label: str = "cat", **extra: Any) -> dict[str, Any]:
    digest = sha(n)
    return {
        "file_name": f"{label}/{digest}.jpg",
        "label": label,
        "image_url": f"https://img.example.com/{n}.jpg",
        "sha256": digest,
        **extra,
    }


def opened(root: Path) -> Dataset:
    dataset = Dataset(root)
    dataset.open()
    return dataset


def lines_of(path: Path) -> list[dict[str, Any]]:
    data = path.read_bytes()
    assert data == b"" or data.endswith(b"\n")
    return [json.loads(line) for line in data.split(b"\n")[:-1]]


def store_file(root: Path, file_name: str, content: bytes = b"\xff\xd8\xff fake jpeg") -> Path:
    path = root / file_name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return path


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


@pytest.mark.parametrize("name", [MANIFEST, REJECTED])
def test_torn_last_line_is_cut_and_earlier_rows_survive(tmp_path: Path, name: str) -> None:
    good = [row(1), row(2)]
    whole = b"".join(json.dumps(r).encode() + b"\n" for r in good)
    (tmp_path / name).write_bytes(whole + b'{"file_name": "cat/' + sha(3)[:20].encode())
    if name == MANIFEST:  # (files without a manifest would refuse the store)
        for r in good:
            store_file(tmp_path, r["file_name"])

    dataset = opened(tmp_path)
    try:
        assert (tmp_path / name).read_bytes() == whole
        if name == MANIFEST:
            assert list(dataset.iter_rows()) == good
            dataset.add(row(4))
        else:
            dataset.reject(row(4))
    finally:
        dataset.close()
    assert lines_of(tmp_path / name) == [*good, row(4)]


def test_a_lone_torn_line_empties_the_file(tmp_path: Path) -> None:
    (tmp_path / MANIFEST).write_bytes(b'{"file_name": "cat/ab')
    dataset = opened(tmp_path)
    dataset.close()
    assert list(dataset.iter_rows()) == []
    assert (tmp_path / MANIFEST).read_bytes() == b""


def test_an_unreadable_middle_line_is_skipped_and_set_aside(tmp_path: Path) -> None:
    (tmp_path / MANIFEST).write_bytes(
        json.dumps(row(1)).encode() + b"\nnot json at all\n[1, 2]\n" + json.dumps(row(2)).encode() + b"\n"
    )
    dataset = opened(tmp_path)
    dataset.close()
    assert list(dataset.iter_rows()) == [row(1), row(2)]
    assert lines_of(tmp_path / MANIFEST) == [row(1), row(2)]
    assert (tmp_path / ORPHANS / UNREADABLE_ROWS).read_bytes() == b"not json at all\n[1, 2]\n"


def test_the_file_of_a_torn_row_is_an_orphan(tmp_path: Path) -> None:
    """A kill between writing the image and finishing its row leaves no trace after reopening."""
    kept, torn = row(1), row(2)
    (tmp_path / MANIFEST).write_bytes(json.dumps(kept).encode() + b"\n" + json.dumps(torn).encode()[:30])
    kept_path = store_file(tmp_path, kept["file_name"])
    torn_path = store_file(tmp_path, torn["file_name"])
    dataset = opened(tmp_path)
    assert dataset.holder_of(torn["sha256"]) is None
    dataset.close()
    assert kept_path.exists()
    assert not torn_path.exists()
    assert (tmp_path / ORPHANS / torn["file_name"]).read_bytes() == b"\xff\xd8\xff fake jpeg"


def test_orphans_are_moved_aside_and_other_files_left_alone(tmp_path: Path) -> None:
    referenced = row(1)
    (tmp_path / MANIFEST).write_text(json.dumps(referenced) + "\n")
    keep = [
        store_file(tmp_path, referenced["file_name"]),
        store_file(tmp_path, "cat/README.txt", b"notes"),
        store_file(tmp_path, "cat/not-a-hash.jpg"),
        store_file(tmp_path, f"cat/{sha(9)[:63]}.jpg"),  # 63 hex digits
        store_file(tmp_path, f"cat/{sha(9).upper()}.JPG"),  # not how we name files
        store_file(tmp_path, f"cat/{sha(9)}.jpg.part"),
        store_file(tmp_path, f"{sha(9)}.jpg"),  # at the root, not in a label folder
        store_file(tmp_path, f"cat/deeper/{sha(9)}.jpg"),  # not directly in a label folder
        store_file(tmp_path, "ATTRIBUTION.md", b"# credits"),
    ]
    orphans = [
        store_file(tmp_path, f"cat/{sha(2)}.jpg", b"two"),
        store_file(tmp_path, f"dog/{sha(3)}.png", b"three"),
        store_file(tmp_path, f"猫/{sha(4)}.webp", b"four"),
    ]
    # The same name already set aside by an earlier open (a torn write): both are kept.
    store_file(tmp_path, f"{ORPHANS}/cat/{sha(2)}.jpg", b"two, torn")
    dataset = opened(tmp_path)
    dataset.close()
    assert [p for p in keep if not p.exists()] == []
    assert [p for p in orphans if p.exists()] == []
    moved = {p.relative_to(tmp_path / ORPHANS).as_posix(): p.read_bytes() for p in (tmp_path / ORPHANS).glob("*/*")}
    assert moved == {
        f"cat/{sha(2)}.jpg": b"two, torn", f"cat/{sha(2)}.jpg.1": b"two",
        f"dog/{sha(3)}.png": b"three", f"猫/{sha(4)}.webp": b"four",
    }
    assert (tmp_path / "dog").is_dir()  # folders themselves are not removed
    # Opening again moves nothing more: .orphans is not a label folder.
    opened(tmp_path).close()
    assert len(list((tmp_path / ORPHANS).glob("*/*"))) == 4


def _snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file() and p.name != ".lock"}


@pytest.mark.parametrize(
    ("manifest", "words"),
    [
        (None, "is missing"),
        (b"", "is empty"),
        (b"\n\n", "is empty"),
        (json.dumps(row(1), indent=2).encode() + b"\n", "pretty-printed"),  # jq .
        (b"\x00\xff\xfe binary\n", "no readable row"),
    ],
)
def test_a_manifest_that_cannot_be_trusted_refuses_the_store_and_touches_nothing(
    tmp_path: Path, manifest: bytes | None, words: str
) -> None:
    store_file(tmp_path, row(1)["file_name"], b"one")
    store_file(tmp_path, row(2)["file_name"], b"two")
    if manifest is not None:
        (tmp_path / MANIFEST).write_bytes(manifest)
    before = _snapshot(tmp_path)
    with pytest.raises(StoreUnreadable, match=words) as refused:
        check_manifest(tmp_path)
    assert str(tmp_path / MANIFEST) in str(refused.value) and "\n" not in str(refused.value)
    dataset = Dataset(tmp_path)
    with pytest.raises(StoreUnreadable):
        dataset.open()
    assert _snapshot(tmp_path) == before
    assert not (tmp_path / ORPHANS).exists()
    opened(tmp_path / "other").close()  # the lock was released: nothing else is held


def test_an_empty_or_missing_manifest_without_images_is_a_new_store(tmp_path: Path) -> None:
    check_manifest(tmp_path / "nothing-yet")
    (tmp_path / MANIFEST).write_bytes(b"")
    store_file(tmp_path, "cat/notes.txt", b"not ours")
    opened(tmp_path).close()


@pytest.mark.parametrize("written", ["./cat/{}.jpg", "cat//{}.jpg", "cat\\{}.jpg", "./cat/./{}.jpg"])
def test_file_name_is_normalised_when_read(tmp_path: Path, written: str) -> None:
    original = row(1)
    path = store_file(tmp_path, original["file_name"], b"one")
    (tmp_path / MANIFEST).write_text(json.dumps({**original, "file_name": written.format(sha(1))}) + "\n")
    dataset = opened(tmp_path)
    assert dataset.holder_of(sha(1)) == original["file_name"]
    dataset.close()
    assert path.read_bytes() == b"one"
    assert next(dataset.iter_rows())["file_name"] == original["file_name"]


def test_a_damaged_middle_row_sets_its_image_aside(tmp_path: Path) -> None:
    first, damaged, last = row(1), row(2), row(3)
    for r in (first, damaged, last):
        store_file(tmp_path, r["file_name"], r["sha256"].encode())
    (tmp_path / MANIFEST).write_bytes(
        json.dumps(first).encode() + b"\n" + json.dumps(damaged).encode()[:-9] + b"\x00\n" + json.dumps(last).encode() + b"\n"
    )
    dataset = opened(tmp_path)
    dataset.close()
    assert list(dataset.iter_rows()) == [first, last]
    assert (tmp_path / ORPHANS / damaged["file_name"]).read_bytes() == damaged["sha256"].encode()


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


def test_a_valid_last_row_without_newline_is_kept(tmp_path: Path) -> None:
    first, last = row(1), row(2)
    (tmp_path / MANIFEST).write_text(json.dumps(first) + "\n" + json.dumps(last))
    image = store_file(tmp_path, last["file_name"])
    store_file(tmp_path, first["file_name"])
    dataset = opened(tmp_path)
    dataset.close()
    assert image.exists()
    assert list(dataset.iter_rows()) == [first, last]
