"""imagespider/downloadermiddlewares/robotstxt.py: a robots.txt body is read to its cap and no
further; a URL robots.txt bars to a named AI-training crawler is refused with its own reason; a
waiter handed no parser (the Scrapy 2.19 bug the module describes) gets the host's parsed copy."""

from __future__ import annotations

import asyncio

import pytest
from scrapy import Request, signals
from scrapy.exceptions import IgnoreRequest, StopDownload
from scrapy.utils.test import get_crawler

from imagespider.downloadermiddlewares.robotstxt import (
    MAX_BODY_META,
    ROBOTS_MAX_BYTES,
    AiAgentsBarred,
    RobotsTxtMiddleware,
    body_cap,
    cap_bodies,
)
from imagespider.rights.aiagents import AiAwareRobotParser

ROBOTS = b"User-agent: GPTBot\nDisallow: /\n\nUser-agent: *\nDisallow: /private/\n"


def test_body_cap_for_meta_and_for_robots_txt_fetched_for_the_rules() -> None:
    assert body_cap(Request("https://a.example/x.html", meta={MAX_BODY_META: 10})) == 10
    assert body_cap(Request("https://a.example/robots.txt", meta={"dont_obey_robotstxt": True})) == ROBOTS_MAX_BYTES
    assert body_cap(Request("https://a.example/robots.txt")) is None  # an ordinary request for the file
    assert body_cap(Request("https://a.example/x.jpg")) is None


def test_the_download_stops_once_the_cap_is_reached_and_keeps_what_arrived() -> None:
    crawler = get_crawler()
    cap_bodies(crawler)
    cap_bodies(crawler)  # connected once however many components ask
    request = Request("https://a.example/page.html", meta={MAX_BODY_META: 10})

    def receive(data: bytes) -> list[StopDownload]:
        results = crawler.signals.send_catch_log(signals.bytes_received, data=data, request=request, spider=None)
        return [r.value for _, r in results if hasattr(r, "value") and isinstance(r.value, StopDownload)]

    assert receive(b"12345") == []
    (stop,) = receive(b"67890")
    assert stop.fail is False  # what arrived is kept
    assert len(receive(b"x")) == 1  # past the cap it stays stopped


def middleware(agents: str = "GPTBot,CCBot") -> tuple[RobotsTxtMiddleware, object]:
    crawler = get_crawler(settings_dict={"ROBOTSTXT_OBEY": True, "ROBOTSTXT_AI_AGENTS": agents,
                                         "ROBOTSTXT_PARSER": "imagespider.rights.aiagents.AiAwareRobotParser"})
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


def test_a_waiter_handed_none_gets_the_hosts_parsed_robots_txt() -> None:
    mw, crawler = middleware()
    parser = AiAwareRobotParser(ROBOTS, None)
    request = Request("https://a.example/private/x.jpg")
    crawler.signals.send_catch_log(signals.robots_parsed, robotparser=parser, request=Request("https://a.example/robots.txt"))
    mw._parsers["a.example"] = None  # what a later waiter sees under the bug (Scrapy's own table)

    assert asyncio.run(mw.robot_parser(request)) is parser
