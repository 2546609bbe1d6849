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

``scrapy publish`` (imagespider/dataset/publish.py) assembles ``metadata.jsonl``, ``rejected.jsonl``
and the documents from them. Several workers may write one store at once (no lock: with
``REDIS_URL`` they share the dedupe sets in Redis). Calls are botocore's, blocking, with short
timeouts (:meth:`ObjectStoreConfig.client`); a crawl makes its own (a kept row's sidecar, a
rejection, a HEAD) in threads (:class:`ObjectDataset`), never on the reactor thread.
"""

from __future__ import annotations

import asyncio
import errno
import heapq
import json
import logging
import mimetypes
import os
import re
import shutil
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from imagespider.dataset.files import MANIFEST, MAX_IMAGE_BYTES, NotARegularFile
from imagespider.dataset.jsonl import json_object
from imagespider.dataset.neardup import Twin
from imagespider.dataset.scratch import make_scratch
from imagespider.dataset.store import Dataset
from imagespider.dataset.storelock import StoreRefused
from imagespider.errors import ArgumentError, shown
from imagespider.text import clean_value

logger = logging.getLogger(__name__)

#: Google Cloud Storage's S3-compatible (XML API) endpoint, for ``gs://`` stores.
GCS_ENDPOINT = "https://storage.googleapis.com"
#: Prefix (under the store's) of the rejected rows, one object each.
REJECTED_PREFIX = ".rejected/"
#: Prefix (under the store's) of the crawls' rows, one object each (``crawls.jsonl`` once published).
CRAWLS_PREFIX = ".crawls/"
#: Largest object read as a row (a sidecar, a rejected or a crawl row: kilobytes as a crawl writes them).
MAX_ROW_BYTES = 16 << 20
#: Prefix (under the store's) where images with no sidecar row are moved by publish.
ORPHANS_PREFIX = ".orphans/"
#: Seconds an S3 call waits to connect, and for each read of its answer; tries per call.
S3_CONNECT_TIMEOUT = 5.0
S3_READ_TIMEOUT = 20.0
S3_ATTEMPTS = 3
#: Threads that put a crawl's images, sidecars and rejected rows, and the puts that may wait for them:
#: past that, new images wait (imagespider/pipelines/images.py), so a stalled store holds a
#: bounded number of rows in memory, never one per result.
PUT_THREADS = 8
#: The Cache-Control an image is put with: Scrapy's S3FilesStore's own (its HEADERS), kept since
#: images stopped going through it (they are put in the store's own threads).
IMAGE_CACHE_CONTROL = "max-age=172800"
MAX_PENDING_PUTS = 256
_IMAGE = re.compile(r"^([^/.][^/]*)/([0-9a-f]{64})\.([a-z0-9]{2,4})$")


@dataclass(frozen=True)
class ObjectStoreConfig:
    bucket: str
    prefix: str  # "" or ending in "/"
    endpoint_url: str | None
    access_key: str | None
    secret_key: str | None
    session_token: str | None
    region: str | None
    #: Scrapy's AWS_USE_SSL and AWS_VERIFY (its S3FilesStore passes both to botocore): None is
    #: botocore's default (TLS on, verified); AWS_VERIFY may name a CA bundle file.
    use_ssl: bool | None = None
    verify: bool | str | None = None

    @classmethod
    def from_settings(cls, uri: str, settings: Any) -> ObjectStoreConfig:
        """Raises ArgumentError (one line) for ``gs://`` with no ``AWS_ENDPOINT_URL``: Google
        Cloud Storage is reached through its S3-compatible XML API, never AWS by mistake."""
        if uri.startswith("gs://") and not settings.get("AWS_ENDPOINT_URL"):
            raise ArgumentError(
                f"{shown(uri)} is reached through GCS's S3-compatible API: set AWS_ENDPOINT_URL="
                f"{GCS_ENDPOINT} and an HMAC key as AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
            )
        bucket, prefix = split_uri(uri)
        if not bucket:
            raise ArgumentError(f"{shown(uri)} names no bucket: name one, as s3://bucket/prefix")
        endpoint = settings.get("AWS_ENDPOINT_URL") or None
        if endpoint is not None and not _is_endpoint(str(endpoint)):
            raise ArgumentError(
                f"AWS_ENDPOINT_URL {shown(endpoint)!r} is not an http:// or https:// URL (such as http://minio.local:9000)"
            )
        return cls(
            bucket=bucket, prefix=prefix,
            endpoint_url=endpoint,
            access_key=settings.get("AWS_ACCESS_KEY_ID") or None,
            secret_key=settings.get("AWS_SECRET_ACCESS_KEY") or None,
            session_token=settings.get("AWS_SESSION_TOKEN") or None,
            region=settings.get("AWS_REGION_NAME") or None,
            use_ssl=_yes_no(settings.get("AWS_USE_SSL")),
            verify=_verify(settings.get("AWS_VERIFY")),
        )

    def client(self) -> Any:
        """A botocore S3 client with short timeouts (botocore's own: 60 s to connect, 60 s per
        read, each call tried 3 times: a stalled store held a call for minutes)."""
        import botocore.session
        from botocore.config import Config

        session = botocore.session.get_session()
        timeouts = Config(
            connect_timeout=S3_CONNECT_TIMEOUT, read_timeout=S3_READ_TIMEOUT,
            retries={"max_attempts": S3_ATTEMPTS, "mode": "standard"},
        )
        return session.create_client(
            "s3", aws_access_key_id=self.access_key, aws_secret_access_key=self.secret_key,
            aws_session_token=self.session_token, endpoint_url=self.endpoint_url, region_name=self.region,
            config=timeouts, verify=self.verify, **({} if self.use_ssl is None else {"use_ssl": self.use_ssl}),
        )

    @property
    def uri(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}"


def _yes_no(value: Any) -> bool | None:
    """A yes/no setting as Scrapy's ``Settings.getbool`` reads it; unset (None, "") stays None."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise ArgumentError(f"AWS_USE_SSL / AWS_VERIFY {shown(str(value))!r} is not a yes/no value: give True or False")


def _verify(value: Any) -> bool | str | None:
    """AWS_VERIFY: yes/no, or the path of a CA bundle (as botocore's ``verify`` takes it)."""
    if isinstance(value, str) and value.strip() and value.strip().lower() not in (
        "1", "true", "yes", "on", "0", "false", "no", "off",
    ):
        return value.strip()
    return _yes_no(value)


def _is_endpoint(url: str) -> bool:
    """Whether botocore takes ``url`` for an endpoint (anything else is a ValueError when the
    client is made), and it is http or https."""
    from botocore.utils import is_valid_endpoint_url, is_valid_ipv6_endpoint_url

    scheme_ok = url.lower().startswith(("http://", "https://"))
    return scheme_ok and bool(is_valid_endpoint_url(url) or is_valid_ipv6_endpoint_url(url))


def store_errors() -> tuple[type[Exception], ...]:
    """What botocore raises for a store it cannot use (no bucket, refused credentials, no endpoint
    listening...): what the store commands turn into one line (:func:`store_failure`)."""
    from botocore.exceptions import BotoCoreError, ClientError

    return (BotoCoreError, ClientError)


def store_failure(uri: str, error: BaseException) -> str:
    """One line for the user when botocore refused the store at ``uri``."""
    first = (str(error) or type(error).__name__).splitlines()[0]
    return (
        f"cannot use the object store {shown(uri)}: {first}; check AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID, "
        "AWS_SECRET_ACCESS_KEY and that the bucket exists"
    )


def split_uri(uri: str) -> tuple[str, str]:
    """``s3://bucket/a/b`` as ``("bucket", "a/b/")``: the prefix always ends in ``/`` (or is
    empty), as Scrapy's S3FilesStore glues it to the file name as it is."""
    rest = uri.split("://", 1)[1]
    bucket, _, prefix = rest.partition("/")
    prefix = prefix.strip("/")
    return bucket, f"{prefix}/" if prefix else ""


def normal_uri(uri: str) -> str:
    """IMAGES_STORE for Scrapy's S3FilesStore: ``s3://bucket/prefix/``."""
    bucket, prefix = split_uri(uri)
    return f"s3://{bucket}/{prefix}"


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

    def get(self, key: str) -> bytes | None:
        try:
            answer = self.client.get_object(Bucket=self.config.bucket, Key=self.config.prefix + key)
        except self.client.exceptions.NoSuchKey:
            return None
        body = answer["Body"]
        try:
            data: bytes = body.read(MAX_IMAGE_BYTES + 1)  # an object of any size is never read whole
        finally:
            body.close()
        if len(data) > MAX_IMAGE_BYTES:
            raise NotARegularFile(errno.EFBIG, f"{key} is larger than {MAX_IMAGE_BYTES} bytes")
        return data

    def row(self, key: str) -> dict[str, Any] | None:
        """The JSON object at ``key`` (a sidecar, a rejected or a crawl row), or None when it is
        absent, not an object, or larger than :data:`MAX_ROW_BYTES`: such an object is not a row,
        and is not read whole to find out."""
        try:
            answer = self.client.get_object(Bucket=self.config.bucket, Key=self.config.prefix + key)
        except self.client.exceptions.NoSuchKey:
            return None
        body = answer["Body"]
        try:
            data: bytes = body.read(MAX_ROW_BYTES + 1)
        finally:
            body.close()
        if len(data) > MAX_ROW_BYTES:
            logger.warning("%s is larger than %d bytes: not a row", key, MAX_ROW_BYTES)
            return None
        return json_object(data)

    def lines(self, key: str) -> Iterator[bytes]:
        """The object's lines (without their newline) as they arrive, none when the store does
        not hold it: a published ``metadata.jsonl`` of a million rows is gigabytes, never held
        whole, and a line longer than :data:`MAX_ROW_BYTES` (no row: a whole dataset as one JSON
        array) is skipped as it streams past, never held either."""
        try:
            answer = self.client.get_object(Bucket=self.config.bucket, Key=self.config.prefix + key)
        except self.client.exceptions.NoSuchKey:
            return
        body = answer["Body"]
        line = bytearray()
        skipping = False
        try:
            for chunk in body.iter_chunks(1 << 20):
                start = 0
                while (end := chunk.find(b"\n", start)) >= 0:
                    if not skipping and len(line) + end - start <= MAX_ROW_BYTES:
                        line += chunk[start:end]
                        yield bytes(line)
                    elif not skipping:
                        logger.warning("skipping a line of %s longer than %d bytes: not a row", key, MAX_ROW_BYTES)
                    line.clear()
                    skipping = False
                    start = end + 1
                if not skipping:
                    line += chunk[start:]
                    if len(line) > MAX_ROW_BYTES:
                        logger.warning("skipping a line of %s longer than %d bytes: not a row", key, MAX_ROW_BYTES)
                        line.clear()
                        skipping = True
            if line and not skipping:
                yield bytes(line)
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


class ObjectSource:
    """An object store as ``scrapy export``'s source (imagespider/dataset/export.py)."""

    def __init__(self, store: ObjectStore) -> None:
        self.store = store

    @classmethod
    def from_settings(cls, uri: str, settings: Any) -> ObjectSource:
        return cls(ObjectStore(ObjectStoreConfig.from_settings(uri, settings)))

    def rows(self) -> Iterator[dict[str, Any]]:
        unreadable: list[tuple[str, str]] = []
        for row in self.store.rows(unreadable):
            yield row
            self._warn(unreadable)
        self._warn(unreadable)

    @staticmethod
    def _warn(unreadable: list[tuple[str, str]]) -> None:
        while unreadable:  # as read_jsonl warns of a damaged manifest line
            sidecar, image = unreadable.pop(0)
            logger.warning("skipping %s: its sidecar %s is not a row (not a JSON object, or too large)", image, sidecar)

    def read(self, file_name: str) -> bytes | None:
        return self.store.get(file_name)


#: The scratch folders' names in the temporary folder (imagespider/dataset/scratch.py).
SCRATCH_PREFIX = "imagespider-objectstore-"


class ObjectDataset:
    """What the crawl writes into an object store: the interface of
    :class:`imagespider.dataset.store.Dataset` (rows, dedupe questions, claims, add, reject).

    The questions ("this URL kept already?", "these bytes?", "a near twin?", counts per class) are
    answered by a local :class:`~imagespider.dataset.store.Dataset` in a scratch folder: its
    manifest is the bucket's rows, gathered at open from the published ``metadata.jsonl`` (one GET)
    plus the sidecars it does not list yet, and its on-disk index (imagespider/dataset/index.py)
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
        with (self.root / MANIFEST).open("w", encoding="utf-8") as out:
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
                out.write(json.dumps(clean_value(row), ensure_ascii=False) + "\n")
        return known + read, read

    def _published_rows(self) -> Iterator[tuple[str, dict[str, Any]]]:
        """``(stem, row)`` of each row of the published ``metadata.jsonl``, streamed."""
        for line in self.store.lines(MANIFEST):
            row = json_object(line)
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
        row = clean_value(self.scrub(row))
        stem = str(row["file_name"]).rsplit(".", 1)[0]
        data = json.dumps(row, ensure_ascii=False).encode("utf-8")
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
        row = clean_value(self.scrub(row))
        stem = str(row["file_name"]).rsplit(".", 1)[0]
        self.store.put(f"{stem}.json", json.dumps(row, ensure_ascii=False).encode("utf-8"))
        self.local.add(row)

    def reject(self, row: dict[str, Any]) -> None:
        """Put the rejected row as an object of its own, in a thread, not waited for."""
        row = self.scrub(row)
        self._rejections += 1
        key = f"{REJECTED_PREFIX}{self._worker}/{time.time_ns()}-{self._rejections}.json"
        future = self._submit(self.store.put, key, json.dumps(row, ensure_ascii=False).encode("utf-8"))
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
        row = self.scrub(row)
        self.store.put(f"{CRAWLS_PREFIX}{row['id']}.json", json.dumps(row, ensure_ascii=False).encode("utf-8"))

    def path_of(self, file_name: str) -> str:
        return self.store.config.uri + file_name
