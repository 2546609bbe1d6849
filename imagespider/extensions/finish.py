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
``engine._slot.nextcall`` is the one the engine itself uses, and an engine without it (another
Scrapy version) only means the crawl waits for the heartbeat again.
"""

from __future__ import annotations

from typing import Any, Self

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.utils.asyncio import call_later


class PromptFinishExtension:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        extension = cls(crawler)
        for signal in (signals.item_scraped, signals.item_dropped, signals.item_error):
            crawler.signals.connect(extension.item_settled, signal=signal)
        return extension

    def item_settled(self, **_: Any) -> None:
        slot = getattr(self.crawler.engine, "scraper", None) and self.crawler.engine.scraper.slot
        if slot is not None:
            call_later(0, self._when_uncounted, slot.itemproc_size, _MAX_TURNS)

    def _when_uncounted(self, counted: int, turns: int) -> None:
        engine = self.crawler.engine
        nextcall = getattr(getattr(engine, "_slot", None), "nextcall", None)
        slot = getattr(engine, "scraper", None) and engine.scraper.slot
        if nextcall is None or slot is None:
            return  # the spider is closing or closed
        if slot.itemproc_size < counted or turns <= 0:
            nextcall.schedule()
        else:
            call_later(0, self._when_uncounted, counted, turns - 1)


#: Loop turns to wait for an item to leave the count (measured: one); then the heartbeat decides.
_MAX_TURNS = 50
