"""Parts of a crawl that failed while the crawl went on: what makes ``scrapy crawl`` exit 1.

A crawl can run to its end while part of it failed: the store refused rows (a bucket that starts
answering 403), the crawl's record or its end-of-crawl publish could not be written. Such a crawl
did not do what it was asked, so a cron job must hear it: each failure is said in one ERROR line
the first time its kind occurs (no traceback; later ones of the kind only counted), counted under
``imagespider/failed/<kind>`` in the stats, and kept here for our ``crawl`` command
(imagespider/commands/crawl.py), which exits 1 and names every kind in the summary.

A failure that ends the crawl at once is a finish reason instead (``failed_*``,
:data:`imagespider.errors.FAILURE_PREFIX`); both exit 1.
"""

from __future__ import annotations

import logging
import weakref
from dataclasses import dataclass
from typing import Any

logger = logging.getLogger("imagespider")


@dataclass
class PartFailure:
    """One kind of failure: how often, and the first line said about it."""

    kind: str
    message: str
    count: int = 1


#: Each crawl's failures, by kind, in the order they first occurred.
_FAILURES: weakref.WeakKeyDictionary[Any, dict[str, PartFailure]] = weakref.WeakKeyDictionary()


def failed_part(crawler: Any, kind: str, message: str) -> None:
    """Say and count that part of the crawl failed (``kind``: ``store_write``, ``publish``...).

    The first failure of a kind is one ERROR line; the next ones only count (DEBUG), so a store
    that refuses every row is one line, not one per image."""
    failures = _FAILURES.setdefault(crawler, {})
    known = failures.get(kind)
    if known is None:
        failures[kind] = PartFailure(kind, message)
        logger.error("%s", message)
    else:
        known.count += 1
        logger.debug("%s", message)
    try:
        stats = crawler.stats
    except (AttributeError, RuntimeError):  # Scrapy's "not set yet"
        stats = None
    if stats is not None:
        stats.inc_value(f"imagespider/failed/{kind}")


def failures_of(crawler: Any) -> list[PartFailure]:
    """The crawl's failures, one per kind, in the order they first occurred."""
    return list(_FAILURES.get(crawler, {}).values())


def failures_line(failures: list[PartFailure]) -> str:
    """``failed in part: store_write 37, publish 1``"""
    return "failed in part: " + ", ".join(f"{failure.kind} {failure.count}" for failure in failures)


def one_line(error: BaseException) -> str:
    """An exception as one line: its first line, or its type when it says nothing."""
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
