"""LicenseFilterPipeline: the cheap checks, before any image is downloaded.

In order (docs/licenses.md, "The order of evidence"), the site-level signals first: the source
page's robots.txt (for us, or for AI-training crawlers by name), and whether the image's or the
page's site reserves AI training: robots.txt ``Content-Signal`` / ``Content-Usage`` rules, its
``/.well-known/tdmrep.json``, the RSL documents its robots.txt ``License:`` lines name, its
``/ai.txt`` (docs/licenses.md, "Opt-out always wins"); the restrictions the
engine records (Commons personality rights, trademarks: dropped as ``restricted`` under
``-a restrictions=exclude``). Then, when the engine's license is not authoritative (a
usage-rights filter's claim, or nothing: Bing, Google, a URL list without a license), the source
page itself (:mod:`imagespider.rights.page`, fetched once per page by
:mod:`imagespider.sitesignals.pages`), whose opt-outs drop the image under any policy and whose license
replaces the engine's claim. Then the policy on what is known now (a Commons file marked NonFree
declares no right to share). Any one failing saves a download. A license that only an engine's
filter claimed (or nobody) and the page did not name passes that last check: the file's own
metadata may still name it, and DatasetImagesPipeline judges the image again after download,
since the file and its
headers can carry stronger evidence.
"""

from __future__ import annotations

from typing import Self

from scrapy.crawler import Crawler

from imagespider.errors import Rejected
from imagespider.items import ImageItem
from imagespider.rights.aiagents import ai_agents_setting
from imagespider.rights.evidence import WEAK_SOURCES
from imagespider.rights.model import License
from imagespider.rights.page import PageEvidence
from imagespider.rights.policy import Policy
from imagespider.sitesignals.pages import PageFailure, SourcePages
from imagespider.sitesignals.robots import RobotsCache
from imagespider.sitesignals.sitefiles import AiTxtCache, RslCache, TdmRepCache, origin_of


def crawl_policy(crawler: Crawler) -> Policy:
    """The crawl's license policy: the spider's ``-a license=``, else ``LICENSE_POLICY``."""
    args = getattr(crawler.spider, "args", None)
    policy = getattr(args, "policy", None)
    if isinstance(policy, Policy):
        return policy
    return Policy.parse(crawler.settings["LICENSE_POLICY"])


class LicenseFilterPipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.obey_robots = crawler.settings.getbool("ROBOTSTXT_OBEY")
        self.robots = RobotsCache.of(crawler)
        self.ai_agents = ai_agents_setting(crawler.settings.get("ROBOTSTXT_AI_AGENTS"))
        self.tdmrep = TdmRepCache(crawler)
        self.rsl = RslCache(crawler)
        self.ai_txt = AiTxtCache(crawler)
        self.pages = SourcePages(crawler)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    @property
    def exclude_restricted(self) -> bool:
        """``-a restrictions=exclude`` (commons, search): drop files the engine marks with
        restrictions beyond copyright (personality rights, trademarks...)."""
        filters = getattr(getattr(self.crawler.spider, "args", None), "filters", None) or {}
        return filters.get("restrictions") == "exclude"

    async def process_item(self, item: ImageItem) -> ImageItem:
        page_url = item.page_url
        if self.obey_robots and page_url and not await self.robots.allowed(page_url):
            raise Rejected("robots_txt_page", f"the source page's robots.txt disallows us: {page_url}")
        if self.obey_robots and page_url and (agent := await self.robots.barring_ai_agent(page_url, self.ai_agents)):
            raise Rejected("robots_txt_ai", f"the source page's robots.txt disallows {agent} (AI training): {page_url}")
        restrictions = (item.engine_rights or {}).get("restrictions")
        if restrictions and self.exclude_restricted:
            marks = ", ".join(restrictions)
            raise Rejected("restricted", f"the engine marks it restricted ({marks}); -a restrictions=exclude")
        # The image host's and the page host's site files, each fetched once per crawl. Each is
        # asked on its own: one that says yes never outweighs another's no.
        for url, whose in ((item.image_url, "image"), (page_url, "source page")):
            if url:
                await self.check_site_signals(url, whose)
        if page_url and self.pages.config.enabled and item.license.source in WEAK_SOURCES:
            await self.read_page(item, page_url)
        if drop := policy_drop(item.license, crawl_policy(self.crawler)):
            raise drop
        return item

    async def check_site_signals(self, url: str, whose: str) -> None:
        """robots.txt Content-Signal / Content-Usage rules and License (RSL) documents, the
        origin's tdmrep.json and ai.txt: the first that reserves AI training for ``url`` drops it."""
        rules = await self.robots.rules(url)
        if rules is not None:
            for directive, reason in (("Content-Signal", "content_signal"), ("Content-Usage", "content_usage")):
                if hit := rules.reservation(directive, url):
                    raise Rejected(reason, f"{hit.describe()} ({hit.reserved}) covers the {whose} {url}")
        if rule := await self.tdmrep.reservation(url):
            raise Rejected("tdm_reservation", f"{rule.describe()} covers the {whose} {url}")
        if rules is not None and rules.licenses and (origin := origin_of(url)):
            if found := await self.rsl.verdict(url, rules.licenses, origin + "/robots.txt"):
                document, verdict = found
                where = f"RSL {document} (robots.txt License)"
                raise Rejected(verdict.reason, f"{where}: {verdict.rule} covers the {whose} {url}")
        if found_rule := await self.ai_txt.disallowing(url):
            raise Rejected("ai_txt", f"{found_rule.describe()} covers the {whose} {url}")

    async def check_page_rsl(self, item: ImageItem, page_url: str, links: list[str]) -> None:
        """The RSL documents the page names (``<link rel="license" type="application/rsl+xml">`` or
        a ``Link`` header) cover the page's content: the page, and an image of the page's origin."""
        urls = [(page_url, "source page")]
        if origin_of(item.image_url) == origin_of(page_url):
            urls.insert(0, (item.image_url, "image"))
        for url, whose in urls:
            if found := await self.rsl.verdict(url, links, page_url):
                document, verdict = found
                where = f"RSL {document} (named by the page)"
                raise Rejected(verdict.reason, f"{where}: {verdict.rule} covers the {whose} {url}")

    async def read_page(self, item: ImageItem, page_url: str) -> None:
        """The page step: record what the page says about this image in ``rights.page``, drop
        it if the page opts out, take the page's license and credit."""
        index = await self.pages.index(page_url)
        if isinstance(index, PageFailure):
            item.rights = {**item.rights, "page": page_failure(page_url, index)}
            return
        found: PageEvidence = index.evidence_for(item.image_url)
        take_page(item, page_url, found)
        if index.rsl_links:
            await self.check_page_rsl(item, page_url, index.rsl_links)
        stats = self.crawler.stats
        if found.license is not None and stats is not None:
            stats.inc_value(f"imagespider/pages/license/{found.scope}")


def page_failure(page_url: str, failure: PageFailure) -> dict[str, str]:
    """``rights.page`` for a page that could not be read."""
    return {"url": page_url, "error": failure.kind, "detail": failure.detail}


def take_page(item: ImageItem, page_url: str, found: PageEvidence) -> None:
    """What a page says about ``item``, applied as the crawl applies it (``scrapy rights`` shows
    the same): recorded in ``rights.page``; an opt-out raises :class:`Rejected`; the page's
    license replaces the engine's claim; its credit fills an author the engine did not name."""
    item.rights = {**item.rights, "page": found.to_dict()}
    if found.opt_out:
        raise Rejected(found.opt_out[0], f"{found.opt_out[1]} ({page_url})")
    if found.license is not None:
        item.license = found.license
    if not item.author and found.author:
        item.author = found.author
        if found.author_url and not item.author_url:
            item.author_url = found.author_url


def policy_drop(declared: License, policy: Policy) -> Rejected | None:
    """The policy on what is known before the download, or None when the image may be fetched.
    An engine that named nothing may still be outdone by the file's own metadata; an
    authoritative source (an API, a list, the page) that names nothing is final."""
    reason = policy.check_named(declared) if declared.source in WEAK_SOURCES else policy.check(declared)
    if reason:
        return Rejected(reason, f"{declared.label} ({declared.source}) fails -a license={policy}")
    return None
