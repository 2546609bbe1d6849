"""imagespider/dataset/documents/thumbnails.py: each kept image's small JPEG for report.html, named
``<label>/.thumbs/<sha256>.jfif`` (hidden from Hugging Face, not an ImageFolder extension), made
once, written whole; a row that cannot have one, or a file that cannot be reduced, gets none."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from imagespider.dataset.documents.report import CLASS_PAGE_SAMPLE, GALLERY_SAMPLE
from imagespider.dataset.documents.thumbnails import (
    SAMPLE,
    SIZE,
    THUMBS,
    ensure_thumbnails,
    make_thumbnail,
    sample_cutoff,
    thumbnail_jpeg,
    thumbnail_name,
    write_thumbnail,
)
from tests.photos import encode, photo

SHA = "0f" * 32


@pytest.mark.parametrize(
    ("row", "name"),
    [
        ({"file_name": "cat/a.png", "sha256": SHA}, f"cat/{THUMBS}/{SHA}.jfif"),
        ({"file_name": "a.png", "sha256": SHA}, None),  # no label folder
        ({"file_name": "cat/sub/a.png", "sha256": SHA}, None),
        ({"file_name": ".hidden/a.png", "sha256": SHA}, None),
        ({"file_name": "cat/../a.png", "sha256": SHA}, None),
        ({"file_name": "cat/a.png", "sha256": "../x"}, None),
        ({"file_name": "cat/a.png"}, None),
    ],
)
def test_thumbnail_name_only_for_a_row_inside_a_label_folder(row: dict, name: str | None) -> None:
    assert thumbnail_name(row) == name


def test_sample_cutoff_is_the_sha256_of_the_last_image_shown() -> None:
    assert SAMPLE == max(GALLERY_SAMPLE, CLASS_PAGE_SAMPLE)
    assert sample_cutoff(None) is None  # the class's sample is not full: every image is shown
    assert sample_cutoff(f"cat/{SHA}.jpg") == SHA
    assert sample_cutoff(f"a.b/{SHA}.webp") == SHA
    assert sample_cutoff("") == ""  # the last shown row has no file: no new image is shown


def test_thumbnail_jpeg_fits_the_size_and_keeps_the_aspect() -> None:
    image = Image.open(io.BytesIO(encode(photo("fox", 1200, 600), "PNG")))
    image.load()
    data = thumbnail_jpeg(image)
    assert data is not None
    with Image.open(io.BytesIO(data)) as small:
        assert small.format == "JPEG" and small.size == (SIZE, SIZE // 2)


@pytest.mark.parametrize(
    ("size", "expected"),
    [
        ((420, 315), (210, 158)),  # a whole-factor box reduction: long side 160 or more
        ((511, 383), (171, 128)),
        ((300, 200), (SIZE, 160)),  # halving would leave 150 px: resized to SIZE instead
        ((200, 100), (200, 100)),  # already small: as it is
    ],
)
def test_thumbnail_jpeg_reduces_by_a_whole_factor_when_that_stays_large_enough(
    size: tuple[int, int], expected: tuple[int, int]
) -> None:
    image = Image.open(io.BytesIO(encode(photo("fox", *size), "PNG")))
    image.load()
    data = thumbnail_jpeg(image)
    assert data is not None
    with Image.open(io.BytesIO(data)) as small:
        assert small.size == expected and max(small.size) <= SIZE


def test_make_and_write_are_atomic_and_a_broken_file_gets_none(tmp_path: Path) -> None:
    source = tmp_path / "cat" / "a.webp"
    source.parent.mkdir()
    source.write_bytes(encode(photo("owl", 300, 900), "WEBP"))
    target = tmp_path / "cat" / THUMBS / f"{SHA}.jfif"
    assert make_thumbnail(source, target)
    with Image.open(target) as small:
        assert small.size == (SIZE // 3, SIZE)
    assert [p.name for p in target.parent.iterdir()] == [target.name]  # no partial file left
    broken = tmp_path / "cat" / "b.jpg"
    broken.write_bytes(b"\xff\xd8 not really a jpeg")
    assert not make_thumbnail(broken, tmp_path / "cat" / THUMBS / "b.jfif")
    write_thumbnail(tmp_path / "dog" / THUMBS / "c.jfif", b"bytes")
    assert (tmp_path / "dog" / THUMBS / "c.jfif").read_bytes() == b"bytes"


def test_ensure_thumbnails_makes_the_missing_ones_only(tmp_path: Path) -> None:
    rows = []
    for n, fmt in enumerate(("JPEG", "PNG")):
        sha = f"{n}" * 64
        name = f"cat/{sha}.{fmt.lower()}"
        (tmp_path / "cat").mkdir(exist_ok=True)
        (tmp_path / name).write_bytes(encode(photo(str(n), 500, 400), fmt))
        rows.append({"file_name": name, "sha256": sha})
    rows.append({"file_name": "cat/gone.jpg", "sha256": "9" * 64})  # its file is not there
    rows.append({"file_name": "nolabel.jpg", "sha256": "8" * 64})
    existing = tmp_path / "cat" / THUMBS / f"{'0' * 64}.jfif"
    write_thumbnail(existing, b"made by the crawl's check worker")
    made = ensure_thumbnails(tmp_path, rows)
    assert set(made) == {rows[0]["file_name"], rows[1]["file_name"]}
    assert existing.read_bytes() == b"made by the crawl's check worker"  # kept, not made again
    assert (tmp_path / "cat" / THUMBS / f"{'1' * 64}.jfif").exists()
