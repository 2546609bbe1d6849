"""The store's documents: ATTRIBUTION.md, report.html and the dataset card README.md, rebuilt after every crawl.

Both are derived from the whole store (every crawl into it), so they are regenerated from the
manifest and ``rejected.jsonl`` rather than appended to. Each is written to a temporary file in the
same folder and moved into place with :func:`os.replace`, so a reader (a web server, someone with
the report open) never sees half a file, and a crash leaves the previous version.
"""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from imagespider.dataset.attribution import ATTRIBUTION, render_attribution
from imagespider.dataset.card import CARD, render_card
from imagespider.dataset.crawls import read_crawls
from imagespider.dataset.report import REPORT, render_report
from imagespider.dataset.store import REJECTED, read_jsonl
from imagespider.dataset.thumbnails import ensure_thumbnails

logger = logging.getLogger(__name__)


def write_atomically(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` in one step (temp file in the same folder, then rename)."""
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, 0o644)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def write_documents(root: Path, rows: Sequence[Mapping[str, Any]]) -> None:
    """Rebuild ATTRIBUTION.md, report.html and the dataset card (README.md) at the store's root
    from the manifest ``rows``, the store's ``rejected.jsonl`` and ``crawls.jsonl``. A failure is
    logged, not raised: the images and the manifest are already safe, and the next crawl rebuilds
    the documents."""
    try:
        crawls = list(read_crawls(root))
    except Exception as error:  # noqa: BLE001  (the other documents are still written)
        logger.error("could not read the crawls of %s for the dataset card: %s", root, _one_line(error))
        crawls = []
    documents = (
        (ATTRIBUTION, lambda: render_attribution(rows)),
        (REPORT, lambda: render_report(rows, list(read_jsonl(root / REJECTED)), crawls, ensure_thumbnails(root, rows))),
        (CARD, lambda: render_card(rows, crawls)),
    )
    for name, render in documents:
        try:
            write_atomically(root / name, render())
        except Exception as error:  # noqa: BLE001  (each document is written whatever another did)
            logger.error("could not write %s in %s: %s", name, root, _one_line(error))
        else:
            logger.info("wrote %s (%d images)", root / name, len(rows))


def _one_line(error: BaseException) -> str:
    text = str(error).splitlines()[0] if str(error) else ""
    return f"{type(error).__name__}: {text}"[:300]
