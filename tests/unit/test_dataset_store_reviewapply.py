"""Applying a review to a store, undoing it byte for byte, and a review cut short at any step
finished by the store's next open (imagespider/dataset/store/reviewapply.py)."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from imagespider.dataset.store import reviewapply
from imagespider.dataset.store.files import MANIFEST, ORPHANS, REJECTED
from imagespider.dataset.store.local import Dataset
from imagespider.dataset.store.reviewapply import ReviewError, apply_review, plan_review, undo_review
from imagespider.dataset.store.reviewjournal import REVIEWS, read_reviews, removed_by_reviews
from tests.review_stores import folders, in_step, kept_row, snapshot, write_store


@pytest.fixture
def store(tmp_path: Path) -> Path:
    root = tmp_path / "data"
    rows = [kept_row(root, "cat", n) for n in range(6)] + [kept_row(root, "dog", n) for n in range(10, 14)]
    write_store(root, rows)
    return root


def rows_of(root: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (root / MANIFEST).read_text(encoding="utf-8").splitlines()]


def marks(root: Path) -> list[dict[str, Any]]:
    rows = rows_of(root)
    cats = [r for r in rows if r["label"] == "cat"]
    dogs = [r for r in rows if r["label"] == "dog"]
    return [
        {"file_name": cats[0]["file_name"], "action": "remove"},
        {"file_name": cats[1]["file_name"], "action": "move", "label": "dog"},
        {"file_name": dogs[0]["file_name"], "action": "remove"},
        {"file_name": dogs[1]["file_name"], "action": "move", "label": "Big Bird"},
    ]


def test_apply_moves_files_rows_and_rejected(store: Path) -> None:
    before = rows_of(store)
    review_id = apply_review(store, plan_review(store, marks(store)))
    rows = in_step(store)
    assert len(rows) == len(before) - 2
    moved = {r["previous_label"]: r for r in rows if "previous_label" in r}
    assert moved["cat"]["label"] == "dog" and moved["cat"]["file_name"] == f"dog/{before[1]['sha256']}.jpg"
    assert moved["dog"]["label"] == "big-bird" and (store / moved["dog"]["file_name"]).is_file()
    # Removed: never deleted, in a hidden folder of its class under a name no loader takes.
    removed = store / "cat" / ".removed" / f"{before[0]['sha256']}.jpg.removed"
    assert hashlib.sha256(removed.read_bytes()).hexdigest() == before[0]["sha256"]
    assert (store / "dog" / ".removed" / f"{before[6]['sha256']}.jpg.removed").is_file()
    # The thumbnail follows a moved image.
    assert (store / "dog" / ".thumbs" / f"{before[1]['sha256']}.jfif").is_file()
    rejected = [json.loads(line) for line in (store / REJECTED).read_text().splitlines()]
    reviewed = [r for r in rejected if r["reason"] == "reviewed_removed"]
    assert [r["url"] for r in reviewed] == [before[0]["image_url"], before[6]["image_url"]]
    assert all(r["review_id"] == review_id and r["at"] for r in reviewed)
    assert read_reviews(store)[review_id].state == "applied"
    removals = removed_by_reviews(store)
    assert removals.urls == {before[0]["image_url"], before[6]["image_url"]}
    assert before[0]["sha256"] in removals.sha256s


def test_undo_restores_the_store_byte_for_byte(store: Path) -> None:
    before, tree = snapshot(store), folders(store)
    review_id = apply_review(store, plan_review(store, marks(store)))
    assert snapshot(store) != before
    undo_review(store, review_id)
    assert snapshot(store) == before
    assert folders(store) == tree
    assert read_reviews(store)[review_id].state == "undone"
    assert not removed_by_reviews(store)
    with pytest.raises(ReviewError, match="undone already"):
        undo_review(store, review_id)


def test_undo_of_an_unknown_review_is_one_line(store: Path) -> None:
    with pytest.raises(ReviewError, match="no review 'nope'"):
        undo_review(store, "nope")


def test_a_mark_naming_no_row_or_a_bad_class_is_refused(store: Path) -> None:
    with pytest.raises(ReviewError, match="no manifest row names"):
        plan_review(store, [{"file_name": "cat/missing.jpg", "action": "remove"}])
    first = rows_of(store)[0]["file_name"]
    with pytest.raises(ReviewError, match="not a class name"):
        plan_review(store, [{"file_name": first, "action": "move", "label": "///"}])
    with pytest.raises(ReviewError, match="action remove or move"):
        plan_review(store, [{"file_name": "../../etc/passwd", "action": "remove"}])


class Killed(BaseException):
    """The process ends here (a kill between two steps of an apply)."""


def steps_of(store: Path, monkeypatch: pytest.MonkeyPatch, undo: str | None = None) -> int:
    """How many steps (file moves, rewrites, journal records) an apply (or an undo) makes."""
    count = [0]
    for name in ("_move", "_rewrite", "_truncate_and_append", "write_record"):
        real = getattr(reviewapply, name)

        def counted(*args: Any, _real: Any = real, **kwargs: Any) -> Any:
            count[0] += 1
            return _real(*args, **kwargs)

        monkeypatch.setattr(reviewapply, name, counted)
    if undo:
        undo_review(store, undo)
    else:
        apply_review(store, plan_review(store, marks(store)))
    monkeypatch.undo()
    return count[0]


def kill_after(monkeypatch: pytest.MonkeyPatch, steps: int) -> None:
    left = [steps]
    for name in ("_move", "_rewrite", "_truncate_and_append", "write_record"):
        real = getattr(reviewapply, name)

        def step(*args: Any, _real: Any = real, **kwargs: Any) -> Any:
            if left[0] == 0:
                raise Killed
            left[0] -= 1
            return _real(*args, **kwargs)

        monkeypatch.setattr(reviewapply, name, step)


@pytest.mark.parametrize("undo", [False, True])
def test_a_review_killed_at_any_step_is_finished_by_the_next_open(
    store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, undo: bool
) -> None:
    pristine = tmp_path / "pristine"
    shutil.copytree(store, pristine)
    applied_id = apply_review(store, plan_review(store, marks(store))) if undo else None
    start = snapshot(store)
    done = snapshot(pristine) if undo else None
    if not undo:
        probe = tmp_path / "probe"
        shutil.copytree(store, probe)
        apply_review(probe, plan_review(probe, marks(probe)))
        done = {k: v for k, v in snapshot(probe).items() if k != REJECTED}
    counter = tmp_path / "counter"
    shutil.copytree(store, counter)
    steps = steps_of(counter, monkeypatch, applied_id)
    for kill_at in range(1, steps):
        copy = tmp_path / f"kill{kill_at}"
        shutil.copytree(store, copy)
        kill_after(monkeypatch, kill_at)
        with pytest.raises(Killed):
            if undo:
                assert applied_id is not None
                undo_review(copy, applied_id)
            else:
                apply_review(copy, plan_review(copy, marks(copy)))
        monkeypatch.undo()
        dataset = Dataset(copy)
        dataset.open()
        dataset.close()
        in_step(copy)
        assert not (copy / ORPHANS).exists(), kill_at
        after = snapshot(copy)
        if undo:
            assert after == done, kill_at
        else:
            assert {k: v for k, v in after.items() if k != REJECTED} == done, kill_at
            rejected = (copy / REJECTED).read_text().splitlines()
            assert sum('"reviewed_removed"' in line for line in rejected) == 2, kill_at
        states = {review.state for review in read_reviews(copy).values()}
        assert states == ({"undone"} if undo else {"applied"}), kill_at
    assert start  # the first copy's state was a whole store


def test_a_hand_edited_journal_moves_nothing_outside_the_store(store: Path, tmp_path: Path) -> None:
    """An intent naming a path outside the store (or not a change at all) is left alone on open."""
    outside = tmp_path / "outside.txt"
    outside.write_text("mine")
    first = rows_of(store)[0]
    evil = [
        {"review_id": "r1", "state": "intent", "changes": [
            {"action": "remove", "file_name": "../outside.txt", "to": "cat/x", "line": "x\n", "position": 0}]},
        {"review_id": "r2", "state": "intent", "changes": [
            {"action": "move", "file_name": first["file_name"], "to": "/tmp/stolen.jpg", "line": "x\n", "position": 0,
             "new_line": "y\n"}]},
        {"review_id": "r3", "state": "intent", "changes": ["not a change"]},
        {"review_id": "r4", "state": "intent", "changes": [{"action": "remove"}]},
    ]
    (store / REVIEWS).write_text("".join(json.dumps(record) + "\n" for record in evil) + "[1, 2]\n")
    before = snapshot(store)
    dataset = Dataset(store)
    dataset.open()
    dataset.close()
    assert outside.read_text() == "mine"
    assert snapshot(store) == before
    assert not read_reviews(store)


def test_a_journal_record_torn_by_a_kill_is_set_aside_and_the_next_review_is_read(store: Path) -> None:
    """A kill in the middle of writing an intent leaves a line with no newline. Left in place, the
    next review's intent would be glued to it, unreadable, and a kill during that review's apply
    would then leave it unfinished for good."""
    before = rows_of(store)
    (store / REVIEWS).write_bytes(b'{"review_id": "20261207T000000Z-review-aaaaaa", "state": "intent", "chan')
    dataset = Dataset(store)
    dataset.open()
    dataset.close()
    assert (store / REVIEWS).read_bytes() == b""
    assert (store / ORPHANS / "reviews.unreadable.jsonl").read_bytes().startswith(b'{"review_id"')
    assert rows_of(store) == before, "nothing moved for an intent never written whole"
    review_id = apply_review(store, plan_review(store, marks(store)))
    assert list(read_reviews(store)) == [review_id]


def test_undo_keeps_a_rejected_line_that_is_not_utf8_byte_for_byte(store: Path) -> None:
    """The review's rewrite of rejected.jsonl read it as UTF-8 text, its own way: a line of other
    bytes (a hand edit, another tool) stopped the undo with a UnicodeDecodeError. Lines it does not
    change are copied as they are, whatever their bytes (issue 31 item 4)."""
    with (store / REJECTED).open("ab") as handle:
        handle.write(b'{"url": "caf\xe9", "reason": "by hand"}\n')
    before = snapshot(store)
    review_id = apply_review(store, plan_review(store, marks(store)))
    undo_review(store, review_id)
    assert snapshot(store) == before
