"""The search spider's arguments: the engine list, its default order, and each engine's settings."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, ClassVar

import pytest
import scrapy
from scrapy.settings import Settings
from scrapy.utils.test import get_crawler

from imagespider import settings as project_settings
from imagespider.errors import ArgumentError
from imagespider.extensions import redact
from imagespider.spiders.runner import EngineRunner
from imagespider.spiders.search import DEFAULT_ENGINES, RUNNERS, SearchAllSpider, parse_engines
from tests.settings import project_values


def settings(**extra: object) -> Settings:
    found = Settings()
    found.setmodule(project_settings)
    found.update(extra)
    return found


def test_default_order_puts_per_image_licenses_first() -> None:
    assert DEFAULT_ENGINES[:3] == ("openverse", "commons", "flickr")
    assert set(DEFAULT_ENGINES[3:]) == {"bing", "google"}
    assert set(DEFAULT_ENGINES) == set(RUNNERS)


def test_engine_list_is_kept_in_the_given_order() -> None:
    assert parse_engines("bing, Openverse,bing") == ("bing", "openverse")
    assert parse_engines("") == DEFAULT_ENGINES
    assert parse_engines(None) == DEFAULT_ENGINES


def test_unknown_engine_is_one_line() -> None:
    with pytest.raises(ArgumentError, match="unknown engine altavista in -a engines=bing,altavista; use"):
        parse_engines("bing,altavista")
    # A list of commas is not the default left in place: it used to start a crawl of no engine.
    with pytest.raises(ArgumentError, match="^-a engines=, , names no engine; use a comma list of: openverse,"):
        parse_engines(", ,")


def test_arguments_and_engine_settings_are_checked() -> None:
    args = SearchAllSpider.check_arguments({"q": "cat", "engines": "commons", "restrictions": "exclude"}, settings())
    assert args.filters == {"restrictions": "exclude"}
    with pytest.raises(ArgumentError, match="COMMONS_PAGE_SIZE"):
        SearchAllSpider.check_arguments({"q": "cat", "engines": "commons"}, settings(COMMONS_PAGE_SIZE=99))
    with pytest.raises(ArgumentError, match="OPENVERSE_PAGE_SIZE"):
        SearchAllSpider.check_arguments({"q": "cat", "engines": "openverse"}, settings(OPENVERSE_PAGE_SIZE=50))


def test_flickr_without_a_key_is_unavailable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FLICKR_API_KEY", raising=False)
    assert "FLICKR_API_KEY" in (RUNNERS["flickr"].unavailable(settings()) or "")
    assert RUNNERS["flickr"].unavailable(settings(FLICKR_API_KEY="abcdef123456")) is None
    assert RUNNERS["openverse"].unavailable(settings()) is None


def test_a_resumed_search_counts_the_rows_of_every_engine(tmp_path) -> None:  # noqa: ANN001
    from imagespider.dataset.store import resume  # noqa: PLC0415
    from imagespider.spiders.params import Query  # noqa: PLC0415

    jobdir = Settings({"JOBDIR": str(tmp_path)})
    assert resume.kept_by_this_job(jobdir, [], ("openverse", "commons")) == {}  # the baseline: nothing yet
    rows = [{"engine": engine, "query": "cat", "label": "cat"} for engine in ("openverse", "openverse", "commons", "bing")]
    assert resume.kept_by_this_job(jobdir, rows, ("openverse", "commons")) == {Query("cat", "cat"): 3}
    assert resume.kept_by_this_job(jobdir, rows, "bing") == {Query("cat", "cat"): 1}


class _Engine(EngineRunner):
    """An engine for the hand-over tests: it notes each start; ``how`` says what it does then."""

    how = "requests"
    started: ClassVar[list[str]] = []

    async def start_query(self, query: Any) -> AsyncIterator[Any]:
        self.started.append(self.name)
        if self.how == "fails":  # as Openverse does when its token is refused while starting
            self.fail_soon(f"{self.name}_auth_error", f"{self.name}: refused", (query,))
            return
        if self.how == "ends":
            self.log_query_end(query, "no license fits")
            return
        if self.how == "raises":  # an unforeseen failure (a bug, a server gone) while starting
            raise RuntimeError("connection lost while starting")
        yield self.request(f"http://127.0.0.1/{self.name}", meta={"query": query})

    async def parse(self, response: Any) -> AsyncIterator[Any]:
        self.log_query_end(response.meta["query"], "no more results")
        return
        yield


def _engines(monkeypatch: pytest.MonkeyPatch, first_does: str) -> SearchAllSpider:
    _Engine.started = []
    first = type("First", (_Engine,), {"name": "first", "how": first_does})
    for engine in (first, type("Second", (_Engine,), {"name": "second"}), type("Third", (_Engine,), {"name": "third"})):
        monkeypatch.setitem(RUNNERS, engine.name, engine)
    crawler = get_crawler(SearchAllSpider, project_values({"LICENSE_POLICY": "any", "TWISTED_REACTOR_ENABLED": False}))
    return SearchAllSpider.from_crawler(crawler, q="cat", engines="first,second,third")


async def _drain(requests: AsyncIterator[Any]) -> list[Any]:
    return [request async for request in requests]


@pytest.mark.parametrize("first_does", ["fails", "ends", "raises"])
def test_an_engine_ending_while_it_starts_hands_its_query_over_once(
    monkeypatch: pytest.MonkeyPatch, first_does: str
) -> None:
    spider = _engines(monkeypatch, first_does)
    started = asyncio.run(_drain(spider.start()))
    assert [request.url for request in started] == ["http://127.0.0.1/second"]
    # The query is the second engine's now: a later hand-over (after any callback, or when the
    # crawl goes idle) must not start the third engine beside it.
    assert asyncio.run(_drain(spider.handover_requests())) == []
    assert _Engine.started == ["first", "second"]


def test_an_engine_that_raises_while_starting_is_one_warning_and_handed_over(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    spider = _engines(monkeypatch, "raises")
    with caplog.at_level(logging.WARNING):
        asyncio.run(_drain(spider.start()))
    (line,) = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert "search: first failed for query 'cat' (start_error): first: could not start: RuntimeError: " in line
    assert line.endswith("; second takes over")


def test_an_engine_ending_in_a_callback_hands_its_query_over_in_that_callback(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The hand-over ran as an idle task whose exception nobody retrieved; now it is a change of the
    # spider's state, and the spider's own callback yields the next engine's first request.
    spider = _engines(monkeypatch, "requests")
    (first,) = asyncio.run(_drain(spider.start()))
    assert first.callback == spider.parse_results and first.meta["engine"] == "first"
    response = scrapy.http.TextResponse(first.url, body=b"", request=first)
    (second,) = asyncio.run(_drain(spider.parse_results(response)))
    assert second.url == "http://127.0.0.1/second" and second.callback == spider.parse_results
    assert second.meta["engine"] == "second" and spider.turns.current[first.meta["query"]] == "second"


def test_a_request_popped_by_another_worker_continues_its_query_there(monkeypatch: pytest.MonkeyPatch) -> None:
    """A distributed job: this worker never started the query, yet the engine's end hands it on."""
    spider = _engines(monkeypatch, "requests")
    query = spider.args.queries[0]
    request = spider.runners["second"].request("http://127.0.0.1/second", meta={"query": query})
    response = scrapy.http.TextResponse(request.url, body=b"", request=request)
    (third,) = asyncio.run(_drain(spider.parse_results(response)))
    assert third.url == "http://127.0.0.1/third"


def test_a_mistyped_argument_is_answered_with_every_name_the_spider_takes() -> None:
    # The list left out engines=, the one argument only this spider takes.
    with pytest.raises(ArgumentError, match=r"^unknown argument -a engnes= for spider search; use one of: .*\bengines\b"):
        SearchAllSpider.check_arguments({"q": "cat", "engnes": "bing"}, settings())


def test_engine_objects_share_the_crawls_one_log_redactor(tmp_path: Path) -> None:
    # The search spider makes an engine object per query: each installed its own filter on every
    # log handler, so every log line of a 1,000-query crawl was redacted 1,000 times. Now every
    # engine object adds its secrets to the crawl's one filter (imagespider/extensions/redact.py).
    queries = tmp_path / "queries.txt"
    queries.write_text("".join(f"query {n}\n" for n in range(30)))
    crawler = get_crawler(SearchAllSpider, project_values({"TWISTED_REACTOR_ENABLED": False}))
    spider = SearchAllSpider.from_crawler(crawler, queries=str(queries), engines="openverse,commons")
    before = list(redact._LOGGED)
    assert len(asyncio.run(_drain(spider.start()))) == 30
    added = [f for f in redact._LOGGED if f not in before]
    assert added in ([], [redact.crawl_secrets(crawler)])  # (installed by RedactSecretsExtension, or here)
    assert redact.crawl_secrets(crawler) in redact._LOGGED
    assert {id(runner._redactor) for runner in spider.runners.values()} == {id(redact.crawl_secrets(crawler))}


def test_an_unknown_engine_is_named_before_a_missing_query() -> None:
    with pytest.raises(ArgumentError, match="unknown engine altavista"):
        SearchAllSpider.check_arguments({"engines": "altavista"}, settings())
