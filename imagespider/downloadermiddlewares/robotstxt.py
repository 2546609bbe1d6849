"""robots.txt obeyed for every image.

``RobotsTxtMiddleware`` works around a Scrapy 2.19 bug: while a host's robots.txt is being
fetched, every request to that host waits on one Deferred through ``maybe_deferred_to_future``;
the first waiter's callback returns None, so every later waiter receives None and is let
through unchecked (scrapy/scrapy#6802 turned the old callback, which passed the parser on,
into ``await maybe_deferred_to_future(parser)``). An image host disallowing us must be obeyed
for every image, not only the first two, so the parser is read back from the cache after the wait.
"""

from __future__ import annotations

from scrapy import Request
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware as ScrapyRobotsTxtMiddleware
from scrapy.robotstxt import RobotParser
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred


class RobotsTxtMiddleware(ScrapyRobotsTxtMiddleware):
    async def robot_parser(self, request: Request) -> RobotParser | None:
        parser = await super().robot_parser(request)
        cached = self._parsers.get(urlparse_cached(request).netloc)
        return parser if isinstance(cached, Deferred) else cached
