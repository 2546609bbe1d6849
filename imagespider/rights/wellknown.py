"""Each origin's ``/.well-known/tdmrep.json``, fetched once per crawl through Scrapy's downloader.

Like robots.txt, the TDMRep site file (imagespider/rights/tdmrep.py) is asked for before the first
image of a host, and of a source page's host, is downloaded, and never again in the crawl: every
later item of that origin waits on the same answer. The request goes through the downloader
middlewares (redirects are followed, as the spec allows; a non-public address is refused by
downloadermiddlewares/privateaddress.py), with one short try and a size cap (``TDMREP_MAXSIZE``).
A missing, unreachable, oversized or broken file reserves nothing, as the spec says.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.crawler import Crawler

from imagespider.rights.tdmrep import TdmRule, TdmRules, parse_tdmrep

__all__ = ["TdmRepCache"]

WELL_KNOWN_PATH = "/.well-known/tdmrep.json"

#: Origins whose rules are kept; past this the least recently asked is fetched again when next
#: needed, so a crawl over a million sites holds a bounded number of rule sets.
CACHE_SIZE = 4096


class TdmRepCache:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.maxsize = crawler.settings.getint("TDMREP_MAXSIZE")
        self._rules: OrderedDict[str, asyncio.Future[TdmRules]] = OrderedDict()

    async def reservation(self, url: str) -> TdmRule | None:
        """The origin's tdmrep.json rule reserving TDM rights for ``url``, or None."""
        try:
            parts = urlsplit(url)
            parts.port  # noqa: B018  (read to check it: a port out of range raises here, not in urlsplit)
        except ValueError:  # "Invalid IPv6 URL", "Port out of range": no origin to ask
            return None
        if parts.scheme not in ("http", "https") or not parts.netloc:
            return None
        origin = f"{parts.scheme}://{parts.netloc}"
        future = self._rules.get(origin)
        if future is None:
            future = asyncio.get_running_loop().create_future()
            self._rules[origin] = future
            while len(self._rules) > CACHE_SIZE:
                self._rules.popitem(last=False)
            rules = TdmRules()
            try:
                rules = await self._fetch(origin)
            finally:  # even when cancelled, nobody may wait forever
                future.set_result(rules)
        else:
            self._rules.move_to_end(origin)
        return (await future).reservation(url)

    async def _fetch(self, origin: str) -> TdmRules:
        stats = self.crawler.stats
        request = Request(
            origin + WELL_KNOWN_PATH,
            meta={
                "dont_obey_robotstxt": True, "dont_retry": True, "download_timeout": 10,
                "download_maxsize": self.maxsize, "download_warnsize": 0,
            },
            dont_filter=True,
            priority=1000,
        )  # fmt: skip
        try:
            engine = self.crawler.engine
            assert engine is not None
            response = await engine.download_async(request)
        except Exception:  # noqa: BLE001  (a host that cannot be reached has said nothing)
            if stats:
                stats.inc_value("imagespider/tdmrep/unavailable")
            return TdmRules()
        if response.status != 200 or len(response.body) > self.maxsize:
            if stats:
                stats.inc_value("imagespider/tdmrep/missing")
            return TdmRules()
        rules = parse_tdmrep(response.body)
        if stats:
            stats.inc_value("imagespider/tdmrep/found" if rules.rules else "imagespider/tdmrep/broken")
        return rules
