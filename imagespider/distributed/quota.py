"""SharedQuota: the :class:`~imagespider.quota.Quota` of one query, held in Redis.

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
from collections.abc import Awaitable, Callable
from typing import Any

from imagespider.distributed.redisio import RedisIO
from imagespider.distributed.state import SharedState
from imagespider.quota import Quota

#: Whether the store holds a file's row, answered on the reactor thread (a local store's index
#: lives there) or awaited (an object store's HEAD runs in a thread of its own).
RowExists = Callable[[str], bool | Awaitable[bool]]


class SharedQuota(Quota):
    """Every Redis call goes through ``io`` (imagespider/distributed/redisio.py), never on the
    reactor thread: what the spider must know before it starts a result (a lease, room) is
    awaited; counts are sent, and :attr:`kept` is the count as last heard from Redis."""

    def __init__(self, state: SharedState, key: str, limit: int, poll_seconds: float = 0.5,
                 row_exists: RowExists | None = None, io: RedisIO | None = None) -> None:
        super().__init__(limit)
        self.state = state
        self.key = key
        self.poll_seconds = poll_seconds
        self.io = io or RedisIO()
        #: Whether the store holds a file's row (resolves a killed worker's commits); None = never resolve.
        self.row_exists = row_exists
        #: The leases this worker holds for this query, one per result in flight here.
        self.leases: list[str] = []
        #: Files whose rows this worker is writing (their places held by commits).
        self.committed: set[str] = set()

    @property  # type: ignore[override]
    def kept(self) -> int:
        return self._kept

    @kept.setter
    def kept(self, value: int) -> None:
        # Quota.__init__ sets 0; a resumed or topped-up job seeds the count once, for all workers.
        self._kept = max(getattr(self, "_kept", 0), value)
        if value:
            self.io.send(self.state.seed_kept, self.key, value)

    def _heard(self, kept: int) -> None:
        self._kept = kept
        self._changed.set()

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
        while True:
            room, kept = await self.io.call(self.state.room_counted, self.key, self.limit)
            self._kept = kept
            if room:
                return True
            if self.full:
                return False
            if not await self.resolve_stale():
                await self._wait()

    async def acquire(self) -> bool:
        await self.resolve_stale()  # one HGETALL: a killed worker's rows are counted before anything starts
        while True:
            lease, kept = await self.io.call(self.state.reserve_counted, self.key, self.limit)
            self._kept = kept
            if lease is not None:
                self.leases.append(lease)
                return True
            if self.full:
                return False
            if not await self.resolve_stale():
                await self._wait()

    async def resolve_stale(self) -> int:
        """Count or free the commits a killed worker left (their row written or not); how many."""
        if self.row_exists is None:
            return 0
        stale = [name for name in await self.io.call(self.state.stale_commits, self.key) if name not in self.committed]
        for file_name in stale:
            exists = self.row_exists(file_name)
            if not isinstance(exists, bool):
                exists = await exists
            self._kept = await self.io.call(self.state.resolve, self.key, file_name, exists)
        return len(stale)

    async def commit(self, file_name: str) -> None:
        """Awaited before the row is written: a worker killed after writing it leaves a commit
        that counts, never a lease that frees the place of a row that exists."""
        lease = self.leases.pop() if self.leases else ""
        self.committed.add(file_name)
        await self.io.call(self.state.commit, self.key, lease, file_name)

    def settle_item(self, item: Any, kept: bool) -> None:
        file_name = getattr(item, "file_name", None)
        if file_name in self.committed:
            self.committed.discard(file_name)
            self.io.send(self.state.settle, self.key, "", kept, file_name, then=self._heard)
            self.count_outcome(kept)
            self._changed.set()
            return
        self.settle(kept)

    def take(self) -> None:
        raise NotImplementedError("a shared quota's place is taken with acquire(), which waits for Redis")

    def give_back(self) -> None:
        if self.leases:
            self.io.send(self.state.settle, self.key, self.leases.pop(), False, then=self._heard)
        self._changed.set()

    def settle(self, kept: bool) -> None:
        if self.leases:
            self.io.send(self.state.settle, self.key, self.leases.pop(), kept, then=self._heard)
        elif kept:
            # A lease lost with a restart: the row still counts.
            self.io.send(self.state.settle, self.key, "", True, then=self._heard)
        self.count_outcome(kept)
        self._changed.set()

    def snapshot(self) -> tuple[str, list[str], list[str]]:
        """This worker is alive: what to renew (:meth:`SharedState.renew`), read on the reactor
        thread, where the leases change."""
        return self.key, list(self.leases), sorted(self.committed)
