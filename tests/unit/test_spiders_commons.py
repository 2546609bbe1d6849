"""CommonsConfig: the COMMONS_* settings, read and checked once."""

from __future__ import annotations

import pytest

from imagespider.errors import ArgumentError
from imagespider.spiders.commons import CommonsConfig
from tests.settings import project_settings


def test_defaults_come_from_the_project_settings() -> None:
    config = CommonsConfig.from_settings(project_settings())
    assert (config.api_url, config.page_size, config.thumb_width, config.maxlag) == (
        "https://commons.wikimedia.org/w/api.php", 50, 0, 5,
    )
    assert "(https://github.com/imagespider/imagespider)" in config.user_agent


@pytest.mark.parametrize(
    "values",
    [{"COMMONS_CONTACT": " "}, {"COMMONS_PAGE_SIZE": "51"}, {"COMMONS_MAXLAG": "0"}, {"COMMONS_THUMB_WIDTH": "x"}],
)
def test_bad_values_are_one_line_errors(values: dict[str, str]) -> None:
    with pytest.raises(ArgumentError):
        CommonsConfig.from_settings(project_settings(values))


@pytest.mark.parametrize(("header", "waited"), [(b"7", 7.0), (b"99999999", 300.0), (b"\xb2", 5.0)])
def test_a_lagged_answer_waits_as_asked_within_reason(
    monkeypatch: pytest.MonkeyPatch, header: bytes, waited: float
) -> None:
    """A Retry-After of 99999999 s stalled the query for three years; "²" (a digit to isdigit,
    not to float) raised ValueError."""
    import asyncio

    from scrapy import Request
    from scrapy.http import TextResponse
    from scrapy.utils.test import get_crawler

    import imagespider.spiders.commons as module
    from imagespider.engines.commons import CommonsApiError
    from imagespider.spiders.commons import CommonsSpider
    from tests.settings import project_values

    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    monkeypatch.setattr(module.asyncio, "sleep", sleep)
    crawler = get_crawler(CommonsSpider, project_values({"TWISTED_REACTOR_ENABLED": False}))
    spider = CommonsSpider.from_crawler(crawler, q="red fox").runners["commons"]
    crawler.stats.open_spider()
    query = spider.args.queries[0]
    request = Request("https://commons.example/w/api.php", meta={"query": query, "page": None})
    response = TextResponse(request.url, body=b"{}", headers={"Retry-After": header}, request=request)
    again = asyncio.run(spider.lagged(query, response, CommonsApiError("maxlag", "lagged", 3.0)))
    assert again is not None and slept == [waited]
