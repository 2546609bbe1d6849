"""StartFailureMiddleware: a spider's ``start()`` that raises ends the crawl with one line and exit 1.

Scrapy logs an exception out of ``start()`` with its traceback ("Error while reading start items
and requests") and, once idle, closes the spider with ``start_error``, which ``scrapy crawl``
took for a finished crawl (exit 0): a distributed job whose Redis went away between our
``crawl`` command's check and the seeding of its query list seeded nothing and said "finished".
This middleware wraps ``start()``'s output: an exception becomes one ERROR line naming it
(credentials masked, imagespider/extensions/redact.py) and the finish reason ``failed_start``,
so the crawl ends at once and ``scrapy crawl`` exits 1. The spider's own ``CloseSpider`` (a
``failed_*`` reason with its line already said) passes through unchanged.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any, Self

from scrapy.crawler import Crawler
from scrapy.exceptions import CloseSpider

from imagespider.errors import FAILURE_PREFIX
from imagespider.failures import one_line

logger = logging.getLogger("imagespider")

#: Finish reason of a crawl whose spider's ``start()`` raised.
START_FAILED_REASON = FAILURE_PREFIX + "start"


class StartFailureMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    async def process_start(self, start: AsyncIterator[Any]) -> AsyncIterator[Any]:
        try:
            async for output in start:
                yield output
        except CloseSpider:
            raise
        except Exception as error:  # noqa: BLE001  (any failure to start: one line, exit 1)
            name = getattr(self.crawler.spider, "name", "the spider")
            logger.error("%s could not start: %s: %s", name, type(error).__name__, one_line(error))
            raise CloseSpider(START_FAILED_REASON) from None
