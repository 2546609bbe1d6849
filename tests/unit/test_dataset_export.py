"""imagespider/dataset/export.py without a crawl: options checked, resize modes, bytes kept."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from imagespider.dataset.export import ExportConfig, transform


def png(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 10, 10)).save(buffer, "PNG")
    return buffer.getvalue()


def test_bad_options_are_named() -> None:
    with pytest.raises(ValueError, match="unknown format 'zip'.*--resize-mode"):
        ExportConfig(formats=("zip",), resize_mode="stretch")


def test_nothing_asked_keeps_the_bytes() -> None:
    data = png(30, 20)
    assert transform(data, ExportConfig()) == (data, "png", 30, 20)


def test_keep_ratio_and_center_crop() -> None:
    data = png(300, 200)
    _, ext, width, height = transform(data, ExportConfig(resize=100))
    assert (ext, width, height) == ("png", 150, 100)
    shipped, ext, width, height = transform(data, ExportConfig(resize=100, resize_mode="center_crop", encode="jpeg"))
    assert (ext, width, height) == ("jpg", 100, 100)
    assert Image.open(io.BytesIO(shipped)).format == "JPEG"
