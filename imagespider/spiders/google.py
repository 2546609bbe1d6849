"""google: Google Images (``udm=2``), rendered in Chromium and scrolled like a person.

Filters become ``tbs=`` codes joined with commas; the usage-rights code (``il:cl``) comes from the
license policy, since Google gives no per-image license: its filter's claim is the only evidence.
Google often answers with something other than results (the EU consent wall, the "unusual traffic"
CAPTCHA, a JavaScript-only shell); :meth:`GoogleSpider.refusal` names it, so the crawl fails with
one line instead of finishing with 0 items in silence.

A result's image is, in order: the full-size URL in the page's script data; else the full-size
image the tile's preview shows when the spider clicks the tile in Chromium (read as the new
non-Google image or ``imgurl=`` link the click brings, not by Google's class names); else the
tile's thumbnail, flagged ``is_thumbnail`` in the row (Google's basic page names nothing more).
Previews are opened only while the query's quota has room, one at a time, and given up for the
page after :data:`PREVIEW_MISSES` in a row show nothing. A page of tiles none of which yields an
image ends ``failed_google_markup_changed`` with the page saved, never as 0 kept in silence.
"""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any, ClassVar

import scrapy
from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Page

from imagespider.engines import EngineResult, google
from imagespider.items import ImageItem
from imagespider.spiders.debug import save_debug_page
from imagespider.spiders.params import Query
from imagespider.spiders.scrolling import BrowserRunner, BrowserSpider

logger = logging.getLogger(__name__)

#: Previews that show no image, in a row, after which a page's tiles are no longer clicked (a page
#: without Google's scripts, or a changed preview): each costs up to :data:`PREVIEW_TIMEOUT_MS`.
PREVIEW_MISSES = 3
PREVIEW_TIMEOUT_MS = 4000
#: How many tiles the first page is probed with when none of its tiles names an image URL.
PREVIEW_PROBES = 3
_DOCID = re.compile(r"[A-Za-z0-9_-]{1,64}")
#: The full-size image URLs the page shows outside its result tiles: Google's ``/imgres?imgurl=``
#: links, and ``<img>`` at least 100 px wide and high on a host that is not Google's. Read before
#: and after a tile is clicked: a URL that was not there before is that tile's preview.
_PREVIEW_IMAGES = r"""() => {
  const google = /(^|\.)(google|gstatic|googleusercontent|ggpht|googleapis)\.[a-z.]+$/i;
  const out = [];
  for (const link of document.querySelectorAll('a[href*="imgurl="]')) {
    try {
      const url = new URL(link.href, location.href).searchParams.get('imgurl');
      if (url && /^https?:/i.test(url)) out.push(url);
    } catch (e) {}
  }
  for (const img of document.querySelectorAll('img[src]')) {
    if (img.closest('[data-docid]') || !/^https?:/i.test(img.src)) continue;
    let host = '';
    try { host = new URL(img.src).hostname; } catch (e) { continue; }
    if (google.test(host)) continue;
    const box = img.getBoundingClientRect();
    if (box.width >= 100 && box.height >= 100) out.push(img.src);
  }
  return out;
}"""
_NEW_PREVIEW_IMAGE = f"(before) => ({_PREVIEW_IMAGES})().find((url) => !before.includes(url)) || null"
#: The basic (no-JavaScript) page's link to its next page of results, by structure, not by its
#: text (which is in the page's language): a link to this origin's ``.../search`` with the smallest
#: ``start=`` past this page's. None on a page with tiles (the udm=2 page loads more by scrolling).
_BASIC_NEXT = r"""() => {
  if (document.querySelector('[data-docid]')) return null;
  const here = Number(new URL(location.href).searchParams.get('start') || 0);
  let best = null, bestStart = Infinity;
  for (const link of document.querySelectorAll('a[href*="start="]')) {
    let url;
    try { url = new URL(link.getAttribute('href'), location.href); } catch (e) { continue; }
    if (url.origin !== location.origin || !/\/search$/.test(url.pathname)) continue;
    const start = Number(url.searchParams.get('start'));
    if (start > here && start < bestStart) { best = url.href; bestStart = start; }
  }
  return best;
}"""

class GoogleRunner(BrowserRunner):
    name = "google"
    filters: ClassVar = google.GoogleProvider.filters
    skipped_stat = "unparsable_records"
    #: One tile per result: ``<div data-docid=".." data-lpage=".." id="e-<docid>">`` (tests/fixtures/README.md 2a).
    result_selector = "div[data-docid]"
    #: Google's "Show more results" button. Its markup is not documented (tests/fixtures/README.md), so match it
    #: by its visible text: the historical ``<input type=button value="Show more results">``, or a
    #: button-like element holding that text (Playwright's ``:has-text`` extension to CSS).
    more_button_selector = (
        "input[type=button][value='Show more results' i], "
        ":is(button, [role=button], a):has-text('Show more results')"
    )

    async def start_query(self, query: Query) -> AsyncIterator[scrapy.Request]:
        async for request in super().start_query(query):
            # Google's rate-limit CAPTCHA (/sorry/index) comes with status 429: hand it to
            # refusal() to be named, instead of retrying it (that prolongs the block) or dropping
            # it as an HTTP error.
            request.meta["handle_httpstatus_list"] = [429]
            request.meta["dont_retry"] = True
            yield request

    @property
    def options(self) -> google.GoogleOptions:
        return google.GoogleOptions(str(self.settings.get("GOOGLE_SEARCH_URL")), self.args.filters, self.args.policy)

    def read_page(self, html: str) -> google.GooglePage:
        page = google.parse_results(html)
        # Each piece of markup is parsed once (the page, then what each scroll appended).
        if page.skipped:
            self.crawler.stats.inc_value(f"imagespider/{self.name}/{self.skipped_stat}", page.skipped)
        return page

    def parse_page(self, html: str) -> list[EngineResult]:
        """The records' full-size results, then the tiles without a record in page order, with a
        thumbnail or with nothing (``image_url`` empty): :meth:`hand_out` opens their previews."""
        return google.in_order(self.read_page(html))

    async def first_results(self, page: Page, query: Query, html: str) -> list[EngineResult]:
        parsed = self.read_page(html)
        results = google.in_order(parsed)
        if parsed.tiles and not parsed.results:
            # Tiles, none naming an image URL (no script data, inline thumbnails): results only if
            # their previews show images; a few are tried now, so a page whose tiles give nothing
            # ends here with the page saved instead of after scrolling through it.
            for tile in parsed.without_image[:PREVIEW_PROBES]:
                full = await self._open_preview(page, tile)
                if full is not None:
                    self._previewed[tile.engine_id or ""] = full
                    break
            else:
                where = save_debug_page(self.crawler.settings, self.name, query.text, html, "html")
                raise self.fail(
                    f"{self.name}_markup_changed",
                    f"{self.name}: the results page for {query.text!r} shows {parsed.tiles} result tiles but "
                    f"none names an image (no script data, no http(s) thumbnail, no preview opened); saved it "
                    f"to {where}: {self.name}'s markup probably changed",
                )
        self.check_markup(query, html, results)
        self._pages[query] = page
        return results

    async def hand_out(self, query: Query, results: list[EngineResult], seen: set[str]) -> AsyncIterator[ImageItem]:
        """Each result as it comes, a tile without a full-size image first opened in its preview;
        a preview is opened only while the query's quota has room (it costs a click and a wait)."""
        if self.spider.inspecting:
            async for item in super().hand_out(query, [r for r in results if r.image_url], seen):
                yield item
            return
        quota = self.quotas[query]
        for result in results:
            if self.stopping or not await quota.wait_for_room():
                return
            complete = await self._complete(query, result)
            if complete is None:
                continue
            async for item in super().hand_out(query, [complete], seen):
                yield item

    async def _complete(self, query: Query, result: EngineResult) -> EngineResult | None:
        """``result`` with its full-size image from its preview when it has none; its thumbnail
        (flagged) when the preview shows none; None when there is nothing to fetch at all."""
        stats = self.crawler.stats
        if result.image_url and not result.is_thumbnail:
            return result
        docid = result.engine_id or ""
        full = self._previewed.pop(docid, None)
        page = self._pages.get(query)
        if full is None and page is not None and docid:
            full = await self._open_preview(page, result)
        if full is not None:
            stats.inc_value(f"imagespider/{self.name}/full_size_from_preview")
            return replace(result, image_url=full, is_thumbnail=False)
        if result.image_url:
            stats.inc_value(f"imagespider/{self.name}/thumbnails")
            if query not in self._warned:
                self._warned.add(query)
                logger.warning(
                    "%s: query %r: results without a full-size image on the page or in their preview are "
                    "kept as Google's thumbnails, flagged is_thumbnail in the manifest",
                    self.name, query.text,
                )
            return result
        stats.inc_value(f"imagespider/{self.name}/tiles_without_image")
        return None

    async def _open_preview(self, page: Page, tile: EngineResult) -> str | None:
        """Click the tile (its ``role=button`` element, never a link that would leave the page) and
        return the full-size image URL its preview brings, or None. After :data:`PREVIEW_MISSES`
        empty previews in a row the page's tiles are not clicked again."""
        docid = tile.engine_id or ""
        misses = self._preview_misses.get(id(page), 0)
        if misses >= PREVIEW_MISSES or not _DOCID.fullmatch(docid) or page.is_closed():
            return None
        url = None
        try:
            target = page.locator(f'[data-docid="{docid}"] [role=button]').first
            if await target.count():
                before = await page.evaluate(_PREVIEW_IMAGES)
                await target.click(timeout=2000)
                wait = min(PREVIEW_TIMEOUT_MS, self.scroll.wait_timeout_ms)
                handle = await page.wait_for_function(_NEW_PREVIEW_IMAGE, arg=before, timeout=wait)
                url = google.preview_url(await handle.json_value())
        except PlaywrightError as error:
            if self.stopping:
                return None
            logger.debug("%s: no preview for tile %s: %s", self.name, docid, str(error).splitlines()[0])
        finally:
            with contextlib.suppress(PlaywrightError):
                if not page.is_closed():
                    await page.keyboard.press("Escape")
        self._preview_misses[id(page)] = 0 if url else misses + 1
        if url is None:
            self.crawler.stats.inc_value(f"imagespider/{self.name}/previews_empty")
        return url

    async def harvest(self, page: Page, query: Query, results: list[EngineResult]) -> AsyncIterator[Any]:
        try:
            async for item in super().harvest(page, query, results):
                yield item
        finally:
            self._pages.pop(query, None)
            self._preview_misses.pop(id(page), None)

    async def load_more(self, page: Page) -> bool:
        """The basic page has no scrolling: its next page is opened in the same tab (its results are
        then read whole, the watcher being gone with the old page); the udm=2 page scrolls."""
        try:
            next_url = await page.evaluate(_BASIC_NEXT)
        except PlaywrightError:
            next_url = None
        if not next_url:
            return await super().load_more(page)
        try:
            response = await page.goto(next_url, wait_until="domcontentloaded")
        except PlaywrightError as error:
            logger.warning("%s: could not open the next basic results page: %s", self.name, str(error).splitlines()[0])
            return False
        blocked = google.detect_block("", page.url)
        if blocked or (response is not None and response.status >= 400):
            logger.warning(
                "%s: the next basic results page answered %s: no more results from it",
                self.name, blocked or f"HTTP {response.status if response else '?'}",
            )
            return False
        self.crawler.stats.inc_value(f"imagespider/{self.name}/basic_pages")
        return True

    def setup(self) -> None:
        super().setup()
        self._pages: dict[Query, Page] = {}
        self._previewed: dict[str, str] = {}
        self._preview_misses: dict[int, int] = {}
        self._warned: set[Query] = set()


class GoogleSpider(BrowserSpider):
    """``scrapy crawl google``: the search spider with the Google engine alone."""

    name = "google"
    runner_classes: ClassVar = {"google": GoogleRunner}
    filters: ClassVar = GoogleRunner.filters
