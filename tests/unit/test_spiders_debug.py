"""imagespider/spiders/debug.py: an engine answer the parser cannot read is kept under the store's
``.debug`` folder with a folder-safe name; when it cannot be written, the message says so."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from scrapy.settings import Settings

from imagespider.spiders.debug import DEBUG_DIR, OBJECT_STORE_DEBUG_DIR, save_debug_page


def test_the_page_is_kept_under_the_stores_debug_folder(tmp_path: Path) -> None:
    saved = save_debug_page(Settings({"IMAGES_STORE": f"file://{tmp_path}"}), "bing", "../red fox", "<html>é</html>")
    path = Path(saved)
    assert path.parent == (tmp_path / DEBUG_DIR).resolve()
    assert path.name.startswith("bing-red-fox-") and path.suffix == ".html"
    assert path.read_bytes() == "<html>é</html>".encode()
    json_path = Path(save_debug_page(Settings({"IMAGES_STORE": str(tmp_path)}), "openverse", "cat", b"{}", ext="json"))
    assert json_path.suffix == ".json" and json_path.read_bytes() == b"{}"


def test_a_store_that_cannot_be_written_is_named_in_the_note(tmp_path: Path) -> None:
    blocker = tmp_path / "store"
    blocker.write_text("a file where the store's folder should be")
    note = save_debug_page(Settings({"IMAGES_STORE": str(blocker)}), "bing", "cat", "<html/>")
    assert note.startswith("(nowhere: ") and note.endswith(")")


def test_an_object_store_crawl_keeps_it_in_the_temporary_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Not in a local folder named ``s3:`` under the working directory."""
    (tmp_path / "tmp").mkdir()
    monkeypatch.setenv("TMPDIR", str(tmp_path / "tmp"))
    monkeypatch.setattr(tempfile, "tempdir", None)  # read TMPDIR again
    monkeypatch.chdir(tmp_path)
    saved = Path(save_debug_page(Settings({"IMAGES_STORE": "s3://bucket/data"}), "bing", "cat", "<html/>"))
    assert saved.parent == (tmp_path / "tmp" / OBJECT_STORE_DEBUG_DIR).resolve()
    assert saved.read_bytes() == b"<html/>" and not (tmp_path / "s3:").exists()
