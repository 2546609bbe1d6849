"""``scrapy enginecheck``: the canary. One tiny query per engine: reachable? refused? results
parsed? fields present? Run it before a long crawl, or from cron to learn that an engine changed
before a crawl finds out.

Each engine runs exactly as in a crawl (its own runner, run by the ``search`` spider,
imagespider/spiders/search.py), one results page each, all at once; results are inspected, never
downloaded, and the user's store is not touched (a temporary one is used; a page an engine answered
in a changed markup is kept in ``<IMAGES_STORE>/.debug/``). Exit status 0 when every engine that
could run is fine, 1 otherwise (also when none could); engines that cannot run with these settings
(Flickr without a key) are listed as skipped.

    scrapy enginecheck                      # every engine, query "cat"
    scrapy enginecheck --engines openverse,commons --query "red fox"
"""

from __future__ import annotations

import argparse
import dataclasses
import shutil
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Self

from scrapy import signals
from scrapy.commands import ScrapyCommand
from scrapy.crawler import Crawler
from scrapy.exceptions import CloseSpider, UsageError
from scrapy.settings import BaseSettings

from imagespider.commands.crawl import set_log_level
from imagespider.commands.quiet import only_warnings_and_above, quiet_banner
from imagespider.commands.settings_check import check_settings, check_shapes
from imagespider.dataset.objectstore.config import is_object_store
from imagespider.dataset.store.scratch import make_scratch
from imagespider.engines import ENGINES, EngineResult
from imagespider.errors import FAILURE_PREFIX, ArgumentError, shown
from imagespider.extensions.dataset import local_store
from imagespider.spiders.debug import DEBUG_DIR
from imagespider.spiders.params import Query, SearchArgs, parse_search_args
from imagespider.spiders.runner import EngineFailed, EngineRunner
from imagespider.spiders.search import SearchAllSpider, check_engine_settings, parse_engines

#: The throwaway stores' names in the temporary folder (imagespider/dataset/store/scratch.py).
SCRATCH_PREFIX = "imagespider-enginecheck-"
#: What a result should carry (on at least one result of a working engine): every engine names
#: the page and a title; engines with per-image licenses also the author and the license.
FIELDS = ("page_url", "title")
PER_IMAGE_FIELDS = (*FIELDS, "author", "license")
_STATES = {
    "refused": ("_refused", "_auth_error", "_api_error", "_no_key"),
    "unreachable": ("_unreachable",),
    "http error": ("_http_error",),
    "changed": ("_markup_changed", "_api_changed"),
    "no browser": ("browser_missing",),
}


@dataclass
class EngineCheck:
    name: str
    state: str = "not run"
    parsed: int = 0
    #: Share of parsed results carrying each of FIELDS.
    fields: dict[str, float] = field(default_factory=dict)
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.state in ("ok", "skipped")

    def line(self) -> str:
        shares = ", ".join(f"{name} {share:.0%}" for name, share in self.fields.items())
        parts = [f"{self.name:<10} {self.state.upper() if not self.ok else self.state:<12}"]
        if self.state in ("ok", "fields missing"):
            parts.append(f"{self.parsed} {'result' if self.parsed == 1 else 'results'} parsed; {shares}")
        if self.detail:
            parts.append(self.detail)
        return " ".join(parts)


#: The check spider's finish reason when an engine failed (or none could run): the command exits 1.
CHECK_FAILED_REASON = FAILURE_PREFIX + "check"


def exit_status(checks: list[EngineCheck]) -> int:
    """0 when every engine that could run is fine, and at least one could: a canary run from cron
    that checked nothing (every engine skipped) must not read as "all engines work"."""
    ran = [check for check in checks if check.state != "skipped"]
    return 0 if ran and all(check.ok for check in ran) else 1


def _has(result: EngineResult, name: str) -> bool:
    return bool(result.license_code if name == "license" else getattr(result, name))


class EngineCheckSpider(SearchAllSpider):
    """Not in SPIDER_MODULES: run only by this command."""

    name = "enginecheck"
    inspecting = True
    custom_settings = {  # noqa: RUF012 (Scrapy's own attribute)
        "ITEM_PIPELINES": {},
        "RETRY_TIMES": 0,
    }

    checks: dict[str, EngineCheck]

    @classmethod
    def update_settings(cls, settings: BaseSettings) -> None:
        super().update_settings(settings)
        # Never the user's store: the check writes nothing anyone keeps (see the command).
        # Above -s (cmdline): the user's IMAGES_STORE only receives saved pages (see the command).
        settings.set("IMAGES_STORE", str(make_scratch(SCRATCH_PREFIX)), priority=50)
        # Nor the user's paused job (its spider.state and seen requests would be the check's),
        # nor a distributed job (a check is this process's alone).
        settings.set("JOBDIR", None, priority=50)
        settings.set("REDIS_URL", "", priority=50)

    @classmethod
    def check_arguments(cls, kwargs: Mapping[str, str], settings: BaseSettings) -> SearchArgs:
        engines = parse_engines(kwargs.get("engines"), given_as="--engines")
        check_engine_settings(engines, settings)
        query = kwargs.get("q", "cat")
        if not query.strip():
            raise ArgumentError("--query is empty; give one such as --query cat")
        base = parse_search_args(cls.name, {"q": query, "limit": "1"}, {}, "any")
        text = base.queries[0].text
        return dataclasses.replace(base, queries=tuple(Query(text, name) for name in engines))

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.checks = {query.label: EngineCheck(query.label) for query in spider.args.queries}
        return spider

    def engines_for(self, query: Query) -> tuple[str, ...]:
        return (query.label,) if query.label in self.engines else ()

    def skip_engine(self, name: str, why: str) -> None:
        self.checks[name].state, self.checks[name].detail = "skipped", why

    async def start(self) -> AsyncIterator[Any]:
        self.drop_unavailable_engines()
        for query in self.args.queries:
            async for request in self.start_next_engine(query):
                yield request
            async for request in self.handover_requests():
                yield request

    def inspect(self, runner: EngineRunner, query: Query, results: list[EngineResult]) -> None:
        check = self.checks[runner.name]
        check.parsed = len(results)
        if results:
            check.fields = {
                name: sum(1 for result in results if _has(result, name)) / len(results)
                for name in (PER_IMAGE_FIELDS if ENGINES[runner.name].license_quality == "per-image" else FIELDS)
            }
        missing = [name for name, share in check.fields.items() if share == 0]
        check.state = "fields missing" if missing or not results else "ok"
        if missing:
            check.detail = f"no result has: {', '.join(missing)}"
        elif not results:
            check.state, check.detail = "no results", "the first page held no result"
        quota = self.quotas[query]
        quota.kept = quota.limit  # one page is enough: the engine ends the query here

    def engine_ended(self, runner: EngineRunner, query: Query, why: str) -> None:
        check = self.checks[runner.name]
        if check.state == "not run":
            check.state = "refused" if "rate-limited" in why else "no results"
            check.detail = why
        super().engine_ended(runner, query, why)

    def report_failure(self, failure: EngineFailed, query: Query) -> bool:
        check = self.checks[failure.engine]
        check.state = next(
            (state for state, ends in _STATES.items() if failure.reason.endswith(ends)), "failed"
        )
        check.detail = failure.message
        return super().report_failure(failure, query)

    def check_all_failed(self) -> None:
        """A check reports every engine rather than failing when all did; it ends ``failed_check``
        when the command will exit 1, so its log never says ``finished`` for a failed check."""
        if exit_status(list(self.checks.values())):
            raise CloseSpider(CHECK_FAILED_REASON)


class Command(ScrapyCommand):
    requires_project = True

    def syntax(self) -> str:
        return "[--engines a,b] [--query TEXT]"

    def short_desc(self) -> str:
        return "Check every engine with one tiny query: reachable, refused, results parsed, fields present"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--engines", default="", help="engines to check (default: all)")
        parser.add_argument("--query", default="cat", help="the query (default: cat)")

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        set_log_level(self.settings)
        quiet_banner()
        only_warnings_and_above()

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.settings is not None
        if args:
            given = shown(" ".join(args))
            raise UsageError(f"enginecheck takes no arguments, got {given}; use --engines a,b --query TEXT")
        try:
            # The checks `scrapy crawl` makes (imagespider/commands/crawl.py): a bad -s is one line, not a traceback.
            check_settings(self.settings)
            check_shapes(self.settings)
            checked = EngineCheckSpider.check_arguments({"q": opts.query, "engines": opts.engines}, self.settings)
        except ArgumentError as error:
            print(f"enginecheck: {error}")
            self.exitcode = 2
            return
        assert self.crawler_process is not None
        crawler = self.crawler_process.create_crawler(EngineCheckSpider)
        found: dict[str, EngineCheck] = {}

        def closed(spider: Any, **_: Any) -> None:
            found.update(getattr(spider, "checks", {}))

        crawler.signals.connect(closed, signal=signals.spider_closed)
        self.crawler_process.crawl(crawler, q=opts.query, engines=opts.engines)
        self.crawler_process.start()
        moved = self._keep_debug_pages(crawler.settings)
        print(f"enginecheck: query {checked.queries[0].text!r}")  # one query per engine, at least one engine
        for check in found.values():
            for old, new in moved.items():
                check.detail = check.detail.replace(old, new)
            print(check.line())
        if not any(check.state != "skipped" for check in found.values()):
            print("enginecheck: no engine could run with these settings: nothing was checked")
        self.exitcode = exit_status(list(found.values()))

    def _keep_debug_pages(self, settings: BaseSettings) -> dict[str, str]:
        """Move pages saved in the temporary store to the user's ``<IMAGES_STORE>/.debug``;
        returns their old and new paths. A store that cannot take them (an object store, a file
        in the folder's place) leaves them, and the temporary store, where the report names them."""
        temporary = Path(str(settings.get("IMAGES_STORE")))
        saved = list((temporary / DEBUG_DIR).glob("*")) if (temporary / DEBUG_DIR).is_dir() else []
        moved: dict[str, str] = {}
        assert self.settings is not None
        store = str(self.settings.get("IMAGES_STORE") or "")
        try:
            if saved:
                if is_object_store(store):
                    raise ArgumentError("an object store keeps no debug pages")
                target = Path(local_store(store)).expanduser() / DEBUG_DIR
                target.mkdir(parents=True, exist_ok=True)
                for page in saved:
                    shutil.move(str(page), target / page.name)
                    moved[str(page.resolve())] = str((target / page.name).resolve())
        except (ArgumentError, OSError) as error:
            why = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
            print(f"enginecheck: pages kept in {temporary / DEBUG_DIR}, not in IMAGES_STORE={shown(store)}: {why}")
            return moved
        if temporary.name.startswith("imagespider-enginecheck-"):
            shutil.rmtree(temporary, ignore_errors=True)
        return moved
