"""The crawl's one cache of site signals: every robots.txt, site file and source page, by host.

Each entry is the future of one fetch, so the first asker starts it and every later one waits for
the same answer. Two bounds hold whatever a crawl meets: a number of hosts (past it, the least
recently asked host is forgotten with all it held: its robots.txt, site files and pages) and a
total weight (past it, the least recently asked entries go, whichever host they belong to, so a
gallery site of ten thousand pages cannot push out the robots.txt of the host every other image
comes from). An entry weighs 1 while its fetch runs and what its fetcher says once done. The
newest entry is always kept, even alone over the weight, so an asker never waits in vain. What
is forgotten is fetched again when next asked.

Pure asyncio, no Scrapy: imagespider/sitesignals/fetch.py puts it in front of the engine.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Callable, Hashable
from functools import partial
from typing import Any

__all__ = ["SiteCache"]

Key = tuple[str, Hashable]


class SiteCache:
    """Futures by (host, key), least recently asked forgotten first past either bound."""

    def __init__(self, max_hosts: int, max_weight: int) -> None:
        if max_hosts < 1 or max_weight < 1:
            raise ValueError(f"a site cache holds at least one host and one unit, got {max_hosts}, {max_weight}")
        self.max_hosts = max_hosts
        self.max_weight = max_weight
        self._entries: OrderedDict[Key, asyncio.Future[Any]] = OrderedDict()
        self._hosts: OrderedDict[str, set[Hashable]] = OrderedDict()
        self._weights: dict[Key, int] = {}
        #: The sum of what every kept entry weighs.
        self.weight = 0

    def __len__(self) -> int:
        return len(self._entries)

    def hosts(self) -> list[str]:
        """The hosts kept, least recently asked first."""
        return list(self._hosts)

    def keys(self, host: str) -> list[Hashable]:
        """The keys kept for ``host``, least recently asked first."""
        held = self._hosts.get(host, set())
        return [key for (h, key) in self._entries if h == host and key in held]

    def find(self, host: str, key: Hashable) -> asyncio.Future[Any] | None:
        """The entry's future, marked as just asked; None when it is not kept."""
        future = self._entries.get((host, key))
        if future is not None:
            self._entries.move_to_end((host, key))
            self._hosts.move_to_end(host)
        return future

    def add(self, host: str, key: Hashable, future: asyncio.Future[Any], weigh: Callable[[Any], int]) -> None:
        """Keep ``future`` (its fetch under way); once done it weighs ``weigh(result)``."""
        self._forget((host, key))
        self._entries[(host, key)] = future
        self._hosts.setdefault(host, set()).add(key)
        self._hosts.move_to_end(host)
        self._weights[(host, key)] = 1
        self.weight += 1
        future.add_done_callback(partial(self._weigh, (host, key), weigh))
        self._evict()

    def _weigh(self, entry: Key, weigh: Callable[[Any], int], future: asyncio.Future[Any]) -> None:
        if self._entries.get(entry) is not future:
            return  # forgotten meanwhile
        if future.cancelled() or future.exception() is not None:
            self._forget(entry)  # a fetch that failed outright is tried again by the next asker
            return
        try:
            weight = max(1, int(weigh(future.result())))
        except Exception:  # noqa: BLE001  (a weight we cannot tell is the least one)
            weight = 1
        self.weight += weight - self._weights[entry]
        self._weights[entry] = weight
        self._evict()

    def _forget(self, entry: Key) -> None:
        if self._entries.pop(entry, None) is None:
            return
        self.weight -= self._weights.pop(entry, 0)
        host, key = entry
        keys = self._hosts.get(host)
        if keys is not None:
            keys.discard(key)
            if not keys:
                del self._hosts[host]

    def _evict(self) -> None:
        while len(self._hosts) > self.max_hosts:
            host, keys = self._hosts.popitem(last=False)
            for key in keys:
                self._forget((host, key))
        while self.weight > self.max_weight and len(self._entries) > 1:
            self._forget(next(iter(self._entries)))
