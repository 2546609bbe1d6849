"""``inspect_image``: the verdict on a downloaded body, proven on real bytes made with Pillow.

What is proven here:
- whole JPEG/PNG/WebP/GIF/BMP images are accepted with their true size, format and SHA-256;
- truncated images are refused as ``corrupt_image`` (every byte is read, even with JPEG draft mode);
- non-images are ``not_an_image`` and TIFF (readable, but not a dataset format here) is
  ``unsupported_format``;
- the size limits give ``too_small``; a header claiming too many pixels is a
  ``decompression_bomb`` before any pixel is decoded.
"""

from __future__ import annotations

import hashlib
import struct
import zlib
from io import BytesIO

import pytest
from PIL import Image

from imagespider.errors import Rejected
from imagespider.pipelines.imagecheck import EXTENSIONS, ImageFacts, check_image, inspect_image

PILLOW_DEFAULT_MAX_PIXELS = 89_478_485


def encode(fmt: str, size: tuple[int, int] = (320, 240), mode: str = "RGB") -> bytes:
    """A real image with detail in it (a gradient), so compressed data spans the whole file."""
    image = Image.linear_gradient("L").resize(size).convert(mode)
    out = BytesIO()
    image.save(out, fmt)
    return out.getvalue()


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_with_header(width: int, height: int) -> bytes:
    """A well-formed PNG (valid CRCs) whose IHDR claims ``width`` x ``height`` 1-bit pixels but
    holds no pixel data: decoding it would fail, so only a header check can call it a bomb."""
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", ihdr)
        + png_chunk(b"IDAT", zlib.compress(b""))
        + png_chunk(b"IEND", b"")
    )


def verdict(body: bytes, min_width: int = 10, min_height: int = 10, max_pixels: int = PILLOW_DEFAULT_MAX_PIXELS) -> str:
    with pytest.raises(Rejected) as info:
        inspect_image(body, min_width, min_height, max_pixels)
    return info.value.reason


@pytest.mark.parametrize(
    ("fmt", "mode"),
    [("JPEG", "RGB"), ("JPEG", "L"), ("PNG", "RGBA"), ("WEBP", "RGB"), ("GIF", "P"), ("BMP", "RGB")],
)
def test_whole_images_are_accepted(fmt: str, mode: str) -> None:
    body = encode(fmt, (321, 203), mode)
    facts = inspect_image(body, 10, 10, PILLOW_DEFAULT_MAX_PIXELS)
    assert facts == ImageFacts(321, 203, fmt, hashlib.sha256(body).hexdigest())
    assert facts.format in EXTENSIONS


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP", "GIF", "BMP"])
@pytest.mark.parametrize("keep", [0.5, 0.9, 0.98])
def test_truncated_images_are_corrupt(fmt: str, keep: float) -> None:
    body = encode(fmt, (400, 300))
    assert verdict(body[: int(len(body) * keep)]) == "corrupt_image"


def test_jpeg_missing_only_its_end_is_corrupt() -> None:
    body = encode("JPEG", (400, 300))
    assert body.endswith(b"\xff\xd9")
    assert verdict(body[:-10]) == "corrupt_image"


@pytest.mark.parametrize(
    "body",
    [
        b"<!doctype html><html><head><title>403</title></head><body>Forbidden</body></html>",
        b'{"error": "not found"}',
        b"",
        b"\x00" * 1000,
    ],
)
def test_non_images(body: bytes) -> None:
    assert verdict(body) == "not_an_image"


def test_png_signature_alone_is_refused() -> None:
    assert verdict(b"\x89PNG\r\n\x1a\n") == "not_an_image"


def test_tiff_is_unsupported() -> None:
    assert "TIFF" not in EXTENSIONS
    assert verdict(encode("TIFF")) == "unsupported_format"


@pytest.mark.parametrize(
    ("size", "minimum", "accepted"),
    [
        ((100, 80), (100, 80), True),  # exactly the minimum is enough
        ((99, 80), (100, 80), False),
        ((100, 79), (100, 80), False),
        ((5000, 10), (100, 80), False),  # wide is not tall enough
        ((1, 1), (0, 0), True),
    ],
)
def test_minimum_size(size: tuple[int, int], minimum: tuple[int, int], accepted: bool) -> None:
    body = encode("PNG", size)
    if accepted:
        assert inspect_image(body, *minimum, PILLOW_DEFAULT_MAX_PIXELS).width == size[0]
    else:
        assert verdict(body, *minimum) == "too_small"


def test_huge_header_is_a_bomb_without_decoding() -> None:
    body = png_with_header(50_000, 50_000)
    assert len(body) < 100
    # with a harmless header the same file fails to decode: so the bomb verdict came from the header
    assert verdict(png_with_header(200, 200)) == "corrupt_image"
    assert verdict(body, max_pixels=PILLOW_DEFAULT_MAX_PIXELS) == "decompression_bomb"


def test_header_over_our_limit_but_under_pillows_is_a_bomb() -> None:
    """9000x9000 is under Pillow's own limit, so only our ``max_pixels`` check can refuse it."""
    assert 9000 * 9000 < PILLOW_DEFAULT_MAX_PIXELS
    assert verdict(png_with_header(9000, 9000), max_pixels=50_000_000) == "decompression_bomb"


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP", "GIF", "BMP"])
def test_lowered_max_pixels_refuses_a_normal_image(fmt: str) -> None:
    body = encode(fmt, (320, 240))
    assert verdict(body, max_pixels=320 * 240 - 1) == "decompression_bomb"
    assert inspect_image(body, 10, 10, 320 * 240).width == 320


def test_bomb_is_checked_before_size() -> None:
    """A huge image is a bomb even when the minimum size would also refuse it."""
    assert verdict(png_with_header(50_000, 50_000), min_width=60_000) == "decompression_bomb"


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
@pytest.mark.parametrize("size", [(1600, 1200), (300, 900), (120, 90)])
def test_the_report_thumbnail_comes_from_the_check_decode(fmt: str, size: tuple[int, int]) -> None:
    """Issue 19: the check hands back the report's thumbnail (a JPEG at most 240 px a side and at
    least 160 on its long side, or the image's own size if smaller; the original's aspect), so the
    documents need not decode the image again."""
    facts = inspect_image(encode(fmt, size), 10, 10, PILLOW_DEFAULT_MAX_PIXELS)
    assert facts.thumbnail is not None
    with Image.open(BytesIO(facts.thumbnail)) as thumb:
        assert thumb.format == "JPEG"
        assert min(160, max(size)) <= max(thumb.size) <= min(240, max(size))
        assert abs(thumb.width / thumb.height - size[0] / size[1]) < 0.05


def test_the_thumbnail_is_made_only_under_the_cutoff() -> None:
    """Issue 19: only an image the report could show gets a thumbnail (imagespider/dataset/documents/thumbnails.py,
    sample_cutoff); the rest of the facts do not change."""
    body = encode("PNG", (400, 300))
    sha = hashlib.sha256(body).hexdigest()
    every = inspect_image(body, 10, 10, PILLOW_DEFAULT_MAX_PIXELS)
    assert every.thumbnail is not None
    assert inspect_image(body, 10, 10, PILLOW_DEFAULT_MAX_PIXELS, None, sha).thumbnail == every.thumbnail
    above = inspect_image(body, 10, 10, PILLOW_DEFAULT_MAX_PIXELS, None, f"{int(sha, 16) - 1:064x}")
    assert above.thumbnail is None and above == every and above.phash == every.phash
    assert check_image(body, 10, 10, PILLOW_DEFAULT_MAX_PIXELS, None, "").thumbnail is None  # type: ignore[union-attr]
