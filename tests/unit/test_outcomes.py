"""Item outcomes (imagespider/outcomes.py): each of Scrapy's three item signals becomes one Outcome."""

from __future__ import annotations

from typing import Any

from scrapy import signals
from scrapy.utils.test import get_crawler
from twisted.python.failure import Failure

from imagespider.errors import Rejected
from imagespider.outcomes import INTERNAL_ERROR, KEPT, Outcome, on_item_settled


def test_every_item_signal_reaches_the_receiver_as_one_outcome() -> None:
    crawler = get_crawler()
    seen: list[tuple[Any, Outcome]] = []
    on_item_settled(crawler, lambda item, outcome: seen.append((item, outcome)))
    send = crawler.signals.send_catch_log
    send(signals.item_scraped, item="a", response=None, spider=None)
    send(signals.item_dropped, item="b", response=None, spider=None, exception=Rejected("duplicate", "same bytes"))
    try:
        raise ValueError("a bug\nsecond line")
    except ValueError:
        failure = Failure()
    send(signals.item_error, item="c", response=None, spider=None, failure=failure)
    assert seen == [
        ("a", KEPT),
        ("b", Outcome(False, "duplicate", "same bytes")),
        ("c", Outcome(False, INTERNAL_ERROR, "a bug")),
    ]


def test_a_plain_drop_has_the_reason_dropped() -> None:
    from scrapy.exceptions import DropItem

    from imagespider.outcomes import dropped

    assert dropped(DropItem("no")) == Outcome(False, "dropped", "no")
