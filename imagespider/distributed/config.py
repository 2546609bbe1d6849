"""The settings of a distributed crawl, read and checked once.

Distributed mode is on when ``REDIS_URL`` (scrapy-redis's own setting) is set; without it nothing
changes. Every worker of one job must reach the same Redis keys, so a job has a name: the
``DISTRIBUTED_JOB`` setting, or one derived from the spider, its ``-a`` arguments and
``IMAGES_STORE`` (the same command on N machines, or the same Scrapyd ``schedule.json`` on N nodes,
lands in the same job; Scrapyd's own ``_job`` argument is left out, it differs on each node).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from scrapy.settings import BaseSettings

from imagespider.errors import ArgumentError, shown

#: Key prefix of every Redis key imagespider writes.
PREFIX = "imagespider"
_JOB = re.compile(r"^[A-Za-z0-9_.:-]{1,100}$")
#: Request meta key: keep this request in this worker's own queue (imagespider/distributed/scheduler.py).
LOCAL_META = "imagespider_local"
#: The Redis URL schemes redis-py understands.
_SCHEMES = ("redis://", "rediss://", "unix://")


@dataclass(frozen=True)
class DistributedConfig:
    #: REDIS_URL; "" = distributed mode off.
    redis_url: str
    #: DISTRIBUTED_LEASE_SECONDS: how long a silent worker's claim on a query or a quota place
    #: lasts before another worker takes it over (live workers renew theirs).
    lease_seconds: float
    #: DISTRIBUTED_JOB: the job's name; "" = derived from the spider, its arguments and the store.
    job: str
    #: DISTRIBUTED_QUERIES: queries (or chunks of a URL list) one worker works on at once.
    queries_per_worker: int
    #: DISTRIBUTED_CHUNK_ROWS: rows of a ``urls`` list handed out together.
    chunk_rows: int = 100

    @property
    def enabled(self) -> bool:
        return bool(self.redis_url)

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> DistributedConfig:
        url = str(settings.get("REDIS_URL") or "").strip()
        if url and not url.startswith(_SCHEMES):
            raise ArgumentError(
                f"REDIS_URL={shown(url)} is not a Redis URL; give redis://host:6379/0 (or rediss://, unix://)"
            )
        try:
            lease = settings.getfloat("DISTRIBUTED_LEASE_SECONDS")
            per_worker = settings.getint("DISTRIBUTED_QUERIES")
            chunk_rows = settings.getint("DISTRIBUTED_CHUNK_ROWS", 100)
        except ValueError:
            raise ArgumentError(
                "DISTRIBUTED_LEASE_SECONDS must be a number, DISTRIBUTED_QUERIES and DISTRIBUTED_CHUNK_ROWS whole "
                f"numbers, got {shown(settings.get('DISTRIBUTED_LEASE_SECONDS'))}, "
                f"{shown(settings.get('DISTRIBUTED_QUERIES'))} and {shown(settings.get('DISTRIBUTED_CHUNK_ROWS'))}"
            ) from None
        if not lease >= 1:  # NaN too (every comparison with it is False)
            raise ArgumentError(f"DISTRIBUTED_LEASE_SECONDS must be at least 1, got {lease:g}")
        if per_worker < 1:
            raise ArgumentError(f"DISTRIBUTED_QUERIES must be at least 1, got {per_worker}")
        if chunk_rows < 1:
            raise ArgumentError(f"DISTRIBUTED_CHUNK_ROWS must be at least 1, got {chunk_rows}")
        job = str(settings.get("DISTRIBUTED_JOB") or "").strip()
        if job and not _JOB.match(job):
            raise ArgumentError(
                f"DISTRIBUTED_JOB={shown(job)} must be 1-100 letters, digits, '_', '-', '.' or ':'"
            )
        return cls(url, lease, job, per_worker, chunk_rows)

    def namespace(self, spider: str, arguments: Mapping[str, Any], store: str) -> str:
        """The Redis key prefix of this job (``imagespider:<job>``)."""
        if self.job:
            return f"{PREFIX}:{self.job}"
        shared = {name: value for name, value in arguments.items() if not name.startswith("_")}
        digest = hashlib.sha256(json.dumps([spider, shared, store], sort_keys=True).encode()).hexdigest()
        return f"{PREFIX}:{spider}-{digest[:12]}"


#: A key no job has: deleting it is a write that changes nothing, so a read-only Redis refuses it.
WRITE_CHECK_KEY = f"{PREFIX}:write-check"


def check_redis(settings: BaseSettings, timeout: float = 5.0) -> None:
    """With ``REDIS_URL`` set, the Redis it names must answer and take writes: else one line
    (ArgumentError), before scrapy-redis's scheduler or the worker would fail with a traceback at
    start-up. A read-only replica (a failover left the URL on it, a managed Redis's reader
    endpoint) answers PING but refuses every write with READONLY: asked with a ``DEL`` of a key no
    job has, which a replica refuses before looking at the key."""
    config = DistributedConfig.from_settings(settings)
    if not config.enabled:
        return
    import redis  # noqa: PLC0415 (only distributed crawls need it)

    url = shown(redact_url(config.redis_url))
    try:
        client = redis.Redis.from_url(config.redis_url, socket_connect_timeout=timeout, socket_timeout=timeout)
        client.ping()
        client.delete(WRITE_CHECK_KEY)
    except redis.exceptions.ReadOnlyError:
        raise ArgumentError(
            f"REDIS_URL={url} is a read-only replica: a distributed crawl writes its job's state there; "
            "give REDIS_URL the primary's address"
        ) from None
    except (ValueError, redis.RedisError, OSError) as error:
        first = (str(error) or type(error).__name__).splitlines()[0]
        raise ArgumentError(f"REDIS_URL={url} cannot be used: {shown(first)}") from None


def redact_url(url: str) -> str:
    """``redis://:secret@host`` (or ``redis://host?password=secret``) without its password.

    The user part ends at the last ``@`` before the host, the user name at its first ``:``, as
    redis-py reads them (urllib's urlsplit): a password may hold both ``:`` and ``@``."""
    scheme, slashes, rest = url.partition("//")
    if slashes:
        netloc, path_start, path = _split_netloc(rest)
        userinfo, at, host = netloc.rpartition("@")
        if at and ":" in userinfo:
            url = f"{scheme}//{userinfo.partition(':')[0]}:***@{host}{path_start}{path}"
    return re.sub(r"([?&]password=)[^&]*", r"\1***", url)


def _split_netloc(rest: str) -> tuple[str, str, str]:
    """``host:port``, then the first of ``/?#`` and what follows it, as urlsplit splits them."""
    match = re.search(r"[/?#]", rest)
    if match is None:
        return rest, "", ""
    return rest[: match.start()], rest[match.start()], rest[match.end():]
