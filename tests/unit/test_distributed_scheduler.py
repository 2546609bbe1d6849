"""Requests through scrapy-redis's queue (imagespider/distributed/scheduler.py): what a worker puts in
Redis comes back whole in another worker, browser requests included."""

from __future__ import annotations

import asyncio
from typing import Any

from scrapy import Request
from scrapy.utils.test import get_crawler
from scrapy_redis.queue import FifoQueue

from imagespider.spiders.bing import BingSpider
from imagespider.spiders.flickr import FlickrSpider
from imagespider.spiders.params import Query
from tests.settings import project_values


def through_redis(request: Request, spider: Any) -> Request:
    """What another worker pops: scrapy-redis's own encoding (Request.to_dict, pickled) and back."""
    queue = FifoQueue(server=None, spider=spider, key="unused")
    decoded: Request = queue._decode_request(queue._encode_request(request))
    return decoded


def first(spider: Any) -> Request:
    async def take() -> Request:
        async for request in spider.start():
            return request  # type: ignore[no-any-return]
        raise AssertionError("start() yielded nothing")

    return asyncio.run(take())


def test_a_browser_request_keeps_its_playwright_meta_and_callbacks() -> None:
    crawler = get_crawler(BingSpider, project_values({"TWISTED_REACTOR_ENABLED": False}))
    spider = BingSpider.from_crawler(crawler, q="cat")
    request = first(spider)
    again = through_redis(request, spider)
    assert again.url == request.url
    assert again.meta["playwright"] is True and again.meta["playwright_include_page"] is True
    assert again.meta["playwright_page_goto_kwargs"] == {"wait_until": "domcontentloaded"}
    assert again.meta["query"] == Query("cat", "cat")
    assert again.callback == spider.parse_results and again.errback == spider.results_failed
    assert again.meta["engine"] == "bing"
    assert again.dont_filter


def test_an_api_page_request_keeps_its_query_and_no_key() -> None:
    settings = {"FLICKR_API_KEY": "k3y", "TWISTED_REACTOR_ENABLED": False}
    crawler = get_crawler(FlickrSpider, project_values(settings))
    spider = FlickrSpider.from_crawler(crawler, q="cat")
    request = spider.runners["flickr"].page_request(Query("cat", "cat"), 2)
    again = through_redis(request, spider)
    assert again.meta["query"] == Query("cat", "cat") and again.meta["page"] == 2
    assert again.callback == spider.parse_results and again.meta["engine"] == "flickr"
    assert "k3y" not in again.url, "the key joins the URL only as the request is sent"
