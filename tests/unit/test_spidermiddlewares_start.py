"""imagespider/spidermiddlewares/start.py: a start() that raises is one line and failed_start."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from typing import Any

import pytest
from scrapy import Spider
from scrapy.exceptions import CloseSpider
from scrapy.utils.test import get_crawler

from imagespider.spidermiddlewares.start import START_FAILED_REASON, StartFailureMiddleware


async def _start(fail_with: BaseException | None) -> AsyncIterator[Any]:
    yield "first"
    if fail_with is not None:
        raise fail_with


async def _drain(middleware: StartFailureMiddleware, fail_with: BaseException | None) -> list[Any]:
    return [output async for output in middleware.process_start(_start(fail_with))]


def _middleware() -> StartFailureMiddleware:
    crawler = get_crawler(Spider)
    crawler.spider = Spider(name="bing")
    return StartFailureMiddleware.from_crawler(crawler)


def test_an_exception_is_one_line_and_a_failed_close(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.ERROR), pytest.raises(CloseSpider) as closed:
        asyncio.run(_drain(_middleware(), ConnectionError("Redis went away\nsecond line")))
    assert closed.value.reason == START_FAILED_REASON == "failed_start"
    ours = [r for r in caplog.records if r.name.startswith("imagespider")]
    assert [r.getMessage() for r in ours] == ["bing could not start: ConnectionError: Redis went away"]
    assert not any(r.exc_info for r in caplog.records)  # no traceback


def test_the_spiders_own_close_and_a_normal_start_pass_through(caplog: pytest.LogCaptureFixture) -> None:
    assert asyncio.run(_drain(_middleware(), None)) == ["first"]
    with pytest.raises(CloseSpider) as closed:
        asyncio.run(_drain(_middleware(), CloseSpider("failed_job_list_differs")))
    assert closed.value.reason == "failed_job_list_differs"
    # only this middleware's lines: an earlier test in the worker may have left the root logger at
    # DEBUG, where asyncio.run logs its selector
    assert not [r for r in caplog.records if r.name.startswith("imagespider")]
