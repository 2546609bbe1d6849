"""A store in an S3-compatible object store (``IMAGES_STORE=s3://bucket/prefix``).

Images are written by Scrapy's own ``S3FilesStore`` (the image pipeline's store for ``s3://``,
configured from ``AWS_ENDPOINT_URL``, ``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY``,
``AWS_REGION_NAME``, so MinIO, Ceph, R2 and GCS's S3 API work; ``gs://bucket/prefix`` is the same
store through GCS's S3-compatible endpoint, which must be named in ``AWS_ENDPOINT_URL``). This module holds what a local
store keeps in ``metadata.jsonl`` and ``rejected.jsonl``, as objects that never need appending:

* ``<label>/<sha256>.json``: the manifest row of ``<label>/<sha256>.<ext>`` (its *sidecar*), put
  after the image and before the item counts as kept, so the objects alone always rebuild the
  dataset, and a worker killed at any point loses at most an image with no row (an orphan, which
  ``scrapy publish`` moves under ``.orphans/``, never deletes);
* ``.rejected/<worker>/<time>-<n>.json``: one rejected row each;
* ``.crawls/<crawl id>.json``: one ``crawls.jsonl`` row per crawl (each worker's, in a distributed job).

``scrapy publish`` (imagespider/dataset/export/publish.py) assembles ``metadata.jsonl``, ``rejected.jsonl``
and the documents from them. Several workers may write one store at once (no lock: with
``REDIS_URL`` they share the dedupe sets in Redis). Calls are botocore's, blocking, with short
timeouts (:meth:`ObjectStoreConfig.client`); a crawl makes its own (a kept row's sidecar, a
rejection, a HEAD) in threads (:class:`ObjectDataset`), never on the reactor thread.
"""

from __future__ import annotations

import errno
import heapq
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from imagespider.dataset.objectstore.config import ObjectStoreConfig
from imagespider.dataset.store.files import MAX_IMAGE_BYTES, NotARegularFile
from imagespider.dataset.store.jsonl import TOO_LONG, json_object, store_lines, stream_handle
from imagespider.text import clean_value

logger = logging.getLogger(__name__)

#: Prefix (under the store's) of the rejected rows, one object each.
REJECTED_PREFIX = ".rejected/"
#: Prefix (under the store's) of the crawls' rows, one object each (``crawls.jsonl`` once published).
CRAWLS_PREFIX = ".crawls/"
#: Largest object read as a row (a sidecar, a rejected or a crawl row: kilobytes as a crawl writes them).
MAX_ROW_BYTES = 16 << 20
#: Prefix (under the store's) where images with no sidecar row are moved by publish.
ORPHANS_PREFIX = ".orphans/"
_IMAGE = re.compile(r"^([^/.][^/]*)/([0-9a-f]{64})\.([a-z0-9]{2,4})$")


class ObjectStore:
    """Listing, reading and writing the store's objects by their key under the prefix."""

    def __init__(self, config: ObjectStoreConfig) -> None:
        self.config = config
        self.client = config.client()

    def keys(self, under: str = "") -> Iterator[str]:
        """Every key under ``under`` (relative to the store's prefix), in the store's order (S3
        lists keys by their UTF-8 bytes), a page at a time."""
        return (key for key, _ in self.entries(under))

    def entries(self, under: str = "") -> Iterator[tuple[str, float]]:
        """``(key, last modified as a Unix time)`` of every key under ``under``, in key order."""
        paginator = self.client.get_paginator("list_objects_v2")
        start = self.config.prefix + under
        for page in paginator.paginate(Bucket=self.config.bucket, Prefix=start):
            for entry in page.get("Contents", ()):
                yield entry["Key"][len(self.config.prefix) :], entry["LastModified"].timestamp()

    def children(self, under: str = "") -> Iterator[tuple[str, bool]]:
        """``(name, is a folder)`` directly under ``under`` (a listing by ``/``), in key order:
        folders end in ``/``."""
        paginator = self.client.get_paginator("list_objects_v2")
        start = self.config.prefix + under
        for page in paginator.paginate(Bucket=self.config.bucket, Prefix=start, Delimiter="/"):
            found = [(entry["Key"], False) for entry in page.get("Contents", ())]
            found += [(entry["Prefix"], True) for entry in page.get("CommonPrefixes", ())]
            for key, folder in sorted(found):
                yield key[len(self.config.prefix) :], folder

    def _read_capped(self, key: str, cap: int) -> bytes | None:
        """At most ``cap`` + 1 bytes of the object (an object of any size is never read whole),
        None when the store does not hold it."""
        try:
            answer = self.client.get_object(Bucket=self.config.bucket, Key=self.config.prefix + key)
        except self.client.exceptions.NoSuchKey:
            return None
        body = answer["Body"]
        try:
            data: bytes = body.read(cap + 1)
        finally:
            body.close()
        return data

    def get(self, key: str) -> bytes | None:
        data = self._read_capped(key, MAX_IMAGE_BYTES)
        if data is None:
            return None
        if len(data) > MAX_IMAGE_BYTES:
            raise NotARegularFile(errno.EFBIG, f"{key} is larger than {MAX_IMAGE_BYTES} bytes")
        return data

    def row(self, key: str) -> dict[str, Any] | None:
        """The JSON object at ``key`` (a sidecar, a rejected or a crawl row), or None when it is
        absent, not an object, or larger than :data:`MAX_ROW_BYTES`: such an object is not a row,
        and is not read whole to find out."""
        data = self._read_capped(key, MAX_ROW_BYTES)
        if data is None:
            return None
        if len(data) > MAX_ROW_BYTES:
            logger.warning("%s is larger than %d bytes: not a row", key, MAX_ROW_BYTES)
            return None
        return json_object(data)

    def lines(self, key: str) -> Iterator[bytes]:
        """The object's lines (without their newline) as they arrive, none when the store does
        not hold it, under the rule every reader of a store's JSON-lines files follows
        (imagespider/dataset/store/jsonl.py, :func:`store_lines`): a published ``metadata.jsonl`` of
        a million rows is gigabytes, never held whole; a line longer than any row (a whole dataset
        as one JSON array) is skipped as it streams past, never held either; a torn last line is
        left out."""
        try:
            answer = self.client.get_object(Bucket=self.config.bucket, Key=self.config.prefix + key)
        except self.client.exceptions.NoSuchKey:
            return
        body = answer["Body"]
        try:
            for line in store_lines(stream_handle(body.read)):
                if line.raw is TOO_LONG:
                    logger.warning("skipping a line of %s longer than any row (%d bytes)", key, line.length)
                    continue
                yield line.raw.removesuffix(b"\n")
        finally:
            body.close()

    def exists(self, key: str) -> bool:
        try:
            self.client.head_object(Bucket=self.config.bucket, Key=self.config.prefix + key)
        except self.client.exceptions.ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return False
            raise
        return True

    def put(self, key: str, data: bytes, content_type: str = "application/json") -> None:
        self.client.put_object(
            Bucket=self.config.bucket, Key=self.config.prefix + key, Body=data, ContentType=content_type
        )

    def put_file(self, key: str, path: Path, content_type: str) -> None:
        """Put a local file, streamed from disk (a published manifest is gigabytes)."""
        with path.open("rb") as body:
            self.client.put_object(
                Bucket=self.config.bucket, Key=self.config.prefix + key, Body=body, ContentType=content_type
            )

    def move(self, key: str, to: str) -> None:
        """Copy then delete: the object is never absent from both places."""
        bucket, prefix = self.config.bucket, self.config.prefix
        self.client.copy_object(Bucket=bucket, Key=prefix + to, CopySource={"Bucket": bucket, "Key": prefix + key})
        self.client.delete_object(Bucket=bucket, Key=prefix + key)

    def stems(self) -> Iterator[Stem]:
        """Each ``label/sha256`` the store holds an image or a sidecar of, in key order, a page
        of the listing at a time (a million images are never listed into memory). An object
        store lists keys in order, so an image and its sidecar (``<stem>.jpg``, ``<stem>.json``)
        come one after the other; dot folders (``.rejected/``, ``.orphans/``) are not listed."""
        for folder, is_folder in self.children():
            if not is_folder or folder.startswith("."):
                continue
            current: Stem | None = None
            for key, modified in self.entries(folder):
                match = _IMAGE.match(key)
                if match is None:
                    continue
                stem = f"{match.group(1)}/{match.group(2)}"
                if current is None or current.stem != stem:
                    if current is not None:
                        yield current
                    current = Stem(stem)
                if match.group(3) == "json":
                    current.sidecar = key
                else:
                    current.image, current.image_modified = key, modified
            if current is not None:
                yield current

    def layout(self) -> tuple[dict[str, str], dict[str, str], list[str]]:
        """Images by stem (``label/sha``) -> key, sidecars by stem -> key, rejected-row keys: the
        whole listing in memory, for tests and small stores (publish and export use :meth:`stems`)."""
        images = {stem.stem: stem.image for stem in self.stems() if stem.image}
        sidecars = {stem.stem: stem.sidecar for stem in self.stems() if stem.sidecar}
        return images, sidecars, list(self.keys(REJECTED_PREFIX))

    def rows(self, unreadable: list[tuple[str, str]] | None = None) -> Iterator[dict[str, Any]]:
        """The rows of the sidecars whose image exists, by file name, one at a time. A row names
        the image it sits beside (``file_name``, ``sha256`` from the key): a sidecar edited by
        hand, or copied from another image's, must not make the manifest name a file the store
        does not hold. A sidecar that is not a row (damaged, or not JSON) is left out, with its
        image; its ``(sidecar key, image key)`` is appended to ``unreadable`` when one is given."""
        for stem in self.stems():
            if stem.image is None or stem.sidecar is None:
                continue
            row = self.row_of(stem)
            if row is None:
                if unreadable is not None:
                    unreadable.append((stem.sidecar, stem.image))
                continue
            yield row

    def row_of(self, stem: Stem) -> dict[str, Any] | None:
        """The row of an image and its sidecar, naming that image; None when the sidecar is not a row."""
        assert stem.image is not None and stem.sidecar is not None
        row = self.row(stem.sidecar)
        if row is None:
            return None
        row = clean_value(row)  # a sidecar put by hand may hold a lone surrogate: it must still be written
        if row.get("file_name") != stem.image:
            logger.warning("%s names %r: read as the row of %s", stem.sidecar, row.get("file_name"), stem.image)
        row["file_name"], row["sha256"] = stem.image, stem.stem.rsplit("/", 1)[1]
        return row

    def rejected_keys(self) -> Iterator[str]:
        """``.rejected/<worker>/<time_ns>-<n>.json`` in the order written: each worker's keys
        (listed in order) merged by time, holding one key per worker."""
        streams: list[Iterator[tuple[tuple[int, str], str]]] = []
        loose: list[str] = []
        for name, is_folder in self.children(REJECTED_PREFIX):
            if is_folder:
                streams.append((written_order(key), key) for key in self.keys(name))
            else:
                loose.append(name)  # not a worker's (put by hand): few
        streams.append(iter(sorted((written_order(key), key) for key in loose)))
        for _, key in heapq.merge(*streams):
            yield key


@dataclass
class Stem:
    """One ``label/sha256`` of an object store: its image's key (and when it was last written)
    and its sidecar's key, either missing."""

    stem: str
    image: str | None = None
    image_modified: float = 0.0
    sidecar: str | None = None


def written_order(key: str) -> tuple[int, str]:
    """``.rejected/<worker>/<time_ns>-<n>.json`` by time, then key."""
    name = key.rsplit("/", 1)[-1]
    stamp = name.split("-", 1)[0]
    return (int(stamp) if stamp.isascii() and stamp.isdigit() else 0, key)  # "²".isdigit() too
