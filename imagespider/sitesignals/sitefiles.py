"""Site files read once per crawl through Scrapy's downloader: each origin's
``/.well-known/tdmrep.json`` (W3C TDMRep) and ``/ai.txt`` (Spawning), and the RSL documents a
robots.txt ``License:`` line names, kept by URL in the crawl's site-signal cache
(imagespider/sitesignals/cache.py) beside the host's robots.txt.

Like robots.txt, these are asked for before the first image of a host, and of a source page's
host, is downloaded, and never again in the crawl: every later item of that origin waits on the
same answer. The request goes through the downloader middlewares (redirects are followed, up to
REDIRECT_MAX_TIMES, so a loop ends; a non-public address is refused by
downloadermiddlewares/privateaddress.py; Crawl-delay spaces them with the host's other requests),
with one short try and a size cap (imagespider/sitesignals/config.py). A missing, unreachable,
oversized or broken file reserves nothing, and is counted:
``imagespider/<kind>/found|missing|broken|unavailable``.

The parsers are pure and live apart: rights/tdmrep.py, rights/aitxt.py, rights/rsl.py.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar
from urllib.parse import urljoin

from scrapy.crawler import Crawler

from imagespider.rights.aitxt import AiTxt, AiTxtRule, parse_ai_txt
from imagespider.rights.rsl import RslDocument, RslVerdict, parse_rsl
from imagespider.rights.tdmrep import TdmRule, TdmRules, parse_tdmrep
from imagespider.sitesignals.fetch import SiteSignals, origin_of

__all__ = ["AI_TXT_PATH", "WELL_KNOWN_PATH", "AiTxtCache", "RslCache", "SiteFiles", "TdmRepCache", "origin_of"]

WELL_KNOWN_PATH = "/.well-known/tdmrep.json"
AI_TXT_PATH = "/ai.txt"

T = TypeVar("T")


class SiteFiles:
    """One crawl's site files, by URL: each fetched once, parsed once, shared by every asker."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.signals = SiteSignals.of(crawler)

    @classmethod
    def of(cls, crawler: Crawler) -> SiteFiles:
        return cls(crawler)

    async def get(self, url: str, kind: str, maxsize: int, parse: Callable[[bytes, str], T | None]) -> T | None:
        """``parse(body, url)`` of the file at ``url``; None when it is missing, unreachable,
        larger than ``maxsize`` or broken (``parse`` said None)."""
        return await self.signals.get(kind, url, url, lambda: self._fetch(url, kind, maxsize, parse))

    async def _fetch(
        self, url: str, kind: str, maxsize: int, parse: Callable[[bytes, str], T | None]
    ) -> tuple[T | None, int]:
        try:
            response = await self.signals.download(self.signals.site_file_request(url, maxsize))
        except Exception:  # noqa: BLE001  (a host that cannot be reached has said nothing)
            self.signals.count(kind, "unavailable")
            return None, 1
        if response.status != 200 or len(response.body) > maxsize:
            self.signals.count(kind, "missing")
            return None, 1
        try:
            result = parse(response.body, response.url)
        except Exception:  # noqa: BLE001  (a parser must not fail a crawl on a stranger's file)
            result = None
        self.signals.count(kind, "found" if result is not None else "broken")
        return result, 1 + len(response.body) // 512 if result is not None else 1


def _tdmrep(body: bytes, _: str) -> TdmRules | None:
    rules = parse_tdmrep(body)
    return rules if rules.rules else None


class TdmRepCache:
    """An origin's ``/.well-known/tdmrep.json`` rule reserving TDM rights for a URL."""

    def __init__(self, crawler: Crawler) -> None:
        self.files = SiteFiles.of(crawler)
        self.maxsize = self.files.signals.config.tdmrep_maxsize

    async def reservation(self, url: str) -> TdmRule | None:
        origin = origin_of(url)
        if origin is None:
            return None
        rules = await self.files.get(origin + WELL_KNOWN_PATH, "tdmrep", self.maxsize, _tdmrep)
        return rules.reservation(url) if rules is not None else None


def _ai_txt(body: bytes, _: str) -> AiTxt | None:
    return parse_ai_txt(body.decode("utf-8", "replace"))


class AiTxtCache:
    """An origin's ``/ai.txt`` rule disallowing a URL to us (``BOT_NAME``)."""

    def __init__(self, crawler: Crawler) -> None:
        self.files = SiteFiles.of(crawler)
        self.token = self.files.signals.config.token
        self.maxsize = self.files.signals.config.ai_txt_maxsize

    async def disallowing(self, url: str) -> AiTxtRule | None:
        origin = origin_of(url)
        if origin is None:
            return None
        found = await self.files.get(origin + AI_TXT_PATH, "ai_txt", self.maxsize, _ai_txt)
        return found.disallowing(url, self.token) if found is not None else None


class RslCache:
    """The RSL documents a site names (robots.txt ``License:``), read for a URL of that site."""

    def __init__(self, crawler: Crawler) -> None:
        self.files = SiteFiles.of(crawler)
        self.maxsize = self.files.signals.config.rsl_maxsize

    async def verdict(self, url: str, named: Sequence[str], base: str) -> tuple[str, RslVerdict] | None:
        """(document URL, verdict) of the first of the ``named`` documents (relative to ``base``)
        that reserves ``url``: prohibited before license required."""
        found: list[tuple[str, RslVerdict]] = []
        for name in named:
            document_url = urljoin(base, name)
            if origin_of(document_url) is None:
                continue
            document = await self.files.get(document_url, "rsl", self.maxsize, _rsl)
            verdict = document.verdict_for(url) if document is not None else None
            if verdict is not None:
                found.append((document_url, verdict))
        return next((f for f in found if f[1].reason == "rsl_prohibited"), found[0] if found else None)


def _rsl(body: bytes, url: str) -> RslDocument | None:
    return parse_rsl(body, url)
