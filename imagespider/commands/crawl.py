"""``scrapy crawl`` with plain errors: arguments are checked before the crawl starts.

A bad ``-a`` ends with one log line saying what to change and exit status 2, not a traceback
from inside the spider's constructor. A crawl whose finish reason starts with ``failed_``
(no browser, an engine that refused us, nothing kept, a start that raised) exits 1, and so does
one that ran to its end while part of it failed (rows the store refused, a crawl record or an
end-of-crawl publish not written: imagespider/failures.py), each kind said in one line. An unknown spider name lists the
spiders. Scrapy's start-up banner goes to DEBUG (commands/quiet.py), and the crawl's summary
(extensions/progress.py) is logged after Scrapy's own closing lines, so it is the last thing a
crawl prints, at any ``LOG_LEVEL``. Scrapyd runs this same command.
"""

from __future__ import annotations

import argparse
import logging
import os
from typing import Any

from scrapy import signals
from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.crawler import Crawler
from scrapy.exceptions import UsageError
from scrapy.settings import BaseSettings
from scrapy.spiderloader import get_spider_loader

from imagespider.commands.quiet import quiet_banner
from imagespider.commands.settings_check import check_settings, check_shapes, check_store_path, checked_log_level
from imagespider.dataset.neardup.phash import DedupConfig
from imagespider.dataset.objectstore.config import ObjectStoreConfig, is_object_store
from imagespider.dataset.store.lock import StoreRefused, check_unlocked
from imagespider.dataset.store.repair import check_manifest
from imagespider.distributed.config import DistributedConfig, check_redis
from imagespider.errors import FAILURE_PREFIX, ArgumentError, shown
from imagespider.extensions.dataset import local_store
from imagespider.extensions.progress import ProgressExtension
from imagespider.extensions.redact import SecretFilter, setting_secrets
from imagespider.failures import failures_of

logger = logging.getLogger("imagespider")

#: Scrapy's finish reason for a spider whose start() raised (scrapy/core/engine.py).
SCRAPY_START_ERROR = "start_error"


class Command(ScrapyCrawlCommand):
    def long_desc(self) -> str:
        return (
            "Run a spider of the current project, by name. Its arguments (-a NAME=VALUE), their "
            "defaults and choices: scrapy describe <spider>."
        )

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        set_log_level(self.settings)
        quiet_banner()

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            super().run(args, opts)  # Scrapy's UsageError for no spider or several
            return
        # Credentials are masked from the first line on (a REDIS_URL refused below names its URL);
        # the crawl's own filter (extensions/redact.py) adds what the crawl obtains.
        SecretFilter(setting_secrets(self.settings)).install()
        try:
            self._check(args[0], opts.spargs)
        except ArgumentError as error:
            logger.error("%s", error)
            self.exitcode = 2
            return
        except StoreRefused as error:
            logger.error("%s", error)
            self.exitcode = error.exitcode
            return
        # Scrapy's own run(), with the crawler made through the public create_crawler so we can
        # hear how its spider closed.
        assert self.crawler_process is not None
        self._failures: list[str] = []
        crawler = self.crawler_process.create_crawler(args[0])
        crawler.signals.connect(self._spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(self._defer_summary, signal=signals.engine_started)
        self._run_crawler: Crawler | None = crawler
        self._reason = ""
        self.crawler_process.crawl(crawler, **opts.spargs)
        self.crawler_process.start()
        if self.crawler_process.bootstrap_failed or self._failures or failures_of(crawler):
            self.exitcode = 1
        self._log_summary()
        if self._reason == INTERRUPTED and not self.crawler_process.bootstrap_failed:
            # Ctrl-C (SIGINT, SIGTERM): a script must tell a stopped crawl from a finished one (128 + SIGINT,
            # as a shell reports it), and the user how to go on; parts that failed before are in the summary.
            self.exitcode = 130
            progress = crawler.get_extension(ProgressExtension)
            kept = sum(query.kept for query in progress.queries.values()) if progress is not None else 0
            logger.warning("%s", interrupted_line(kept, args[0], self.settings.get("JOBDIR"), opts.spargs))

    def _log_summary(self) -> None:
        """The summary, now that Scrapy has said all it says; at LOG_LEVEL if that is above INFO."""
        crawler = getattr(self, "_run_crawler", None)
        progress = crawler.get_extension(ProgressExtension) if crawler is not None else None
        if progress is None:
            return
        assert self.settings is not None
        level = self.settings["LOG_LEVEL"]  # a name or a number (see set_log_level)
        number = level if isinstance(level, int) else logging.getLevelName(str(level))
        progress.log_summary(number if isinstance(number, int) else logging.INFO)

    def _check(self, spider_name: str, spargs: dict[str, str]) -> None:
        assert self.settings is not None
        try:
            spidercls = get_spider_loader(self.settings).load(spider_name)
        except KeyError:
            raise UsageError(spider_not_found(spider_name, self.settings)) from None
        check_settings(self.settings)
        check_shapes(self.settings)
        uri = str(self.settings["IMAGES_STORE"])
        store = None if is_object_store(uri) else local_store(uri)
        check = getattr(spidercls, "check_arguments", None)
        if check is not None:
            check(spargs, self.settings)
        DedupConfig.from_settings(self.settings)
        if self.settings.get("JOBDIR"):  # Scrapy creates it deep in its start-up
            check_store_path(str(self.settings["JOBDIR"]), "JOBDIR", "the job's state")
        if DistributedConfig.from_settings(self.settings).enabled:
            if not getattr(spidercls, "distributable", False):
                raise ArgumentError(
                    f"the {spider_name} spider cannot run as a distributed worker (REDIS_URL is set); "
                    "the search spiders (search and each engine's) and urls can"
                )
            check_redis(self.settings)
        if store is None:
            ObjectStoreConfig.from_settings(uri, self.settings)  # gs:// names its endpoint
            return  # an object store has no lock: several workers may share it
        if "_job" in spargs:
            warn_relative_store_under_scrapyd(store)
        check_store_path(store)
        check_unlocked(store)
        check_manifest(store)

    def _defer_summary(self) -> None:
        crawler = getattr(self, "_run_crawler", None)
        progress = crawler.get_extension(ProgressExtension) if crawler is not None else None
        if progress is not None:
            progress.summary_deferred = True

    def _spider_closed(self, reason: str = "", **_: Any) -> None:
        self._reason = reason
        # Scrapy's own start_error too: a project whose SPIDER_MIDDLEWARES leave out ours
        # (imagespider/spidermiddlewares/start.py) still exits 1 when its start raised.
        if reason.startswith(FAILURE_PREFIX) or reason == SCRAPY_START_ERROR:
            self._failures.append(reason)


#: Scrapy's finish reason for a crawl stopped by a signal (Ctrl-C).
INTERRUPTED = "shutdown"


def interrupted_line(kept: int, spider: str, jobdir: str | None, spargs: dict[str, str]) -> str:
    """The one line after Ctrl-C. With a JOBDIR the same command resumes the job. Without one, a new
    JOBDIR job would count ``limit`` afresh, so the advice adds ``-a mode=top-up`` (limit counts what
    the store holds per class): the crawl goes on to ``limit``, and resumes exactly after a later stop."""
    images = f"{kept} image{'' if kept == 1 else 's'}"
    if jobdir:
        return f"interrupted: kept {images}; run the same command again to resume"
    top_up = "" if (spargs.get("mode") or "").strip().lower() == "top-up" else " -a mode=top-up"
    return f"interrupted: kept {images}; run the same command with -s JOBDIR=jobs/{spider}{top_up} to resume"


def set_log_level(settings: BaseSettings | None) -> None:
    """LOG_LEVEL in the form logging takes (see settings_check.checked_log_level), before Scrapy
    configures its logging; a bad one is a usage error, as a bad option is."""
    assert settings is not None
    try:
        level = checked_log_level(settings["LOG_LEVEL"])
    except ArgumentError as error:
        raise UsageError(str(error)) from None
    settings.set("LOG_LEVEL", level, priority=settings.getpriority("LOG_LEVEL") or "cmdline")


def spider_not_found(name: str, settings: Any) -> str:
    """``Spider not found: bign; the spiders are: bing, flickr, ...``"""
    names = sorted(get_spider_loader(settings).list())
    return (
        f"Spider not found: {name}; the spiders are: {', '.join(names)} "
        "(scrapy describe <spider> lists its arguments)"
    )


def warn_relative_store_under_scrapyd(store: str) -> None:
    """Scrapyd starts every job in its own working directory (where ``scrapyd`` was started,
    ``/`` for many services), so a relative IMAGES_STORE lands somewhere nobody looks. The
    crawl still runs, as asked; the log says where the data went and how to choose."""
    if not os.path.isabs(store):
        logger.warning(
            "IMAGES_STORE=%s is relative: under Scrapyd the dataset goes to %s (Scrapyd's working "
            "directory); give an absolute path with -d setting=IMAGES_STORE=/path/to/store",
            shown(store), os.path.abspath(store),
        )
