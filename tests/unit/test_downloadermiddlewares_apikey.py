"""The API-key middleware (imagespider/downloadermiddlewares/apikey.py): a Flickr request carries
no key until it is sent, and none again once it comes back (a retry copies it from there)."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

from scrapy import Request
from scrapy.utils.test import get_crawler

from imagespider.downloadermiddlewares.apikey import BEARER_SENT_META, ApiKeyMiddleware, token_fingerprint, with_param
from imagespider.extensions.redact import SecretFilter
from imagespider.spiders.flickr import FlickrSpider
from tests.settings import project_values


def at_rest(request: Request) -> str:
    """What JOBDIR would write of the request (Request.to_dict, without the callback's name)."""
    return json.dumps({**request.replace(callback=None, errback=None).to_dict(), "body": request.body.decode()}, default=str)


def test_api_requests_carry_no_key_until_they_are_sent() -> None:
    settings = {
        "FLICKR_API_KEY": "k3y", "FLICKR_API_URL": "http://api.example/rest/", "LICENSE_POLICY": "share",
        "TWISTED_REACTOR_ENABLED": False,
    }
    crawler = get_crawler(FlickrSpider, project_values(settings))
    spider = FlickrSpider.from_crawler(crawler, q="cat").runners["flickr"]
    request = spider.page_request(spider.args.queries[0], 1)
    assert "k3y" not in at_rest(request)
    middleware = ApiKeyMiddleware(crawler)
    middleware.process_request(request)
    assert parse_qs(urlsplit(request.url).query)["api_key"] == ["k3y"]  # as it is sent
    middleware.process_exception(request, TimeoutError())  # a retry copies the request from here
    assert "k3y" not in request.url
    assert "k3y" not in at_rest(request)


def test_with_param_replaces_an_existing_value() -> None:
    assert parse_qs(urlsplit(with_param("http://h/r?a=1&api_key=old", "api_key", "new")).query) == {
        "a": ["1"], "api_key": ["new"]
    }


def test_secrets_are_masked_at_any_length_without_mangling_words() -> None:
    redact = SecretFilter(["k3y", "0123456789abcdef"]).redact
    assert redact("title k3y, url http://h/x?sig=k3y&a=1") == "title ***, url http://h/x?sig=***&a=1"
    assert redact("k3yboard mk3y") == "k3yboard mk3y"  # a short key inside a word is left alone
    assert redact("x0123456789abcdefy") == "x***y"  # a long one is masked wherever it is
    assert SecretFilter(["k3y"]).scrub({"t": ["a k3y"], "n": 3}) == {"t": ["a ***"], "n": 3}


def test_openverse_bearer_token_is_added_only_while_sent() -> None:
    from scrapy.http import Response  # noqa: PLC0415

    from imagespider.spiders.openverse import OpenverseSpider  # noqa: PLC0415

    settings = {
        "OPENVERSE_CLIENT_ID": "client-1", "OPENVERSE_CLIENT_SECRET": "s3cret-77",
        "OPENVERSE_API_URL": "http://api.example", "LICENSE_POLICY": "share", "TWISTED_REACTOR_ENABLED": False,
    }
    crawler = get_crawler(OpenverseSpider, project_values(settings))
    spider = OpenverseSpider.from_crawler(crawler, q="cat").runners["openverse"]
    spider._shared.token = "tok-abc-123456"
    request = spider.page_request(spider.args.queries[0], 1)
    assert "tok-abc" not in at_rest(request) and "Authorization" not in request.headers
    middleware = ApiKeyMiddleware(crawler)
    middleware.process_request(request)
    assert request.headers["Authorization"] == b"Bearer tok-abc-123456"  # as it is sent
    middleware.process_response(request, Response(request.url, status=200))
    assert "Authorization" not in request.headers
    assert "tok-abc" not in at_rest(request)
    # Which token was sent stays in meta as a fingerprint only (a 401 renews only the token it names).
    assert request.meta[BEARER_SENT_META] == token_fingerprint("tok-abc-123456") != token_fingerprint("tok-other")
