"""imagespider/spiders/urllist.py: the ``urls`` spider's input read in its three shapes (plain
text, CSV, another crawl's manifest); bad rows skipped and counted with their reasons, a file with
nothing usable refused in one line."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from imagespider.errors import ArgumentError
from imagespider.rights.model import cc_license
from imagespider.spiders.urllist import CSV, MANIFEST, TEXT, read_url_list
from tests.manifest_rows import row

SHA = "ab" * 32


def test_plain_text_skips_comments_and_blank_lines_and_counts_bad_urls(tmp_path: Path) -> None:
    path = tmp_path / "list.txt"
    path.write_text("# my cats\n\nhttps://h/1.jpg\nftp://h/2.jpg\n  http://h/3.png  \nnot a url\n", encoding="utf-8")
    found = read_url_list(str(path), "My Cats")
    assert found.kind == TEXT
    assert [(r.image_url, r.label) for r in found.rows] == [("https://h/1.jpg", "my-cats"), ("http://h/3.png", "my-cats")]
    assert found.skipped == 2
    assert found.notes == ["line 4: not an http(s) URL: ftp://h/2.jpg", "line 6: not an http(s) URL: not a url"]


def test_csv_reads_its_columns_and_the_license_as_listed_evidence(tmp_path: Path) -> None:
    path = tmp_path / "list.csv"
    path.write_text(
        "Image_URL,label,title,license\n"
        "https://h/1.jpg,Red Fox,A fox,CC BY-SA 4.0\n"
        ",cat,,\n"
        "https://h/2.jpg,,No label,\n",
        encoding="utf-8",
    )
    found = read_url_list(str(path), "default")
    assert found.kind == CSV and found.skipped == 1 and found.notes == ["row 3: no url"]
    fox, other = found.rows
    assert (fox.label, fox.title, fox.license.id, fox.license.version, fox.license.source) == (
        "red-fox", "A fox", "cc-by-sa", "4.0", "list",
    )
    assert (other.label, other.license.id) == ("default", "unknown")


def test_a_csv_without_a_url_column_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "list.csv"
    path.write_text("link,label\nhttps://h/1.jpg,cat\n", encoding="utf-8")
    with pytest.raises(ArgumentError, match=r"has no url column \(columns: link, label\)"):
        read_url_list(str(path), "x")


def test_a_manifest_keeps_each_rows_label_license_and_sha256(tmp_path: Path) -> None:
    good = row(1, cc_license("cc-by", "2.0", "api"), sha256=SHA)
    lines = [json.dumps(good), "[1, 2]", json.dumps({**good, "sha256": "short"}), json.dumps({"title": "no url"}), ""]
    path = tmp_path / "metadata.jsonl"
    path.write_text("\n".join(lines), encoding="utf-8")
    found = read_url_list(str(path), "x")
    assert found.kind == MANIFEST and found.skipped == 3
    (kept,) = found.rows
    assert (kept.image_url, kept.label, kept.expected_sha256) == ("https://img.example/1.jpg", "cat", SHA)
    assert (kept.license.id, kept.license.version, kept.license.source) == ("cc-by", "2.0", "api")
    assert (kept.query, kept.engine, kept.extra) == ("cat", "flickr", {"author_url": "https://photos.example/people/1"})
    assert found.notes[0] == "line 2: not a JSON object" and "sha256 is not 64 hex digits" in found.notes[1]


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("missing.txt", None, "URL list not found"),
        ("empty.txt", "# nothing\n", "holds no usable image URL"),
        ("bad.txt", "ftp://h/1.jpg\n", "holds no usable image URL (1 bad: line 1: not an http(s) URL"),
    ],
)
def test_a_file_with_nothing_usable_is_one_line(tmp_path: Path, name: str, text: str | None, message: str) -> None:
    path = tmp_path / name
    if text is not None:
        path.write_text(text, encoding="utf-8")
    with pytest.raises(ArgumentError, match=re.escape(message)) as refused:
        read_url_list(str(path), "x")
    assert "\n" not in str(refused.value)
    with pytest.raises(ArgumentError, match="is a folder"):
        read_url_list(str(tmp_path), "x")


def test_a_url_list_with_only_mistyped_rows_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "m.jsonl"
    path.write_text(json.dumps({"image_url": "http://h/1.jpg", "title": ["x"]}) + "\n")
    with pytest.raises(ArgumentError, match="title is list, not text") as refused:
        read_url_list(str(path), "images")
    assert "\n" not in str(refused.value)
    path.write_text(path.read_text() + json.dumps({"image_url": "http://h/2.jpg", "title": "fine"}) + "\n")
    assert len(read_url_list(str(path), "images").rows) == 2  # the mistyped one is a bad_row drop when crawled
    path.write_text(json.dumps({"image_url": "http://h/1.jpg", "label": ["x"]}) + "\n" + json.dumps({"image_url": "http://h/2.jpg"}) + "\n")
    assert len(read_url_list(str(path), "images").rows) == 1


def test_a_manifest_line_nested_too_deep_is_a_skipped_line(tmp_path: Path) -> None:
    """json.loads raises RecursionError (not ValueError) on arrays nested 100,000 deep."""
    path = tmp_path / "metadata.jsonl"
    good = json.dumps({"image_url": "https://img.example/1.jpg"})
    path.write_text("[" * 100_000 + "]" * 100_000 + "\n" + good + "\n", encoding="utf-8")
    found = read_url_list(str(path), "x")
    assert found.kind == MANIFEST and found.skipped == 1 and len(found.rows) == 1


def test_a_url_list_that_is_not_a_regular_file_is_one_line() -> None:
    # -a path=/dev/zero was read until memory ran out; a pipe or /dev/stdin waited forever.
    with pytest.raises(ArgumentError, match=r"^cannot read URL list /dev/zero: not a regular file; give a file"):
        read_url_list("/dev/zero", "x")


def test_a_url_with_a_broken_ipv6_host_is_a_skipped_row_in_every_shape(tmp_path: Path) -> None:
    # urlsplit raises ValueError("Invalid IPv6 URL") on "http://[abc": it was a traceback.
    text = tmp_path / "list.txt"
    text.write_text("http://[abc/1.jpg\nhttps://h/2.jpg\n", encoding="utf-8")
    found = read_url_list(str(text), "x")
    assert [r.image_url for r in found.rows] == ["https://h/2.jpg"]
    assert found.notes == ["line 1: not an http(s) URL: http://[abc/1.jpg"]
    table = tmp_path / "list.csv"
    table.write_text("url\nhttp://[abc/1.jpg\nhttps://h/2.jpg\n", encoding="utf-8")
    assert read_url_list(str(table), "x").skipped == 1
    manifest = tmp_path / "metadata.jsonl"
    manifest.write_text(json.dumps({"image_url": "http://[::1/1.jpg"}) + "\n" + json.dumps({"image_url": "https://h/2.jpg"}) + "\n")
    assert read_url_list(str(manifest), "x").skipped == 1


def test_a_csv_the_csv_module_cannot_read_is_one_line(tmp_path: Path) -> None:
    # A field over the csv module's 128 KiB limit (here: a quote never closed, so the rest of the
    # file is one field) raised _csv.Error: a traceback.
    path = tmp_path / "list.csv"
    path.write_text('url,title\nhttps://h/1.jpg,"never closed\n' + "https://h/2.jpg,x\n" * 10_000, encoding="utf-8")
    with pytest.raises(ArgumentError, match=r"^cannot read CSV .*list\.csv: the record from line 2: field larger than field limit") as refused:
        read_url_list(str(path), "x")
    assert "\n" not in str(refused.value)
    path.write_text('"url' + "x" * 200_000 + "\nhttps://h/1.jpg\n", encoding="utf-8")  # the header itself
    with pytest.raises(ArgumentError, match=r"^cannot read CSV .*: the record from line 1: field larger"):
        read_url_list(str(path), "x")


def test_a_manifest_row_whose_text_holds_a_unicode_line_separator_is_read(tmp_path: Path) -> None:
    # The store writes rows with ensure_ascii=False, so U+2028 / U+2029 / U+0085 in a title stay raw
    # in the line; str.splitlines() cut the row there, and both halves were skipped as not JSON.
    path = tmp_path / "metadata.jsonl"
    rows = [{"image_url": f"https://h/{i}.jpg", "title": f"a{sep}b"} for i, sep in enumerate("\u2028\u2029\x85\x1c\x0c")]
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    found = read_url_list(str(path), "x")
    assert found.skipped == 0, found.notes
    assert [r.title for r in found.rows] == [r["title"] for r in rows]


def test_a_manifest_whose_every_author_url_or_site_is_not_text_is_one_line(tmp_path: Path) -> None:
    # author_url and site are text fields of the item too (a bad_row drop each): a manifest whose
    # every row had a numeric author_url was crawled, every row dropped, instead of refused up front.
    path = tmp_path / "m.jsonl"
    path.write_text("".join(json.dumps({"image_url": f"http://h/{i}.jpg", "author_url": 5}) + "\n" for i in range(2)))
    with pytest.raises(ArgumentError, match="author_url is int, not text"):
        read_url_list(str(path), "images")
    path.write_text(json.dumps({"image_url": "http://h/1.jpg", "site": ["x"]}) + "\n")
    with pytest.raises(ArgumentError, match="site is list, not text"):
        read_url_list(str(path), "images")
