"""Parts of a crawl that failed while the crawl went on: what makes ``scrapy crawl`` exit 1.

A crawl can run to its end while part of it failed: the store refused rows (a bucket that starts
answering 403), the crawl's record or its end-of-crawl publish could not be written. Such a crawl
did not do what it was asked, so a cron job must hear it: each failure is said in one ERROR line
the first time its kind occurs (no traceback; later ones of the kind only counted), counted under
``imagespider/failed/<kind>`` in the stats, and kept here for our ``crawl`` command
(imagespider/commands/crawl.py), which exits 1 and names every kind in the summary.

A failure that ends the crawl at once is a finish reason instead (``failed_*``,
:data:`imagespider.errors.FAILURE_PREFIX`); both exit 1. The finish reason agrees with the exit
status: a crawl that failed in part does not end as ``finished`` but as ``failed_<kind>`` of its
first failure (``failed_store_write``; :func:`finish_reason`), in Scrapy's log, the stats,
``crawls.jsonl`` and the summary. ``shutdown`` (Ctrl-C, exit 130) and a reason that already names a
failure stay as they are.
"""

from __future__ import annotations

import logging
import threading
import weakref
from dataclasses import dataclass
from typing import Any

from imagespider.errors import FAILURE_PREFIX, Rejected

logger = logging.getLogger("imagespider")


@dataclass
class PartFailure:
    """One kind of failure: how often, and the first line said about it."""

    kind: str
    message: str
    count: int = 1


#: Each crawl's failures, by kind, in the order they first occurred.
_FAILURES: weakref.WeakKeyDictionary[Any, dict[str, PartFailure]] = weakref.WeakKeyDictionary()
#: An object store's puts fail in their threads (imagespider/dataset/objectstore/dataset.py).
_LOCK = threading.Lock()

#: The drop reason of an image the store refused to write (or whose row it refused).
STORE_ERROR = "store_error"


def failed_part(crawler: Any, kind: str, message: str, *, said: bool = False) -> None:
    """Say and count that part of the crawl failed (``kind``: ``store_write``, ``publish``...).

    The first failure of a kind is one ERROR line; the next ones only count (DEBUG), so a store
    that refuses every row is one line, not one per image. ``said``: the failure's own ERROR
    line was already logged where it happened (a document not written): only counted."""
    with _LOCK:
        failures = _FAILURES.setdefault(crawler, {})
        known = failures.get(kind)
        if known is None:
            failures[kind] = PartFailure(kind, message)
        else:
            known.count += 1
        try:
            stats = crawler.stats
        except (AttributeError, RuntimeError):  # Scrapy's "not set yet"
            stats = None
        if stats is not None:
            stats.inc_value(f"imagespider/failed/{kind}")
    logger.log(logging.ERROR if known is None and not said else logging.DEBUG, "%s", message)


def store_write_failed(crawler: Any, what: str, error: BaseException) -> Rejected:
    """The store refused to write ``what`` (an image, its row): a failed part ``store_write``
    (one line for the crawl, exit 1), and the :class:`Rejected` that drops the image as
    ``store_error``, not as a download that failed (the download went through)."""
    text = one_line(error)
    failed_part(
        crawler, "store_write",
        f"the store refused to write {what}: {text}; images the store refuses are dropped as {STORE_ERROR}",
    )
    return Rejected(STORE_ERROR, f"the store refused to write {what}: {text}")


def failures_of(crawler: Any) -> list[PartFailure]:
    """The crawl's failures, one per kind, in the order they first occurred."""
    return list(_FAILURES.get(crawler, {}).values())


def failures_line(failures: list[PartFailure]) -> str:
    """``failed in part: store_write 37, publish 1``"""
    return "failed in part: " + ", ".join(f"{failure.kind} {failure.count}" for failure in failures)


#: Scrapy's finish reasons that already say the crawl did not finish as asked: kept as they are.
#: ``shutdown`` is Ctrl-C (exit 130), ``start_error`` a start that raised (exit 1).
KEPT_REASONS = frozenset({"shutdown", "start_error"})


def finish_reason(reason: str, failures: list[PartFailure]) -> str:
    """The finish reason a crawl that ended with ``reason`` records, given its failed parts:
    ``finished`` (or Scrapy's ``closespider_*``, ``cancelled``) becomes ``failed_<kind>`` of the
    first failure, so no crawl that exits 1 says it finished."""
    if not failures or reason.startswith(FAILURE_PREFIX) or reason in KEPT_REASONS:
        return reason
    return FAILURE_PREFIX + failures[0].kind


def one_line(error: BaseException) -> str:
    """An exception as one line: its first line, or its type when it says nothing."""
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
