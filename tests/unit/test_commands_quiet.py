"""imagespider/commands/quiet.py: Scrapy's start-up banner lowered to DEBUG by logging filters
alone; other records, and the same words at other levels, untouched."""

from __future__ import annotations

import logging

from imagespider.commands.quiet import BANNER, DemoteToDebug, quiet_banner


def test_banner_lines_are_lowered_to_debug() -> None:
    record = logging.LogRecord("scrapy.middleware", logging.INFO, "", 0, "Enabled extensions:\n%s", ("x",), None)
    assert DemoteToDebug(("Enabled ",)).filter(record) and record.levelno == logging.DEBUG
    other = logging.LogRecord("scrapy.middleware", logging.WARNING, "", 0, "Enabled but warned", (), None)
    DemoteToDebug(("Enabled ",)).filter(other)
    assert other.levelno == logging.WARNING


def test_quiet_banner_installs_one_filter_per_logger_and_it_works_through_logging() -> None:
    quiet_banner()
    quiet_banner()  # once per process however often it is called
    for name in BANNER:
        assert sum(isinstance(f, DemoteToDebug) for f in logging.getLogger(name).filters) == 1
    seen: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            seen.append(record)

    logger = logging.getLogger("scrapy.middleware")
    handler, level = Keep(logging.INFO), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        logger.info("Enabled downloader middlewares:\n%s", "[...]")
        logger.info("Something else")
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
    # The banner line reaches the handler as DEBUG and is left out at INFO; the other stays.
    assert [r.getMessage() for r in seen] == ["Something else"]
