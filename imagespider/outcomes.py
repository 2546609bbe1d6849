"""How an item ended, for everything that follows items: quotas, drop records, progress, finish.

Every item ends in exactly one of Scrapy's ``item_scraped`` (kept), ``item_dropped`` (a
:class:`~imagespider.errors.Rejected` verdict) or ``item_error`` (a bug in a pipeline). The
subscribers each want the same thing from those three signals: the item and what became of it.
:func:`on_item_settled` connects one receiver to all three and hands it an :class:`Outcome`, so
the reason of a drop is read in one place.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler

#: The reason recorded for an item a pipeline failed on (a bug, not a verdict on the image).
INTERNAL_ERROR = "internal_error"


@dataclass(frozen=True, slots=True)
class Outcome:
    """What became of one item: kept, or not kept with a machine-readable reason."""

    kept: bool
    #: ``Rejected.reason``, ``internal_error``, or ``dropped`` for a plain DropItem; None if kept.
    reason: str | None = None
    detail: str = ""


def dropped(exception: BaseException) -> Outcome:
    return Outcome(False, getattr(exception, "reason", "dropped"), getattr(exception, "detail", str(exception)))


def failed(failure: Any) -> Outcome:
    return Outcome(False, INTERNAL_ERROR, (failure.getErrorMessage().splitlines() or [""])[0])


KEPT = Outcome(True)


def on_item_settled(crawler: Crawler, receiver: Callable[[Any, Outcome], None]) -> None:
    """Call ``receiver(item, outcome)`` once for every item, when the pipelines are done with it."""

    def scraped(item: Any, **_: Any) -> None:
        receiver(item, KEPT)

    def item_dropped(item: Any, exception: BaseException, **_: Any) -> None:
        receiver(item, dropped(exception))

    def item_error(item: Any, failure: Any, **_: Any) -> None:
        receiver(item, failed(failure))

    # weak=False: the receivers are closures that nothing else holds.
    crawler.signals.connect(scraped, signal=signals.item_scraped, weak=False)
    crawler.signals.connect(item_dropped, signal=signals.item_dropped, weak=False)
    crawler.signals.connect(item_error, signal=signals.item_error, weak=False)
