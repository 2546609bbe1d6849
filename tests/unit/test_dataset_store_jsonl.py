"""The store's JSON-lines files read and written a line at a time (imagespider/dataset/store/jsonl.py).

What is proven here:
- ``read_jsonl`` leaves out a torn last line quietly, keeps a whole last row saved without its
  newline, skips a line that is not JSON with a warning and a JSON value that is not an object
  quietly, and has no rows for a missing file;
- ``read_lines`` gives each line with its offset from any start; a last line with no newline only
  when it is a row (the rule ``read_jsonl`` follows too: issue 31 item 4);
- ``file_name`` is normalised to ``label/name``, or None when it names nothing inside the store;
- ``append_row`` writes one whole line and says where it starts; ``RowReader`` reads it back there;
- ``tail_jsonl`` reads the newest rows from the end, oldest first, skipping lines that are not objects.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

import pytest

from imagespider.dataset.store.jsonl import (
    RowReader,
    append_row,
    normal_file_name,
    parse_row,
    read_jsonl,
    read_lines,
    tail_jsonl,
)
from tests.stores import file_size_limit


def test_read_jsonl_skips_what_is_not_a_row(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "rows.jsonl"
    assert list(read_jsonl(path)) == []
    path.write_bytes(b'{"a": 1}\nnot json\n[1, 2]\n{"file_name": "./cat\\\\x.jpg"}\n{"torn": ')
    with caplog.at_level(logging.WARNING):
        assert list(read_jsonl(path)) == [{"a": 1}, {"file_name": "cat/x.jpg"}]
    assert "unreadable line" in caplog.text
    path.write_bytes(b'{"a": 1}\n{"b": 2}')  # a whole row saved without its newline
    assert list(read_jsonl(path)) == [{"a": 1}, {"b": 2}]


def test_read_lines_gives_whole_lines_with_their_offsets(tmp_path: Path) -> None:
    path = tmp_path / "rows.jsonl"
    path.write_bytes(b'{"a": 1}\n{"b": 2}\n{"c": 3')
    assert list(read_lines(path)) == [(0, b'{"a": 1}\n', 9), (9, b'{"b": 2}\n', 9)]
    assert list(read_lines(path, 9)) == [(9, b'{"b": 2}\n', 9)]
    path.write_bytes(b'{"a": 1}\n{"b": 2}\n{"c": 3}')  # a whole row saved without its newline
    assert list(read_lines(path))[-1] == (18, b'{"c": 3}', 8)


@pytest.mark.parametrize(
    ("written", "read"),
    [("cat/x.jpg", "cat/x.jpg"), ("./cat/x.jpg", "cat/x.jpg"), ("cat\\x.jpg", "cat/x.jpg"), (" cat/x.jpg ", "cat/x.jpg"),
     ("/etc/passwd", None), ("../x.jpg", None), (".", None), ("", None), (3, None)],
)
def test_file_names_are_normalised(written: object, read: str | None) -> None:
    assert normal_file_name(written) == read


def test_parse_row() -> None:
    assert parse_row(b'{"file_name": "./a/b.jpg", "x": 1}\n') == {"file_name": "a/b.jpg", "x": 1}
    assert parse_row(b"[1]\n") is None and parse_row(b"{nope\n") is None


def test_appended_rows_are_read_back_where_they_start(tmp_path: Path) -> None:
    path = tmp_path / "metadata.jsonl"
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        first = append_row(fd, {"title": "猫"})
        second = append_row(fd, {"title": "dog"})
    finally:
        os.close(fd)
    assert first[0] == 0 and second[0] == len(first[1]) and second[1].endswith(b"\n")
    with RowReader(path) as reader:
        assert reader.row(second[0], len(second[1])) == {"title": "dog"}
        assert reader.row(first[0], len(first[1])) == {"title": "猫"}
    with pytest.raises(RuntimeError):
        append_row(None, {})


def test_tail_jsonl_reads_the_newest(tmp_path: Path) -> None:
    path = tmp_path / "x.jsonl"
    path.write_text("".join(json.dumps({"n": n, "pad": "x" * 3000}) + "\n" for n in range(2000)) + "[1]\nnot json\n")
    assert [r["n"] for r in tail_jsonl(path, 700)] == list(range(1300, 2000))
    assert tail_jsonl(tmp_path / "missing.jsonl", 5) == []


def test_a_line_nested_thousands_deep_is_not_a_row(tmp_path: Path) -> None:
    """json.loads raises RecursionError, not ValueError, on arrays nested past Python's limit:
    every reader of the store's files stopped with a traceback on one such line."""
    deep = b"[" * 100_000 + b"]" * 100_000
    path = tmp_path / "rows.jsonl"
    path.write_bytes(b'{"a": 1}\n' + deep + b"\n" + b'{"b": 2}\n' + deep)
    assert list(read_jsonl(path)) == [{"a": 1}, {"b": 2}]
    assert parse_row(deep) is None


def test_a_rejected_object_named_with_a_unicode_digit_sorts() -> None:
    from imagespider.dataset.objectstore.client import written_order as _written_order

    assert _written_order(".rejected/w/²-1.json") == (0, ".rejected/w/²-1.json")


def test_a_short_append_on_a_full_disk_leaves_no_half_row(tmp_path: Path) -> None:
    """Issue 28 item 4: a short os.write left part of a row, and the next row was glued to it.
    RLIMIT_FSIZE makes the write stop part-way through the line, as a disk filling up does."""
    path = tmp_path / "metadata.jsonl"
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        append_row(fd, {"title": "first"})
        with file_size_limit(path.stat().st_size + 10), pytest.raises(OSError):
            append_row(fd, {"title": "a row longer than the ten bytes left"})
        assert path.read_bytes() == b'{"title": "first"}\n'  # cut back to whole rows
        offset, line = append_row(fd, {"title": "third"})
    finally:
        os.close(fd)
    assert offset == len(b'{"title": "first"}\n')
    assert [json.loads(raw) for raw in path.read_bytes().splitlines()] == [{"title": "first"}, {"title": "third"}]


def test_a_line_longer_than_any_row_is_never_held_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog) -> None:  # type: ignore[no-untyped-def]
    """A manifest line of gigabytes (a dataset as one JSON array, followed by rows) was read into
    memory whole by every reader of the store."""
    from imagespider.dataset.store import jsonl

    monkeypatch.setattr(jsonl, "MAX_LINE_BYTES", 64)
    long = b"[" + b"1," * 100 + b"1]\n"
    path = tmp_path / "metadata.jsonl"
    path.write_bytes(b'{"a": 1}\n' + long + b'{"b": 2}\n')
    assert list(read_lines(path)) == [(0, b'{"a": 1}\n', 9), (9, jsonl.TOO_LONG, len(long)), (9 + len(long), b'{"b": 2}\n', 9)]
    with caplog.at_level(logging.WARNING):
        assert list(read_jsonl(path)) == [{"a": 1}, {"b": 2}]
    assert "skipping an unreadable line" in caplog.text


# -- one rule for every reader of a store's JSON-lines files (issue 31 item 4) ----------------------

#: The longest line the tests below allow (monkeypatched), so a "huge" line is a few hundred bytes.
_SMALL_MAX = 200
_HUGE_OBJECT = b'{"n": 99, "pad": "' + b"x" * 400 + b'"}'  # a JSON object, but longer than any row


def _record(n: int) -> bytes:
    """A line every reader takes for a row: a manifest row, a rejected row, a crawl, a review record."""
    return json.dumps({"n": n, "file_name": f"cat/{n}.jpg", "id": f"c{n}", "review_id": f"r{n}",
                       "state": "intent", "changes": []}).encode() + b"\n"


#: Hostile files: (content, the rows' n every reader must find). Each case ends in its hostile line
#: as a last line with no newline too (a torn tail), and holds one in the middle.
HOSTILE = {
    "torn tail": (_record(1) + _record(2) + b'{"n": 3, "file_na', [1, 2]),
    "row saved without its newline": (_record(1) + _record(2).rstrip(b"\n"), [1, 2]),
    "huge line in the middle": (_record(1) + _HUGE_OBJECT + b"\n" + _record(2), [1, 2]),
    "huge line as the tail": (_record(1) + _record(2) + _HUGE_OBJECT, [1, 2]),
    "invalid UTF-8 in the middle": (_record(1) + b'{"n": "\xff\xfe\xc3"}\n' + _record(2), [1, 2]),
    "invalid UTF-8 as the tail": (_record(1) + _record(2) + b'{"n": "\xff\xfe"}', [1, 2]),
    "JSON non-objects": (_record(1) + b'[1, 2]\n"text"\n42\nnull\n\n   \n' + _record(2) + b"[3]", [1, 2]),
    "nothing but a torn line": (b'{"n": 1, "fi', []),
}


def _readers(root: Path) -> dict[str, list[int]]:
    """What each reader of the store's files finds in ``root``'s files (each holds the same bytes),
    and the object store's reader in a bucket holding them as its published manifest."""
    from imagespider.dataset.store.crawls import read_crawls
    from imagespider.dataset.store.files import MANIFEST, REJECTED
    from imagespider.dataset.store.index import StoreIndex
    from imagespider.dataset.store.reviewjournal import read_reviews
    from tests.servers import in_memory_store

    found: dict[str, list[int]] = {
        "read_jsonl": [row["n"] for row in read_jsonl(root / REJECTED)],
        "read_lines": [row["n"] for line in read_lines(root / REJECTED) if (row := parse_row(line.raw))],
        "tail_jsonl": [row["n"] for row in tail_jsonl(root / REJECTED, 100)],
        "read_crawls": [row["n"] for row in read_crawls(root)],
        "read_reviews": [int(review_id[1:]) for review_id in read_reviews(root)],
    }
    index = StoreIndex(root)
    index.open()
    try:
        with RowReader(root / MANIFEST) as reader:
            rows = [reader.row(offset, length) for offset, length in index.locations()]
        found["index"] = sorted(row["n"] for row in rows if row)
        # rejected.jsonl as the documents count it: rows without a URL count one each
        found["index rejected_counts"] = list(range(1, 1 + sum(index.rejected_counts(root / REJECTED).values())))
    finally:
        index.close()
    with in_memory_store() as store:
        store.put(MANIFEST, (root / MANIFEST).read_bytes())
        found["object store lines"] = [row["n"] for line in store.lines(MANIFEST) if (row := parse_row(line))]
    return found


@pytest.mark.parametrize("case", HOSTILE)
def test_every_reader_of_a_store_file_skips_the_same_lines(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: str) -> None:
    """Issue 31 item 4: three rules for a torn tail disagreed (read_lines left out a whole row
    saved without its newline that read_jsonl kept; tail_jsonl read a huge last line whole; the
    object store's reader had its own). Every reader now finds the same rows in the same bytes."""
    from imagespider.dataset.store import jsonl
    from imagespider.dataset.store.files import JSONL_FILES

    monkeypatch.setattr(jsonl, "MAX_LINE_BYTES", _SMALL_MAX)
    content, expected = HOSTILE[case]
    for name in JSONL_FILES:
        (tmp_path / name).write_bytes(content)
    found = _readers(tmp_path)
    assert found == dict.fromkeys(found, expected)
    assert len(found) == 8


@pytest.mark.parametrize("case", HOSTILE)
def test_the_store_sets_aside_on_open_what_the_readers_skip_as_a_torn_tail(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: str
) -> None:
    """The one repair, made on open for every JSON-lines file of the store (crawls.jsonl was never
    mended: the next crawl's row was glued to a torn one and lost): afterwards every file ends in a
    newline, the readers find what they found before, and the torn bytes are kept aside."""
    from imagespider.dataset.store import jsonl
    from imagespider.dataset.store.files import CRAWLS, JSONL_FILES, MANIFEST, ORPHANS, REJECTED, REVIEWS
    from imagespider.dataset.store.local import Dataset

    monkeypatch.setattr(jsonl, "MAX_LINE_BYTES", _SMALL_MAX)
    content, expected = HOSTILE[case]
    for name in JSONL_FILES:
        # reviews.jsonl's records as finished reviews: an unfinished one would be carried through on open
        (tmp_path / name).write_bytes(content.replace(b'"intent"', b'"applied"') if name == REVIEWS else content)
    dataset = Dataset(tmp_path)
    dataset.open()
    dataset.close()
    for name in (REJECTED, CRAWLS):
        mended = (tmp_path / name).read_bytes()
        assert mended.endswith(b"\n") or not mended, name
        assert content.startswith(mended.rstrip(b"\n")), name
        torn = content.removeprefix(mended.rstrip(b"\n")).lstrip(b"\n")
        if torn:
            assert (tmp_path / ORPHANS / name.replace(".jsonl", ".unreadable.jsonl")).read_bytes() == torn + b"\n"
    # the manifest's unreadable lines in the middle go aside too (all of them, to one file)
    for name in (MANIFEST, REVIEWS):
        assert (tmp_path / name).read_bytes().endswith(b"\n") or not (tmp_path / name).read_bytes(), name
    found = _readers(tmp_path)
    assert found.pop("read_reviews") == []
    assert found == dict.fromkeys(found, expected)


# -- one row-cleaning step for every writer (issue 31 item 4) ----------------------------------------


def _scrub(value: object) -> object:
    """A crawl's secret redaction, as imagespider/extensions/redact.py's ``scrub`` does it."""
    if isinstance(value, str):
        return value.replace("f1ickr-s3cret-key", "***")
    if isinstance(value, dict):
        return {key: _scrub(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_scrub(item) for item in value]
    return value


def _hostile_row() -> dict[str, object]:
    """A row as hostile as the web and a crawl's stats make one: a lone surrogate and control
    characters in text, a secret in a URL and in a nested value, a text of a whole page, NaN and
    infinity, a date, bytes, a tuple, a key with a NUL."""
    from datetime import UTC, datetime

    from imagespider.dataset.store.jsonl import MAX_ROW_TEXT
    from tests.manifest_rows import CC_BY_2, row

    return row(
        1, CC_BY_2, id="20261207T000000Z-bing-abcdef", sha256=f"{1:064x}", reason="too_small",
        title="a\ud800b\x00c\x1bd", detail="x" * (MAX_ROW_TEXT + 500),
        image_url="https://img.example/1.jpg?api_key=f1ickr-s3cret-key",
        settings={"FLICKR_API_KEY": "f1ickr-s3cret-key"}, width=float("nan"), height=float("inf"),
        at=datetime(2026, 12, 7, tzinfo=UTC), raw=b"\xff\xfe", tags=("a", {"k\x00": "v"}),
    )


def _local_written(root: Path, writer: str) -> dict[str, object]:
    from imagespider.dataset.store.files import CRAWLS, MANIFEST, REJECTED
    from imagespider.dataset.store.local import Dataset

    dataset = Dataset(root, scrub=_scrub)
    dataset.open()
    try:
        if writer == "manifest":
            dataset.add(_hostile_row())
        elif writer == "rejected":
            dataset.reject(_hostile_row())
        elif writer == "crawl record":
            dataset.record_crawl(_hostile_row())
        else:  # the crawl's row amended after it was written (a failure after it)
            dataset.record_crawl({"id": "20261207T000000Z-bing-abcdef", "finish_reason": "finished"})
            assert dataset.amend_crawl(_hostile_row())
    finally:
        dataset.close()
    name = {"manifest": MANIFEST, "rejected": REJECTED}.get(writer, CRAWLS)
    lines = (root / name).read_bytes().splitlines()
    assert len(lines) == 1
    return json.loads(lines[0])


def _object_written(writer: str) -> dict[str, object]:
    from imagespider.dataset.objectstore.client import CRAWLS_PREFIX, REJECTED_PREFIX
    from imagespider.dataset.objectstore.dataset import ObjectDataset
    from tests.servers import AWS, in_memory_store

    with in_memory_store() as store:
        dataset = ObjectDataset(store.config.uri, AWS, scrub=_scrub)
        dataset.store = store
        dataset.open()
        try:
            if writer == "object sidecar":
                dataset.add(_hostile_row())
                key = f"cat/{1:064x}.json"
            elif writer == "object rejected":
                dataset.reject(_hostile_row())
                dataset.flush()
                (key,) = store.keys(REJECTED_PREFIX)
            else:
                dataset.record_crawl(_hostile_row())
                key = f"{CRAWLS_PREFIX}20261207T000000Z-bing-abcdef.json"
            data = store.get(key)
        finally:
            dataset.close()
    assert data is not None
    return json.loads(data)


@pytest.mark.parametrize(
    "writer",
    ["manifest", "rejected", "crawl record", "crawl record amended", "object sidecar", "object rejected",
     "object crawl record"],
)
def test_every_writer_cleans_a_hostile_row_the_same_way(tmp_path: Path, writer: str) -> None:
    """Issue 31 item 4: the local store cleaned its rows (secrets, lone surrogates) but the object
    store's rejected and crawl rows were only scrubbed (a lone surrogate raised UnicodeEncodeError
    in the crawl), and the local crawl record was not cleaned at all. Every writer now writes what
    clean_row makes of the row."""
    from imagespider.dataset.store.jsonl import CUT, MAX_ROW_TEXT, clean_row

    written = _object_written(writer) if writer.startswith("object") else _local_written(tmp_path, writer)
    expected = json.loads(json.dumps(clean_row(_hostile_row(), _scrub)))
    assert written == expected
    assert "s3cret" not in json.dumps(written)
    assert written["title"] == "a\ufffdbcd" and written["width"] is None and written["height"] is None
    assert len(written["detail"]) == MAX_ROW_TEXT and written["detail"].endswith(CUT)
    assert written["at"] == "2026-12-07T00:00:00+00:00" and written["tags"] == ["a", {"k": "v"}]
