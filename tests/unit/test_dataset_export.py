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


def _store_with(tmp_path, rows_of):  # type: ignore[no-untyped-def]
    import hashlib
    import json

    data = png(4, 4)
    sha = hashlib.sha256(data).hexdigest()
    (tmp_path / "cat").mkdir()
    (tmp_path / "cat" / f"{sha}.png").write_bytes(data)
    good = {"file_name": f"cat/{sha}.png", "sha256": sha, "label": "cat"}
    lines = [json.dumps(row) for row in rows_of(good, sha)]
    (tmp_path / "metadata.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return sha


def test_damaged_rows_are_listed_not_a_traceback_nor_a_bad_shard(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A hand-edited manifest: fields of the wrong type (Arrow refused them: the export died with
    a traceback), a sha256 that is a path (``../../evil`` became a tar member name that writes
    outside whoever extracts the shard), a row twice, a folder where a file should be."""
    import json
    import tarfile

    import pyarrow.parquet as pq

    from imagespider.dataset.export import LocalSource, export

    sha = _store_with(tmp_path, lambda good, sha: [
        {**good, "title": {"a": 1}, "width": "abc", "license_version": 4.0},
        {**good, "sha256": "../../evil"},
        {**good, "sha256": 12345},
        good,
        {**good, "file_name": "cat", "sha256": "b" * 64},
    ])
    out = tmp_path / "out"
    result = export(LocalSource(tmp_path), out, ExportConfig())
    assert result.samples == 1 and result.unreadable == ["cat"]
    assert len(result.invalid) == 3 and "already exported" in result.invalid[2]
    (tar_path,) = (out / "webdataset").glob("*.tar")
    with tarfile.open(tar_path) as tar:
        assert tar.getnames() == [f"{sha}.png", f"{sha}.json"]
        meta = json.loads(tar.extractfile(f"{sha}.json").read())  # type: ignore[union-attr]
    assert (meta["title"], meta["original_width"], meta["license_version"]) == (None, None, "4.0")
    (parquet_path,) = (out / "parquet").glob("*.parquet")
    assert pq.read_table(parquet_path).column("key").to_pylist() == [sha]
    assert json.loads((out / "shards.json").read_text())["invalid"] == result.invalid


def test_a_shard_size_of_infinity_is_a_usage_error() -> None:
    import argparse

    from imagespider.commands.export import byte_size

    for text in ("inf", "1e400G", "nan"):
        with pytest.raises(argparse.ArgumentTypeError):
            byte_size(text)
