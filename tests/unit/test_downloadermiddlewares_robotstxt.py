"""imagespider/downloadermiddlewares/robotstxt.py: a URL robots.txt bars to a named AI-training
crawler is refused with its own reason (robots_txt_ai) and counted; the parser comes from the
crawl's one robots.txt cache (imagespider/sitesignals/robots.py, tested in test_sitesignals_robots.py)."""

from __future__ import annotations

import asyncio

import pytest
from scrapy import Request
from scrapy.exceptions import IgnoreRequest
from scrapy.utils.test import get_crawler

from imagespider.downloadermiddlewares.robotstxt import AiAgentsBarred, RobotsTxtMiddleware
from imagespider.sitesignals.robotparser import AiAwareRobotParser
from imagespider.sitesignals.robots import RobotsCache
from tests.engine_stub import EngineStub

ROBOTS = b"User-agent: GPTBot\nDisallow: /\n\nUser-agent: *\nDisallow: /private/\n"


def middleware(agents: str = "GPTBot,CCBot") -> tuple[RobotsTxtMiddleware, object]:
    crawler = get_crawler(settings_dict={"ROBOTSTXT_OBEY": True, "ROBOTSTXT_AI_AGENTS": agents,
                                         "ROBOTSTXT_PARSER": "imagespider.sitesignals.robotparser.AiAwareRobotParser"})
    crawler.stats.open_spider()  # type: ignore[union-attr, call-arg]
    return RobotsTxtMiddleware(crawler), crawler


def test_a_url_barred_to_a_named_ai_crawler_is_refused_with_its_reason() -> None:
    mw, crawler = middleware()
    parser = AiAwareRobotParser(ROBOTS, None)
    with pytest.raises(AiAgentsBarred, match="robots.txt disallows GPTBot") as barred:
        mw.process_request_2(parser, Request("https://a.example/photo.jpg"))
    assert barred.value.reason == "robots_txt_ai" and isinstance(barred.value, IgnoreRequest)
    assert crawler.stats.get_value("robotstxt/forbidden_ai") == 1  # type: ignore[attr-defined]


def test_the_ai_rule_is_off_with_no_agents() -> None:
    mw, _ = middleware(agents="")
    mw.process_request_2(AiAwareRobotParser(ROBOTS, None), Request("https://a.example/photo.jpg"))  # no raise


def test_the_parser_comes_from_the_crawls_one_cache() -> None:
    mw, crawler = middleware()
    assert mw.cache is RobotsCache.of(crawler)  # type: ignore[arg-type]
    engine = EngineStub({"https://a.example/robots.txt": (200, ROBOTS)})
    crawler.engine = engine  # type: ignore[attr-defined]

    async def ask() -> object:
        first = await mw.robot_parser(Request("https://a.example/x.jpg"))
        assert await mw.cache.allowed("https://a.example/private/y.jpg") is False
        return first

    assert isinstance(asyncio.run(ask()), AiAwareRobotParser)
    assert len(engine.requests) == 1
