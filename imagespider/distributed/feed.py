"""One job's queries handed out from Redis to N workers, none lost when a worker is killed.

The first worker to start seeds the list ``<ns>:queries:todo`` from its ``-a q=`` / ``-a
queries=`` (one Lua script: the flag ``<ns>:queries:seeded`` and the pushes are one step, so N
workers starting together seed it once). A worker takes a query by moving it to the sorted set
``<ns>:queries:taken``, scored by when its lease ends; while it works on the query it renews the
lease. A query whose lease ran out (its worker was killed) is taken again before any new one, by
whichever worker asks next, so nothing is lost and nobody has to notice the death. A finished
query goes to ``<ns>:queries:done``. Workers keep asking until no query is left to do or in
anyone's hands, so a query given back late still finds a worker.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Iterable
from typing import Any

from imagespider.distributed.redisio import RedisIO

logger = logging.getLogger(__name__)

_SEED = """
if redis.call('SET', KEYS[1], ARGV[1], 'NX') then
  for i = 2, #ARGV do
    redis.call('RPUSH', KEYS[2], ARGV[i])
  end
  return 1
end
return redis.call('GET', KEYS[1])
"""

_TAKE = """
local item = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[1], 'LIMIT', 0, 1)[1]
local again = 1
while not item do
  again = 0
  item = redis.call('LPOP', KEYS[1])
  if not item then
    return false
  end
  if redis.call('SISMEMBER', KEYS[3], item) == 1 then
    item = nil
  end
end
redis.call('ZADD', KEYS[2], ARGV[2], item)
return {item, again}
"""


#: The finish reason (after ``failed_``) of a worker whose list is not its job's.
OTHER_LIST = "job_list_differs"


class OtherList(Exception):
    """This worker's queries (or URL list) are not the ones its job was seeded with."""


class QueryFeed:
    """The job's query list in Redis, and which of its queries this worker holds."""

    def __init__(self, redis: Any, namespace: str, *, lease_seconds: float, per_worker: int,
                 io: RedisIO | None = None) -> None:
        self.redis = redis
        #: The Redis thread (imagespider/distributed/redisio.py): :meth:`queries` and :meth:`done`
        #: call Redis there, not on the reactor thread.
        self.io = io or RedisIO()
        self.ns = namespace
        self.lease_seconds = lease_seconds
        self.per_worker = per_worker
        #: Queries this worker took and has not seen end (at most ``per_worker``).
        self.held: set[str] = set()
        #: When this worker last worked on a query (its own, or one whose page it was handed).
        self.last_work: dict[str, float] = {}
        self._changed = asyncio.Event()
        self._seed = redis.register_script(_SEED)
        self._take = redis.register_script(_TAKE)

    def _key(self, name: str) -> str:
        return f"{self.ns}:queries:{name}"

    @property
    def poll_seconds(self) -> float:
        return max(0.2, min(1.0, self.lease_seconds / 4))

    def seed(self, items: list[str], fingerprint: str) -> bool:
        """Push ``items`` unless a worker of this job already did; True if this call did.

        Raises :class:`OtherList` when the job was seeded with another list (its fingerprint
        differs): such a worker would be handed items it does not have, or rows of another file."""
        keys = [self._key("seeded"), self._key("todo")]
        answer = self._seed(keys=keys, args=[fingerprint, *items])
        if answer == 1:
            return True
        seeded = answer.decode() if isinstance(answer, bytes) else str(answer)
        if seeded != fingerprint:
            raise OtherList(
                f"job {self.ns.partition(':')[2]} was started with another list than this worker's "
                f"({len(items)} items, fingerprint {fingerprint}; the job's: {seeded}): give every worker "
                "the same list, or a new DISTRIBUTED_JOB to crawl this one"
            )
        return False

    def take_one(self) -> tuple[str, bool] | None:
        """A query to work on, and whether it was taken over from a worker whose lease ran out."""
        return self._held(self.take_from_redis())

    def take_from_redis(self) -> tuple[str, bool] | None:
        """:meth:`take_one`'s Redis half (the Redis thread's), which changes nothing here."""
        now = time.time()
        keys = [self._key("todo"), self._key("taken"), self._key("done")]
        answer = self._take(keys=keys, args=[now, now + self.lease_seconds])
        if not answer:
            return None
        item, again = answer
        item = item.decode() if isinstance(item, bytes) else str(item)
        return item, bool(int(again))

    def _held(self, taken: tuple[str, bool] | None) -> tuple[str, bool] | None:
        if taken is not None:
            self.held.add(taken[0])
            self.last_work[taken[0]] = time.monotonic()
        return taken

    def finished(self) -> bool:
        """Nothing left to do and nothing in any worker's hands."""
        pipe = self.redis.pipeline(transaction=False)
        pipe.llen(self._key("todo"))
        pipe.zcard(self._key("taken"))
        todo, taken = pipe.execute()
        return not todo and not taken

    async def queries(self) -> AsyncIterator[str]:
        """Queries for this worker, at most :attr:`per_worker` at once, until the job is done."""
        while True:
            if len(self.held) < self.per_worker:
                taken = self._held(await self.io.call(self.take_from_redis))
                if taken is not None:
                    item, again = taken
                    if again:
                        logger.info("took over query %s from a worker that stopped renewing it", item)
                    yield item
                    continue
                if not self.held and await self.io.call(self.finished):
                    return
            self._changed.clear()
            try:
                await asyncio.wait_for(self._changed.wait(), self.poll_seconds)
            except TimeoutError:
                pass

    def touch(self, item: str) -> None:
        """This worker works on ``item`` (it may have been taken by another): keep its lease."""
        self.last_work[item] = time.monotonic()

    def done(self, item: str) -> None:
        """``item`` ended here: marked done in Redis (sent to the Redis thread, in order)."""
        self.held.discard(item)
        self.last_work.pop(item, None)
        self._changed.set()
        self.io.send(self._done, item)

    def _done(self, item: str) -> None:
        pipe = self.redis.pipeline(transaction=True)
        pipe.zrem(self._key("taken"), item)
        pipe.sadd(self._key("done"), item)
        pipe.execute()

    def renew(self, busy: Iterable[str] = ()) -> None:
        """Renew the leases of queries worked on lately or with results in flight here; forget
        those another worker finished or that went quiet (a page in the shared queue is picked up
        by whoever is free; the query returns if nobody works on it for a whole lease)."""
        self.keep(self.renew_in_redis(self.live(busy)))

    def live(self, busy: Iterable[str] = ()) -> list[str]:
        """The queries to renew: worked on lately, or ``busy`` (read on the reactor thread)."""
        clock = time.monotonic()
        for item in busy:
            self.last_work[item] = clock
        return [item for item, last in self.last_work.items() if clock - last < self.lease_seconds / 2]

    def renew_in_redis(self, live: list[str]) -> list[str]:
        """Renew ``live``'s leases (the Redis thread's half); those still this job's to do."""
        if not live:
            return []
        now = time.time()
        pipe = self.redis.pipeline(transaction=False)
        for item in live:
            pipe.zadd(self._key("taken"), {item: now + self.lease_seconds}, xx=True)
        pipe.execute()
        scores = self.redis.zmscore(self._key("taken"), live)
        return [item for item, score in zip(live, scores, strict=True) if score is not None]

    def keep(self, live: list[str]) -> None:
        """Forget what is not ``live`` any more (back on the reactor thread)."""
        self.last_work = {item: self.last_work[item] for item in live if item in self.last_work}
        if self.held - set(live):
            self.held &= set(live)
            self._changed.set()

    def release(self) -> None:
        """Give back the queries this worker holds (it is closing before they ended)."""
        for item in sorted(self.held):
            if self.redis.zrem(self._key("taken"), item):
                self.redis.lpush(self._key("todo"), item)
        self.held.clear()
        self.last_work.clear()
