"""BrowserRunner: engines whose results page grows as a person scrolls it.

The page is loaded in Chromium through scrapy-playwright and kept open while its results are
handed out. When the query still needs images, the spider scrolls with the mouse wheel, clicks
a "see more" button if the page shows one, and waits for the page's own script to append
results. It stops when the query has kept its limit or when scrolling stops bringing results.

Ctrl-C in a terminal sends SIGINT to the whole process group: Chromium and Playwright's driver die
at once, while Scrapy begins a graceful stop. The page's next call then fails with
``TargetClosedError`` (or another Playwright error); once the crawl is stopping such an error ends
the query quietly instead of as an 88-line traceback. A stopping query hands out nothing more, lets
the images already handed out settle, and then logs its final count ("ended, the crawl is
stopping: kept N of L"), so no count grows after that line.

Reading cost is linear in results: before its first read the spider installs a MutationObserver in
the page (:data:`_WATCH`), and after each scroll one ``page.evaluate`` returns only the markup the
page appended since the last read (the outerHTML of the new nodes, outermost ones only). The
engine's own parser (``parse_page``) reads those fragments, so engines/ stays the one place that
says what a result is; the whole page is read once, at the start. benchmarks/browser.py measures it.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import AsyncIterator
from dataclasses import dataclass
from functools import cached_property
from typing import Any, ClassVar

import scrapy
from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Page
from playwright.async_api import TimeoutError as PlaywrightTimeout
from scrapy.http import Response
from scrapy.settings import BaseSettings
from twisted.python.failure import Failure

from imagespider.browser import browser_problem, use_page_download_handlers
from imagespider.engines import MARKUP_CHANGED_MIN, EngineResult
from imagespider.spiders.base import SearchSpider, logger
from imagespider.spiders.debug import save_debug_page
from imagespider.spiders.params import Query
from imagespider.spiders.runner import EngineRunner

#: Count the results already in the DOM, and wait until there are more than ``n``.
_GREW = "([selector, n]) => document.querySelectorAll(selector).length > n"
_REMAINING = "() => document.documentElement.scrollHeight - (window.scrollY + window.innerHeight)"
#: Start recording the element nodes the page appends; ``window.__imagespiderAppended()`` then
#: returns the outerHTML of those appended since its last call (still in the page, and not inside
#: another one returned with them) and forgets them. Nodes are serialised when read, not when
#: added, so attributes the page's script fills in just after appending are included.
_WATCH = """() => {
  if (window.__imagespiderAppended) return;
  let added = [];
  new MutationObserver((records) => {
    for (const record of records)
      for (const node of record.addedNodes) if (node.nodeType === 1) added.push(node);
  }).observe(document, {childList: true, subtree: true});
  window.__imagespiderAppended = () => {
    const nodes = new Set(added);
    added = [];
    const out = [];
    for (const node of nodes) {
      if (!node.isConnected) continue;
      let parent = node.parentNode, nested = false;
      for (; parent; parent = parent.parentNode) if (nodes.has(parent)) { nested = true; break; }
      if (!nested) out.push(node.outerHTML);
    }
    return out.join("\\n");
  };
}"""
_APPENDED = "() => window.__imagespiderAppended ? window.__imagespiderAppended() : null"


@dataclass(frozen=True)
class ScrollConfig:
    """The SCROLL_* settings, read once (defaults and meaning in imagespider/settings.py)."""

    #: SCROLL_WAIT_TIMEOUT in milliseconds: how long new results may take to appear after a scroll.
    wait_timeout_ms: float
    #: SCROLL_MAX_STALLS: scrolls in a row without a new result before the query is exhausted.
    max_stalls: int
    #: SCROLL_STEP_PAUSE, seconds between the wheel steps of one scroll.
    step_pause: float

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> ScrollConfig:
        return cls(
            wait_timeout_ms=settings.getfloat("SCROLL_WAIT_TIMEOUT") * 1000,
            max_stalls=settings.getint("SCROLL_MAX_STALLS"),
            step_pause=settings.getfloat("SCROLL_STEP_PAUSE"),
        )


class BrowserSpider(SearchSpider):
    """A search spider running one browser engine alone (``scrapy crawl bing``)."""

    @classmethod
    def update_settings(cls, settings: BaseSettings) -> None:
        super().update_settings(settings)
        use_page_download_handlers(settings, list(cls.runner_classes))


class BrowserRunner(EngineRunner):
    #: CSS selector of one result in the rendered page.
    result_selector: ClassVar[str]
    #: CSS selector of a "see more results" button, when the engine has one.
    more_button_selector: ClassVar[str | None] = None
    #: Results pages of this crawl that could not load.
    _pages_failed: int = 0
    #: The stat counting results the provider could not read (each piece of markup is read once,
    #: the page then what each scroll appended, so the counts add up).
    skipped_stat: ClassVar[str] = "unparsable_results"

    @cached_property
    def scroll(self) -> ScrollConfig:
        return ScrollConfig.from_settings(self.settings)

    def search_url(self, query: Query) -> str:
        return self.provider.search(query.text, self.provider.first_page, self.options).url

    def parse_page(self, html: str) -> list[EngineResult]:
        """The results in ``html``: the whole first page, then each fragment the page appended
        since the last read (each piece of markup is parsed exactly once, so counts such as
        unparsable results can simply be added up)."""
        page = self.provider.parse(html, self.options)
        if page.skipped:
            self.crawler.stats.inc_value(f"imagespider/{self.name}/{self.skipped_stat}", page.skipped)
        return page.results

    def result_evidence(self, html: str) -> int:
        """How many images or result links the page plainly shows, whatever its markup."""
        return self.provider.result_evidence(html)

    def refusal(self, response: Response) -> str | None:
        """Why the engine answered with something other than results (a consent wall, a
        CAPTCHA), as one line; None for a results page. scrapy-playwright gives the page's final
        URL, after any redirect (consent, sorry)."""
        return self.provider.refusal(response.text, response.url, response.status)

    async def start_query(self, query: Query) -> AsyncIterator[scrapy.Request]:
        problem = browser_problem(self.settings.getdict("PLAYWRIGHT_LAUNCH_OPTIONS"))
        if problem:
            raise self.fail("browser_missing", problem)
        yield self.request(
            self.search_url(query),
            dont_filter=True,
            meta={
                "playwright": True,
                "playwright_include_page": True,
                "playwright_page_goto_kwargs": {"wait_until": "domcontentloaded"},
                # Robots rules apply to image hosts and source pages, not to the
                # engine's own results page, which we read as a person does.
                "dont_obey_robotstxt": True,
                "query": query,
            },
        )

    async def parse(self, response: Response) -> AsyncIterator[Any]:
        page: Page = response.meta["playwright_page"]
        query: Query = response.meta["query"]
        refusal = self.refusal(response)
        if refusal:
            await _close(page)
            raise self.fail(f"{self.name}_refused", f"{self.name}: {refusal} (query {query.text!r})")
        try:
            # Watch for appended markup first, then read the page whole once: nothing the page
            # adds between the two is missed (a result read twice is skipped as already seen).
            await page.evaluate(_WATCH)
            html = await page.content()
            results = await self.first_results(page, query, html)
            async for item in self.harvest(page, query, results):
                yield item
        except PlaywrightError as error:
            if not self.stopping:
                raise
            # The browser died with the Ctrl-C that stops the crawl: not an error of this query.
            logger.debug("%s: query %r: browser gone while stopping: %s", self.name, query.text, error)
            await self._end_stopping(query)
        finally:
            await _close(page)

    async def first_results(self, page: Page, query: Query, html: str) -> list[EngineResult]:
        """The whole first page's results, checked by :meth:`check_markup`. An engine whose
        results need the open page to be complete (Google's tile previews) overrides it."""
        results = self.parse_page(html)
        self.check_markup(query, html, results)
        return results

    def check_markup(self, query: Query, html: str, results: list[EngineResult]) -> None:
        """No silent zero: a normal page (not a refusal) showing many images of which the parser
        reads none (``results``, parsed from ``html``) means the engine changed its markup. Save
        the page and end with one line."""
        if results:
            return
        shown = self.result_evidence(html)
        if shown < MARKUP_CHANGED_MIN:
            return  # an empty search: ends as "no more results after 0"
        where = save_debug_page(self.crawler.settings, self.name, query.text, html, "html")
        raise self.fail(
            f"{self.name}_markup_changed",
            f"{self.name}: the results page for {query.text!r} shows {shown} images but the parser read no "
            f"result; saved it to {where}: {self.name}'s markup probably changed",
        )

    async def harvest(self, page: Page, query: Query, results: list[EngineResult]) -> AsyncIterator[Any]:
        """Hand out ``results`` (the first page's), then scroll for more and hand out those."""
        quota = self.quotas[query]
        seen: set[str] = set()
        stalls = 0
        max_stalls = self.scroll.max_stalls
        while True:
            async for item in self.hand_out(query, results, seen):
                yield item
            if quota.full:
                self.log_query_end(query, "limit reached")
                return
            if self.stopping:
                await self._end_stopping(query)
                return
            if await self.load_more(page):
                stalls = 0
            else:
                stalls += 1
                if stalls >= max_stalls:
                    await quota.wait_settled()
                    self.log_query_end(query, f"no more results after {len(seen)}")
                    return
            results = await self.read_appended(page)

    async def read_appended(self, page: Page) -> list[EngineResult]:
        """The results in what the page appended since the last read (one evaluate); the whole
        page again only if the watcher is gone (the page navigated away and back)."""
        fragment = await page.evaluate(_APPENDED)
        if fragment is None:
            await page.evaluate(_WATCH)
            fragment = await page.content()
        return self.parse_page(fragment) if fragment else []

    async def _end_stopping(self, query: Query) -> None:
        """Let the results already handed out settle, then log the count the query ends with."""
        await self.quotas[query].wait_settled()
        self.log_query_end(query, "the crawl is stopping")

    async def load_more(self, page: Page) -> bool:
        """Scroll to the bottom in wheel steps, press "see more" if shown, wait for growth."""
        before = await page.locator(self.result_selector).count()
        pause = self.scroll.step_pause
        for _ in range(40):
            remaining = await page.evaluate(_REMAINING)
            if remaining <= 0:
                break
            await page.mouse.wheel(0, min(remaining, random.randint(500, 900)))
            await asyncio.sleep(pause)
        await self._press_more_button(page)
        timeout_ms = self.scroll.wait_timeout_ms
        try:
            await page.wait_for_function(
                _GREW, arg=[self.result_selector, before], timeout=timeout_ms
            )
        except PlaywrightTimeout:
            return False
        return True

    async def _press_more_button(self, page: Page) -> None:
        if not self.more_button_selector:
            return
        button = page.locator(self.more_button_selector).first
        try:
            if await button.is_visible():
                await button.click(timeout=2000)
                self.crawler.stats.inc_value(f"imagespider/{self.name}/more_button_clicks")
        except PlaywrightError:
            pass  # the button went away as we reached for it; scrolling goes on

    async def failed(self, failure: Failure) -> None:  # type: ignore[override]
        """One query's page could not load: log it; if no query's page loaded, the crawl failed."""
        request = failure.request  # type: ignore[attr-defined]
        page = request.meta.get("playwright_page")
        if page is not None:
            await _close(page)
        query: Query = request.meta["query"]
        if self.stopping:
            # Ctrl-C closed the browser under this page: the crawl ends as asked, not as a failure.
            logger.debug("%s: results page for %r not loaded: the crawl is stopping", self.name, query.text)
            return
        self.crawler.stats.inc_value(f"imagespider/{self.name}/results_page_errors")
        message = f"{self.name}: could not load the results page for {query.text!r}: " + (
            failure.getErrorMessage().splitlines() or ["unknown error"]
        )[0]
        self._pages_failed += 1
        if self.spider.takes_turns or self._pages_failed == len(self.args.queries):
            self.fail_soon(f"{self.name}_unreachable", f"{message}: {self.unreachable_hint()}", (query,))
        else:
            logger.error(message)


async def _close(page: Page) -> None:
    """Close a page; a browser that is already gone (Ctrl-C reached it first) is no error."""
    with contextlib.suppress(PlaywrightError):
        await page.close()
