"""Scrapy's start-up banner at DEBUG, through logging configuration only.

A 3-query crawl printed 69 banner lines at INFO (the enabled extensions, middlewares and
pipelines, the add-ons, scrapy-playwright's handler start and stop) before and after 12 lines of
its own. Scrapy has settings for some of it (``LOG_VERSIONS``, ``STATS_DUMP``, set in
imagespider/settings.py); the component lists have none. A :class:`logging.Filter` on the loggers
that write them lowers those records to DEBUG, so they still show with ``-L DEBUG``. Filters on a
logger run before its handlers' level check, which is what makes lowering the level work; no
Scrapy code is replaced.
"""

from __future__ import annotations

import logging

#: logger name -> message prefixes lowered from INFO to DEBUG.
BANNER: dict[str, tuple[str, ...]] = {
    "scrapy.middleware": ("Enabled ",),
    "scrapy.addons": ("Enabled addons",),
    "scrapy-playwright": ("Starting download handler", "Closing download handler", "Closing browser",
                          "Launching browser"),
    "scrapy.extensions.telnet": ("Telnet console listening",),
}


class DemoteToDebug(logging.Filter):
    def __init__(self, prefixes: tuple[str, ...]) -> None:
        super().__init__()
        self.prefixes = prefixes

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno == logging.INFO and str(record.msg).startswith(self.prefixes):
            record.levelno, record.levelname = logging.DEBUG, "DEBUG"
        return True


def quiet_banner() -> None:
    """Install the filters (once per process)."""
    for name, prefixes in BANNER.items():
        target = logging.getLogger(name)
        if not any(isinstance(f, DemoteToDebug) for f in target.filters):
            target.addFilter(DemoteToDebug(prefixes))
