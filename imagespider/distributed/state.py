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
* Exact duplicates: ``SET sha256:<hex> <file_name> NX PX <lease>``: the first worker to claim the
  bytes keeps them; the others are told who holds them. The claim is a lease like the quota's,
  renewed while its row is being written and made permanent once it is, so the claim of a
  worker killed (or a call failed) in between expires instead of blocking those bytes for the job.
* Near duplicates: perceptual hashes in a multi-index hashing table: the 64-bit hash is cut into
  ``max_distance + 1`` chunks, and each chunk value names a Redis set of the hashes holding it.
  Two hashes within ``max_distance`` bits share at least one chunk exactly (pigeonhole), so the
  candidates are the union of the hash's chunk sets, and the Hamming distance is checked on
  those: the same ``DEDUP_MAX_DISTANCE`` semantics as imagespider/dataset/neardup/phash.py. The bytes'
  claim, the twin check and the add are one Lua script (no lock, one round trip), so two
  workers cannot both keep a pair of near-twins; a candidate whose own claim expired is no twin.

Wired into a crawl by imagespider/distributed/worker.py when ``REDIS_URL`` is set.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

_RESERVE = """
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ARGV[3])
local kept = tonumber(redis.call('GET', KEYS[1]) or '0')
if kept + redis.call('ZCARD', KEYS[2]) + redis.call('HLEN', KEYS[3]) < tonumber(ARGV[1]) then
  redis.call('ZADD', KEYS[2], ARGV[2], ARGV[4])
  return {1, kept}
end
return {0, kept}
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
  return {1, kept}
end
return {0, kept}
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


# Claim bytes (and, given a pHash, unless a near twin is kept) in one step: no lock, one round
# trip. KEYS[1]: the bytes' claim, set with a lease (PX ARGV[2]) that the worker renews until the
# row is written (then it is made permanent, :meth:`SharedState.keep_row`), so a killed worker's
# or a failed call's claim expires. KEYS[2..]: the hash's chunk sets. A candidate twin counts only
# while its own claim lives (its name's sha256 under ARGV[6]); a dead one is dropped from the sets
# met here. ARGV: file name, lease ms, pHash (16 hex digits, or ''), max distance, set member,
# claim key prefix.
_CLAIM = """
if not redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  return {'duplicate', redis.call('GET', KEYS[1]) or '?', 0}
end
if ARGV[3] == '' then
  return false
end
local function bits(x)
  local n = 0
  while x ~= 0 do
    x = bit.band(x, x - 1)
    n = n + 1
  end
  return n
end
local hi = tonumber(string.sub(ARGV[3], 1, 8), 16)
local lo = tonumber(string.sub(ARGV[3], 9, 16), 16)
local most = tonumber(ARGV[4])
local best, best_distance = nil, most + 1
local candidates = redis.call('SUNION', unpack(KEYS, 2))
for _, member in ipairs(candidates) do
  local other, name = string.match(member, '^(%x+) (.*)$')
  if other then
    local distance = bits(bit.bxor(hi, tonumber(string.sub(other, 1, 8), 16)))
      + bits(bit.bxor(lo, tonumber(string.sub(other, 9, 16), 16)))
    if distance < best_distance then
      local sha = string.match(name, '(%x+)%.[^./]*$')
      if sha and string.len(sha) == 64 and redis.call('EXISTS', ARGV[6] .. sha) == 0 then
        for i = 2, #KEYS do
          redis.call('SREM', KEYS[i], member)
        end
      else
        best, best_distance = member, distance
      end
    end
  end
end
if best then
  redis.call('DEL', KEYS[1])
  return {'near_duplicate', best, best_distance}
end
for i = 2, #KEYS do
  redis.call('SADD', KEYS[i], ARGV[5])
end
return false
"""

_RENEW_CLAIMS = """
for i = 1, #KEYS do
  if redis.call('GET', KEYS[i]) == ARGV[i + 1] and redis.call('PTTL', KEYS[i]) > 0 then
    redis.call('PEXPIRE', KEYS[i], ARGV[1])
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
        self._claim = redis.register_script(_CLAIM)
        self._renew_claims = redis.register_script(_RENEW_CLAIMS)
        #: Bytes this worker claimed whose rows are not written yet: sha256 -> file name (renewed).
        self.claims: dict[str, str] = {}

    @classmethod
    def from_url(cls, url: str, namespace: str, **options: Any) -> SharedState:
        import redis

        from imagespider.distributed.redisio import CONNECT_TIMEOUT, SOCKET_TIMEOUT  # noqa: PLC0415

        client = redis.Redis.from_url(
            url, decode_responses=True, socket_timeout=SOCKET_TIMEOUT, socket_connect_timeout=CONNECT_TIMEOUT
        )
        return cls(client, namespace, **options)

    def _key(self, *parts: str) -> str:
        return ":".join((self.ns, *parts))

    # -- quota ----------------------------------------------------------------------------

    def reserve(self, query: str, limit: int) -> str | None:
        """A lease for one more result of ``query``, or None when the limit is reached (kept and
        in flight)."""
        return self.reserve_counted(query, limit)[0]

    def reserve_counted(self, query: str, limit: int) -> tuple[str | None, int]:
        """:meth:`reserve`, and the query's kept count as the lease was decided."""
        lease = uuid.uuid4().hex
        now = time.time()
        keys = [self._key("kept", query), self._key("pending", query), self._key("committing", query)]
        granted, kept = self._reserve(keys=keys, args=[limit, now, now - self.lease_seconds, lease])
        return (lease if granted else None), int(kept)

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
        return self.room_counted(query, limit)[0]

    def room_counted(self, query: str, limit: int) -> tuple[bool, int]:
        """:meth:`room`, and the query's kept count."""
        keys = [self._key("kept", query), self._key("pending", query), self._key("committing", query)]
        room, kept = self._room(keys=keys, args=[limit, time.time() - self.lease_seconds])
        return bool(room), int(kept)

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

    # -- exact duplicates ------------------------------------------------------------------

    def claim_bytes(self, sha256: str, file_name: str) -> str | None:
        """Claim these bytes for ``file_name``; the holder's file name if already claimed."""
        verdict = self.claim(sha256, file_name, None, 0)
        return None if verdict is None else verdict[1].removeprefix("same bytes as ")

    def unclaim_bytes(self, sha256: str, file_name: str) -> None:
        key = self._key("sha256", sha256)
        if self.redis.get(key) == file_name:
            self.redis.delete(key)
        self.claims.pop(sha256, None)

    def keep_row(self, sha256: str, file_name: str, image_url: str, label: str) -> None:
        """The row of ``file_name`` is written: its claim on the bytes is for good (no lease),
        and its URL is known to every worker."""
        key = self._key("sha256", sha256)
        pipe = self.redis.pipeline(transaction=True)
        pipe.get(key)
        pipe.persist(key)
        pipe.sadd(self._key("urls"), f"{label} {image_url}")
        holder, _, _ = pipe.execute()
        if holder is None:
            # The claim expired while the row was being written (stalled past the lease), and
            # nobody took the bytes meanwhile: claim them again, for good.
            self.redis.set(key, file_name, nx=True)
        self.claims.pop(sha256, None)

    def renew_claims(self) -> None:
        """Restart the lease of the claims whose rows are still being written (this worker is alive)."""
        claims = dict(self.claims)
        if claims:
            keys = [self._key("sha256", sha256) for sha256 in claims]
            self._renew_claims(keys=keys, args=[int(self.lease_seconds * 1000), *claims.values()])

    # -- URLs kept by any worker ----------------------------------------------------------

    def keep_url(self, image_url: str, label: str) -> None:
        """``image_url`` is kept under ``label`` (its row is written)."""
        self.redis.sadd(self._key("urls"), f"{label} {image_url}")

    def has_url(self, image_url: str, label: str) -> bool:
        """Kept by any worker of the job: not downloaded again (a query taken over from a killed
        worker restarts at its first page)."""
        return bool(self.redis.sismember(self._key("urls"), f"{label} {image_url}"))

    def has_urls(self, rows: Sequence[tuple[str, str]]) -> list[bool]:
        """:meth:`has_url` of each ``(image_url, label)``, in one round trip: a URL list's rows
        are asked a batch at a time, so a Redis that stalls stops the list only between batches
        (while the rows handed out before are downloaded), not after every row."""
        pipe = self.redis.pipeline(transaction=False)
        for image_url, label in rows:
            pipe.sismember(self._key("urls"), f"{label} {image_url}")
        return [bool(answer) for answer in pipe.execute()] if rows else []

    # -- both, as the image pipeline asks ---------------------------------------------------

    def claim(self, sha256: str, file_name: str, phash: str | None, max_distance: int) -> tuple[str, str] | None:
        """Claim an image for ``file_name``: ``(reason, detail)`` of the drop when other workers
        keep the same bytes (``duplicate``) or, given ``phash``, a near twin (``near_duplicate``).
        One script, no lock: the claim holds for ``lease_seconds`` unless renewed
        (:meth:`renew_claims`) or made permanent by the row (:meth:`keep_row`)."""
        answer = self._claim_once(sha256, file_name, phash, max_distance)
        if not answer:
            self.claims[sha256] = file_name
            return None
        reason, holder, distance = answer
        if reason == "duplicate":
            return "duplicate", f"same bytes as {holder}"
        return "near_duplicate", f"{int(distance)} bits from {str(holder).partition(' ')[2]}"

    def _claim_once(self, sha256: str, file_name: str, phash: str | None, max_distance: int) -> Any:
        chunks = _chunks(int(phash, 16), max_distance + 1) if phash else []
        keys = [self._key("sha256", sha256)]
        keys += [self._key("phash", str(max_distance), str(i), str(c)) for i, c in enumerate(chunks)]
        args = [file_name, max(1, int(self.lease_seconds * 1000)), phash or "", max_distance,
                f"{phash} {file_name}", self._key("sha256", "")]
        return self._claim(keys=keys, args=args)

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
        then return that twin and add nothing (:meth:`claim`'s near-duplicate half, for an image
        named by ``file_name`` alone, kept for good)."""
        answer = self._claim_once(f"name:{file_name}", file_name, phash, max_distance)
        if not answer:
            self.redis.persist(self._key("sha256", f"name:{file_name}"))
            return None
        _, member, distance = answer
        other, _, name = str(member).partition(" ")
        return Twin(other, name, int(distance))


def _chunks(value: int, count: int) -> list[int]:
    """``value`` (64 bits) cut into ``count`` contiguous chunks of near-equal width."""
    count = max(1, min(count, 64))
    bounds = [round(64 * i / count) for i in range(count + 1)]
    return [(value >> bounds[i]) & ((1 << (bounds[i + 1] - bounds[i])) - 1) for i in range(count)]
