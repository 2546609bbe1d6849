"""Repairs made when a store opens (imagespider/dataset/store/repair.py), on real files in tmp_path.

What is proven here:
- a torn last line (no trailing newline) is set aside (its bytes in ``.orphans/``) and cut on open, and
  every row before it survives, so the next row does not get glued to the fragment; a whole last row saved without its newline is kept;
- a manifest line that is not a row is set aside in ``.orphans/``, with the image it named;
- image files named like ours (``<label>/<64 hex>.<ext>``) with no manifest row are moved to
  ``.orphans/`` on open, never deleted, and nothing else in the store is touched;
- a manifest that is missing or empty while images exist, or that has no readable row, refuses
  the store and changes nothing; ``file_name`` is normalised when read.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from imagespider.dataset.store.files import MANIFEST, ORPHANS, REJECTED, UNREADABLE_ROWS
from imagespider.dataset.store.local import Dataset
from imagespider.dataset.store.repair import (
    ManifestNotJsonLines,
    StoreUnreadable,
    check_manifest,
    set_unreadable_lines_aside,
)
from tests.stores import lines_of, opened, row, sha, store_file


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


def test_a_lone_torn_line_is_set_aside_before_the_file_is_emptied(tmp_path: Path) -> None:
    (tmp_path / MANIFEST).write_bytes(b'{"file_name": "cat/ab')
    dataset = opened(tmp_path)
    dataset.close()
    assert list(dataset.iter_rows()) == []
    assert (tmp_path / MANIFEST).read_bytes() == b""
    assert (tmp_path / ORPHANS / UNREADABLE_ROWS).read_bytes() == b'{"file_name": "cat/ab\n'


@pytest.mark.parametrize("name", [MANIFEST, REJECTED])
def test_the_bytes_of_a_torn_last_line_are_kept_aside(tmp_path: Path, name: str, caplog: pytest.LogCaptureFixture) -> None:
    whole = json.dumps(row(1)).encode() + b"\n"
    (tmp_path / MANIFEST).write_bytes(whole)
    (tmp_path / name).write_bytes(whole + b'{"file_name": "cat/torn')
    store_file(tmp_path, row(1)["file_name"])
    opened(tmp_path).close()
    assert (tmp_path / name).read_bytes() == whole
    aside = tmp_path / ORPHANS / name.replace(".jsonl", ".unreadable.jsonl")
    assert aside.read_bytes() == b'{"file_name": "cat/torn\n'
    assert f"moved an unfinished last line of {name} (23 bytes) to .orphans/{aside.name}" in caplog.text


def _json_dump(rows: list[dict]) -> bytes:  # json.dump(rows, f): one line, no final newline
    return json.dumps(rows).encode()


def _pandas_records(rows: list[dict]) -> bytes:  # DataFrame.to_json(orient="records"), newline or not
    return json.dumps(rows, separators=(",", ":")).encode() + b"\n"


@pytest.mark.parametrize("write", [_json_dump, _pandas_records])
def test_a_manifest_that_is_one_json_array_is_refused_not_truncated(tmp_path: Path, write) -> None:
    """Issue 28 item 1: read as "a torn first row", it was cut to 0 bytes and every image went to .orphans/."""
    rows = [row(1), row(2)]
    for r in rows:
        store_file(tmp_path, r["file_name"], r["sha256"].encode())
    (tmp_path / MANIFEST).write_bytes(write(rows))
    before = _snapshot(tmp_path)
    with pytest.raises(ManifestNotJsonLines, match=r"is one JSON array, not JSON Lines .*jq -c '\.\[\]'") as refused:
        Dataset(tmp_path).open()
    assert refused.value.exitcode == 2 and "\n" not in str(refused.value)
    assert _snapshot(tmp_path) == before
    assert not (tmp_path / ORPHANS).exists()


def test_a_line_longer_than_any_row_is_set_aside_in_pieces(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("imagespider.dataset.store.jsonl.MAX_LINE_BYTES", 300)
    long = b"[" + b"1," * 500 + b"1]\n"
    first, last = json.dumps(row(1)).encode() + b"\n", json.dumps({"file_name": "cat/x"}).encode() + b"\n"
    (tmp_path / MANIFEST).write_bytes(first + long + last)
    assert set_unreadable_lines_aside(tmp_path / MANIFEST, tmp_path / ORPHANS / UNREADABLE_ROWS) == 1
    assert (tmp_path / MANIFEST).read_bytes() == first + last
    assert (tmp_path / ORPHANS / UNREADABLE_ROWS).read_bytes() == long
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


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


def test_a_valid_last_row_without_newline_is_kept(tmp_path: Path) -> None:
    first, last = row(1), row(2)
    (tmp_path / MANIFEST).write_text(json.dumps(first) + "\n" + json.dumps(last))
    image = store_file(tmp_path, last["file_name"])
    store_file(tmp_path, first["file_name"])
    dataset = opened(tmp_path)
    dataset.close()
    assert image.exists()
    assert list(dataset.iter_rows()) == [first, last]


def test_the_rewritten_manifest_reaches_the_disk_before_it_replaces_the_old(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 28 item 4: with no fsync of the new file before os.replace, nor of the folder after,
    a power cut could leave metadata.jsonl empty or the old one back."""
    (tmp_path / MANIFEST).write_bytes(json.dumps(row(1)).encode() + b"\nnot a row\n")
    calls: list[tuple[str, str]] = []
    real_fsync, real_replace = os.fsync, os.replace
    monkeypatch.setattr(os, "fsync", lambda fd: (calls.append(("fsync", os.readlink(f"/proc/self/fd/{fd}"))), real_fsync(fd))[1])
    monkeypatch.setattr(os, "replace", lambda a, b: (calls.append(("replace", str(a))), real_replace(a, b))[1])
    set_unreadable_lines_aside(tmp_path / MANIFEST, tmp_path / ORPHANS / UNREADABLE_ROWS)
    replaced = next(i for i, call in enumerate(calls) if call[0] == "replace")
    temp = calls[replaced][1]
    assert ("fsync", temp) in calls[:replaced]  # the new file's bytes first
    assert ("fsync", str(tmp_path / ORPHANS / UNREADABLE_ROWS)) in calls[:replaced]  # the lines moved are safe first
    assert ("fsync", str(tmp_path)) in calls[replaced:]  # then the rename itself
