"""PromptFinishExtension: end a crawl as soon as its last item settles, not at the next heartbeat.

Scrapy's engine decides a spider is done (``spider_is_idle``: nothing scheduled, downloading or
in the item pipelines, and ``start()`` exhausted) only when its ``nextcall`` runs. A request
finishing schedules it; an item coming out of the pipelines does not. The urls spider's items
come from ``start()`` and the image downloads are the media pipeline's own, so the last thing to
happen is an item settling, and the crawl sat idle until the engine's 5-second heartbeat
(a 10-image crawl took 5.4 s, 1 s of it working).

Every item ends in exactly one of ``item_scraped``, ``item_dropped`` or ``item_error``; after
each we ask the engine for a ``nextcall`` (the same call a finished request makes), which sees
the crawl idle and closes it, ``spider_idle`` handlers (``DontCloseSpider``) honoured as ever.
The signal is sent while the item is still counted in the scraper's ``itemproc_size`` (it is
uncounted a few loop turns later, in a ``finally``), so we wait, one loop turn at a time, until
the count has dropped below what it was at the signal. ``nextcall`` is ``CallLaterOnce``: many
items settling at once cost one call. Scrapy has no public API for "check whether idle now";
the engine's own ``nextcall`` is reached through imagespider/scrapy_compat.py, and an engine
without it (another Scrapy version) only means the crawl waits for the heartbeat again.
"""

from __future__ import annotations

from typing import Any, Self

from scrapy.crawler import Crawler
from scrapy.utils.asyncio import call_later

from imagespider.outcomes import Outcome, on_item_settled
from imagespider.scrapy_compat import items_in_pipelines, wake_engine


class PromptFinishExtension:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        extension = cls(crawler)
        on_item_settled(crawler, extension.item_settled)
        return extension

    def item_settled(self, item: Any, outcome: Outcome) -> None:
        counted = items_in_pipelines(self.crawler.engine)
        if counted is not None:
            call_later(0, self._when_uncounted, counted, _MAX_TURNS)

    def _when_uncounted(self, counted: int, turns: int) -> None:
        engine = self.crawler.engine
        now = items_in_pipelines(engine)
        if now is None:
            return  # the spider is closing or closed
        if now < counted or turns <= 0:
            wake_engine(engine)
        else:
            call_later(0, self._when_uncounted, counted, turns - 1)


#: Loop turns to wait for an item to leave the count (measured: one); then the heartbeat decides.
_MAX_TURNS = 50
