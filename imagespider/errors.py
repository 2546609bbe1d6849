"""The two ways things end early: a user's bad input, and a result that is not kept."""

from __future__ import annotations

from scrapy.exceptions import DropItem

#: Finish reasons that mean the crawl failed; ``scrapy crawl`` then exits non-zero.
FAILURE_PREFIX = "failed_"


def shown(value: object) -> str:
    """A user's value as it goes into a one-line message: as typed, or quoted when it holds a
    newline or other control character that would break the line."""
    text = str(value)
    return text if text.isprintable() else repr(text)


class ArgumentError(ValueError):
    """A bad spider argument or setting. Its text is one line telling the user what to change."""


class Rejected(DropItem):
    """A result that is not kept, with a machine-readable reason.

    Every drop goes through this exception, so one place (``DatasetExtension``) counts it under
    ``imagespider/dropped/<reason>`` and writes it to ``rejected.jsonl``.
    """

    def __init__(self, reason: str, detail: str = "") -> None:
        self.reason = reason
        self.detail = detail
        super().__init__(f"{reason}: {detail}" if detail else reason)
