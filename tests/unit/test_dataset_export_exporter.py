"""imagespider/dataset/export/exporter.py without a crawl: options checked, resize modes, bytes kept."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from imagespider.dataset.export.exporter import ExportConfig, transform


def png(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 10, 10)).save(buffer, "PNG")
    return buffer.getvalue()


def test_bad_options_are_named() -> None:
    with pytest.raises(ValueError, match="unknown format 'zip'.*--resize-mode"):
        ExportConfig(formats=("zip",), resize_mode="stretch")


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"workers": 0}, "--workers must be between 1 and 64"),
        ({"workers": -3}, "--workers must be between 1 and 64"),
        ({"workers": 10_000}, "--workers must be between 1 and 64"),
        ({"resize": 0}, "--resize must be a number of pixels from 1 to 16384"),
        ({"resize": 100_000}, "--resize must be a number of pixels from 1 to 16384"),
    ],
)
def test_out_of_range_workers_and_resize_are_named(options: dict[str, int], message: str) -> None:
    """Not silently one worker, nor thousands of images held at once, nor a 640 px image scaled up
    to gigabytes of pixels."""
    with pytest.raises(ValueError, match=message):
        ExportConfig(**options)  # type: ignore[arg-type]
    assert ExportConfig(workers=64, resize=16384).workers == 64


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

    from imagespider.dataset.export.exporter import LocalSource, export

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


def _store_of(tmp_path, count: int):  # type: ignore[no-untyped-def]
    """A local store of ``count`` distinct PNGs of class cat."""
    import hashlib
    import json

    (tmp_path / "cat").mkdir()
    rows = []
    for n in range(count):
        data = png(4 + n, 4)
        sha = hashlib.sha256(data).hexdigest()
        (tmp_path / "cat" / f"{sha}.png").write_bytes(data)
        rows.append(json.dumps({"file_name": f"cat/{sha}.png", "sha256": sha, "label": "cat"}))
    (tmp_path / "metadata.jsonl").write_text("\n".join(rows) + "\n", encoding="utf-8")


def test_exporting_again_into_the_same_folder_leaves_no_shard_of_the_last_export(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """shards.json lists every shard, and a loader globs the folders (``parquet/*.parquet``): a
    shard of an earlier, larger export (or of a format not asked this time) would be read as
    part of this one, its samples twice."""
    import json

    from imagespider.dataset.export.exporter import LocalSource, export

    _store_of(tmp_path, 3)
    out = tmp_path / "out"
    (out / "parquet").mkdir(parents=True)
    (out / "parquet" / "mine.parquet").write_bytes(b"not the exporter's")
    first = export(LocalSource(tmp_path), out, ExportConfig(shard_size=1))
    assert len(first.shards) == 6
    second = export(LocalSource(tmp_path), out, ExportConfig(formats=("parquet",), shard_size=2))
    listed = {shard["path"] for shard in json.loads((out / "shards.json").read_text())["shards"]}
    assert listed == {"parquet/shard-000000.parquet", "parquet/shard-000001.parquet"} == {s.path for s in second.shards}
    on_disk = {path.relative_to(out).as_posix() for path in out.rglob("shard-*")}
    assert on_disk == listed
    assert (out / "parquet" / "mine.parquet").read_bytes() == b"not the exporter's"  # not a shard's name


def test_a_camera_jpeg_read_as_mpo_ships_as_a_jpeg() -> None:
    """Phone and camera JPEGs carry an MPF segment, and Pillow names their format MPO; the crawl
    keeps them as ``.jpg`` (imagespider/pipelines/imagecheck.py FORMAT_ALIASES). The export shipped
    them as ``<key>.img`` (which ``to_tuple("jpg", "json")`` and WebDataset's decoders do not know),
    and a resized one became a PNG."""
    first, second = Image.new("RGB", (300, 200), (1, 2, 3)), Image.new("RGB", (300, 200), (9, 9, 9))
    buffer = io.BytesIO()
    first.save(buffer, "MPO", save_all=True, append_images=[second])
    data = buffer.getvalue()
    assert Image.open(io.BytesIO(data)).format == "MPO"
    assert transform(data, ExportConfig()) == (data, "jpg", 300, 200)
    shipped, ext, width, height = transform(data, ExportConfig(resize=100))
    assert (ext, width, height) == ("jpg", 150, 100)
    assert Image.open(io.BytesIO(shipped)).format == "JPEG"


def test_a_row_naming_no_file_in_the_store_is_listed_not_dropped_silently(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A row whose file_name is absent, or outside the store (``/etc/x``, ``../x``: never read), is
    a damaged row: shards.json lists it under ``invalid`` like the others."""
    from imagespider.dataset.export.exporter import LocalSource, export

    (tmp_path / "outside.png").write_bytes(png(4, 4))
    store = tmp_path / "store"
    store.mkdir()
    _store_with(store, lambda good, sha: [
        good,
        {**good, "file_name": "../outside.png", "sha256": "a" * 64},
        {**good, "file_name": str(tmp_path / "outside.png"), "sha256": "b" * 64},
        {key: value for key, value in good.items() if key != "file_name"} | {"sha256": "c" * 64},
    ])
    result = export(LocalSource(store), tmp_path / "out", ExportConfig())
    assert result.samples == 1 and not result.missing and not result.unreadable
    assert [line.split(":")[0] for line in result.invalid] == ["row 2", "row 3", "row 4"]
    assert all("names no file in the store" in line for line in result.invalid)


def test_a_file_whose_bytes_are_not_its_sha256_is_left_out(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A sample's key is the sha256 its row names and its JSON says ``sha256`` is the kept file's:
    a file changed or damaged on disk since the crawl (still an image: a truncated or replaced
    one) was shipped under that key as if it were the kept bytes."""
    from imagespider.dataset.export.exporter import LocalSource, export

    sha = _store_with(tmp_path, lambda good, sha: [good])
    (tmp_path / "cat" / f"{sha}.png").write_bytes(png(5, 5))  # another image, same name
    result = export(LocalSource(tmp_path), tmp_path / "out", ExportConfig())
    assert result.samples == 0 and result.unreadable == [f"cat/{sha}.png"]


def test_rows_left_out_are_all_listed_but_only_the_first_held_in_memory(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Issue 28 item 20: a store of a million missing files held a million names until the end."""
    import json

    from imagespider.dataset.export import exporter as exporting

    monkeypatch.setattr(exporting, "HELD", 2)
    store = tmp_path / "store"
    store.mkdir()
    _store_with(store, lambda good, sha: [good] + [
        {**good, "file_name": f"cat/{n:064x}.png", "sha256": f"{n:064x}"} for n in range(1, 6)
    ])
    result = exporting.export(exporting.LocalSource(store), tmp_path / "out", ExportConfig())
    assert result.samples == 1 and result.counts["missing"] == 5 and len(result.missing) == 2
    listed = json.loads((tmp_path / "out" / "shards.json").read_text())
    assert listed["missing"] == [f"cat/{n:064x}.png" for n in range(1, 6)]
    assert listed["unreadable"] == [] and listed["invalid"] == [] and listed["samples"] == 1


def test_an_export_with_a_license_policy_keeps_only_what_it_allows(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Crawl once with ``any``, export what may be shared: the rows the policy does not keep are
    counted by reason, not listed as damage."""
    import hashlib
    import json

    from imagespider.dataset.export.exporter import LocalSource, export

    rows = []
    for n, lic in enumerate(["cc-by", "cc-unspecified", "cc-by-nc", "unknown"]):
        data = png(4 + n, 4)
        sha = hashlib.sha256(data).hexdigest()
        (tmp_path / "cat").mkdir(exist_ok=True)
        (tmp_path / "cat" / f"{sha}.png").write_bytes(data)
        rows.append({"file_name": f"cat/{sha}.png", "sha256": sha, "label": "cat", "license": lic,
                     "license_version": "4.0" if lic.startswith("cc-by") else None})
    (tmp_path / "metadata.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    shared = export(LocalSource(tmp_path), tmp_path / "shared", ExportConfig(license="share"))
    assert shared.samples == 2 and dict(shared.policy_left_out) == {"license_unnamed": 2}
    commercial = export(LocalSource(tmp_path), tmp_path / "commercial", ExportConfig(license="share,commercial"))
    assert commercial.samples == 1 and commercial.policy_left_out["license_noncommercial"] == 1
    assert json.loads((tmp_path / "shared" / "shards.json").read_text())["options"]["license"] == "share"
    with pytest.raises(ValueError, match="--license shar"):
        ExportConfig(license="shar")


def test_an_export_writes_its_card_and_leaves_the_users_own_readme(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from imagespider.dataset.export.exporter import LocalSource, export

    _store_with(tmp_path, lambda good, sha: [good])
    out = tmp_path / "out"
    result = export(LocalSource(tmp_path), out, ExportConfig(), origin="store")
    card = (out / "README.md").read_text(encoding="utf-8")
    assert result.card_written and "1 image in 1 class, exported from `store`" in card
    assert result.exported.extensions == {"png": 1}
    export(LocalSource(tmp_path), out, ExportConfig(formats=("parquet",)))  # its own card is replaced
    assert "| webdataset |" not in (out / "README.md").read_text(encoding="utf-8")
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "README.md").write_text("# my notes\n")
    assert not export(LocalSource(tmp_path), mine, ExportConfig()).card_written
    assert (mine / "README.md").read_text() == "# my notes\n"
    assert not list(mine.glob(".export-*"))
