"""Redis calls of a distributed crawl, off the reactor thread (issue 28, item 10).

redis-py's client blocks: on the reactor thread, a Redis that stalls for five seconds stalls
every download of the crawl for five seconds. Every call of imagespider/distributed/ goes through
one :class:`RedisIO` instead: one thread, so the calls keep the order the crawl made them in (a
commit reaches Redis before the settle that follows it); the reactor awaits an answer it needs
(``call``) or goes on at once (``send``, for counts and marks whose answer only updates a cache).
A thread rather than ``redis.asyncio``: the scripts and their tests stay one synchronous module
(imagespider/distributed/state.py), and scrapy-redis's scheduler, which is synchronous, shares the
approach (imagespider/distributed/scheduler.py). The client has socket timeouts
(:data:`SOCKET_TIMEOUT`), so a Redis that never answers ends in an error, not a thread stuck for good.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

logger = logging.getLogger(__name__)

T = TypeVar("T")

#: Seconds a Redis call may wait for its answer (redis-py's ``socket_timeout``), and for a connection.
SOCKET_TIMEOUT = 30.0
CONNECT_TIMEOUT = 10.0


class RedisIO:
    """One thread that makes the crawl's Redis calls, in order."""

    def __init__(self) -> None:
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="imagespider-redis")

    async def call(self, fn: Callable[..., T], *args: Any) -> T:
        """``fn(*args)`` in the Redis thread; its answer (or its exception) here."""
        return await asyncio.wrap_future(self._executor.submit(fn, *args))

    def send(self, fn: Callable[..., T], *args: Any, then: Callable[[T], None] | None = None) -> None:
        """``fn(*args)`` in the Redis thread, not waited for; ``then(answer)`` runs on this
        (the reactor's) thread once it is in. A failure is logged: the lease it was about
        expires by itself (imagespider/distributed/state.py)."""
        loop = asyncio.get_running_loop() if then is not None else None
        future = self._executor.submit(fn, *args)

        def done(future: Future[T]) -> None:
            error = future.exception()
            if error is not None:
                logger.warning("a Redis call failed (%s): %s", getattr(fn, "__name__", "call"), error)
            elif then is not None and loop is not None and not loop.is_closed():
                loop.call_soon_threadsafe(then, future.result())

        future.add_done_callback(done)

    async def drain(self) -> None:
        """Wait until every call sent so far is done and its ``then`` has run."""
        await self.call(int)

    def close(self) -> None:
        """Let the calls sent finish (each bounded by the socket timeouts), then stop."""
        self._executor.shutdown(wait=True)
