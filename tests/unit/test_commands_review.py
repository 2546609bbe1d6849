"""imagespider/commands/review.py in-process: an object store is refused in one line (exit 2), a
folder that is not a store or a locked one with exit 1; ``--undo`` reverses a review byte for byte;
while a review holds the store, a crawl is refused with a line that says a review holds it."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

import pytest

from imagespider.commands.review import Command, _mark_lock
from imagespider.dataset.store.local import Dataset
from imagespider.dataset.store.lock import StoreLocked, check_unlocked
from imagespider.dataset.store.reviewapply import apply_review, plan_review
from imagespider.review.session import ReviewSession
from tests.review_stores import kept_row, snapshot, write_store
from tests.settings import project_settings


def run(args: list[str], caplog: pytest.LogCaptureFixture, undo: str | None = None, port: int = 0) -> Command:
    command = Command()
    command.settings = project_settings({})
    with caplog.at_level(logging.INFO, logger="imagespider"):
        command.run(args, argparse.Namespace(undo=undo, port=port, no_browser=True))
    return command


@pytest.fixture
def store(tmp_path: Path) -> Path:
    root = tmp_path / "data"
    write_store(root, [kept_row(root, "cat", n) for n in range(4)] + [kept_row(root, "dog", 7)])
    return root


def test_an_object_store_is_refused_in_one_line(caplog: pytest.LogCaptureFixture) -> None:
    assert run(["s3://bucket/cats"], caplog).exitcode == 2
    assert "review works on local stores only" in caplog.text


def test_a_folder_that_is_not_a_store_is_refused(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    assert run([str(tmp_path)], caplog).exitcode == 1
    assert "is not a store" in caplog.text and not (tmp_path / "metadata.jsonl").exists()


def test_a_port_out_of_range_is_a_usage_error(store: Path, caplog: pytest.LogCaptureFixture) -> None:
    assert run([str(store)], caplog, port=70000).exitcode == 2
    assert "--port must be" in caplog.text


def test_undo_reverses_a_review_byte_for_byte(store: Path, caplog: pytest.LogCaptureFixture) -> None:
    before = snapshot(store)
    dataset = Dataset(store)
    dataset.open()
    names = sorted(p.relative_to(store).as_posix() for p in store.glob("cat/*.jpg"))
    review_id = apply_review(store, plan_review(store, [
        {"file_name": names[0], "action": "remove"}, {"file_name": names[1], "action": "move", "label": "dog"},
    ]))
    dataset.close()
    assert run([str(store)], caplog, undo=review_id).exitcode == 0
    assert f"undid review {review_id}" in caplog.text
    after = snapshot(store)
    # The documents were written by the undo from the store as it was: same rows, same files.
    assert {k: v for k, v in after.items() if k not in ("README.md", "ATTRIBUTION.md", "report.html")} == before
    assert run([str(store)], caplog, undo=review_id).exitcode == 1
    assert "undone already" in caplog.text


def test_a_crawl_is_refused_while_a_review_holds_the_store(store: Path) -> None:
    session = ReviewSession(store)
    session.open()
    try:
        _mark_lock(session)
        with pytest.raises(StoreLocked, match=r"a review \(scrapy review, pid \d+\) holds"):
            check_unlocked(store)
    finally:
        session.close()
    check_unlocked(store)


def test_undo_whose_documents_cannot_be_written_exits_1_in_one_line(
    store: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A README.md that is a folder (or a full disk): the undo itself is done, but the documents
    say the store as it was before; the exit says so and what to run once the cause is fixed."""
    dataset = Dataset(store)
    dataset.open()
    name = sorted(p.relative_to(store).as_posix() for p in store.glob("cat/*.jpg"))[0]
    review_id = apply_review(store, plan_review(store, [{"file_name": name, "action": "remove"}]))
    dataset.close()
    (store / "README.md").unlink(missing_ok=True)
    (store / "README.md").mkdir()
    command = run([str(store)], caplog, undo=review_id)
    assert command.exitcode == 1
    assert f"undid review {review_id}" in caplog.text
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors[-1] == (
        f"README.md not written in {store}: see above why; once that is fixed, "
        f"scrapy publish {store} writes the store's documents again"
    ), errors
    assert all("\n" not in message for message in errors)
