"""imagespider/dataset/store/durable.py on real files: every byte written or none left behind, and a
replace flushed before and after. The disk filling up is real: RLIMIT_FSIZE (tests/stores.py)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from imagespider.dataset.store.durable import append_whole, replace_durably
from tests.stores import file_size_limit


def test_append_whole_returns_where_the_line_starts(tmp_path: Path) -> None:
    path = tmp_path / "f"
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        assert append_whole(fd, b"one\n") == 0
        assert append_whole(fd, b"two\n") == 4
    finally:
        os.close(fd)
    assert path.read_bytes() == b"one\ntwo\n"


def test_a_write_cut_short_by_a_full_disk_is_cut_back(tmp_path: Path) -> None:
    path = tmp_path / "f"
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        append_whole(fd, b"kept\n")
        with file_size_limit(8), pytest.raises(OSError):
            append_whole(fd, b"too long to fit\n")  # a short write of 3 bytes, then EFBIG for the rest
    finally:
        os.close(fd)
    assert path.read_bytes() == b"kept\n"


def test_replace_durably_moves_the_file_into_place(tmp_path: Path) -> None:
    (tmp_path / "target").write_bytes(b"old")
    (tmp_path / ".target.tmp").write_bytes(b"new")
    replace_durably(tmp_path / ".target.tmp", tmp_path / "target")
    assert (tmp_path / "target").read_bytes() == b"new" and not (tmp_path / ".target.tmp").exists()
