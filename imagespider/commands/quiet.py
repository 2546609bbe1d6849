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
from typing import Any

#: logger name -> message prefixes lowered from INFO to DEBUG.
BANNER: dict[str, tuple[str, ...]] = {
    "scrapy.crawler": ("Overridden settings",),
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


def only_warnings_and_above() -> None:
    """Every INFO record of the process lowered to DEBUG (``scrapy enginecheck``: its table is
    printed, so at ``-L INFO`` and above the log holds only the lines of engines that failed, not the
    ~100 lines of a crawl's start and end). A record factory, as in extensions/redact.py: Scrapy
    replaces its root handler while it starts, which would drop a handler's filter."""
    previous = logging.getLogRecordFactory()
    if getattr(previous, "demotes_info", False):
        return

    def demoting(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        if record.levelno == logging.INFO:
            record.levelno, record.levelname = logging.DEBUG, "DEBUG"
        return record

    demoting.demotes_info = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(demoting)
