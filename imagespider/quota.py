"""How many images a query may still start downloading, so it keeps exactly ``limit``.

A result is *pending* from the moment the spider hands it out until the pipelines keep or drop
it. The spider hands out another only while ``kept + pending < limit``; a drop frees a place for
the next result, a keep fills it. The query never keeps more than its limit and, when the engine
has enough usable results, never fewer.

It sits below both its users, the spiders and the distributed worker's Redis-held quota
(imagespider/distributed/quota.py), so neither imports the other for it (docs/development.md, "Layers").
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from scrapy.crawler import Crawler

from imagespider.outcomes import Outcome, on_item_settled


class Quota:
    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.kept = 0
        self.pending = 0
        self.dropped = 0
        #: Results settled since the last kept one, all dropped (a paged API ends a query on it).
        self.dropped_in_a_row = 0
        self._changed = asyncio.Event()

    @property
    def full(self) -> bool:
        return self.kept >= self.limit

    async def wait_for_room(self) -> bool:
        """Wait until one more result may start; False once the limit is kept."""
        while not self.full and self.kept + self.pending >= self.limit:
            self._changed.clear()
            await self._changed.wait()
        return not self.full

    def take(self) -> None:
        self.pending += 1

    async def acquire(self) -> bool:
        """Wait for room and take it in one step; False once the limit is kept. (Shared by N
        workers, imagespider/distributed/quota.py, room seen is not room held, so callers that
        start a result use this rather than :meth:`wait_for_room` then :meth:`take`.)"""
        if not await self.wait_for_room():
            return False
        self.take()
        return True

    def give_back(self) -> None:
        """Return a place taken but not used (the crawl is stopping)."""
        self.pending = max(0, self.pending - 1)
        self._changed.set()

    async def commit(self, file_name: str) -> None:
        """An item's row is about to be written (a shared quota marks its place, see
        imagespider/distributed/quota.py; here nothing to do)."""

    def settle_item(self, item: Any, kept: bool) -> None:
        """Settle the place ``item`` took."""
        self.settle(kept)

    def settle(self, kept: bool) -> None:
        self.pending = max(0, self.pending - 1)
        if kept:
            self.kept += 1
        self.count_outcome(kept)
        self._changed.set()

    def count_outcome(self, kept: bool) -> None:
        """Count a drop, and the drops since the last keep."""
        if kept:
            self.dropped_in_a_row = 0
        else:
            self.dropped += 1
            self.dropped_in_a_row += 1

    async def wait_settled(self) -> None:
        """Wait until nothing is pending (used before deciding the engine must give more)."""
        while self.pending and not self.full:
            self._changed.clear()
            await self._changed.wait()


def settle_on_signals(crawler: Crawler, quota_for: Callable[[Any], Quota | None]) -> None:
    """Settle an item's quota when the pipelines keep it, drop it or fail on it.

    Every item settles exactly once (imagespider/outcomes.py), so a place taken by
    :meth:`Quota.take` is always given back.
    """

    def settled(item: Any, outcome: Outcome) -> None:
        quota = quota_for(item)
        if quota is not None:
            quota.settle_item(item, kept=outcome.kept)

    on_item_settled(crawler, settled)
