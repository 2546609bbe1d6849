"""SharedQuota: the :class:`~imagespider.spiders.quota.Quota` of one query, held in Redis.

Same interface as the local quota, so spiders and pipelines do not change: each place a worker
takes is a lease in imagespider/distributed/state.py (``kept + live leases < limit`` checked and
the lease taken in one Lua step), each settled item ends one lease, and the kept count is the
shared counter. Waiting is local (a settle here wakes it) plus a short poll (a settle elsewhere).
Places are fungible: an item ends whichever lease this worker holds for its query. Just before a
kept item's row is written, its lease becomes a commit named by its file (:meth:`SharedQuota.commit`,
from imagespider/pipelines/metadata.py); a commit a killed worker left is resolved against the store
(``row_exists``) once stale, when a worker finds no room.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from imagespider.distributed.state import SharedState
from imagespider.spiders.quota import Quota


class SharedQuota(Quota):
    def __init__(self, state: SharedState, key: str, limit: int, poll_seconds: float = 0.5,
                 row_exists: Callable[[str], bool] | None = None) -> None:
        super().__init__(limit)
        self.state = state
        self.key = key
        self.poll_seconds = poll_seconds
        #: Whether the store holds a file's row (resolves a killed worker's commits); None = never resolve.
        self.row_exists = row_exists
        #: The leases this worker holds for this query, one per result in flight here.
        self.leases: list[str] = []
        #: Files whose rows this worker is writing (their places held by commits).
        self.committed: set[str] = set()

    @property  # type: ignore[override]
    def kept(self) -> int:
        return self.state.kept(self.key)

    @kept.setter
    def kept(self, value: int) -> None:
        # Quota.__init__ sets 0; a resumed or topped-up job seeds the count once, for all workers.
        if value:
            self.state.seed_kept(self.key, value)

    @property  # type: ignore[override]
    def pending(self) -> int:
        return len(self.leases) + len(self.committed)

    @pending.setter
    def pending(self, value: int) -> None:
        pass  # the leases are the count

    async def _wait(self) -> None:
        self._changed.clear()
        try:
            await asyncio.wait_for(self._changed.wait(), self.poll_seconds)
        except TimeoutError:
            pass

    async def wait_for_room(self) -> bool:
        while not self.state.room(self.key, self.limit):
            if self.full:
                return False
            if not self.resolve_stale():
                await self._wait()
        return not self.full

    async def acquire(self) -> bool:
        self.resolve_stale()  # one HGETALL: a killed worker's rows are counted before anything starts
        while True:
            lease = self.state.reserve(self.key, self.limit)
            if lease is not None:
                self.leases.append(lease)
                return True
            if self.full:
                return False
            if not self.resolve_stale():
                await self._wait()

    def resolve_stale(self) -> int:
        """Count or free the commits a killed worker left (their row written or not); how many."""
        if self.row_exists is None:
            return 0
        stale = [name for name in self.state.stale_commits(self.key) if name not in self.committed]
        for file_name in stale:
            self.state.resolve(self.key, file_name, self.row_exists(file_name))
        return len(stale)

    def commit(self, file_name: str) -> None:
        lease = self.leases.pop() if self.leases else ""
        self.state.commit(self.key, lease, file_name)
        self.committed.add(file_name)

    def settle_item(self, item: Any, kept: bool) -> None:
        file_name = getattr(item, "file_name", None)
        if file_name in self.committed:
            self.committed.discard(file_name)
            self.state.settle(self.key, "", kept=kept, file_name=file_name)
            if not kept:
                self.dropped += 1
            self._changed.set()
            return
        self.settle(kept)

    def take(self) -> None:
        lease = self.state.reserve(self.key, self.limit)
        if lease is not None:
            self.leases.append(lease)

    def give_back(self) -> None:
        if self.leases:
            self.state.settle(self.key, self.leases.pop(), kept=False)
        self._changed.set()

    def settle(self, kept: bool) -> None:
        if self.leases:
            self.state.settle(self.key, self.leases.pop(), kept=kept)
        elif kept:
            self.state.settle(self.key, "", kept=True)  # a lease lost with a restart: the row still counts
        if not kept:
            self.dropped += 1
        self._changed.set()

    def renew(self) -> None:
        """This worker is alive: keep its leases and commits."""
        self.state.renew(self.key, self.leases, sorted(self.committed))
