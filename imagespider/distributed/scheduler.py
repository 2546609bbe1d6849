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
"""

from __future__ import annotations

from collections import deque
from typing import Any

from scrapy import Request
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.scheduler import Scheduler

from imagespider.distributed.config import LOCAL_META
from imagespider.distributed.worker import worker_of

__all__ = ["LOCAL_META", "SharedScheduler"]


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
        return super().open(spider)

    def enqueue_request(self, request: Request) -> bool:
        if request.meta.get(LOCAL_META):
            self.local.append(request)
            return True
        queued = bool(super().enqueue_request(request))
        if queued and self.counts is not None:
            self.counts.inc_value("scheduler/enqueued/redis")
        return queued

    def next_request(self) -> Request | None:
        if self.local:
            return self.local.popleft()
        request: Request | None = super().next_request()
        if request is not None and self.counts is not None:
            self.counts.inc_value("scheduler/dequeued/redis")
        return request

    def has_pending_requests(self) -> bool:
        return bool(self.local) or bool(super().has_pending_requests())

    def __len__(self) -> int:
        return len(self.local) + int(super().__len__())
