"""search: one query filled from several engines in order, one quota per query across them.

``scrapy crawl search -a q=cat -a engines=openverse,commons,flickr,bing,google -a limit=200``

Each query starts with the first engine of the list (default: the engines whose license is
per-image first, imagespider/engines/__init__.py). That engine runs as it does alone (the same
runner that ``scrapy crawl <engine>`` uses, imagespider/spiders/runner.py), until the query keeps
its limit or the engine ends:

- exhausted (no more results, or rate-limited): an INFO line, and the next engine takes over;
- failed (refused: consent wall, CAPTCHA, 429; unreachable; markup or API changed): a WARNING
  line, and the next engine takes over;
- an engine that cannot run at all with these settings (Flickr without a key) is skipped with one
  WARNING line when the crawl starts.

Every item still names the engine that found it; duplicates and near-duplicates across engines
are dropped by the pipelines as within one engine. When every engine failed for every query
(none merely ran out of results), the crawl ends ``failed_all_engines``.

How the hand-over works: the spider's own callback (or errback) that saw an engine end or fail
for a query yields the next engine's first requests after its output (imagespider/spiders/turns.py).
Every request calls back into this spider with its engine in its meta, so ``search`` runs as a
distributed worker like the single-engine spiders (``REDIS_URL``).

A job resumed with its JOBDIR starts each query at the engine it was running when it stopped
(Scrapy's spider state keeps the name), not at the first engine again.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from scrapy.settings import BaseSettings

from imagespider.browser import use_page_download_handlers
from imagespider.engines import ENGINES
from imagespider.errors import ArgumentError, shown
from imagespider.spiders.base import SearchSpider
from imagespider.spiders.bing import BingRunner
from imagespider.spiders.commons import RESTRICTIONS, CommonsRunner
from imagespider.spiders.flickr import FlickrRunner
from imagespider.spiders.google import GoogleRunner
from imagespider.spiders.openverse import OpenverseRunner
from imagespider.spiders.params import ArgumentHelp
from imagespider.spiders.runner import EngineRunner

#: Every engine the search spider can run, by name.
RUNNERS: dict[str, type[EngineRunner]] = {
    runner.name: runner for runner in (OpenverseRunner, CommonsRunner, FlickrRunner, BingRunner, GoogleRunner)
}
_QUALITY_ORDER = {"per-image": 0, "filter": 1, "none": 2}
#: Default order: per-image licenses (authoritative) first, then engines whose filter only claims.
DEFAULT_ENGINES: tuple[str, ...] = tuple(
    sorted(RUNNERS, key=lambda name: _QUALITY_ORDER[ENGINES[name].license_quality])
)


def parse_engines(value: str | None, given_as: str = "-a engines") -> tuple[str, ...]:
    """The engines named in ``value`` (a comma list), in order; ``given_as`` is how the user
    typed the option (``--engines`` for imagespider/commands/enginecheck.py), for the message."""
    if value is None or not value.strip():
        return DEFAULT_ENGINES
    names = [name.strip().lower() for name in value.split(",") if name.strip()]
    unknown = [name for name in names if name not in RUNNERS]
    choices = f"use a comma list of: {', '.join(DEFAULT_ENGINES)}"
    if unknown:
        raise ArgumentError(f"unknown engine {shown(unknown[0])} in {given_as}={shown(value)}; {choices}")
    if not names:  # "," is no choice left to the default: it names no engine at all
        raise ArgumentError(f"{given_as}={shown(value)} names no engine; {choices}")
    return tuple(dict.fromkeys(names))


def check_engine_settings(engines: tuple[str, ...], settings: BaseSettings) -> None:
    """Each engine's own settings (page sizes, endpoints), checked as its spider would check them."""
    for name in engines:
        RUNNERS[name].check_settings(settings)


class SearchAllSpider(SearchSpider):
    name = "search"
    runner_classes: ClassVar = RUNNERS
    takes_turns = True
    filters: ClassVar = {"restrictions": RESTRICTIONS}
    own_arguments = ("engines",)

    @classmethod
    def update_settings(cls, settings: BaseSettings) -> None:
        super().update_settings(settings)
        # Its -a engines= is not known yet: the schemes of every browser engine it may use.
        use_page_download_handlers(settings, ENGINES)

    @classmethod
    def chosen_engines(cls, kwargs: Mapping[str, str]) -> tuple[str, ...]:
        return parse_engines(kwargs.get("engines"))

    @classmethod
    def argument_help(cls, settings: BaseSettings) -> list[ArgumentHelp]:
        return [
            *super().argument_help(settings),
            ArgumentHelp(
                "engines", "engines to fill each query from, in order", ",".join(DEFAULT_ENGINES),
                tuple(DEFAULT_ENGINES),
            ),
        ]
