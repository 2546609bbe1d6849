"""One crawl writes a store at a time (imagespider/dataset/store/lock.py).

What is proven here:
- the lock file names the holder's pid, and a second lock on the same store is refused with one
  line naming it and the store, until the first descriptor is closed;
- a refusal carries the crawl's finish reason; probing a store that does not exist creates nothing.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from imagespider.dataset.store.files import LOCK
from imagespider.dataset.store.lock import StoreLocked, StoreRefused, check_unlocked, take_lock


def test_a_second_lock_is_refused_until_the_first_is_released(tmp_path: Path) -> None:
    fd = take_lock(tmp_path)
    try:
        assert (tmp_path / LOCK).read_text() == f"{os.getpid()}\n"
        with pytest.raises(StoreLocked, match=rf"^another crawl \(pid {os.getpid()}\) is writing to .*IMAGES_STORE$"):
            take_lock(tmp_path)
        with pytest.raises(StoreLocked):
            check_unlocked(tmp_path)
    finally:
        os.close(fd)
    check_unlocked(tmp_path)
    os.close(take_lock(tmp_path))


def test_refusals_carry_a_finish_reason(tmp_path: Path) -> None:
    refused = StoreLocked(tmp_path, "not a pid")
    assert isinstance(refused, StoreRefused) and refused.reason == "failed_store_locked"
    assert str(refused).startswith("another crawl is writing to ") and "\n" not in str(refused)


def test_probing_a_missing_store_creates_nothing(tmp_path: Path) -> None:
    check_unlocked(tmp_path / "new")
    assert not (tmp_path / "new").exists()


def test_a_lock_file_that_cannot_be_opened_is_one_line(tmp_path: Path) -> None:
    # A folder in its place (or a file this user cannot write): it used to pass the probe as
    # "nobody is writing" and end the crawl in an IsADirectoryError traceback when it opened.
    (tmp_path / LOCK).mkdir()
    for probe in (check_unlocked, take_lock):
        with pytest.raises(StoreRefused, match=rf"^cannot open {tmp_path / LOCK}: Is a directory; .* then crawl$"):
            probe(tmp_path)
    assert (tmp_path / LOCK).is_dir()  # left as it was
