"""One worker of a distributed crawl (``REDIS_URL`` set): what it shares and how it stays alive.

:func:`worker_for` is called by the spider as it is made (imagespider/spiders/base.py) and gives
None without ``REDIS_URL``, so a crawl without it is unchanged. With it, the spider's quotas become
:class:`~imagespider.distributed.quota.SharedQuota`, its queries come from the job's
:class:`~imagespider.distributed.feed.QueryFeed`, and the image pipeline claims bytes and pHashes
in the job's :class:`~imagespider.distributed.state.SharedState` (imagespider/pipelines/images.py).
While the spider is open, a loop renews this worker's leases every third of
``DISTRIBUTED_LEASE_SECONDS``; a killed worker stops renewing, and its queries and quota places
go to the others when the leases run out. Scrapy's requests go through scrapy-redis's scheduler
(imagespider/distributed/scheduler.py), set up by :class:`DistributedAddon`.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import weakref
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from typing import Any

from redis.exceptions import RedisError
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import CloseSpider
from scrapy.settings import BaseSettings

from imagespider.dataset.crawlstore import store_of
from imagespider.distributed.config import PREFIX, DistributedConfig, redact_url
from imagespider.distributed.feed import QueryFeed
from imagespider.distributed.quota import SharedQuota
from imagespider.distributed.redisio import RedisIO
from imagespider.distributed.state import SharedState
from imagespider.errors import FAILURE_PREFIX
from imagespider.quota import Quota

logger = logging.getLogger(__name__)

_WORKERS: weakref.WeakKeyDictionary[Crawler, Worker] = weakref.WeakKeyDictionary()


class DistributedAddon:
    """Scrapy add-on (``ADDONS`` in imagespider/settings.py): with ``REDIS_URL``, scrapy-redis's
    scheduler and dupefilter, persisted (a worker that ends first must not clear the queue the
    others still read). Set at add-on priority, so ``-s`` still overrides each."""

    def update_settings(self, settings: BaseSettings) -> None:
        if not DistributedConfig.from_settings(settings).enabled:
            return
        settings.set("SCHEDULER", "imagespider.distributed.scheduler.SharedScheduler", "addon")
        settings.set("DUPEFILTER_CLASS", "scrapy_redis.dupefilter.RFPDupeFilter", "addon")
        settings.set("SCHEDULER_PERSIST", True, "addon")


class Worker:
    def __init__(self, crawler: Crawler, config: DistributedConfig, namespace: str, spider: str = "") -> None:
        self.crawler = crawler
        #: The spider's name: a job is one spider's.
        self.spider = spider
        self.config = config
        self.namespace = namespace
        self.state = SharedState.from_url(config.redis_url, namespace, lease_seconds=config.lease_seconds)
        #: Every Redis call of this worker, off the reactor thread (imagespider/distributed/redisio.py).
        self.io = RedisIO()
        self.feed = QueryFeed(self.state.redis, namespace, lease_seconds=config.lease_seconds,
                              per_worker=config.queries_per_worker, io=self.io)
        self.quotas: dict[str, SharedQuota] = {}
        #: Callables naming more work in flight here whose leases to renew (the urls spider's chunks).
        self.busy_sources: list[Callable[[], list[str]]] = []
        self._renewing: asyncio.Task[None] | None = None
        crawler.signals.connect(self._opened, signal=signals.spider_opened)
        crawler.signals.connect(self._closed, signal=signals.spider_closed)

    def share_quotas(self, quotas: Mapping[Any, Quota], key: Callable[[Any], str]) -> dict[Any, Quota]:
        """The spider's quotas, each now held in Redis under ``key(quota's key)``."""
        shared: dict[Any, Quota] = {}
        made: dict[int, SharedQuota] = {}  # one quota several keys share (top-up: a label's queries) stays one
        for name, quota in quotas.items():
            if id(quota) not in made:
                self.quotas[key(name)] = made[id(quota)] = SharedQuota(
                    self.state, key(name), quota.limit, poll_seconds=self.feed.poll_seconds,
                    row_exists=self.row_exists, io=self.io,
                )
            shared[name] = made[id(quota)]
        return shared

    def row_exists(self, file_name: str) -> bool | Awaitable[bool]:
        """Whether the store holds the row of ``file_name`` (a killed worker's commit, resolved):
        a local store's index answers here; an object store's HEAD is awaited in a thread."""
        dataset = store_of(self.crawler)
        has_row_soon = getattr(dataset, "has_row_soon", None)
        return has_row_soon(file_name) if has_row_soon is not None else dataset.has_row(file_name)

    async def has_url(self, image_url: str, label: str) -> bool:
        """Kept by any worker of the job (asked in the Redis thread)."""
        return await self.io.call(self.state.has_url, image_url, label)

    async def has_urls(self, rows: Sequence[tuple[str, str]]) -> list[bool]:
        """:meth:`has_url` of each ``(image_url, label)``, in one call in the Redis thread."""
        return await self.io.call(self.state.has_urls, rows)

    async def claim(self, sha256: str, file_name: str, phash: str | None, max_distance: int) -> tuple[str, str] | None:
        """:meth:`SharedState.claim`, in the Redis thread."""
        return await self.io.call(self.state.claim, sha256, file_name, phash, max_distance)

    def unclaim(self, sha256: str, file_name: str, phash: str | None, max_distance: int) -> None:
        self.io.send(self.state.unclaim, sha256, file_name, phash, max_distance)

    def keep_row(self, sha256: str, file_name: str, image_url: str, label: str) -> None:
        """A row is written: its bytes' claim is for good, its URL known to all (sent, in order)."""
        self.io.send(self.state.keep_row, sha256, file_name, image_url, label)

    def _opened(self, **_: Any) -> None:
        # One job, one spider: with a DISTRIBUTED_JOB given to two spiders, one's requests in the
        # shared queue name callbacks the other does not have (a ValueError in the scheduler).
        key = f"{self.namespace}:spider"
        try:
            owner = self.state.redis.get(key) if not self.state.redis.set(key, self.spider, nx=True) else self.spider
        except RedisError as error:
            # Past the check before the crawl (imagespider/distributed/config.py, check_redis):
            # raised from a signal handler, it would be Scrapy's traceback, then the start's.
            first = (str(error) or type(error).__name__).splitlines()[0][:300]
            logger.error(
                "job %s: Redis at %s refused this worker's first write (%s: %s); give REDIS_URL a writable "
                "primary, with a user allowed to write %s:* keys",
                self.namespace.partition(":")[2], self._where(), type(error).__name__, first, PREFIX,
            )
            raise CloseSpider(FAILURE_PREFIX + "redis_write") from None
        if owner != self.spider:
            logger.error(
                "job %s is a %s job; this %s worker cannot join it: give it a DISTRIBUTED_JOB of its own",
                self.namespace.partition(":")[2], owner, self.spider,
            )
            raise CloseSpider(FAILURE_PREFIX + "job_spider_differs")
        logger.info("distributed crawl: job %s on %s", self.namespace, self._where())
        self._renewing = asyncio.get_running_loop().create_task(self._renew_forever())

    def _where(self) -> str:
        """Redis's host (and path), never its user or password."""
        return redact_url(self.config.redis_url).split("@")[-1]

    async def _renew_forever(self) -> None:
        while True:
            await asyncio.sleep(self.config.lease_seconds / 3)
            try:
                await self.renew()
            except Exception as error:  # noqa: BLE001 (Redis away a moment: the next round retries)
                logger.warning("could not renew this worker's leases in Redis: %s", error)

    async def renew(self) -> None:
        """Renew what this worker holds: read here, on the reactor thread, renewed in the Redis thread."""
        held = [quota.snapshot() for quota in self.quotas.values() if quota.leases or quota.committed]
        busy = [key for key, _, _ in held]
        for source in self.busy_sources:
            busy += source()
        self.feed.keep(await self.io.call(self._renew, held, self.feed.live(busy)))

    def _renew(self, held: list[tuple[str, list[str], list[str]]], live: list[str]) -> list[str]:
        for key, leases, committed in held:
            self.state.renew(key, leases, committed)
        self.state.renew_claims()
        return self.feed.renew_in_redis(live)

    def _closed(self, **_: Any) -> None:
        if self._renewing is not None:
            self._renewing.cancel()
        self.io.send(self.feed.release)
        self.io.close()  # what was sent reaches Redis before the process ends (socket timeouts bound it)


def worker_for(crawler: Crawler, spider: str, arguments: Mapping[str, Any]) -> Worker | None:
    """This crawl's worker (made once), or None when ``REDIS_URL`` is not set."""
    if crawler in _WORKERS:
        return _WORKERS[crawler]
    config = DistributedConfig.from_settings(crawler.settings)
    if not config.enabled:
        return None
    namespace = config.namespace(spider, arguments, str(crawler.settings.get("IMAGES_STORE")))
    worker = _WORKERS[crawler] = Worker(crawler, config, namespace, spider)
    return worker


def worker_of(crawler: Crawler) -> Worker | None:
    """The worker :func:`worker_for` made for this crawl, if any (the pipelines ask)."""
    return _WORKERS.get(crawler)


def query_key(text: str, label: str) -> str:
    """A search query as one Redis string (its quota key and its item in the query list)."""
    return json.dumps([text, label], ensure_ascii=False)


def fingerprint(items: Iterable[str]) -> str:
    """A list in 16 hex digits (a job's queries, or a URL list's rows, read one at a time: a
    million-row list is not joined into one string first)."""
    digest = hashlib.sha256()
    for n, item in enumerate(items):
        digest.update(f"\n{item}".encode() if n else item.encode())
    return digest.hexdigest()[:16]
