"""The flickr runner: FlickrConfig (the FLICKR_* settings read once, the key from the setting or the
environment), and the license table a distributed worker asks for as it starts."""

from __future__ import annotations

import pytest

from imagespider.errors import ArgumentError
from imagespider.spiders.flickr import FlickrConfig
from tests.settings import project_settings


def test_defaults_come_from_the_project_settings() -> None:
    config = FlickrConfig.from_settings(project_settings(), {})
    assert (config.api_url, config.size, config.per_page, config.sort, config.safe_search) == (
        "https://api.flickr.com/services/rest/", "", 100, "relevance", "1",
    )


def test_config_reads_key_from_setting_then_environment() -> None:
    assert FlickrConfig.from_settings(project_settings({"FLICKR_API_KEY": "s"}), {"FLICKR_API_KEY": "e"}).api_key == "s"
    assert FlickrConfig.from_settings(project_settings(), {"FLICKR_API_KEY": "e"}).api_key == "e"
    assert FlickrConfig.from_settings(project_settings(), {}).api_key == ""
    assert "secret-value" not in repr(FlickrConfig.from_settings(project_settings({"FLICKR_API_KEY": "secret-value"}), {}))


@pytest.mark.parametrize(
    "settings",
    [{"FLICKR_SIZE": "x"}, {"FLICKR_PER_PAGE": "0"}, {"FLICKR_PER_PAGE": "many"}, {"FLICKR_SORT": "best"},
     {"FLICKR_SAFE_SEARCH": "4"}],
)
def test_config_rejects_bad_settings(settings: dict[str, str]) -> None:
    with pytest.raises(ArgumentError):
        FlickrConfig.from_settings(project_settings(settings), {})


def test_a_distributed_worker_asks_for_the_license_table_before_any_query() -> None:
    """A worker reads pages of queries other workers started: it maps their licenses (CC 4.0 is
    ids 11+, only in the table licenses.getInfo gives) with a table it asked for as it started,
    not only once a query of its own starts."""
    import asyncio

    from scrapy.utils.test import get_crawler

    from imagespider.distributed.config import LOCAL_META
    from imagespider.spiders.flickr import FlickrSpider
    from tests.settings import project_values

    crawler = get_crawler(FlickrSpider, project_values({"FLICKR_API_KEY": "k3y", "TWISTED_REACTOR_ENABLED": False}))
    spider = FlickrSpider.from_crawler(crawler, q="cat")
    runner = spider.runners["flickr"]

    async def prepared() -> list[object]:
        return [request async for request in runner.prepare()]

    (request,) = asyncio.run(prepared())
    assert "licenses.getInfo" in request.url and request.meta[LOCAL_META] and request.meta["engine"] == "flickr"
    assert request.callback == spider.parse_prepared
    assert asyncio.run(prepared()) == [], "asked once"
