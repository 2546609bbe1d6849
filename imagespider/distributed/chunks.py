"""The ``urls`` spider's list shared by N workers: its rows handed out in chunks from Redis.

A URL list has no queries; its unit of work is a chunk of ``DISTRIBUTED_CHUNK_ROWS`` rows, named
``rows:<first>-<end>`` and handed out by the same :class:`~imagespider.distributed.feed.QueryFeed`
as a search's queries (seeded once, leased, taken over when a worker dies). A chunk is done once
all its rows were handed out and every item made from them settled (kept or dropped); until then
its worker renews its lease. Every worker reads the same list file, so a chunk name is enough; the
job keeps the list's fingerprint, and a worker whose file differs is refused (its row numbers would
name other rows).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from scrapy.crawler import Crawler

from imagespider.distributed.feed import QueryFeed
from imagespider.outcomes import Outcome, on_item_settled


def chunk_names(rows: int, size: int) -> list[str]:
    return [f"rows:{first}-{min(first + size, rows)}" for first in range(0, rows, size)]


def chunk_span(name: str) -> slice:
    first, _, end = name.removeprefix("rows:").partition("-")
    return slice(int(first), int(end))


class RowChunks:
    """Which chunk each item in flight came from, so a chunk ends when its last item settles."""

    def __init__(self, feed: QueryFeed, rows: int, size: int, fingerprint: str) -> None:
        self.feed = feed
        self.names = chunk_names(rows, size)
        #: The list's rows in one string: a worker given another file (the same path elsewhere,
        #: or the file edited since the job began) must not be handed rows by number.
        self.fingerprint = fingerprint
        self._open: dict[str, int] = {}
        self._of: dict[int, str] = {}
        self._handing_out: set[str] = set()

    def watch(self, crawler: Crawler) -> None:
        on_item_settled(crawler, self._settled)

    def seed(self) -> bool:
        """Seed the job's list with this list's chunks, once per job; raises
        :class:`~imagespider.distributed.feed.OtherList` if the job holds another list."""
        return self.feed.seed(self.names, self.fingerprint)

    async def take(self) -> AsyncIterator[str]:
        async for name in self.feed.queries():
            self._handing_out.add(name)
            self._open.setdefault(name, 0)
            yield name
            self._handing_out.discard(name)
            self._maybe_done(name)

    def started(self, name: str, item: Any) -> None:
        self._of[id(item)] = name
        self._open[name] = self._open.get(name, 0) + 1
        self.feed.touch(name)

    def busy(self) -> list[str]:
        """Chunks with items in flight here (their leases are renewed)."""
        return [name for name, count in self._open.items() if count or name in self._handing_out]

    def _settled(self, item: Any, outcome: Outcome) -> None:
        name = self._of.pop(id(item), None)
        if name is None:
            return
        self._open[name] -= 1
        self.feed.touch(name)
        self._maybe_done(name)

    def _maybe_done(self, name: str) -> None:
        if name not in self._handing_out and not self._open.get(name):
            self._open.pop(name, None)
            self.feed.done(name)
