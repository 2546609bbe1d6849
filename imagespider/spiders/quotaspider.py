"""QuotaSpider: what the search spiders and the urls spider share.

Arguments parsed once (``check_arguments``, also called by our ``crawl`` command before the crawl
starts, so a bad ``-a`` is one line and a non-zero exit), and a :class:`Quota` per key (a query, a
label) that the pipelines settle through Scrapy's item signals, shared through Redis in a
distributed job.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import Any, ClassVar, Generic, Self, TypeVar

import scrapy
from scrapy.crawler import Crawler
from scrapy.settings import BaseSettings

from imagespider.distributed.worker import Worker, worker_for
from imagespider.items import ImageItem
from imagespider.quota import Quota, settle_on_signals

ArgsT = TypeVar("ArgsT")
KeyT = TypeVar("KeyT", bound=Hashable)


class QuotaSpider(scrapy.Spider, Generic[ArgsT, KeyT]):
    """Arguments parsed once, and a :class:`Quota` per key that item outcomes settle: what the
    search spiders (a quota per query) and the urls spider (per label) share."""

    args: ArgsT
    #: The ``-a`` arguments as given, for the store's crawls.jsonl.
    arguments: dict[str, str]
    quotas: dict[KeyT, Quota]
    #: This crawl's part in a distributed job (``REDIS_URL`` set), else None.
    worker: Worker | None = None
    #: Whether this spider can be a worker of a distributed job (our ``crawl`` command refuses
    #: ``REDIS_URL`` otherwise): its requests' callbacks must be its own methods.
    distributable: ClassVar[bool] = True

    @classmethod
    def check_arguments(cls, kwargs: Mapping[str, str], settings: BaseSettings) -> ArgsT:
        """Parse every ``-a``; raises ArgumentError with a one-line message. Our ``crawl``
        command calls it before the crawl starts."""
        raise NotImplementedError

    def make_quotas(self) -> dict[KeyT, Quota]:
        """The quotas for :attr:`args`, by key; a key without one has no limit."""
        raise NotImplementedError

    def quota_key(self, item: ImageItem) -> KeyT:
        raise NotImplementedError

    def shared_key(self, key: KeyT) -> str:
        """A quota's key as a Redis string (distributed crawls)."""
        return str(key)

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.args = cls.check_arguments(kwargs, crawler.settings)
        spider.arguments = dict(kwargs)
        spider.quotas = spider.make_quotas()
        spider.worker = worker_for(crawler, spider.name, kwargs)
        if spider.worker is not None:
            spider.quotas = spider.worker.share_quotas(spider.quotas, spider.shared_key)
        settle_on_signals(crawler, spider.quota_for)
        return spider

    def quota_for(self, item: Any) -> Quota | None:
        if not isinstance(item, ImageItem):
            return None
        return self.quotas.get(self.quota_key(item))
