"""Which engine runs each query, and which takes it over: the search spider's failover as plain state.

A query runs on one engine at a time, in the order of its engine list. When that engine ends the
query (no more results, rate-limited) or fails for it (refused, unreachable, changed), the query is
queued here for a hand-over; the spider's callback that saw it (or its errback, or ``start``) then
yields the next engine's first requests after its own output. Nothing waits for the crawl to go
idle, and nothing runs outside a callback.

In a distributed job another worker may have started a query: the first request of it this worker
sees tells which engine runs it (:meth:`Turns.adopt`), so the next one is known from the list.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from imagespider.query import Query


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
