"""bing: Bing Images, rendered in Chromium and scrolled like a person.

Filters become ``qft=+filterui:...`` codes; the license filter comes from the license policy,
since Bing gives no per-image license: its filter's claim is the only evidence it offers
(imagespider/engines/bing.py, its provider, builds the URL and reads the page).
"""

from __future__ import annotations

from typing import ClassVar

from imagespider.engines import bing
from imagespider.spiders.scrolling import BrowserRunner, BrowserSpider


class BingRunner(BrowserRunner):
    name = "bing"
    filters: ClassVar = bing.BingProvider.filters
    result_selector = "a.iusc"
    #: The real page's "See more" link (``div.expandButton``), and the older ``btn_seemore``.
    more_button_selector = "div.expandButton a[role=button], a.btn_seemore"

    @property
    def options(self) -> bing.BingOptions:
        return bing.BingOptions(str(self.settings.get("BING_SEARCH_URL")), self.args.filters, self.args.policy)


class BingSpider(BrowserSpider):
    """``scrapy crawl bing``: the search spider with the Bing engine alone."""

    name = "bing"
    runner_classes: ClassVar = {"bing": BingRunner}
    filters: ClassVar = BingRunner.filters
