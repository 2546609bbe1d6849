"""scrapy-redis's scheduler, with the job's keys and a worker-local lane.

scrapy-redis 0.9.1's ``Scheduler`` and ``RFPDupeFilter`` work unchanged on Scrapy 2.19 (only its
``RedisSpider`` does not: it feeds ``start_requests``, which 2.19 no longer calls; our spiders keep
their ``async def start()``). Two things are added, both through its public attributes:

* the keys are the job's (``imagespider:<job>:requests`` and ``:dupefilter``, see
  imagespider/distributed/config.py) rather than the spider's name, so two jobs of one spider
  never read each other's requests;
* a request whose meta holds ``LOCAL_META`` stays in this worker (a plain in-memory queue): a call
  whose answer only this worker can use (Flickr's license table, read before its searches).

Every other request is pickled into Redis with Scrapy's ``Request.to_dict``: callbacks must be
spider methods (they are), and meta must pickle (the browser's ``playwright`` options do; the
live ``playwright_page`` is only ever in a response's meta, never in a scheduled request).

scrapy-redis calls Redis from the engine's own calls (``enqueue_request``, ``next_request``), on
the reactor thread: a Redis that stalled five seconds stalled every download five seconds (issue
28). Here those calls only touch two local queues, and one thread of the scheduler's own moves
requests between them and Redis: new requests out (through the dupefilter), and at most
:data:`PREFETCH` requests in, ahead of the engine's asking. A request taken in and not yet handed
out when the crawl closes goes back to Redis; one a killed worker held is lost as it was with
scrapy-redis alone (its query comes back to another worker when its lease runs out).
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from typing import Any

from scrapy import Request
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.scheduler import Scheduler

from imagespider.distributed.config import LOCAL_META
from imagespider.distributed.worker import worker_of
from imagespider.scrapy_compat import wake_engine

__all__ = ["LOCAL_META", "SharedScheduler"]

logger = logging.getLogger(__name__)

#: Requests taken from Redis ahead of the engine's asking (one worker does not hoard the job's queue).
PREFETCH = 4
#: Seconds the scheduler's thread waits between looks at Redis when nothing wakes it.
POLL_SECONDS = 0.5


class SharedScheduler(Scheduler):  # type: ignore[misc]  # scrapy-redis has no type hints
    crawler: Any = None
    local: deque[Request]
    counts: Any = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> SharedScheduler:
        scheduler: SharedScheduler = super().from_crawler(crawler)
        scheduler.crawler = crawler
        scheduler.local = deque()
        # Counted here: scrapy-redis passes ``spider=`` to the stats, which Scrapy 2.19 deprecates.
        scheduler.counts = scheduler.stats
        scheduler.stats = None
        return scheduler

    def open(self, spider: Any) -> Any:
        worker = worker_of(self.crawler)
        if worker is not None:
            self.queue_key = f"{worker.namespace}:requests"
            self.df = RFPDupeFilter(
                self.server, key=f"{worker.namespace}:dupefilter",
                debug=self.crawler.settings.getbool("DUPEFILTER_DEBUG"),
            )
        opened = super().open(spider)
        self.outbox: deque[Request] = deque()
        self.inbox: deque[Request] = deque()
        #: Requests in Redis as last seen, and requests the thread holds between the queues.
        self.remote, self.in_hand = len(self.queue), 0
        self._wake, self._stop = threading.Event(), threading.Event()
        self._thread = threading.Thread(target=self._move, name="imagespider-scheduler", daemon=True)
        self._thread.start()
        return opened

    def close(self, reason: str) -> Any:
        self._stop.set()
        self._wake.set()
        self._thread.join()
        try:
            self._flush()
            while self.inbox:  # taken in but never handed out: back to the job's queue
                self.queue.push(self.inbox.popleft())
        except Exception as error:  # noqa: BLE001 (Redis gone at close: the requests' queries come back by lease)
            logger.warning("could not give %d requests back to Redis: %s", len(self.inbox) + len(self.outbox), error)
        return super().close(reason)

    def enqueue_request(self, request: Request) -> bool:
        if request.meta.get(LOCAL_META):
            self.local.append(request)
            return True
        # To Redis from the scheduler's thread (the dupefilter too: a request it has seen is
        # dropped there, counted as ``scheduler/dropped/seen``).
        self.outbox.append(request)
        self._wake.set()
        return True

    def next_request(self) -> Request | None:
        if self.local:
            return self.local.popleft()
        if not self.inbox:
            self._wake.set()
            return None
        request = self.inbox.popleft()
        self._wake.set()
        if self.counts is not None:
            self.counts.inc_value("scheduler/dequeued/redis")
        return request

    def has_pending_requests(self) -> bool:
        return bool(self.local or self.inbox or self.outbox or self.in_hand or self.remote)

    def __len__(self) -> int:
        return len(self.local) + len(self.inbox) + len(self.outbox) + self.in_hand + self.remote

    # -- the scheduler's thread: every Redis call of the scheduler ----------------------------

    def _move(self) -> None:
        from twisted.internet import reactor  # noqa: PLC0415 (installed by Scrapy before any scheduler opens)

        while not self._stop.is_set():
            self._wake.wait(POLL_SECONDS)
            self._wake.clear()
            if self._stop.is_set():
                return
            try:
                self._flush()
                took = False
                while len(self.inbox) < PREFETCH:
                    self.in_hand += 1
                    try:
                        request = self.queue.pop(0)
                        if request is None:
                            break
                        self.inbox.append(request)
                        took = True
                    finally:
                        self.in_hand -= 1
                self.remote = len(self.queue)
                if took:
                    reactor.callFromThread(wake_engine, self.crawler.engine)
            except Exception as error:  # noqa: BLE001 (Redis away a moment: the next round retries)
                logger.warning("the shared request queue in Redis did not answer: %s", error)
                self._stop.wait(POLL_SECONDS)

    def _flush(self) -> None:
        """New requests to Redis, through the dupefilter (a request it has seen is dropped)."""
        from twisted.internet import reactor  # noqa: PLC0415

        while self.outbox:
            request = self.outbox[0]
            if request.dont_filter or not self.df.request_seen(request):
                self.queue.push(request)
                if self.counts is not None:
                    reactor.callFromThread(self.counts.inc_value, "scheduler/enqueued/redis")
            elif self.counts is not None:
                reactor.callFromThread(self.counts.inc_value, "scheduler/dropped/seen")
            self.outbox.popleft()
