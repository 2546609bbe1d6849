"""The paged-API base (imagespider/spiders/api.py): what an API engine writes is all it writes.

What is proven here:
- a spider that declares only its config class, its parameters and its parse has its settings
  checked before the crawl and read once, and each page's call built from its parameters: in the
  engine's paced slot, robots.txt left to image hosts, its options (headers, meta) carried;
- its secrets are masked in failure texts (and any ``api_key=`` value, even with no secret);
- a whole-number setting outside its range is one line naming it, its range and whose range it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from scrapy.settings import BaseSettings, Settings
from scrapy.utils.test import get_crawler

from imagespider.errors import ArgumentError
from imagespider.spiders.api import ApiSearchSpider, whole_number_setting
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


class TinySpider(ApiSearchSpider):
    name = "tiny"
    config_class = TinyConfig
    config: TinyConfig

    def search_params(self, query: Query, page: Any) -> dict[str, Any]:
        return {"q": query.text, "p": page}

    def search_options(self, query: Query, page: Any) -> dict[str, Any]:
        return {"headers": {"X-Client": "tiny"}, "handle_httpstatus_list": [429]}

    def secrets(self) -> list[str]:
        return [self.config.token]


def tiny(**values: Any) -> TinySpider:
    settings = {"TINY_API_URL": "http://api.example/search", "TINY_TOKEN": "t0ken-1234", "LICENSE_POLICY": "share",
                "TWISTED_REACTOR_ENABLED": False, **values}
    crawler = get_crawler(TinySpider, project_values(settings))
    return TinySpider.from_crawler(crawler, q="red fox")


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
    assert request.callback == spider.parse_search and request.dont_filter


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
