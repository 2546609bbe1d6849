"""Applying a review to a local store, undoing one, and finishing one a kill cut short.

A review is a list of marks (``remove`` an image, ``move`` it to another class). Applying it:

1. plans every change from the manifest as it is (:func:`plan_review`): each changed row's line as
   it is and as it becomes, each file's path before and after;
2. writes that plan to ``reviews.jsonl`` as an intent, fsynced (imagespider/dataset/store/reviewjournal.py);
3. moves the files (a removed image to ``<label>/.removed/<name>.removed``, never deleted; a
   relabelled one, with its thumbnail, to its new class folder);
4. replaces ``metadata.jsonl`` in one rename: removed rows gone, moved rows with their new
   ``label`` and ``file_name`` and the ``previous_label``;
5. appends the removed rows to ``rejected.jsonl`` (reason ``reviewed_removed``, the review id and time);
6. writes ``applied`` to the journal.

Every step after the intent can be done again with the same result, so :func:`finish_reviews`
(called by the store's open, before orphans are set aside) finishes a review whose intent has no
end record: a kill at any point leaves a store whose files and rows are in step once opened.
:func:`undo_review` reverses a review the same way (an ``undo`` intent, then ``undone``): the
removed lines go back where they were and the moved ones become what they were, byte for byte.

The index and the documents are derived from the manifest: the caller rebuilds them after.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from imagespider.dataset.store.files import MANIFEST, REJECTED, THUMBS
from imagespider.dataset.store.jsonl import json_object, normal_file_name
from imagespider.dataset.store.labels import safe_label
from imagespider.dataset.store.lock import StoreRefused
from imagespider.dataset.store.reviewjournal import (
    APPLIED,
    INTENT,
    REMOVED_FOLDER,
    REVIEWED_REMOVED,
    UNDO,
    UNDONE,
    Review,
    new_review_id,
    now_text,
    read_reviews,
    removed_path,
    unfinished,
    write_record,
)

logger = logging.getLogger(__name__)


class ReviewError(ValueError):
    """A review that cannot be applied or undone as asked; its text is one line for the user."""


def plan_review(root: Path, marks: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The changes ``marks`` make (``{"file_name", "action": "remove" | "move", "label"}``),
    from the manifest as it is. Raises :class:`ReviewError` for a mark naming no row, a file not
    on disk, a class name that is no folder name, or a target that exists."""
    wanted: dict[str, Mapping[str, Any]] = {}
    for mark in marks:
        name = normal_file_name(mark.get("file_name"))
        action = mark.get("action")
        if name is None or action not in ("remove", "move"):
            raise ReviewError(f"a mark must name a file_name and an action remove or move, got {dict(mark)!r:.200}")
        wanted[name] = mark
    changes: list[dict[str, Any]] = []
    position = 0
    with (root / MANIFEST).open("rb") as handle:
        for raw in handle:
            if not raw.endswith(b"\n"):
                break
            row = json_object(raw)
            name = normal_file_name(row.get("file_name")) if row is not None else None
            if row is not None and name in wanted:
                change = _change(root, row, raw.decode("utf-8"), position, wanted.pop(name))
                if change is not None:
                    changes.append(change)
            position += 1
    if wanted:
        raise ReviewError(f"no manifest row names {next(iter(wanted))!r:.200}; reload the review page")
    return changes


def _change(
    root: Path, row: dict[str, Any], line: str, position: int, mark: Mapping[str, Any]
) -> dict[str, Any] | None:
    name = str(normal_file_name(row["file_name"]))
    if not (root / name).is_file():
        raise ReviewError(f"{name} is not on disk; reload the review page")
    base = name.rpartition("/")[2]
    label = str(row.get("label") or "")
    change: dict[str, Any] = {
        "action": mark["action"], "file_name": name, "label": label, "position": position, "line": line,
        "image_url": row.get("image_url"), "sha256": row.get("sha256"),
    }
    if mark["action"] == "remove":
        change["to"] = removed_path(name)
        return change
    text = str(mark.get("label") or "").strip()
    new_label = safe_label(text) if any(char.isalnum() for char in text) else ""
    if not new_label or new_label.startswith("."):
        raise ReviewError(f"{text!r:.100} is not a class name; use letters, digits, - and _")
    if new_label == label and name.startswith(label + "/"):
        return None  # moved to where it is: no change
    target = f"{new_label}/{base}"
    if (root / target).exists():
        raise ReviewError(f"{target} exists already; remove one of the two instead")
    moved = dict(row)
    moved["file_name"], moved["label"], moved["previous_label"] = target, new_label, label
    change.update(to=target, new_label=new_label, new_line=json.dumps(moved, ensure_ascii=False) + "\n")
    sha = row.get("sha256")
    if isinstance(sha, str) and sha.isalnum():
        change["thumb"] = [f"{name.rpartition('/')[0]}/{THUMBS}/{sha}.jfif", f"{new_label}/{THUMBS}/{sha}.jfif"]
    return change


def apply_review(root: Path, changes: list[dict[str, Any]], review_id: str | None = None) -> str:
    """Apply planned ``changes`` (:func:`plan_review`) under the store's lock; returns the review id."""
    if not changes:
        raise ReviewError("nothing to apply: mark an image remove or move first")
    review_id = review_id or new_review_id()
    rejected = root / REJECTED
    offset = rejected.stat().st_size if rejected.exists() else 0
    new_folders = sorted({
        folder for change in changes for folder in _folders_of(change) if not (root / folder).exists()
    })
    time = now_text()
    write_record(root, {
        "review_id": review_id, "state": INTENT, "time": time, "rejected_offset": offset,
        "new_folders": new_folders, "changes": changes,
    })
    review = Review(review_id, time, changes, offset, new_folders=new_folders)
    _forward(root, review)
    return review_id


def _folders_of(change: Mapping[str, Any]) -> list[str]:
    target = str(change["to"]).rpartition("/")[0]
    folders = [target.rpartition("/")[0], target] if change["action"] == "remove" else [target]
    if change.get("thumb"):
        folders.append(change["thumb"][1].rpartition("/")[0])
    return folders


def _forward(root: Path, review: Review) -> None:
    for change in review.changes:
        _move(root, change["file_name"], change["to"])
        if change.get("thumb"):
            _move(root, *change["thumb"])
    drop = {change["line"] for change in review.removed}
    swap = {change["line"]: change["new_line"] for change in review.moved}
    _rewrite(root / MANIFEST, lambda line: None if line in drop else swap.get(line, line))
    rows = [_rejected_row(change, review) for change in review.removed]
    _truncate_and_append(root / REJECTED, review.rejected_offset, rows)
    write_record(root, {"review_id": review.review_id, "state": APPLIED, "time": now_text()})


def _rejected_row(change: Mapping[str, Any], review: Review) -> dict[str, Any]:
    row = json.loads(change["line"])
    return {
        "url": row.get("image_url"), "label": row.get("label"), "query": row.get("query"),
        "engine": row.get("engine"), "page_url": row.get("page_url"), "reason": REVIEWED_REMOVED,
        "detail": f"removed in review {review.review_id}; the file is at {change['to']}",
        "at": review.time, "review_id": review.review_id, "sha256": row.get("sha256"), "file_name": change["to"],
    }


def undo_review(root: Path, review_id: str) -> Review:
    """Reverse an applied review under the store's lock. Raises :class:`ReviewError` when there
    is no such review, it was undone already, or the store changed since in a way an undo would
    lose (a moved file gone, a removed image's name taken again)."""
    reviews = read_reviews(root)
    review = reviews.get(review_id)
    if review is None:
        known = ", ".join(list(reviews)[-3:]) or "none yet"
        raise ReviewError(f"no review {review_id!r:.100} in {root}/reviews.jsonl (latest: {known})")
    if review.state == UNDONE:
        raise ReviewError(f"review {review_id} was undone already")
    for change in review.changes:
        if not (root / change["to"]).exists() or (root / change["file_name"]).exists():
            raise ReviewError(
                f"cannot undo {review_id}: {change['to']} is gone or {change['file_name']} exists again since"
            )
    write_record(root, {"review_id": review_id, "state": UNDO, "time": now_text()})
    review.state = UNDO
    _backward(root, review)
    return review


def _backward(root: Path, review: Review) -> None:
    for change in review.changes:
        _move(root, change["to"], change["file_name"])
        if change.get("thumb"):
            _move(root, change["thumb"][1], change["thumb"][0])
    back = {change["new_line"]: change["line"] for change in review.moved}
    restore = sorted((change["position"], change["line"]) for change in review.removed)
    _rewrite(root / MANIFEST, lambda line: back.get(line, line), restore)
    _drop_rejected(root / REJECTED, review.review_id)
    for folder in reversed(review.new_folders):
        try:
            (root / folder).rmdir()  # only when empty: a folder the review made, as before it
        except OSError:
            pass
    write_record(root, {"review_id": review.review_id, "state": UNDONE, "time": now_text()})


def finish_reviews(root: Path) -> None:
    """Finish what a killed ``scrapy review`` left half done (the store's open calls this under
    its lock, before orphans are set aside): an applied review's intent is carried through, an
    undo is carried through. Raises :class:`StoreRefused` if the journal cannot be read.

    A record torn by the kill (no newline) was set aside by the store's open just before, as every
    JSON-lines file's is (imagespider/dataset/store/repair.py, ``set_torn_tails_aside``): an intent
    cut short before its end was never fsynced whole, so no file had moved for it; left in place,
    the next review's record would be glued to it and that review's intent lost."""
    try:
        pending = list(unfinished(root))
    except (OSError, ValueError) as error:
        raise StoreRefused(f"cannot read {root}/reviews.jsonl: {error}; fix or move it, then open again") from None
    for review in pending:
        if review.state == INTENT:
            logger.warning("finishing review %s, which was cut short", review.review_id)
            _forward(root, review)
        else:
            logger.warning("finishing the undo of review %s, which was cut short", review.review_id)
            _backward(root, review)


def _move(root: Path, source: str, target: str) -> None:
    """Move ``source`` to ``target`` if it is still at ``source`` (done again after a kill, it
    does nothing); never over an existing file."""
    old, new = root / source, root / target
    if not old.exists() or new.exists():
        return
    new.parent.mkdir(parents=True, exist_ok=True)
    os.rename(old, new)


def _rewrite(path: Path, change: Callable[[str], str | None], insert: list[tuple[int, str]] | None = None) -> None:
    """Replace ``path`` line by line through ``change`` (None drops a line), inserting ``insert``'s
    lines at their line numbers, in one rename after an fsync; untouched when nothing changes. Bytes
    that are not UTF-8 (a hand edit, another tool) pass through as they are (``surrogateescape``)."""
    insert = list(insert or [])
    partial = path.with_name(f".{path.name}.review.tmp")
    changed = False
    present: set[str] = set()
    if insert:
        with path.open("r", encoding="utf-8", errors="surrogateescape", newline="") as handle:
            wanted = {line for _, line in insert}
            present = {line for line in handle if line in wanted}
        insert = [(at, line) for at, line in insert if line not in present]  # a finished undo's own
    text = {"encoding": "utf-8", "errors": "surrogateescape", "newline": ""}
    with path.open("r", **text) as source, partial.open("w", **text) as out:
        number = 0
        pending = iter(insert)
        nxt = next(pending, None)
        for line in source:
            while nxt is not None and nxt[0] <= number:
                out.write(nxt[1])
                number += 1
                changed = True
                nxt = next(pending, None)
            new = change(line)
            if new != line:
                changed = True
            if new is not None:
                out.write(new)
                number += 1
        while nxt is not None:
            out.write(nxt[1])
            changed = True
            nxt = next(pending, None)
        out.flush()
        os.fsync(out.fileno())
    if not changed:
        partial.unlink()
        return
    os.chmod(partial, 0o644)
    os.replace(partial, path)


def _truncate_and_append(path: Path, offset: int, rows: list[dict[str, Any]]) -> None:
    """``rejected.jsonl`` as it was when the review began, then its rows (done again, same file)."""
    data = b"".join((json.dumps(row, ensure_ascii=False) + "\n").encode("utf-8") for row in rows)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        os.ftruncate(fd, offset)
        os.lseek(fd, offset, os.SEEK_SET)
        if data and os.write(fd, data) != len(data):
            raise OSError(f"short write to {path.name}")
        os.fsync(fd)
    finally:
        os.close(fd)


def _drop_rejected(path: Path, review_id: str) -> None:
    def keep(line: str) -> str | None:
        row = json_object(line.encode("utf-8", "surrogateescape"))
        if row is not None and row.get("review_id") == review_id and row.get("reason") == REVIEWED_REMOVED:
            return None
        return line

    if path.exists():
        _rewrite(path, keep)


__all__ = ["REMOVED_FOLDER", "ReviewError", "apply_review", "finish_reviews", "plan_review", "undo_review"]
