"""Where an engine's unreadable answer goes: ``<store>/.debug/<engine>-<query>-<time>.<ext>``.

A crawl into an object store (``s3://``) keeps it in the system's temporary folder instead
(``imagespider-debug/``; the log line names the file): not in the bucket, where the spider has no
client, and not in a local folder named ``s3:``.

When an engine answers a normal page (not a refusal) that the parser cannot read, the crawl ends
that engine with one line instead of "no results"; the page itself is kept here so whoever fixes
the parser (a one-module change in imagespider/engines/) has the markup that broke it.
"""

from __future__ import annotations

import logging
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from scrapy.settings import BaseSettings

from imagespider.dataset.objectstore.config import is_object_store
from imagespider.dataset.store.labels import safe_label

logger = logging.getLogger(__name__)

DEBUG_DIR = ".debug"
#: In the temporary folder, for a crawl into an object store.
OBJECT_STORE_DEBUG_DIR = "imagespider-debug"


def save_debug_page(settings: BaseSettings, engine: str, query: str, body: bytes | str, ext: str = "html") -> str:
    """Write ``body`` under the store's ``.debug`` folder and return its path (or, if it cannot be
    written, a short note saying so, for the one-line message)."""
    store = str(settings["IMAGES_STORE"])
    if is_object_store(store):
        folder = Path(tempfile.gettempdir()) / OBJECT_STORE_DEBUG_DIR
    else:
        folder = Path(store.removeprefix("file://")) / DEBUG_DIR
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = folder / f"{engine}-{safe_label(query)}-{stamp}.{ext}"
    data = body.encode("utf-8") if isinstance(body, str) else body
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    except OSError as error:
        return f"(nowhere: {error.strerror or error})"
    return str(path.resolve())
