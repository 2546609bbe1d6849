"""The bounds every site-signal fetch keeps, read once per crawl from the settings.

Each kind of site file has its own byte cap (a robots.txt is read to 500 KiB as Google does, a
tdmrep.json to ``TDMREP_MAXSIZE``, a source page to ``PAGE_MAXSIZE``...), but they are all read
here, with the one timeout of a site-file fetch and the one bound of the crawl's cache
(imagespider/sitesignals/cache.py), so a reader of this file sees every limit at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Self

from scrapy.settings import BaseSettings

from imagespider.rights.aiagents import ROBOTS_MAX_BYTES

__all__ = ["AI_TXT_MAXSIZE", "RSL_MAXSIZE", "PageConfig", "SiteSignalsConfig"]

#: Bytes of an ai.txt read: robots.txt syntax, so robots.txt's cap (Google's 500 KiB).
AI_TXT_MAXSIZE = 500 * 1024
#: Bytes of an RSL document read: real ones are under 2 KiB; a site listing every path gets room.
RSL_MAXSIZE = 1024 * 1024
#: TDMREP_MAXSIZE when the settings have none (its project default, imagespider/settings.py).
TDMREP_MAXSIZE = 64 * 1024


@dataclass(frozen=True, slots=True)
class PageConfig:
    """``PAGE_EVIDENCE``, ``PAGE_MAXSIZE`` and the robots token (``BOT_NAME``), read once; their
    defaults are in imagespider/settings.py."""

    enabled: bool
    maxsize: int
    user_agent_token: str

    #: PAGE_MAXSIZE when the settings have none (a crawler built without the project's settings).
    DEFAULT_MAXSIZE = 2 * 1024 * 1024

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> Self:
        maxsize = settings.getint("PAGE_MAXSIZE", cls.DEFAULT_MAXSIZE)
        if maxsize <= 0:
            raise ValueError(f"PAGE_MAXSIZE must be a positive number of bytes, got {maxsize}")
        return cls(
            enabled=settings.getbool("PAGE_EVIDENCE"),
            maxsize=maxsize,
            user_agent_token=str(settings["BOT_NAME"]),
        )


@dataclass(frozen=True, slots=True)
class SiteSignalsConfig:
    """Who we are to a site, what each of its files may cost, and how much the crawl keeps."""

    #: The agent robots.txt rules are read for (``ROBOTSTXT_USER_AGENT``, else ``USER_AGENT``).
    user_agent: str
    #: Our product token in ai.txt and page rules (``BOT_NAME``).
    token: str
    #: The robots.txt parser class path (``ROBOTSTXT_PARSER``).
    robots_parser: str
    page: PageConfig
    #: A tdmrep.json larger than this reserves nothing (``TDMREP_MAXSIZE``; 0 reads none).
    tdmrep_maxsize: int = TDMREP_MAXSIZE
    #: A robots.txt is read to here and the rest ignored; ai.txt and RSL documents past theirs are missing.
    robots_maxsize: int = ROBOTS_MAX_BYTES
    ai_txt_maxsize: int = AI_TXT_MAXSIZE
    rsl_maxsize: int = RSL_MAXSIZE
    #: Seconds a robots.txt or site file may take: one short try, since every request to the
    #: host waits on it and a host that does not answer has said nothing. Source pages take
    #: ``DOWNLOAD_TIMEOUT`` and one retry, as an image does.
    timeout: float = 10.0
    #: Hosts kept (least recently asked forgotten first), so a crawl over a million hosts holds
    #: a bounded number of them.
    cache_hosts: int = 4096
    #: And the weight of all that is kept, in units of about half a kilobyte (a site file's
    #: body, a page's images and statements: :meth:`PageIndex.weight`), about 100 MB.
    cache_weight: int = 200_000

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> Self:
        tdmrep_maxsize = settings.getint("TDMREP_MAXSIZE", TDMREP_MAXSIZE)
        if tdmrep_maxsize < 0:
            raise ValueError(f"TDMREP_MAXSIZE must be 0 or a positive number of bytes, got {tdmrep_maxsize}")
        return cls(
            user_agent=str(settings.get("ROBOTSTXT_USER_AGENT") or settings.get("USER_AGENT") or "*"),
            token=str(settings.get("BOT_NAME") or "imagespider"),
            robots_parser=str(settings["ROBOTSTXT_PARSER"]),
            page=PageConfig.from_settings(settings),
            tdmrep_maxsize=tdmrep_maxsize,
        )
