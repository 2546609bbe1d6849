"""The store's documents: ATTRIBUTION.md, report.html and the dataset card README.md, rebuilt after every crawl.

They are derived from the whole store (every crawl into it), so they are regenerated rather than
appended to; but never from every row held in memory. The counts come from the store's index
(imagespider/dataset/store/index.py, through imagespider/dataset/documents/summary.py) and ``rejected.jsonl`` read
only where it grew; the rows a document shows are read back from ``metadata.jsonl`` by their
offsets in the index, one at a time:

* ATTRIBUTION.md credits every image: up to :data:`ATTRIBUTION_SPLIT_ROWS` rows in one file as it
  always was; beyond, one file per class (``<label>/ATTRIBUTION.md``, streamed, rewritten only when
  the class's count changed since it was written) and ATTRIBUTION.md as the index linking them.
* report.html shows every count but a bounded sample of images (imagespider/dataset/documents/report.py),
  with thumbnails made for that sample only (imagespider/dataset/documents/thumbnails.py); with many
  classes, one page per class (``<label>/report.html``, rewritten when the class changed).
* README.md, the card, needs only counts and the kinds of value per column.

Each is written to a temporary file in the same folder and moved into place with
:func:`os.replace`, so a reader (a web server, someone with the report open) never sees half a
file, and a crash leaves the previous version.
"""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import quote

from imagespider.dataset.documents.attribution import (
    ATTRIBUTION,
    attribution_index_lines,
    attribution_lines,
    render_attribution,
)
from imagespider.dataset.documents.card import CARD, render_card
from imagespider.dataset.documents.report import (
    CLASS_PAGE_SAMPLE,
    GALLERY_SAMPLE,
    INLINE_CLASSES,
    REPORT,
    render_class_page,
    render_report,
)
from imagespider.dataset.documents.summary import StoreSummary
from imagespider.dataset.documents.thumbnails import ensure_thumbnails
from imagespider.dataset.store.crawls import read_crawls
from imagespider.dataset.store.credit import license_of
from imagespider.dataset.store.durable import fsync_folder
from imagespider.dataset.store.index import StoreIndex
from imagespider.dataset.store.jsonl import RowReader

logger = logging.getLogger(__name__)

#: Above this many rows, ATTRIBUTION.md is split into one credits file per class.
ATTRIBUTION_SPLIT_ROWS = 20_000
MANIFEST = "metadata.jsonl"
REJECTED = "rejected.jsonl"


def write_atomically(path: Path, text: str | Iterable[str], sync: bool = True) -> None:
    """Replace ``path`` with ``text`` (a string, or lines streamed) in one step (temp file in the
    same folder, then rename). ``sync=False`` skips the fsync: for a class's own files, a thousand
    of which are written by a store's first publish (one lost to a power cut is rewritten by the
    next publish of its class)."""
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            if isinstance(text, str):
                handle.write(text)
            else:
                handle.writelines(text)
            handle.flush()
            if sync:
                os.fsync(handle.fileno())
        os.chmod(temp, 0o644)
        os.replace(temp, path)
        if sync:
            fsync_folder(path.parent)  # the rename itself survives a power cut
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def write_documents(
    root: Path, index: StoreIndex, *, published_with: str | None = None, left_out: int = 0
) -> list[str]:
    """Rebuild ATTRIBUTION.md, report.html and the dataset card (README.md) at the store's root
    from its open ``index``, ``metadata.jsonl``, ``rejected.jsonl`` and ``crawls.jsonl``. A failure
    is logged (one ERROR line), not raised: the images and the manifest are already safe, each
    document is written whatever another did, and the next crawl rebuilds them. Returns the
    documents that could not be written, so a command can exit non-zero. ``published_with``: the
    store is the part of another that this license policy keeps (imagespider/dataset/export/subset.py),
    ``left_out`` rows not; the card says so."""
    try:
        summary = StoreSummary.from_index(index, root / REJECTED)
    except Exception as error:  # noqa: BLE001  (the images and the manifest are safe; the next crawl retries)
        logger.error("could not count the store in %s for its documents: %s", root, _one_line(error))
        return [ATTRIBUTION, REPORT, CARD]
    try:
        crawls = list(read_crawls(root))
    except Exception as error:  # noqa: BLE001  (the other documents are still written)
        logger.error("could not read the crawls of %s for the dataset card: %s", root, _one_line(error))
        crawls = []
    documents = (
        (ATTRIBUTION, lambda: _attribution(root, index, summary)),
        (REPORT, lambda: _report(root, index, summary, crawls)),
        (CARD, lambda: write_atomically(root / CARD, render_card((), crawls, summary, published_with=published_with,
                                                                 left_out=left_out))),
    )
    failed: list[str] = []
    for name, write in documents:
        try:
            write()
        except Exception as error:  # noqa: BLE001  (each document is written whatever another did)
            logger.error("could not write %s in %s: %s", name, root, _one_line(error))
            failed.append(name)
        else:
            logger.info("wrote %s (%d image%s)", root / name, summary.kept, "" if summary.kept == 1 else "s")
    return failed


def _one_line(error: BaseException) -> str:
    text = str(error).splitlines()[0] if str(error) else ""
    return f"{type(error).__name__}: {text}"[:300]


def class_folder(root: Path, label: str) -> Path | None:
    """The class's folder, where its own documents go, or None for a label that names none."""
    if not label or label in (".", "..") or label.startswith(".") or "/" in label or "\\" in label:
        return None
    folder = root / label
    return folder if folder.is_dir() else None


def _rows(reader: RowReader, locations: Iterable[tuple[int, int]]) -> Iterator[dict[str, Any]]:
    for offset, length in locations:
        row = reader.row(offset, length)
        if row is not None:
            yield row


def _sections(
    index: StoreIndex, reader: RowReader, label: str, licenses: Mapping[str, int]
) -> list[tuple[str, int, str | None, Iterator[dict[str, Any]]]]:
    """A class's license sections, each streaming its rows by file name."""
    sections = []
    for lic, count in licenses.items():
        rows = _rows(reader, index.iter_locations(_stored(label), lic))
        first = next(rows, None)
        url = license_of(first).url if first is not None else None
        sections.append((lic, count, url, _chain(first, rows)))
    return sections


def _chain(first: dict[str, Any] | None, rest: Iterator[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    if first is not None:
        yield first
    yield from rest


def _attribution(root: Path, index: StoreIndex, summary: StoreSummary) -> None:
    with RowReader(root / MANIFEST) as reader:
        if summary.kept <= ATTRIBUTION_SPLIT_ROWS:
            write_atomically(root / ATTRIBUTION, render_attribution(_rows(reader, index.locations())))
            return
        classes: list[tuple[str, int, Mapping[str, int], str | None]] = []
        unfiled: list[str] = []
        for label in sorted(summary.labels):
            licenses = summary.licenses_of(label)
            folder = class_folder(root, label)
            if folder is None:
                unfiled.append(label)
                classes.append((label, summary.labels[label], licenses, None))
                continue
            state = f"{summary.labels[label]}"
            target = folder / ATTRIBUTION
            if index.published(f"attribution:{label}") != state or not target.exists():
                heading = f"# Attribution: {label}"
                write_atomically(
                    target, attribution_lines(_sections(index, reader, label, licenses), heading), sync=False
                )
                index.set_published(f"attribution:{label}", state)
            classes.append((label, summary.labels[label], licenses, f"{label}/{ATTRIBUTION}"))

        def lines() -> Iterator[str]:
            yield from attribution_index_lines(classes, summary.licenses)
            for label in unfiled:  # no folder of their own: credited here
                yield "\n"
                yield from attribution_lines(
                    _sections(index, reader, label, summary.licenses_of(label)), f"## Class {label}"
                )

        write_atomically(root / ATTRIBUTION, lines())


def _report(root: Path, index: StoreIndex, summary: StoreSummary, crawls: list[dict[str, Any]]) -> None:
    """report.html with each class's sample (thumbnails made for the sample only), or with a page
    per class when there are many."""
    with RowReader(root / MANIFEST) as reader:
        labels = sorted(summary.labels)
        if len(labels) <= INLINE_CLASSES:
            sample = [
                row for label in labels for row in _rows(reader, index.locations(_stored(label), limit=GALLERY_SAMPLE))
            ]
            thumbs = ensure_thumbnails(root, sample)
            write_atomically(root / REPORT, render_report(sample, summary.newest_rejected, crawls, thumbs, summary))
            return
        pages: dict[str, str] = {}
        for label in labels:
            folder = class_folder(root, label)
            if folder is None:
                continue
            state = f"{summary.labels[label]}/{sum(summary.reasons_of(label).values())}"
            target = folder / REPORT
            if index.published(f"report:{label}") != state or not target.exists():
                rows = list(_rows(reader, index.locations(label, limit=CLASS_PAGE_SAMPLE)))
                page = render_class_page(label, rows, summary, ensure_thumbnails(root, rows))
                write_atomically(target, page, sync=False)
                index.set_published(f"report:{label}", state)
            pages[label] = f"{quote(label)}/{REPORT}"
        write_atomically(root / REPORT, render_report([], summary.newest_rejected, crawls, None, summary, pages))


def _stored(label: str) -> str:
    """The label as the index stores it (a row without one is counted as ``?``)."""
    return "" if label == "?" else label
