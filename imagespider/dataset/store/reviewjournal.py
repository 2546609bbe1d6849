"""``<store>/reviews.jsonl``: the journal of every review applied to a store (``scrapy review``).

One review is written as an *intent* first (every change it makes, with each changed manifest
line as it was and as it becomes), fsynced before any file moves, then an ``applied`` record once
files, manifest and ``rejected.jsonl`` are in step. An undo is an ``undo`` intent, then ``undone``.
A process killed in between leaves an intent with no end record: the store's next open finishes
it (imagespider/dataset/store/reviewapply.py, :func:`~imagespider.dataset.store.reviewapply.finish_reviews`),
so the files and the rows never stay out of step.

The journal is also what later crawls remember: the image URLs and sha256 of every image removed
by a review still applied (:func:`removed_by_reviews`) are not downloaded into the store again.
It is a file at the store's root, not a folder (every root folder is a class to torchvision's
``ImageFolder``), and holds only what people reviewed: it is read whole.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from imagespider.dataset.store.crawls import new_crawl_id
from imagespider.dataset.store.files import REVIEWS
from imagespider.dataset.store.jsonl import normal_file_name, read_jsonl

logger = logging.getLogger(__name__)

#: The rejected.jsonl reason of an image removed in review (and the crawl's stats reason).
REVIEWED_REMOVED = "reviewed_removed"
#: Where a removed image goes: a hidden folder in its class, under a name with no image
#: extension, so neither Hugging Face (hidden folders) nor torchvision's ImageFolder (extensions)
#: loads it. A ``.removed`` folder at the store's root would be a class to ImageFolder.
REMOVED_FOLDER = ".removed"
REMOVED_SUFFIX = ".removed"

INTENT, APPLIED, UNDO, UNDONE = "intent", "applied", "undo", "undone"


def new_review_id(now: datetime | None = None) -> str:
    """``20261207T014500Z-review-3f1a9c``: like a crawl's id, sortable by time."""
    return new_crawl_id("review", now or datetime.now(UTC))


def now_text() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def removed_path(file_name: str) -> str:
    """``cat/x.jpg`` -> ``cat/.removed/x.jpg.removed``."""
    label, _, base = file_name.rpartition("/")
    return f"{label}/{REMOVED_FOLDER}/{base}{REMOVED_SUFFIX}"


@dataclass
class Review:
    """One review as the journal tells it: its intent (changes) and how far it went."""

    review_id: str
    time: str
    changes: list[dict[str, Any]]
    rejected_offset: int
    new_folders: list[str] = field(default_factory=list)
    state: str = INTENT
    records: list[dict[str, Any]] = field(default_factory=list)

    @property
    def removed(self) -> list[dict[str, Any]]:
        return [change for change in self.changes if change["action"] == "remove"]

    @property
    def moved(self) -> list[dict[str, Any]]:
        return [change for change in self.changes if change["action"] == "move"]


def read_reviews(root: Path) -> dict[str, Review]:
    """Every review of the store by id, in the order applied, each with its last state."""
    reviews: dict[str, Review] = {}
    for record in read_jsonl(root / REVIEWS):
        review_id, state = record.get("review_id"), record.get("state")
        if not isinstance(review_id, str):
            continue
        if state == INTENT and isinstance(record.get("changes"), list):
            if not all(_well_formed(change) for change in record["changes"]):
                logger.warning("reviews.jsonl: review %s names a change it could not have made; left alone", review_id)
                continue
            reviews[review_id] = Review(
                review_id, str(record.get("time") or ""), record["changes"], int(record.get("rejected_offset") or 0),
                [str(folder) for folder in record.get("new_folders") or []],
            )
        elif review_id in reviews and state in (APPLIED, UNDO, UNDONE):
            reviews[review_id].state = state
            reviews[review_id].records.append(record)
    return reviews


def _well_formed(change: Any) -> bool:
    """A change as :func:`imagespider.dataset.store.reviewapply.plan_review` writes it, naming paths inside
    the store only: a hand-edited journal never moves a file outside it, nor crashes an open."""
    if not isinstance(change, dict) or change.get("action") not in ("remove", "move"):
        return False
    paths = [change.get("file_name"), change.get("to"), *(change.get("thumb") or [])]
    if not all(isinstance(path, str) and normal_file_name(path) == path for path in paths):
        return False
    if not isinstance(change.get("line"), str) or not isinstance(change.get("position"), int):
        return False
    return change["action"] == "remove" or isinstance(change.get("new_line"), str)


def write_record(root: Path, record: dict[str, Any]) -> None:
    """Append one journal record and fsync it: it must be on disk before what it announces."""
    line = (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8")
    fd = os.open(root / REVIEWS, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        if os.write(fd, line) != len(line):
            raise OSError(f"short write to {REVIEWS}")
        os.fsync(fd)
    finally:
        os.close(fd)


def unfinished(root: Path) -> Iterator[Review]:
    """Reviews (or undos) a killed process left half done."""
    return (review for review in read_reviews(root).values() if review.state in (INTENT, UNDO))


@dataclass(frozen=True)
class Removals:
    """What reviews still applied removed from a store: never downloaded into it again."""

    urls: frozenset[str]
    sha256s: frozenset[str]

    def __bool__(self) -> bool:
        return bool(self.urls or self.sha256s)


def removed_by_reviews(root: Path) -> Removals:
    urls: set[str] = set()
    shas: set[str] = set()
    for review in read_reviews(root).values():
        if review.state not in (APPLIED, INTENT):  # an intent is finished on open
            continue
        for change in review.removed:
            if isinstance(change.get("image_url"), str):
                urls.add(change["image_url"])
            if isinstance(change.get("sha256"), str):
                shas.add(change["sha256"])
    return Removals(frozenset(urls), frozenset(shas))
