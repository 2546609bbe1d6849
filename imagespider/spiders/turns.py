"""Which engine runs each query, and which takes it over: the search spider's failover as plain state.

:class:`Turns` is the state; :class:`TakingTurns` is the spider's part (imagespider/spiders/base.py
mixes it in): starting a query's next engine, and what an engine's end or failure changes.

A query runs on one engine at a time, in the order of its engine list. When that engine ends the
query (no more results, rate-limited) or fails for it (refused, unreachable, changed), the query is
queued here for a hand-over; the spider's callback that saw it (or its errback, or ``start``) then
yields the next engine's first requests after its own output. Nothing waits for the crawl to go
idle, and nothing runs outside a callback.

In a distributed job another worker may have started a query: the first request of it this worker
sees tells which engine runs it (:meth:`Turns.adopt`), so the next one is known from the list.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

import scrapy
from scrapy.crawler import Crawler
from scrapy.exceptions import CloseSpider

from imagespider.distributed.worker import Worker
from imagespider.errors import FAILURE_PREFIX
from imagespider.failures import one_line
from imagespider.query import Query
from imagespider.quota import Quota
from imagespider.spiders.runner import EngineFailed, EngineRunner

logger = logging.getLogger("imagespider.spiders.base")


@dataclass
class Turns:
    #: The engines that may fill a query, in order.
    engines_for: Callable[[Query], tuple[str, ...]]
    #: The engine running each query now (None between engines, or when none is left).
    current: dict[Query, str | None] = field(default_factory=dict)
    #: The index in the query's list of the engine that comes next.
    next_index: dict[Query, int] = field(default_factory=dict)
    #: Queries some engine ran out of results for (not only failures).
    ran_out: set[Query] = field(default_factory=set)
    #: Queries ended here, whether filled or out of engines.
    finished: set[Query] = field(default_factory=set)
    #: Queries waiting for their next engine's first requests.
    handovers: list[Query] = field(default_factory=list)

    def next_engine(self, query: Query) -> str | None:
        """The engine that starts ``query`` now (it becomes current), or None when none is left."""
        engines = self.engines_for(query)
        index = self.next_index.get(query, 0)
        if index >= len(engines):
            self.current[query] = None
            return None
        self.next_index[query] = index + 1
        self.current[query] = engines[index]
        return engines[index]

    def resume_at(self, query: Query, engine: str) -> bool:
        """Start ``query`` at ``engine`` (a resumed job); False when it is not in its list."""
        engines = self.engines_for(query)
        if engine not in engines or not engines.index(engine):
            return False
        self.next_index[query] = engines.index(engine)
        return True

    def adopt(self, query: Query, engine: str) -> None:
        """A request of ``engine`` for ``query`` arrived: a query this worker knew nothing of (another
        worker started it) runs on that engine from now on."""
        if query in self.current or query in self.finished:
            return
        engines = self.engines_for(query)
        if engine in engines:
            self.current[query] = engine
            self.next_index[query] = engines.index(engine) + 1

    def is_current(self, query: Query, engine: str) -> bool:
        return self.current.get(query) == engine

    def stop(self, query: Query, engine: str) -> bool:
        """``engine`` no longer runs ``query``; False when it did not run it (a late answer)."""
        if not self.is_current(query, engine):
            return False
        self.current[query] = None
        return True

    def hand_over(self, query: Query) -> None:
        if query not in self.handovers:
            self.handovers.append(query)

    def take_handover(self) -> Query | None:
        return self.handovers.pop(0) if self.handovers else None

    def cancel_handover(self, query: Query) -> None:
        while query in self.handovers:
            self.handovers.remove(query)

    def next_note(self, query: Query) -> str:
        """"; <engine> takes over", or "; no engine left", for the line saying an engine ended."""
        index, engines = self.next_index.get(query, 0), self.engines_for(query)
        return f"; {engines[index]} takes over" if index < len(engines) else "; no engine left"

    def finish(self, query: Query) -> bool:
        """Mark ``query`` ended; False when it was already."""
        if query in self.finished:
            return False
        self.finished.add(query)
        self.current[query] = None
        return True

    def idle(self) -> list[Query]:
        """Queries started here that no engine runs and that are not finished."""
        return [query for query, engine in self.current.items() if engine is None and query not in self.finished]


class TakingTurns:
    """The search spider's part in handing queries from engine to engine (its state: :class:`Turns`)."""

    name: str
    crawler: Crawler
    quotas: dict[Query, Quota]
    worker: Worker | None
    engines: tuple[str, ...]
    runners: dict[str, EngineRunner]
    runner_classes: ClassVar[Mapping[str, type[EngineRunner]]]
    turns: Turns
    takes_turns: ClassVar[bool] = False
    state: dict[str, Any]

    def shared_key(self, key: Query) -> str:
        raise NotImplementedError

    async def start_next_engine(self, query: Query) -> AsyncIterator[scrapy.Request]:
        """The first requests of the next engine that starts ``query``; engines failing at start
        (no browser, a refused token) are passed over with their line."""
        while True:
            name = None if self.quotas[query].full else self.turns.next_engine(query)
            if name is None:
                self.finish(query)
                return
            if self.takes_turns:
                self._running_engines()[_state_key(query)] = name
            runner = self.runners[name]
            requests: list[scrapy.Request] = []
            try:
                async for request in runner.start_query(query):
                    requests.append(request)
            except EngineFailed as failure:
                self.engine_failed(failure, query)
                self.turns.cancel_handover(query)  # the next engine starts here
                continue
            except CloseSpider:
                raise
            except Exception as error:
                if not self.takes_turns:
                    raise
                # An engine that cannot start fails alone; the next one takes over, here.
                why = f"{name}: could not start: {type(error).__name__}: {one_line(error)}"
                self.engine_failed(EngineFailed(name, "start_error", why), query)
                self.turns.cancel_handover(query)
                continue
            if not self.turns.is_current(query, name):
                # It ended or failed while starting (reported already, and queued for a hand-over):
                # the next engine starts here, so that hand-over must not start another beside it.
                self.turns.cancel_handover(query)
                continue
            if self.takes_turns:
                logger.info("%s: query %r from %s", self.name, query.text, name)
            for request in requests:
                yield request
            return

    async def handover_requests(self) -> AsyncIterator[scrapy.Request]:
        """The next engines' first requests, for every query waiting for one."""
        while (query := self.turns.take_handover()) is not None:
            async for request in self.start_next_engine(query):
                yield request

    def _running_engines(self) -> dict[str, str]:
        """The engine each query runs, by :func:`_state_key`, in the spider state Scrapy keeps in
        JOBDIR (an empty dict that is never saved without one)."""
        state = getattr(self, "state", None)
        if not isinstance(state, dict):
            state = self.state = {}
        running = state.get(_STATE_KEY)
        if not isinstance(running, dict):
            running = state[_STATE_KEY] = {}
        return running

    def _resume_engines(self) -> None:
        """A resumed JOBDIR job starts each query at the engine it was running when it stopped:
        the engines before it had ended for that query, and their results are in the store."""
        running = self._running_engines()
        for query in self.args.queries:
            name = running.get(_state_key(query))
            if isinstance(name, str) and self.turns.resume_at(query, name):
                logger.info("%s: query %r resumed at %s", self.name, query.text, name)

    # -- what engines report -------------------------------------------------------------

    def fail(self, reason: str, message: str) -> Exception:
        """Log one line and return the CloseSpider to raise; ``scrapy crawl`` then exits 1."""
        logger.error(message)
        return CloseSpider(FAILURE_PREFIX + reason)

    def engine_failure(self, runner: EngineRunner, reason: str, message: str,
                       queries: tuple[Query, ...] = ()) -> Exception:
        """What an engine raises when it fails: run alone, the crawl's end; taking turns, the end
        of this engine for the query (see :meth:`_step`)."""
        if not self.takes_turns:
            return self.fail(reason, message)
        return EngineFailed(runner.name, reason, message, queries)

    def engine_failure_soon(self, runner: EngineRunner, reason: str, message: str,
                            queries: tuple[Query, ...] = ()) -> None:
        """An engine's failure where raising would make Scrapy log a traceback (an errback): run
        alone, one line and the crawl closes; taking turns, the queries are handed over at the end
        of the step."""
        if self.takes_turns:
            for query in queries:
                self.engine_failed(EngineFailed(runner.name, reason, message), query)
            return
        logger.error(message)
        engine = self.crawler.engine
        assert engine is not None
        self._closing = asyncio.get_running_loop().create_task(
            engine.close_spider_async(reason=FAILURE_PREFIX + reason)
        )

    def engine_failed(self, failure: EngineFailed, query: Query | None) -> None:
        """One WARNING line for each query the engine failed for; the next engine takes them over."""
        for each in failure.queries or ((query,) if query is not None else ()):
            if self.report_failure(failure, each):
                self.turns.hand_over(each)

    def report_failure(self, failure: EngineFailed, query: Query) -> bool:
        """One WARNING line for a failed engine; False when that engine no longer runs the query."""
        if not self.turns.stop(query, failure.engine):
            return False
        self.crawler.stats.inc_value(f"imagespider/search/engine_failed/{failure.engine}")
        logger.warning(
            "%s: %s failed for query %r (%s): %s%s",
            self.name, failure.engine, query.text, failure.reason, failure.message, self.turns.next_note(query),
        )
        return True

    def engine_ended(self, runner: EngineRunner, query: Query, why: str) -> None:
        """An engine's query ended (limit reached, no more results, rate-limited)."""
        if not self.turns.stop(query, runner.name):
            return
        quota = self.quotas[query]
        if quota.full or not self.takes_turns:
            self.finish(query, why)
            return
        self.turns.ran_out.add(query)
        logger.info(
            "%s: %s ended query %r, %s: kept %d of %d so far%s",
            self.name, runner.name, query.text, why, quota.kept, quota.limit, self.turns.next_note(query),
        )
        self.turns.hand_over(query)

    def finish(self, query: Query, why: str = "") -> None:
        """The query's last line; a distributed job's list marks it done."""
        if not self.turns.finish(query):
            return
        quota = self.quotas[query]
        if self.takes_turns or not why:
            why = "limit reached" if quota.full else "every engine ended"
        if self.worker is not None:
            self.worker.feed.done(self.shared_key(query))
        logger.info(
            "%s: query %r (label %s) ended, %s: kept %d of %d",
            self.name, query.text, query.label, why, quota.kept, quota.limit,
        )

    def _idle(self) -> None:
        for query in self.turns.idle():
            self.finish(query)
        self.check_all_failed()

    def check_all_failed(self) -> None:
        """At the end: every engine failed for every query (none merely ran out) and nothing was
        kept means the crawl failed, not "no results"."""
        if not self.takes_turns or not self.engines or self.turns.ran_out:
            return
        if any(quota.full for quota in self.quotas.values()) or sum(q.kept for q in self.quotas.values()):
            return
        raise self.fail("all_engines", f"{self.name}: every engine failed for every query ({', '.join(self.engines)})")


#: The spider-state entry (kept in JOBDIR by Scrapy's SpiderState extension) naming the engine
#: each query was running.
_STATE_KEY = "search_running_engine"


def _state_key(query: Query) -> str:
    return f"{query.label}\t{query.text}"
