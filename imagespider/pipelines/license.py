"""LicenseFilterPipeline: drop, before any download, what the declared evidence already rules out.

Some things are known before an image is fetched: the license the engine declared (Flickr's
per-photo id, Bing's filter claim; a Commons file marked NonFree declares no right to share), the
restrictions the engine records (Commons personality rights, trademarks: dropped as
``restricted`` under ``-a restrictions=exclude``), whether the source page's owner opted out in robots.txt
(for us, or for AI-training crawlers by name), and whether the image's or the page's origin
reserves TDM rights in its ``/.well-known/tdmrep.json``. Any one failing saves a download. The
image itself is judged again after download (DatasetImagesPipeline), since the file and its
headers can carry stronger evidence.
"""

from __future__ import annotations

from typing import Self

from scrapy.crawler import Crawler

from imagespider.errors import Rejected
from imagespider.items import ImageItem
from imagespider.rights.aiagents import ai_agents_setting
from imagespider.rights.policy import Policy
from imagespider.rights.robots import RobotsCache
from imagespider.rights.wellknown import TdmRepCache


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
        self.robots = RobotsCache(crawler)
        self.ai_agents = ai_agents_setting(crawler.settings.get("ROBOTSTXT_AI_AGENTS"))
        self.tdmrep = TdmRepCache(crawler)

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
        # The image host's and the page host's /.well-known/tdmrep.json (W3C TDMRep), each fetched once.
        for url, whose in ((item.image_url, "image"), (page_url, "source page")):
            if url and (rule := await self.tdmrep.reservation(url)):
                raise Rejected("tdm_reservation", f"{rule.describe()} covers the {whose} {url}")
        declared = item.license
        policy = crawl_policy(self.crawler)
        reason = policy.check(declared)
        if reason:
            raise Rejected(reason, f"declared {declared.label} ({declared.source}) fails -a license={policy}")
        return item
