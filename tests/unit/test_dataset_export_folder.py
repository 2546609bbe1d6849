"""imagespider/dataset/export/folder.py: one export per folder at a time, and the folder changed
only by renames once the new export is whole."""

from __future__ import annotations

from pathlib import Path

import pytest

from imagespider.dataset.export.folder import ExportBusy, export_lock, move_into_place, scratch_folder


def test_a_second_export_into_the_folder_is_refused(tmp_path: Path) -> None:
    with export_lock(tmp_path):
        with pytest.raises(ExportBusy, match="another export is writing to"), export_lock(tmp_path):
            pass
    with export_lock(tmp_path):  # released
        pass


def test_a_killed_exports_scratch_folder_is_removed_under_the_lock(tmp_path: Path) -> None:
    (tmp_path / ".export-abc123").mkdir()
    (tmp_path / ".export-abc123" / "rows.sqlite").write_bytes(b"x")
    with export_lock(tmp_path), scratch_folder(tmp_path) as scratch:
        assert [p.name for p in tmp_path.glob(".export-*")] == [scratch.name]
    assert not list(tmp_path.glob(".export-*"))


def test_shards_then_the_manifest_move_in_and_stale_shards_go(tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / "webdataset").mkdir(parents=True)
    (out / "webdataset" / "shard-000000.tar").write_bytes(b"old 0")
    (out / "webdataset" / "shard-000001.tar").write_bytes(b"old 1")
    (out / "webdataset" / "notes.txt").write_bytes(b"not a shard")
    scratch = tmp_path / "scratch"
    (scratch / "webdataset").mkdir(parents=True)
    (scratch / "webdataset" / "shard-000000.tar").write_bytes(b"new 0")
    (scratch / "shards.json").write_text("{}")
    move_into_place(scratch, out, ["webdataset/shard-000000.tar"], "shards.json")
    assert (out / "webdataset" / "shard-000000.tar").read_bytes() == b"new 0"
    assert not (out / "webdataset" / "shard-000001.tar").exists()  # the earlier export's, unlisted now
    assert (out / "webdataset" / "notes.txt").exists() and (out / "shards.json").read_text() == "{}"
