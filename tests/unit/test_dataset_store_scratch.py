"""Scratch folders (imagespider/dataset/store/scratch.py), in tmp_path: one left by a killed process is
removed when the next is made; one whose owner runs, or that names no owner, is kept."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from imagespider.dataset.store.scratch import OWNER, make_scratch, owner_is_gone, process_start, sweep_stale

PREFIX = "imagespider-test-"


def dead_pid() -> int:
    """The id of a process that has ended (and been reaped)."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_a_folder_left_by_a_killed_process_is_removed_by_the_next(tmp_path: Path) -> None:
    mine = make_scratch(PREFIX, tmp_path)
    assert mine.is_dir() and mine.name.startswith(PREFIX)
    assert (mine / OWNER).read_text().split()[0] == str(os.getpid())
    left = tmp_path / f"{PREFIX}killed"
    left.mkdir()
    (left / "index.sqlite").write_bytes(b"x" * 1000)
    (left / OWNER).write_text(f"{dead_pid()} 123\n")
    reused = tmp_path / f"{PREFIX}reused"  # our process id, but another start time: a reused id
    reused.mkdir()
    (reused / OWNER).write_text(f"{os.getpid()} 1\n")
    unowned = tmp_path / f"{PREFIX}being-made"
    unowned.mkdir()
    other_kind = tmp_path / "someone-else-killed"
    other_kind.mkdir()
    (other_kind / OWNER).write_text(f"{dead_pid()} 1\n")
    second = make_scratch(PREFIX, tmp_path)
    assert not left.exists() and not reused.exists()
    assert mine.is_dir() and second.is_dir() and unowned.is_dir() and other_kind.is_dir()


def test_owner_files_that_say_nothing_usable_keep_their_folder(tmp_path: Path) -> None:
    for text in ("", "abc", "-1 5", "0", "\xff"):
        folder = tmp_path / f"{PREFIX}{len(text)}-{text.encode().hex()}"
        folder.mkdir()
        (folder / OWNER).write_text(text, encoding="latin-1")
        assert not owner_is_gone(folder)
    assert sweep_stale(PREFIX, tmp_path) == []
    assert sweep_stale(PREFIX, tmp_path / "missing") == []


def test_process_start_tells_a_running_process_from_an_ended_one() -> None:
    assert process_start(os.getpid()) not in (None, "")
    assert process_start(dead_pid()) is None
