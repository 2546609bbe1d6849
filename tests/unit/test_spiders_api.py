"""The paged-API runner (imagespider/spiders/api.py): an API engine writes its provider and its settings, nothing more.

What is proven here:
- a runner that declares only its config class and its provider (its calls and its reading) has
  its settings checked before the crawl and read once, and each page's call built by it: in the
  engine's paced slot, robots.txt left to image hosts, its options (headers, meta) carried;
- its secrets are masked in failure texts (and any ``api_key=`` value, even with no secret);
- a whole-number setting outside its range is one line naming it, its range and whose range it is.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from scrapy.http import Response
from scrapy.settings import BaseSettings, Settings
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.test import get_crawler
from twisted.python.failure import Failure

from imagespider.engines import EngineResult, Provider, ResultsPage, SearchCall
from imagespider.errors import ArgumentError
from imagespider.spiders.api import ApiRunner, whole_number_setting
from imagespider.spiders.base import SearchSpider
from imagespider.spiders.params import Query
from tests.settings import project_values


@dataclass(frozen=True)
class TinyConfig:
    api_url: str
    token: str

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> TinyConfig:
        if not settings.get("TINY_API_URL"):
            raise ArgumentError("TINY_API_URL is empty")
        return cls(settings["TINY_API_URL"], settings.get("TINY_TOKEN") or "")


class TinyProvider(Provider[TinyConfig]):
    """An engine whose calls are ``<url>?q=&p=`` with a client header, and whose answers are never read."""

    name = "tiny"
    first_page = 1

    def search(self, query: str, page: Any, options: TinyConfig) -> SearchCall:
        return SearchCall(f"{options.api_url}?{urlencode({'q': query, 'p': page})}", headers={"X-Client": "tiny"})


class TinyRunner(ApiRunner):
    name = "tiny"
    provider = TinyProvider()
    config_class = TinyConfig
    config: TinyConfig

    @property
    def options(self) -> TinyConfig:
        return self.config

    def call_meta(self, query: Query, page: Any) -> dict[str, Any]:
        return {"handle_httpstatus_list": [429]}

    def secrets(self) -> list[str]:
        return [self.config.token]


class TinySpider(SearchSpider):
    name = "tiny"
    runner_classes: ClassVar = {"tiny": TinyRunner}


def tiny(**values: Any) -> TinyRunner:
    settings = {"TINY_API_URL": "http://api.example/search", "TINY_TOKEN": "t0ken-1234", "LICENSE_POLICY": "share",
                "TWISTED_REACTOR_ENABLED": False, **values}
    crawler = get_crawler(TinySpider, project_values(settings))
    return TinySpider.from_crawler(crawler, q="red fox").runners["tiny"]


def test_a_page_call_is_built_from_the_engines_parameters() -> None:
    spider = tiny()
    assert spider.config == TinyConfig("http://api.example/search", "t0ken-1234")
    query = spider.args.queries[0]
    request = spider.page_request(query, 2)
    parts = urlsplit(request.url)
    assert (parts.netloc, parts.path, parse_qs(parts.query)) == ("api.example", "/search", {"q": ["red fox"], "p": ["2"]})
    assert request.headers["X-Client"] == b"tiny"
    assert request.meta["handle_httpstatus_list"] == [429] and request.meta["dont_obey_robotstxt"]
    assert (request.meta["query"], request.meta["page"], request.meta["download_slot"]) == (query, 2, "tiny-api")
    assert request.callback == spider.spider.parse_results and request.dont_filter
    assert request.meta["engine"] == "tiny"


def test_the_config_is_checked_before_the_crawl() -> None:
    with pytest.raises(ArgumentError, match="TINY_API_URL is empty"):
        TinySpider.check_arguments({"q": "cat"}, Settings(project_values({"TINY_API_URL": ""})))


def test_secrets_are_kept_out_of_failure_texts() -> None:
    spider = tiny()
    assert spider.redact("refused t0ken-1234 at http://h/?api_key=abc") == "refused *** at http://h/?api_key=***"
    assert tiny(TINY_TOKEN="").redact("http://h/?api_key=abc") == "http://h/?api_key=***"


@pytest.mark.parametrize(("raw", "words"), [("0", "from 1 to 50, got 0"), ("x", "got x"), ("51", "got 51")])
def test_whole_number_settings_out_of_range_are_one_line(raw: str, words: str) -> None:
    with pytest.raises(ArgumentError, match=f"^X_SIZE must be a whole number {words}$" if raw == "0" else words):
        whole_number_setting(Settings({"X_SIZE": raw}), "X_SIZE", 1, 50)
    with pytest.raises(ArgumentError, match="from 1 to 20 for anonymous use, got"):
        whole_number_setting(Settings({"X_SIZE": raw}), "X_SIZE", 1, 20, "for anonymous use")
    assert whole_number_setting(Settings({"X_SIZE": "7"}), "X_SIZE", 1, 50) == 7


def test_a_query_whose_pages_bring_nothing_new_ends_after_max_stale_pages() -> None:
    """Flickr repeats itself past its 4,000th result while still naming more pages; an API that
    answers the same page again was asked for the next one forever (the quota never fills)."""
    import asyncio

    from scrapy import Request
    from scrapy.http import TextResponse

    from imagespider.items import ImageItem
    from imagespider.spiders.api import MAX_STALE_PAGES

    class RepeatingProvider(TinyProvider):
        """Every page answers the same two results and names the page after it."""

        def parse(self, body: str | bytes, options: TinyConfig) -> ResultsPage:
            results = [EngineResult(image_url=f"http://img.example/{i}.jpg") for i in range(2)]
            return ResultsPage(results, next=json.loads(body)["page"] + 1)

        def declared_license(self, result: EngineResult, options: TinyConfig) -> Any:
            from imagespider.rights.model import cc_license

            return cc_license("cc-by", "4.0", "api")

    class RepeatingRunner(TinyRunner):
        provider = RepeatingProvider()

    class RepeatingSpider(TinySpider):
        runner_classes: ClassVar = {"tiny": RepeatingRunner}

    crawler = get_crawler(RepeatingSpider, project_values({
        "TINY_API_URL": "http://api.example/search", "LICENSE_POLICY": "any", "TWISTED_REACTOR_ENABLED": False,
    }))
    crawler.spider = RepeatingSpider.from_crawler(crawler, q="red fox", limit="100")
    spider = crawler.spider.runners["tiny"]
    crawler.stats.open_spider()
    query = spider.args.queries[0]

    async def page(number: int) -> list[Any]:
        request = Request("http://api.example/search", meta={"query": query, "page": number})
        response = TextResponse(request.url, body=json.dumps({"page": number}).encode(), request=request)
        return [out async for out in spider.parse(response)]

    async def run() -> list[list[Any]]:
        return [await page(n) for n in range(1, MAX_STALE_PAGES + 2)]

    answers = asyncio.run(run())
    assert sum(isinstance(out, ImageItem) for out in answers[0]) == 2
    asked = [[out.meta["page"] for out in outs if isinstance(out, Request)] for outs in answers]
    assert asked == [[n + 1] for n in range(1, MAX_STALE_PAGES + 1)] + [[]]
    assert crawler.stats.get_value("imagespider/tiny/stale_pages_end") == 1


def _failure_reason(error: Exception) -> str:
    """The reason a failed search call ends the engine with."""
    spider = tiny()
    request = spider.page_request(spider.args.queries[0], 1)
    reasons: list[str] = []
    spider.fail_soon = lambda reason, message, queries=(): reasons.append(reason)  # type: ignore[method-assign]
    failure = Failure(error)
    failure.request = request  # type: ignore[attr-defined]
    asyncio.run(spider.failed(failure))
    return reasons[0]


def test_a_search_call_that_never_got_an_answer_is_unreachable_not_an_http_error() -> None:
    # `scrapy enginecheck` said "HTTP ERROR" for a refused connection or a DNS failure.
    assert _failure_reason(ConnectionRefusedError("Connection was refused by other side")) == "tiny_unreachable"
    response = Response("http://api.example/search", status=503)
    assert _failure_reason(HttpError(response, "Ignoring non-200 response")) == "tiny_http_error"
