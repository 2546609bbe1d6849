"""Downloader middlewares: robots.txt obeyed for every image, and the private-address guard.

``RobotsTxtMiddleware`` works around a Scrapy 2.19 bug: while a host's robots.txt is being
fetched, every request to that host waits on one Deferred through ``maybe_deferred_to_future``;
the first waiter's callback returns None, so every later waiter receives None and is let
through unchecked (scrapy/scrapy#6802 turned the old callback, which passed the parser on,
into ``await maybe_deferred_to_future(parser)``). An image host disallowing us must be obeyed
for every image, not only the first two, so the parser is read back from the cache after the wait.
"""

from __future__ import annotations

from typing import Self

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware as ScrapyRobotsTxtMiddleware
from scrapy.robotstxt import RobotParser
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred

from imagespider import netguard


class RobotsTxtMiddleware(ScrapyRobotsTxtMiddleware):
    async def robot_parser(self, request: Request) -> RobotParser | None:
        parser = await super().robot_parser(request)
        cached = self._parsers.get(urlparse_cached(request).netloc)
        return parser if isinstance(cached, Deferred) else cached


class PrivateAddressMiddleware:
    """Refuse requests to hosts that are not public addresses (see :mod:`imagespider.netguard`).

    It runs first (before robots.txt is asked, so not even that is fetched) on every request,
    including each hop of a redirect. IP literals and ``localhost`` are judged at once; other
    names are resolved through the crawl's resolver, whose answer the connection then reuses.
    """

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        self.allow_private = settings.getbool("ALLOW_PRIVATE_ADDRESSES")
        self.engine_urls = netguard.engine_urls(settings)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    async def process_request(self, request: Request) -> None:
        if self.allow_private or request.meta.get("playwright") or self._is_engine(request.url):
            return  # engine pages: the user chose these endpoints (and Chromium fetches them)
        host = netguard.host_of(request.url)
        literal = netguard.ip_literal(host)
        if literal is not None:
            if not netguard.public_address(literal):
                raise netguard.PrivateAddressRefused(f"{host} is not a public address: {request.url[:200]}")
            return
        if netguard.local_name(host):
            raise netguard.PrivateAddressRefused(f"{host} is this machine: {request.url[:200]}")
        from twisted.internet import reactor  # noqa: PLC0415  (the installed reactor)

        try:
            await maybe_deferred_to_future(reactor.resolve(host))  # type: ignore[attr-defined,arg-type]
        except netguard.PrivateAddressLookupError as error:
            raise netguard.PrivateAddressRefused(f"{error}: {request.url[:200]}") from None
        except Exception:  # noqa: BLE001  (an unknown name fails, and is retried, when connecting)
            return

    def _is_engine(self, url: str) -> bool:
        return any(url.startswith(base) for base in self.engine_urls)
