"""bing: Bing Images, rendered in Chromium and scrolled like a person.

Filters become ``qft=+filterui:...`` codes; the license filter comes from the license policy,
since Bing gives no per-image license: its filter's claim is the only evidence it offers.
"""

from __future__ import annotations

from typing import ClassVar
from urllib.parse import urlencode

from imagespider.engines import EngineResult, bing
from imagespider.rights.model import License, unknown
from imagespider.spiders.params import Query
from imagespider.spiders.scrolling import BrowserRunner, BrowserSpider


class BingRunner(BrowserRunner):
    name = "bing"
    filters: ClassVar = {
        "size": bing.SIZE,
        "type": bing.TYPE,
        "color": bing.COLOR,
        "aspect": bing.ASPECT,
        "time": bing.TIME,
        "safe": bing.SAFE,
    }
    result_selector = "a.iusc"
    #: The real page's "See more" link (``div.expandButton``), and the older ``btn_seemore``.
    more_button_selector = "div.expandButton a[role=button], a.btn_seemore"

    def search_url(self, query: Query) -> str:
        filters = dict(self.args.filters)
        safe = filters.pop("safe", "strict")
        codes = list(filters.values())
        license_code = bing.license_filter(self.args.policy)
        if license_code:
            codes.append(license_code)
        params = {"q": query.text, "form": "HDRSC3", "first": "1", "adlt": safe}
        qft = bing.build_qft(codes)
        base = self.settings.get("BING_SEARCH_URL")
        url = f"{base}?{urlencode(params)}"
        # Bing ignores a percent-encoded colon in qft: keep ":" and "+" literal.
        return f"{url}&qft={qft}" if qft else url

    def parse_page(self, html: str) -> list[EngineResult]:
        results, skipped = bing.parse_results_counted(html)
        # Each piece of markup is parsed once (the page, then what each scroll appended).
        if skipped:
            self.crawler.stats.inc_value("imagespider/bing/unparsable_results", skipped)
        return results

    def result_evidence(self, html: str) -> int:
        return bing.thumbnail_count(html)

    def declared_license(self, result: EngineResult) -> License:
        code = bing.license_filter(self.args.policy)
        return bing.license_claim(code) if code else unknown()


class BingSpider(BrowserSpider):
    """``scrapy crawl bing``: the search spider with the Bing engine alone."""

    name = "bing"
    runner_classes: ClassVar = {"bing": BingRunner}
    filters: ClassVar = BingRunner.filters
