"""What a crawl writes into an object store (:class:`ObjectDataset`): sidecar rows, rejected rows
and the crawl's row put in threads, and the dedupe questions answered by a local scratch store.
"""

from __future__ import annotations

import asyncio
import logging
import mimetypes
import os
import shutil
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor, wait
from typing import Any

from imagespider.dataset.neardup.phash import Twin
from imagespider.dataset.objectstore.client import CRAWLS_PREFIX, REJECTED_PREFIX, ObjectStore
from imagespider.dataset.objectstore.config import ObjectStoreConfig, store_failure
from imagespider.dataset.store.files import MANIFEST
from imagespider.dataset.store.jsonl import clean_row, parse_row, row_bytes
from imagespider.dataset.store.local import Dataset
from imagespider.dataset.store.lock import StoreRefused
from imagespider.dataset.store.scratch import make_scratch

logger = logging.getLogger(__name__)

#: Threads that put a crawl's images, sidecars and rejected rows, and the puts that may wait for them:
#: past that, new images wait (imagespider/pipelines/images.py), so a stalled store holds a
#: bounded number of rows in memory, never one per result.
PUT_THREADS = 8
#: The Cache-Control an image is put with: Scrapy's S3FilesStore's own (its HEADERS), kept since
#: images stopped going through it (they are put in the store's own threads).
IMAGE_CACHE_CONTROL = "max-age=172800"
MAX_PENDING_PUTS = 256
#: The scratch folders' names in the temporary folder (imagespider/dataset/store/scratch.py).
SCRATCH_PREFIX = "imagespider-objectstore-"


class ObjectDataset:
    """What the crawl writes into an object store: the interface of
    :class:`imagespider.dataset.store.local.Dataset` (rows, dedupe questions, claims, add, reject).

    The questions ("this URL kept already?", "these bytes?", "a near twin?", counts per class) are
    answered by a local :class:`~imagespider.dataset.store.local.Dataset` in a scratch folder: its
    manifest is the bucket's rows, gathered at open from the published ``metadata.jsonl`` (one GET)
    plus the sidecars it does not list yet, and its on-disk index (imagespider/dataset/store/index.py)
    holds them, so a crawl into a large bucket holds no row in memory, as a local crawl does."""

    def __init__(self, uri: str, settings: Any, scrub: Callable[[Any], Any] | None = None) -> None:
        self.scrub = scrub or (lambda row: row)
        self.store = ObjectStore(ObjectStoreConfig.from_settings(uri, settings))
        self.uri = uri
        #: Local scratch folder: the bucket's rows, indexed; documents are rendered here.
        self.root = make_scratch(SCRATCH_PREFIX)
        self.local = Dataset(self.root)
        self._worker = f"{os.uname().nodename}-{os.getpid()}"
        self._rejections = 0
        #: The crawl's puts, off the reactor thread (issue 28): a stalled store stalls no download.
        self._puts = ThreadPoolExecutor(PUT_THREADS, thread_name_prefix="imagespider-s3")
        self._pending: set[Future[Any]] = set()
        self._pending_lock = threading.Lock()
        self._unsaved = 0
        #: Told (in the put's thread) each rejected row the store refused, with one line about it;
        #: the crawl says it and exits 1 (imagespider/failures.py). Unset, the first is logged here.
        self.on_put_failure: Callable[[str], None] | None = None

    def open(self) -> None:
        try:
            gathered = self._gather()
        except Exception as error:  # noqa: BLE001  (botocore: no credentials, no bucket, no endpoint...)
            shutil.rmtree(self.root, ignore_errors=True)  # no close() follows a refused open
            raise StoreRefused(store_failure(self.uri, error)) from None
        self.local.open()
        logger.debug("%s: %d rows (%d read from sidecars)", self.uri, *gathered)

    def _gather(self) -> tuple[int, int]:
        """Write the bucket's rows (those whose image and sidecar both exist) to the scratch
        manifest: the published manifest's row where it has one, else the sidecar's. Both are
        in file-name order (publish writes the manifest so; the listing is in key order), so
        they are walked side by side, holding one row of each: memory does not grow with the
        bucket. A published manifest out of order (edited by hand) costs GETs, not rows."""
        published = self._published_rows()
        waiting = next(published, None)
        known = read = 0
        with (self.root / MANIFEST).open("wb") as out:
            for stem in self.store.stems():
                if stem.image is None or stem.sidecar is None:
                    continue
                while waiting is not None and waiting[0] < stem.stem:
                    waiting = next(published, None)
                if waiting is not None and waiting[0] == stem.stem:
                    row: dict[str, Any] | None = waiting[1]
                    known += 1
                    waiting = next(published, None)
                else:
                    row = self.store.row(stem.sidecar)
                    if row is None:
                        continue
                    read += 1
                out.write(row_bytes(clean_row(row)) + b"\n")
        return known + read, read

    def _published_rows(self) -> Iterator[tuple[str, dict[str, Any]]]:
        """``(stem, row)`` of each row of the published ``metadata.jsonl``, streamed."""
        for line in self.store.lines(MANIFEST):
            row = parse_row(line)
            if row is not None:
                yield str(row.get("file_name") or "").rsplit(".", 1)[0], row

    def close(self) -> None:
        self.flush()
        self._puts.shutdown(wait=True)
        if self._unsaved > 1 and self.on_put_failure is None:
            logger.error("%d rejected rows could not be stored in %s", self._unsaved, self.uri)
        self.local.close()
        shutil.rmtree(self.root, ignore_errors=True)

    # -- the crawl's puts, in threads ---------------------------------------------------

    def _submit(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Future[Any]:
        future = self._puts.submit(fn, *args, **kwargs)
        with self._pending_lock:
            self._pending.add(future)
        future.add_done_callback(self._put_done)
        return future

    def _put_done(self, future: Future[Any]) -> None:
        with self._pending_lock:
            self._pending.discard(future)

    @property
    def pending_puts(self) -> int:
        with self._pending_lock:
            return len(self._pending)

    async def wait_for_room(self) -> None:
        """Wait while :data:`MAX_PENDING_PUTS` puts are waiting or running (the store is slow)."""
        while self.pending_puts >= MAX_PENDING_PUTS:
            await asyncio.sleep(0.05)

    def flush(self) -> None:
        """Wait for every put made so far (at the crawl's end, before it publishes)."""
        with self._pending_lock:
            pending = list(self._pending)
        wait(pending)

    async def add_soon(self, row: dict[str, Any]) -> None:
        """:meth:`add` with the sidecar's PUT in a thread, awaited: the item counts as kept only
        once its row is in the store."""
        row = clean_row(row, self.scrub)
        stem = str(row["file_name"]).rsplit(".", 1)[0]
        data = row_bytes(row)
        await asyncio.wrap_future(self._submit(self.store.put, f"{stem}.json", data))
        self.local.add(row)

    async def put_file(self, file_name: str, body: bytes, acl: str | None = None) -> None:
        """Put a kept image's bytes at ``file_name``, in a put thread, awaited."""
        config = self.store.config
        options = {"ACL": acl} if acl else {}
        content_type = mimetypes.guess_type(file_name)[0] or "application/octet-stream"
        await asyncio.wrap_future(self._submit(
            self.store.client.put_object, **{"Bucket": config.bucket, "Key": config.prefix + file_name,
                                             "Body": body, "ContentType": content_type,
                                             "CacheControl": IMAGE_CACHE_CONTROL, **options},
        ))

    async def has_row_soon(self, file_name: str) -> bool:
        """:meth:`has_row`, its HEAD in a thread."""
        return bool(await asyncio.wrap_future(self._submit(self.has_row, file_name)))

    def holder_of(self, sha256: str) -> str | None:
        return self.local.holder_of(sha256)

    def has_url(self, image_url: str, label: str) -> bool:
        return self.local.has_url(image_url, label)

    def removed_in_review(self, image_url: str | None = None, sha256: str | None = None) -> bool:
        """Reviews work on local stores only (``scrapy review``): an object store has none."""
        return False

    def has_row(self, file_name: str) -> bool:
        """Whether the bucket holds ``file_name``'s sidecar row (asked of the store, not the
        scratch index: another worker may have written it)."""
        return self.store.exists(file_name.rsplit(".", 1)[0] + ".json")

    def twin_of(self, phash: str, max_distance: int) -> Twin | None:
        return self.local.twin_of(phash, max_distance)

    def count_by_label(self) -> Counter[str]:
        return self.local.count_by_label()

    def count_by_query(self) -> Counter[tuple[Any, ...]]:
        return self.local.count_by_query()

    def iter_rows(self) -> Iterator[dict[str, Any]]:
        return self.local.iter_rows()

    def claim(self, sha256: str, file_name: str, phash: str | None = None) -> None:
        self.local.claim(sha256, file_name, phash)

    def unclaim(self, sha256: str) -> None:
        self.local.unclaim(sha256)

    def add(self, row: dict[str, Any]) -> None:
        """Put the row's sidecar (``<label>/<sha256>.json``), the image being already stored."""
        row = clean_row(row, self.scrub)
        stem = str(row["file_name"]).rsplit(".", 1)[0]
        self.store.put(f"{stem}.json", row_bytes(row))
        self.local.add(row)

    def reject(self, row: dict[str, Any]) -> None:
        """Put the rejected row as an object of its own, in a thread, not waited for."""
        row = clean_row(row, self.scrub)
        self._rejections += 1
        key = f"{REJECTED_PREFIX}{self._worker}/{time.time_ns()}-{self._rejections}.json"
        future = self._submit(self.store.put, key, row_bytes(row))
        future.add_done_callback(self._rejection_put)

    def _rejection_put(self, future: Future[Any]) -> None:
        error = future.exception()
        if error is None:
            return
        with self._pending_lock:
            self._unsaved += 1
            first = self._unsaved == 1
        if self.on_put_failure is not None:
            self.on_put_failure(store_failure(self.uri, error))
        elif first:  # one line, not one per row
            logger.error("a rejected row could not be stored (more are counted at the end): %s",
                         store_failure(self.uri, error))

    def record_crawl(self, row: dict[str, Any]) -> None:
        """Put the crawl's ``crawls.jsonl`` row as ``.crawls/<id>.json`` (ids sort by start)."""
        row = clean_row(row, self.scrub)
        self.store.put(f"{CRAWLS_PREFIX}{row['id']}.json", row_bytes(row))

    def amend_crawl(self, row: dict[str, Any]) -> bool:
        """Put the crawl's row again (same id, same key), as :meth:`record_crawl`."""
        self.record_crawl(row)
        return True

    def path_of(self, file_name: str) -> str:
        return self.store.config.uri + file_name
