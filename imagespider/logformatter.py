"""Log lines for dropped results: one short line with the reason, not a dump of the item."""

from __future__ import annotations

import logging
from typing import Any

from scrapy.logformatter import LogFormatter, LogFormatterResult


class ImageSpiderLogFormatter(LogFormatter):
    def dropped(self, item: Any, exception: BaseException, response: Any, spider: Any) -> LogFormatterResult:
        return {
            "level": logging.DEBUG,
            "msg": "Dropped %(url)s: %(exception)s",
            "args": {"url": getattr(item, "image_url", "?"), "exception": exception},
        }

    def scraped(self, item: Any, response: Any, spider: Any) -> LogFormatterResult:
        return {
            "level": logging.DEBUG,
            "msg": "Kept %(file)s from %(url)s",
            "args": {"file": getattr(item, "file_name", "?"), "url": getattr(item, "image_url", "?")},
        }
