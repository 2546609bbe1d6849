"""DatasetImagesPipeline: download, verify, dedupe and store images as their original bytes.

Scrapy's ImagesPipeline re-encodes every image to JPEG and does the Pillow work on the reactor
thread. A dataset wants the bytes the author published, so this subclass keeps Scrapy's
downloading, stores and statistics but replaces what happens to a downloaded body: it is checked
by a bounded pool of worker processes (``IMAGES_WORKERS``; threads with
``IMAGES_CHECK_PROCESSES=False``), named by its SHA-256 and written as is to
``<label>/<sha256>.<ext>``. Every reason not to keep a result is a :class:`Rejected` drop.
"""

from __future__ import annotations

import asyncio
import warnings
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from PIL import Image
from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from scrapy.http import Response
from scrapy.pipelines.files import FSFilesStore, S3FilesStore
from scrapy.pipelines.images import ImagesPipeline
from scrapy.pipelines.media import FileInfo, MediaPipeline
from scrapy.settings import BaseSettings
from scrapy.utils.defer import ensure_awaitable
from twisted.internet import defer
from twisted.internet import error as twisted_error
from twisted.python.failure import Failure

from imagespider.dataset.crawlstore import store_of
from imagespider.dataset.documents.thumbnails import SAMPLE, sample_cutoff, thumbnail_name, write_thumbnail
from imagespider.dataset.neardup.phash import DedupConfig
from imagespider.dataset.objectstore.config import is_object_store, normal_uri
from imagespider.dataset.objectstore.dataset import ObjectDataset
from imagespider.dataset.store.local import Dataset
from imagespider.distributed.worker import worker_of
from imagespider.errors import Rejected
from imagespider.failures import store_write_failed
from imagespider.items import ImageItem
from imagespider.pipelines.checkbounds import CheckBounds
from imagespider.pipelines.checkpool import CheckPool
from imagespider.pipelines.imagecheck import EXTENSIONS, ImageFacts, check_image
from imagespider.pipelines.license import crawl_policy
from imagespider.rights.evidence import weigh
from imagespider.rights.headers import read_headers
from imagespider.rights.rsl import rsl_links
from imagespider.scrapy_compat import QuietRejection
from imagespider.sitesignals.sitefiles import RslCache

#: Download failures by kind, after Scrapy's retries, as the reason a user reads in rejected.jsonl.
_FAILURE_REASONS: tuple[tuple[tuple[type[BaseException], ...], str], ...] = (
    # Scrapy's HTTP/1.1 client cancels a body that grows past DOWNLOAD_MAXSIZE (with no message);
    # timeouts have their own error, so a cancelled image download is a too large one.
    ((DownloadCancelledError, defer.CancelledError), "too_large"),
    ((DownloadTimeoutError, TimeoutError, defer.TimeoutError, twisted_error.TimeoutError), "timeout"),
    ((CannotResolveHostError, twisted_error.DNSLookupError), "dns_error"),
    (
        (DownloadConnectionRefusedError, DownloadFailedError, ResponseDataLossError, ConnectionError,
         twisted_error.ConnectError, twisted_error.ConnectionLost, twisted_error.ConnectionDone),
        "connection_error",
    ),
)  # fmt: skip


def failure_reason(exc: BaseException, message: str) -> str:
    """The drop reason for a download that failed: refused by us, too big, or the host's fault."""
    if isinstance(exc, IgnoreRequest):
        reason = getattr(exc, "reason", None)
        if reason:
            return str(reason)  # e.g. private_address (imagespider.downloadermiddlewares.privateaddress)
        if "max redirections" in message:
            return "too_many_redirects"
        if "DOWNLOAD_MAXSIZE" in message:  # a gzip bomb (HttpCompressionMiddleware)
            return "too_large"
        return "robots_txt" if "robots.txt" in message else "refused"
    if "max size" in message or "maxsize" in message:
        return "too_large"
    for kinds, reason in _FAILURE_REASONS:
        if isinstance(exc, kinds):
            return reason
    return "download_error"


@dataclass(frozen=True)
class ImagesConfig:
    """The image pipeline's settings, read once (defaults in imagespider/settings.py; bad
    values are refused with one line by imagespider/commands/settings_check.py)."""

    #: IMAGES_MAX_PIXELS: larger images are ``decompression_bomb``; Pillow's own limit follows it.
    max_pixels: int
    #: IMAGES_WORKERS: checks run at once.
    workers: int
    #: IMAGES_CHECK_PROCESSES: the workers are processes (else threads).
    check_processes: bool
    #: BOT_NAME: our token in X-Robots-Tag rules (``imagespider: noai``).
    user_agent_token: str
    #: Images between the downloader and a kept row: CONCURRENT_REQUESTS plus a few per worker.
    in_flight: int
    #: DOWNLOAD_MAXSIZE, named in a ``too_large`` drop.
    download_maxsize: int
    #: EXCLUDE_AI_GENERATED: images whose file says an algorithm made them are ``ai_generated``.
    exclude_ai_generated: bool

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> ImagesConfig:
        workers = max(1, settings.getint("IMAGES_WORKERS"))
        return cls(
            max_pixels=settings.getint("IMAGES_MAX_PIXELS"),
            workers=workers,
            check_processes=settings.getbool("IMAGES_CHECK_PROCESSES"),
            user_agent_token=str(settings.get("BOT_NAME")),
            # Items past this point hold a download or a body waiting for a worker. Scrapy pulls
            # every item a spider's start() yields at once, and loopback-fast downloads outrun the
            # checks: unbounded, a 2,000-image list held 1.4 GB of bodies (benchmarks/throughput.py).
            # The downloads the downloader may run, plus a few bodies per worker, keep both busy.
            in_flight=settings.getint("CONCURRENT_REQUESTS") + 4 * workers,
            download_maxsize=settings.getint("DOWNLOAD_MAXSIZE"),
            exclude_ai_generated=settings.getbool("EXCLUDE_AI_GENERATED"),
        )


class DatasetImagesPipeline(ImagesPipeline):
    def __init__(self, store_uri: str, *, crawler: Crawler) -> None:
        if is_object_store(store_uri):
            store_uri = normal_uri(store_uri)  # S3FilesStore glues its prefix to names as it is
        super().__init__(store_uri, crawler=crawler)
        self.config = ImagesConfig.from_settings(crawler.settings)
        self.dataset = store_of(crawler)
        self.dedup = DedupConfig.from_settings(crawler.settings)
        self.bounds = CheckBounds.from_settings(crawler.settings)
        self._checks = CheckPool(self.config.workers, self.config.check_processes, self.bounds)
        self._writer: ThreadPoolExecutor | None = None
        self._in_flight = asyncio.Semaphore(self.config.in_flight)
        #: A distributed job's shared sha256 and pHash claims (imagespider/distributed/state.py), or None.
        self.shared = worker_of(crawler)
        #: RSL documents an image's Link header names, from the crawl's one site-file cache.
        self.rsl = RslCache(crawler)

    def open_spider(self, spider: Any = None) -> None:
        super().open_spider()
        # IMAGES_MAX_PIXELS is the one knob: Pillow refuses at twice its own limit when opening
        # (DecompressionBombError), and warns above it, where inspect_image refuses anyway.
        Image.MAX_IMAGE_PIXELS = self.config.max_pixels
        warnings.filterwarnings("ignore", category=Image.DecompressionBombWarning)
        self._checks.start()
        self._writer = ThreadPoolExecutor(1, thread_name_prefix="imagespider-write")

    def close_spider(self, spider: Any = None) -> None:
        self._checks.shutdown()
        if self._writer is not None:
            self._writer.shutdown(wait=True)  # a file being written is finished, not cut short

    async def process_item(self, item: ImageItem, spider: Any = None) -> Any:
        url = item.image_url
        if urlsplit(url).scheme not in ("http", "https"):
            raise Rejected("unsupported_scheme", f"only http and https URLs are fetched: {url[:100]}")
        if self.dataset.has_url(url, item.label):
            raise Rejected("already_in_dataset", "this URL is in the manifest from an earlier crawl")
        if self.dataset.removed_in_review(url):
            raise Rejected("reviewed_removed", "this URL was removed from the store in a review")
        wait_for_room = getattr(self.dataset, "wait_for_room", None)
        if wait_for_room is not None:
            await wait_for_room()  # an object store that is slow: its puts waiting are bounded
        async with self._in_flight:
            return await super().process_item(item)

    def get_media_requests(self, item: ImageItem, info: MediaPipeline.SpiderInfo) -> list[Request]:
        headers = {"Referer": item.page_url} if item.page_url else None
        return [Request(item.image_url, headers=headers)]

    def media_to_download(self, request: Request, info: Any, *, item: Any = None) -> None:
        """Always download: the stored name depends on the bytes, not on the URL."""
        return None

    def media_failed(self, failure: Failure, request: Request, info: Any) -> Any:
        """Every way a download step ends early becomes one :class:`Rejected`, passed through
        the media pipeline as a :class:`QuietRejection` (a verdict, not an error to log)."""
        error = failure.value
        assert error is not None  # a Failure always holds its exception
        if isinstance(error, QuietRejection):
            raise error
        if isinstance(error, Rejected):
            raise QuietRejection(error)
        message = str(error) or type(error).__name__
        reason = failure_reason(error, message)
        if reason == "too_large" and "max size" not in message:
            message = f"the body grew past DOWNLOAD_MAXSIZE={self.config.download_maxsize} bytes"
        raise QuietRejection(Rejected(reason, message.splitlines()[0]))

    # Our items are always ImageItem, which the media pipeline passes as ``item``.
    async def media_downloaded(  # type: ignore[override]
        self, response: Response, request: Request, info: Any, *, item: ImageItem
    ) -> FileInfo:
        """Judge and store one download, and write what it proves onto ``item``, the one that
        asked for it: a second item with the same URL gets only the returned FileInfo (the
        media pipeline's cache) and is a duplicate (:meth:`item_completed`)."""
        if response.status != 200:
            raise Rejected("http_error", f"HTTP {response.status}")
        if not response.body:
            raise Rejected("empty", "zero-byte response")
        facts = await self._check(response.body, self._thumbnail_cutoff(item.label))
        embedded = facts.embedded
        expected = item.expected_sha256
        if expected and expected != facts.sha256:
            # A rebuild from a manifest: other bytes than those recorded are reported, never kept.
            raise Rejected("changed", f"expected sha256 {expected}, got {facts.sha256}")
        headers = read_headers(response.headers, self.config.user_agent_token)
        # Opt-outs and the file's own license statement are judged before anything is written.
        verdict = weigh(item.license, embedded, headers)
        if verdict.opt_out:
            raise Rejected(verdict.opt_out, verdict.detail)
        # RSL 1.0: a Link header naming the image's RSL document (rights/rsl.py), fetched once.
        links = rsl_links(v.decode("latin-1") for v in response.headers.getlist(b"Link"))
        if links and (found := await self.rsl.verdict(response.url, links, response.url)):
            document, rsl = found
            raise Rejected(rsl.reason, f"RSL {document} (the image's Link header): {rsl.rule} covers {response.url}")
        if verdict.ai_generated and self.config.exclude_ai_generated:
            raise Rejected("ai_generated", "; ".join(verdict.ai_evidence))
        policy = crawl_policy(self.crawler)
        reason = policy.check(verdict.license)
        if reason:
            lic = verdict.license
            raise Rejected(reason, f"{lic.label} ({lic.source}) fails -a license={policy}")
        file_name = f"{item.label}/{facts.sha256}.{EXTENSIONS[facts.format]}"
        if self.dataset.removed_in_review(sha256=facts.sha256):
            raise Rejected("reviewed_removed", "these bytes were removed from the store in a review")
        local = self._local_verdict(facts, expected)
        if local is not None:
            raise Rejected(*local)
        shared_phash = facts.phash if self.dedup.enabled and not expected else None
        if self.shared is not None:
            # Other workers of the job: the same bytes or a near twin claimed by any of them is a drop.
            # In the Redis thread (imagespider/distributed/redisio.py): awaited, so the store's own
            # answers above are asked again after it, with no await between them and the claim.
            refused = await self.shared.claim(facts.sha256, file_name, shared_phash, self.dedup.max_distance)
            if refused is not None:
                raise Rejected(*refused)
            local = self._local_verdict(facts, expected)
            if local is not None:
                self.shared.unclaim(facts.sha256, file_name, shared_phash, self.dedup.max_distance)
                raise Rejected(*local)
        # Decided and claimed on the reactor thread, with no await in between: no lock needed.
        self.dataset.claim(facts.sha256, file_name, facts.phash)
        try:
            await self._persist(file_name, response.body, info)
        except Exception as error:  # noqa: BLE001  (the download went through: the store refused it)
            self.dataset.unclaim(facts.sha256)
            if self.shared is not None:
                self.shared.unclaim(facts.sha256, file_name, shared_phash, self.dedup.max_distance)
            raise store_write_failed(self.crawler, file_name, error) from None
        if facts.thumbnail:
            self._write_thumbnail(file_name, facts.sha256, facts.thumbnail)
        self.inc_stats("downloaded")
        stored: FileInfo = {"url": request.url, "path": file_name, "checksum": facts.sha256, "status": "downloaded"}
        item.images = [dict(stored)]
        item.file_name = file_name
        item.sha256 = facts.sha256
        item.width, item.height, item.format = facts.width, facts.height, facts.format
        item.bytes = len(response.body)
        item.phash = facts.phash
        item.license = verdict.license
        # The source page's evidence (rights.page, pipelines/license.py) stays beside the file's.
        item.rights = {**item.rights, **embedded.to_dict(), **headers.to_dict(), **verdict.ai_dict()}
        item.retrieved_at = datetime.now(UTC).isoformat(timespec="seconds")
        if not item.author and embedded.creator:
            item.author = embedded.creator
        return stored

    def _local_verdict(self, facts: ImageFacts, expected: str | None) -> tuple[str, str] | None:
        """This store's (and this crawl's claims') verdict on the bytes: a duplicate, a near twin, or None."""
        holder = self.dataset.holder_of(facts.sha256)
        if holder is not None:
            return "duplicate", f"same bytes as {holder}"
        # Bytes pinned by a manifest were judged when first kept: a rebuild keeps them all.
        if self.dedup.enabled and facts.phash and not expected:
            # The store's hashes are in its index (imagespider/dataset/store/index.py), this crawl's claims in memory.
            twin = self.dataset.twin_of(facts.phash, self.dedup.max_distance)
            if twin is not None:
                return "near_duplicate", f"{twin.distance} bits from {twin.file_name}"
        return None

    async def _persist(self, file_name: str, body: bytes, info: Any) -> None:
        """Write the file in the one writer thread: creating and writing ~0.5 MB files took the
        reactor thread ~1.3 ms an image, which it then did not spend on downloads. One thread,
        so FSFilesStore's check-then-mkdir of a label folder never races itself. An object
        store's PUT goes to the store's own put threads (imagespider/dataset/objectstore/dataset.py), not
        to the thread pool other work shares, which a stalled store would fill."""
        if isinstance(self.store, S3FilesStore) and isinstance(self.dataset, ObjectDataset):
            await self.dataset.put_file(file_name, body, acl=self.store.POLICY)
            return
        if self._writer is None or not isinstance(self.store, FSFilesStore):
            await ensure_awaitable(self.store.persist_file(file_name, BytesIO(body), info))
            return
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(self._writer, self.store.persist_file, file_name, BytesIO(body), info)

    def _write_thumbnail(self, file_name: str, sha256: str, data: bytes) -> None:
        """Queue the report's thumbnail (made by the check worker) on the writer thread; the
        documents make any that is missing at the end (imagespider/dataset/documents/thumbnails.py)."""
        name = thumbnail_name({"file_name": file_name, "sha256": sha256})
        if name is None or self._writer is None or not isinstance(self.store, FSFilesStore):
            return  # an object store: the documents make thumbnails where they are written
        self._writer.submit(write_thumbnail, Path(self.store.basedir) / name, data)

    def _thumbnail_cutoff(self, label: str) -> str | None:
        """Whose thumbnail the check makes (imagespider/dataset/documents/thumbnails.py, ``sample_cutoff``):
        none for an object store (its documents make the sample's), else only an image the
        report could still show, by the store's index as it is now."""
        if not isinstance(self.dataset, Dataset) or self._writer is None or not isinstance(self.store, FSFilesStore):
            return ""
        return sample_cutoff(self.dataset.index.sample_last(label, SAMPLE))

    async def _check(self, body: bytes, thumbnail_cutoff: str | None) -> ImageFacts:
        """All the CPU work on one image (decode, sha256, phash, embedded rights), in one trip
        to a bounded worker (imagespider/pipelines/checkpool.py, CheckPool: memory, time, a
        crashed worker replaced); a verdict is raised as :class:`Rejected`."""
        args = (body, self.min_width, self.min_height, self.config.max_pixels, self.bounds, thumbnail_cutoff)
        result = await self._checks.run(check_image, *args)
        if isinstance(result, tuple):
            raise Rejected(*result)
        return result

    def item_completed(self, results: list[Any], item: ImageItem, info: Any) -> Any:
        ok, result = results[0]
        if not ok:
            error = result.value
            if isinstance(error, QuietRejection):
                raise error.rejected
            raise Rejected("download_error", str(error).splitlines()[0] if str(error) else type(error).__name__)
        if item.file_name is None:
            raise Rejected("duplicate", f"same URL as {result['path']}")
        return item
