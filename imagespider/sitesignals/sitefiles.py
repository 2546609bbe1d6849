"""Site files read once per crawl through Scrapy's downloader: each origin's
``/.well-known/tdmrep.json`` (W3C TDMRep) and ``/ai.txt`` (Spawning), and the RSL documents a
robots.txt ``License:`` line names. One shared cache (:class:`SiteFiles`) holds them all by URL.

Like robots.txt, these are asked for before the first image of a host, and of a source page's
host, is downloaded, and never again in the crawl: every later item of that origin waits on the
same answer. The request goes through the downloader middlewares (redirects are followed, up to
REDIRECT_MAX_TIMES, so a loop ends; a non-public address is refused by
downloadermiddlewares/privateaddress.py; Crawl-delay spaces them with the host's other requests),
with one short try and a size cap. A missing, unreachable, oversized or broken file reserves
nothing, and is counted: ``imagespider/<kind>/found|missing|broken|unavailable``.

The parsers are pure and live apart: rights/tdmrep.py, rights/aitxt.py, rights/rsl.py.
"""

from __future__ import annotations

import asyncio
import weakref
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any, TypeVar
from urllib.parse import urljoin, urlsplit

from scrapy import Request
from scrapy.crawler import Crawler

from imagespider.rights.aitxt import AiTxt, AiTxtRule, parse_ai_txt
from imagespider.rights.rsl import RslDocument, RslVerdict, parse_rsl
from imagespider.rights.tdmrep import TdmRule, TdmRules, parse_tdmrep
from imagespider.sitesignals.robots import SITE_FILE_META

__all__ = ["AiTxtCache", "RslCache", "SiteFiles", "TdmRepCache"]

WELL_KNOWN_PATH = "/.well-known/tdmrep.json"
AI_TXT_PATH = "/ai.txt"
#: Bytes of an ai.txt read: robots.txt syntax, so robots.txt's cap (Google's 500 KiB).
AI_TXT_MAXSIZE = 500 * 1024
#: Bytes of an RSL document read: real ones are under 2 KiB; a site listing every path gets room.
RSL_MAXSIZE = 1024 * 1024

#: Site files kept; past this the least recently asked is fetched again when next needed, so a
#: crawl over a million sites holds a bounded number.
CACHE_SIZE = 4096

T = TypeVar("T")
_FILES: weakref.WeakKeyDictionary[Crawler, SiteFiles] = weakref.WeakKeyDictionary()


def origin_of(url: str) -> str | None:
    """``scheme://netloc`` of an http(s) URL, or None (a data: URL, a broken one)."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (read to check it: a port out of range raises here, not in urlsplit)
    except ValueError:  # "Invalid IPv6 URL", "Port out of range": no origin to ask
        return None
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}"


class SiteFiles:
    """One crawl's site files, by URL: each fetched once, parsed once, shared by every asker."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self._files: OrderedDict[str, asyncio.Future[Any]] = OrderedDict()

    @classmethod
    def of(cls, crawler: Crawler) -> SiteFiles:
        files = _FILES.get(crawler)
        if files is None:
            files = _FILES[crawler] = cls(crawler)
        return files

    async def get(self, url: str, kind: str, maxsize: int, parse: Callable[[bytes, str], T | None]) -> T | None:
        """``parse(body, url)`` of the file at ``url``; None when it is missing, unreachable,
        larger than ``maxsize`` or broken (``parse`` said None)."""
        future = self._files.get(url)
        if future is None:
            future = asyncio.get_running_loop().create_future()
            self._files[url] = future
            while len(self._files) > CACHE_SIZE:
                self._files.popitem(last=False)
            result: T | None = None
            try:
                result = await self._fetch(url, kind, maxsize, parse)
            finally:  # even when cancelled, nobody may wait forever
                future.set_result(result)
        else:
            self._files.move_to_end(url)
        return await future  # type: ignore[no-any-return]

    async def _fetch(self, url: str, kind: str, maxsize: int, parse: Callable[[bytes, str], T | None]) -> T | None:
        stats = self.crawler.stats
        request = Request(
            url,
            meta={
                "dont_obey_robotstxt": True, SITE_FILE_META: True, "dont_retry": True, "download_timeout": 10,
                "download_maxsize": maxsize, "download_warnsize": 0,
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
                stats.inc_value(f"imagespider/{kind}/unavailable")
            return None
        if response.status != 200 or len(response.body) > maxsize:
            if stats:
                stats.inc_value(f"imagespider/{kind}/missing")
            return None
        try:
            result = parse(response.body, response.url)
        except Exception:  # noqa: BLE001  (a parser must not fail a crawl on a stranger's file)
            result = None
        if stats:
            stats.inc_value(f"imagespider/{kind}/found" if result is not None else f"imagespider/{kind}/broken")
        return result


def _tdmrep(body: bytes, _: str) -> TdmRules | None:
    rules = parse_tdmrep(body)
    return rules if rules.rules else None


class TdmRepCache:
    """An origin's ``/.well-known/tdmrep.json`` rule reserving TDM rights for a URL."""

    def __init__(self, crawler: Crawler) -> None:
        self.files = SiteFiles.of(crawler)
        self.maxsize = crawler.settings.getint("TDMREP_MAXSIZE")

    async def reservation(self, url: str) -> TdmRule | None:
        origin = origin_of(url)
        if origin is None:
            return None
        rules = await self.files.get(origin + WELL_KNOWN_PATH, "tdmrep", self.maxsize, _tdmrep)
        return rules.reservation(url) if rules is not None else None


def _ai_txt(body: bytes, _: str) -> AiTxt | None:
    return parse_ai_txt(body.decode("utf-8", "replace"))


class AiTxtCache:
    """An origin's ``/ai.txt`` rule disallowing a URL to us."""

    def __init__(self, crawler: Crawler, token: str) -> None:
        self.files = SiteFiles.of(crawler)
        self.token = token

    async def disallowing(self, url: str) -> AiTxtRule | None:
        origin = origin_of(url)
        if origin is None:
            return None
        found = await self.files.get(origin + AI_TXT_PATH, "ai_txt", AI_TXT_MAXSIZE, _ai_txt)
        return found.disallowing(url, self.token) if found is not None else None


class RslCache:
    """The RSL documents a site names (robots.txt ``License:``), read for a URL of that site."""

    def __init__(self, crawler: Crawler) -> None:
        self.files = SiteFiles.of(crawler)

    async def verdict(self, url: str, named: Sequence[str], base: str) -> tuple[str, RslVerdict] | None:
        """(document URL, verdict) of the first of the ``named`` documents (relative to ``base``)
        that reserves ``url``: prohibited before license required."""
        found: list[tuple[str, RslVerdict]] = []
        for name in named:
            document_url = urljoin(base, name)
            if origin_of(document_url) is None:
                continue
            document = await self.files.get(document_url, "rsl", RSL_MAXSIZE, _rsl)
            verdict = document.verdict_for(url) if document is not None else None
            if verdict is not None:
                found.append((document_url, verdict))
        return next((f for f in found if f[1].reason == "rsl_prohibited"), found[0] if found else None)


def _rsl(body: bytes, url: str) -> RslDocument | None:
    return parse_rsl(body, url)
