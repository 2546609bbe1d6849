"""The store's documents written whole or not at all, and a failure to render one logged, not raised."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from imagespider.dataset.documents import write as documents
from imagespider.dataset.documents.write import write_atomically
from imagespider.dataset.store.index import StoreIndex


def test_write_atomically_replaces_the_file_and_leaves_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "ATTRIBUTION.md"
    target.write_text("old", encoding="utf-8")
    write_atomically(target, "new\n")
    assert target.read_text(encoding="utf-8") == "new\n"
    assert [p.name for p in tmp_path.iterdir()] == ["ATTRIBUTION.md"]


def test_a_failed_write_keeps_the_previous_version(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "report.html"
    target.write_text("previous", encoding="utf-8")

    def broken(*_: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(documents.os, "replace", broken)
    with pytest.raises(OSError, match="disk full"):
        write_atomically(target, "half")
    assert target.read_text(encoding="utf-8") == "previous"
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]


def test_write_documents_logs_a_failure_and_goes_on(tmp_path: Path, caplog: pytest.LogCaptureFixture,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(rows: object) -> str:
        raise ValueError("bad row")

    monkeypatch.setattr(documents, "render_attribution", broken)
    (tmp_path / "metadata.jsonl").write_text("")
    index = StoreIndex(tmp_path)  # the documents are written from the store's index (imagespider/dataset/store/index.py)
    index.open()
    try:
        with caplog.at_level(logging.INFO, logger="imagespider.dataset.documents.write"):
            documents.write_documents(tmp_path, index)
    finally:
        index.close()
    assert "could not write ATTRIBUTION.md" in caplog.text
    assert (tmp_path / "report.html").exists()
