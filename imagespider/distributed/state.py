"""What N workers of one distributed crawl share in Redis, each change one atomic operation.

* Per-query quota: ``kept`` (a counter) and ``pending`` (a sorted set of leases scored by their
  start time). A worker may start one more result only while ``kept + live leases < limit``;
  the check and the lease are one Lua script, so N workers together never start more than the
  limit. A lease older than ``lease_seconds`` is a worker that died holding it (SIGKILL): the
  next reservation drops it, so a killed worker's places come back without anyone's help. A live
  worker renews its leases (:meth:`SharedState.renew`, imagespider/distributed/worker.py), so only
  a dead worker's expire.
* The row and its count: a kept image's lease becomes a *commit* named by its file just before its
  row is written (:meth:`SharedState.commit`) and is counted with the row written. A commit left
  by a killed worker holds its place until it is stale, then counts if the row exists in the store
  (:meth:`SharedState.resolve`), so a kill between the row and the count neither loses nor
  doubles a place.
* Exact duplicates: ``SET sha256:<hex> <file_name> NX``: the first worker to claim the bytes
  keeps them; the others are told who holds them.
* Near duplicates: perceptual hashes in a multi-index hashing table: the 64-bit hash is cut into
  ``max_distance + 1`` chunks, and each chunk value names a Redis set of the hashes holding it.
  Two hashes within ``max_distance`` bits share at least one chunk exactly (pigeonhole), so the
  candidates are the union of the hash's chunk sets, and the Hamming distance is checked on
  those: the same ``DEDUP_MAX_DISTANCE`` semantics as imagespider/dataset/neardup.py. Check and add
  run under a short Redis lock so two workers cannot both keep a pair of near-twins.

Wired into a crawl by imagespider/distributed/worker.py when ``REDIS_URL`` is set.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from typing import Any

_RESERVE = """
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ARGV[3])
local kept = tonumber(redis.call('GET', KEYS[1]) or '0')
if kept + redis.call('ZCARD', KEYS[2]) + redis.call('HLEN', KEYS[3]) < tonumber(ARGV[1]) then
  redis.call('ZADD', KEYS[2], ARGV[2], ARGV[4])
  return 1
end
return 0
"""

_SETTLE = """
redis.call('ZREM', KEYS[2], ARGV[1])
local count = 1
if ARGV[3] ~= '' and redis.call('HDEL', KEYS[3], ARGV[3]) == 0 then
  -- The commit went stale and another worker resolved it: counted already unless it was freed.
  count = redis.call('SREM', KEYS[4], ARGV[3])
end
if ARGV[2] == '1' and count == 1 then
  return redis.call('INCR', KEYS[1])
end
return tonumber(redis.call('GET', KEYS[1]) or '0')
"""

_ROOM = """
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ARGV[2])
local kept = tonumber(redis.call('GET', KEYS[1]) or '0')
if kept + redis.call('ZCARD', KEYS[2]) + redis.call('HLEN', KEYS[3]) < tonumber(ARGV[1]) then
  return 1
end
return 0
"""


_COMMIT = """
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('HSET', KEYS[2], ARGV[2], ARGV[3])
return 1
"""

_RESOLVE = """
if redis.call('HDEL', KEYS[2], ARGV[1]) == 1 then
  if ARGV[2] == '1' then
    return redis.call('INCR', KEYS[1])
  end
  redis.call('SADD', KEYS[3], ARGV[1])
end
return tonumber(redis.call('GET', KEYS[1]) or '0')
"""

_RENEW_COMMITS = """
for i = 1, #ARGV - 1 do
  if redis.call('HEXISTS', KEYS[1], ARGV[i]) == 1 then
    redis.call('HSET', KEYS[1], ARGV[i], ARGV[#ARGV])
  end
end
return 1
"""


@dataclass(frozen=True)
class Twin:
    phash: str
    file_name: str
    distance: int


class SharedState:
    def __init__(self, redis: Any, namespace: str, *, lease_seconds: float = 300.0) -> None:
        self.redis = redis
        self.ns = namespace
        self.lease_seconds = lease_seconds
        self._reserve = redis.register_script(_RESERVE)
        self._settle = redis.register_script(_SETTLE)
        self._room = redis.register_script(_ROOM)
        self._commit = redis.register_script(_COMMIT)
        self._resolve = redis.register_script(_RESOLVE)
        self._renew_commits = redis.register_script(_RENEW_COMMITS)

    @classmethod
    def from_url(cls, url: str, namespace: str, **options: Any) -> SharedState:
        import redis

        return cls(redis.Redis.from_url(url, decode_responses=True), namespace, **options)

    def _key(self, *parts: str) -> str:
        return ":".join((self.ns, *parts))

    # -- quota ----------------------------------------------------------------------------

    def reserve(self, query: str, limit: int) -> str | None:
        """A lease for one more result of ``query``, or None when the limit is reached (kept and
        in flight)."""
        lease = uuid.uuid4().hex
        now = time.time()
        keys = [self._key("kept", query), self._key("pending", query), self._key("committing", query)]
        granted = self._reserve(keys=keys, args=[limit, now, now - self.lease_seconds, lease])
        return lease if granted else None

    def settle(self, query: str, lease: str, kept: bool, file_name: str = "") -> int:
        """End a lease, or the commit of ``file_name``; ``kept`` counts it. Returns the query's
        kept count. A kept image counts even if its lease expired (its worker stalled past
        ``lease_seconds``): its row is written, so the count stays the truth; a commit that went
        stale meanwhile and that another worker counted (:meth:`resolve`, the row was there) is
        not counted again."""
        keys = [self._key("kept", query), self._key("pending", query), self._key("committing", query),
                self._key("freed", query)]
        return int(self._settle(keys=keys, args=[lease, "1" if kept else "0", file_name]))

    def room(self, query: str, limit: int) -> bool:
        """Whether one more result of ``query`` could start now (nothing is reserved)."""
        keys = [self._key("kept", query), self._key("pending", query), self._key("committing", query)]
        return bool(self._room(keys=keys, args=[limit, time.time() - self.lease_seconds]))

    def renew(self, query: str, leases: list[str], committed: list[str] | None = None) -> None:
        """Restart the clock of leases and commits this worker still holds (it is alive)."""
        now = time.time()
        if leases:
            self.redis.zadd(self._key("pending", query), dict.fromkeys(leases, now), xx=True)
        if committed:
            self._renew_commits(keys=[self._key("committing", query)], args=[*committed, now])

    # -- the row being written: no window between the row and its count -------------------

    def commit(self, query: str, lease: str, file_name: str) -> None:
        """The lease's image is about to get its row: the place is now held by ``file_name``
        until :meth:`settle` counts it. A worker killed between the row and the count leaves the
        commit behind; :meth:`resolve` later counts it if the row exists."""
        keys = [self._key("pending", query), self._key("committing", query)]
        self._commit(keys=keys, args=[lease, file_name, time.time()])

    def stale_commits(self, query: str) -> list[str]:
        """Commits older than ``lease_seconds``: their worker died (or stalled) before counting."""
        cutoff = time.time() - self.lease_seconds
        entries = self.redis.hgetall(self._key("committing", query))
        return sorted(str(name) for name, stamp in entries.items() if float(stamp) < cutoff)

    def resolve(self, query: str, file_name: str, row_exists: bool) -> int:
        """End a stale commit: counted when its row was written, else its place is freed (and
        noted, so that its worker, if it was only stalled, still counts the row it then writes)."""
        keys = [self._key("kept", query), self._key("committing", query), self._key("freed", query)]
        return int(self._resolve(keys=keys, args=[file_name, "1" if row_exists else "0"]))

    def kept(self, query: str) -> int:
        return int(self.redis.get(self._key("kept", query)) or 0)

    def seed_kept(self, query: str, kept: int) -> None:
        """Start ``query``'s count at what the store already holds (``-a mode=top-up``): only
        the first worker's count is taken, later ones find it set."""
        self.redis.set(self._key("kept", query), kept, nx=True)

    # -- exact duplicates -----------------------------------------------------------------

    def claim_bytes(self, sha256: str, file_name: str) -> str | None:
        """Claim these bytes for ``file_name``; the holder's file name if already claimed."""
        key = self._key("sha256", sha256)
        if self.redis.set(key, file_name, nx=True):
            return None
        holder: str | None = self.redis.get(key)
        return holder

    def unclaim_bytes(self, sha256: str, file_name: str) -> None:
        key = self._key("sha256", sha256)
        if self.redis.get(key) == file_name:
            self.redis.delete(key)

    # -- URLs kept by any worker ----------------------------------------------------------

    def keep_url(self, image_url: str, label: str) -> None:
        """``image_url`` is kept under ``label`` (its row is written)."""
        self.redis.sadd(self._key("urls"), f"{label} {image_url}")

    def has_url(self, image_url: str, label: str) -> bool:
        """Kept by any worker of the job: not downloaded again (a query taken over from a killed
        worker restarts at its first page)."""
        return bool(self.redis.sismember(self._key("urls"), f"{label} {image_url}"))

    # -- both, as the image pipeline asks ---------------------------------------------------

    def claim(self, sha256: str, file_name: str, phash: str | None, max_distance: int) -> tuple[str, str] | None:
        """Claim an image for ``file_name``: ``(reason, detail)`` of the drop when other workers
        keep the same bytes (``duplicate``) or, given ``phash``, a near twin (``near_duplicate``)."""
        holder = self.claim_bytes(sha256, file_name)
        if holder is not None:
            return "duplicate", f"same bytes as {holder}"
        if phash:
            twin = self.keep_unless_near(phash, file_name, max_distance)
            if twin is not None:
                self.unclaim_bytes(sha256, file_name)
                return "near_duplicate", f"{twin.distance} bits from {twin.file_name}"
        return None

    def unclaim(self, sha256: str, file_name: str, phash: str | None, max_distance: int) -> None:
        """Give a claim back (the image could not be stored)."""
        self.unclaim_bytes(sha256, file_name)
        if phash:
            chunks = _chunks(int(phash, 16), max_distance + 1)
            pipe = self.redis.pipeline(transaction=True)
            for i, chunk in enumerate(chunks):
                pipe.srem(self._key("phash", str(max_distance), str(i), str(chunk)), f"{phash} {file_name}")
            pipe.execute()

    # -- near duplicates ------------------------------------------------------------------

    def keep_unless_near(self, phash: str, file_name: str, max_distance: int) -> Twin | None:
        """Add ``phash`` (16 hex digits) unless a hash within ``max_distance`` bits is kept;
        then return that twin and add nothing."""
        value = int(phash, 16)
        chunks = _chunks(value, max_distance + 1)
        with self.redis.lock(self._key("phash-lock"), timeout=10, blocking_timeout=30):
            candidates = self.redis.sunion([self._key("phash", str(max_distance), str(i), str(c))
                                            for i, c in enumerate(chunks)])
            best: Twin | None = None
            for candidate in candidates:
                other, _, name = candidate.partition(" ")
                distance = bin(value ^ int(other, 16)).count("1")
                if distance <= max_distance and (best is None or distance < best.distance):
                    best = Twin(other, name, distance)
            if best is not None:
                return best
            pipe = self.redis.pipeline(transaction=True)
            for i, chunk in enumerate(chunks):
                pipe.sadd(self._key("phash", str(max_distance), str(i), str(chunk)), f"{phash} {file_name}")
            pipe.execute()
        return None


def _chunks(value: int, count: int) -> list[int]:
    """``value`` (64 bits) cut into ``count`` contiguous chunks of near-equal width."""
    count = max(1, min(count, 64))
    bounds = [round(64 * i / count) for i in range(count + 1)]
    return [(value >> bounds[i]) & ((1 << (bounds[i + 1] - bounds[i])) - 1) for i in range(count)]
