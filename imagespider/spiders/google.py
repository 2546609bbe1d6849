"""google: Google Images (``udm=2``), rendered in Chromium and scrolled like a person.

Filters become ``tbs=`` codes joined with commas; the usage-rights code (``il:cl``) comes from the
license policy, since Google gives no per-image license: its filter's claim is the only evidence.
Google often answers with something other than results (the EU consent wall, the "unusual traffic"
CAPTCHA, a JavaScript-only shell); :meth:`GoogleSpider.refusal` names it, so the crawl fails with
one line instead of finishing with 0 items in silence.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any, ClassVar
from urllib.parse import urlencode, urlsplit

from scrapy.http import Response

from imagespider.engines import MARKUP_CHANGED_MIN, EngineResult, google
from imagespider.rights.model import License, unknown
from imagespider.spiders.params import Query
from imagespider.spiders.scrolling import BrowserSearchSpider

#: What Google answered instead of results, by :attr:`GooglePage.blocked`, as the user reads it.
ANSWERS: dict[str, str] = {
    "consent": (
        "Google answered with its cookie-consent page (consent.google.com) instead of results; "
        "it asks this for EU addresses: a CONSENT/SOCS cookie or a non-EU exit avoids it"
    ),
    "sorry": (
        "Google answered with its 'unusual traffic' CAPTCHA page (/sorry/index) instead of results: "
        "it is rate-limiting this address; wait before trying again"
    ),
    "enablejs": (
        "Google answered with its JavaScript-only shell (/httpservice/retry/enablejs) instead of results"
    ),
    "no_results_markup": (
        "Google answered with a page without image results markup (no data-docid tiles, no image "
        "records): no results for this query, or Google changed its page"
    ),
}


class GoogleSpider(BrowserSearchSpider):
    name = "google"
    filters: ClassVar = {
        "size": google.SIZE,
        "type": google.TYPE,
        "color": google.COLOR,
        "time": google.TIME,
        "aspect": google.ASPECT,
        "safe": google.SAFE,
    }
    #: One tile per result: ``<div data-docid=".." data-lpage=".." id="e-<docid>">`` (tests/fixtures/README.md 2a).
    result_selector = "div[data-docid]"
    #: Google's "Show more results" button. Its markup is not documented (tests/fixtures/README.md), so match it
    #: by its visible text: the historical ``<input type=button value="Show more results">``, or a
    #: button-like element holding that text (Playwright's ``:has-text`` extension to CSS).
    more_button_selector = (
        "input[type=button][value='Show more results' i], "
        ":is(button, [role=button], a):has-text('Show more results')"
    )

    async def start(self) -> AsyncIterator[Any]:
        async for request in super().start():
            # Google's rate-limit CAPTCHA (/sorry/index) comes with status 429: hand it to
            # refusal() to be named, instead of retrying it (that prolongs the block) or dropping
            # it as an HTTP error.
            request.meta["handle_httpstatus_list"] = [429]
            request.meta["dont_retry"] = True
            yield request

    def search_url(self, query: Query) -> str:
        filters = dict(self.args.filters)
        safe = filters.pop("safe", google.SAFE["strict"])
        tbs = google.build_tbs(**filters, license=google.license_filter(self.args.policy))
        params = {"q": query.text, "udm": "2"}
        if tbs:
            params["tbs"] = tbs
        params["safe"] = safe
        # ":" and "," kept literal, as Google's own filter links write them.
        return f"{self.settings.get('GOOGLE_SEARCH_URL')}?{urlencode(params, safe=':,')}"

    def parse_page(self, html: str) -> list[EngineResult]:
        page = google.parse_results(html)
        # Each piece of markup is parsed once (the page, then what each scroll appended).
        if page.skipped:
            self.crawler.stats.inc_value(f"imagespider/{self.name}/unparsable_records", page.skipped)
        return page.results

    def refusal(self, response: Response) -> str | None:
        # scrapy-playwright gives the page's final URL, after any redirect (consent, sorry).
        blocked = google.parse_results(response.text, response.url).blocked
        if blocked is None:
            return None
        if blocked == "no_results_markup" and self.result_evidence(response.text) >= MARKUP_CHANGED_MIN:
            return None  # a page full of images none of which parse: changed markup (check_markup)
        where = urlsplit(response.url)
        answer = ANSWERS.get(blocked, f"Google answered with a page that is not results ({blocked})")
        return f"{answer} (HTTP {response.status} from {where.netloc}{where.path})"

    def declared_license(self, result: EngineResult) -> License:
        code = google.license_filter(self.args.policy)
        return google.license_claim(code) if code else unknown()
