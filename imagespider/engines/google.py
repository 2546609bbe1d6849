"""Google Images results pages to results, block detection, and ``tbs`` filter codes.

A results page shows its results in one of three forms, all read here:

* **script data** (the ``udm=2`` page as Google serves it): an inline ``<script>`` holds one JSON
  array per image (tests/fixtures/README.md section 2(a)),

      "<prefix>N":[1,[0,"<docid>",["<thumb>",a,b],["<full>",a,b],null,0,"rgb(..)",null,0,
                     {"2000":[null,"<domain>","<size>"],"2003":[null,"<ref>","<page>","<title>",...],...}]]

  found by a regex on the raw text, each decoded as JSON from where it starts (a record that is
  not valid JSON is retried with regexes over its own stretch; one with no image URL even then is
  skipped and counted). Only this form names the full-size image.
* **rendered tiles** (the same page as the browser shows it; the real capture of June 2025 in
  tests/fixtures): ``<div data-docid=".." data-lpage="<source page>">`` holding the thumbnail
  ``<img alt="<title>">`` and one link to the source page whose texts are the site name, then the
  title. A tile names no full-size URL: the spider opens its preview in the browser for that
  (imagespider/spiders/google.py); here a tile without a record gives its thumbnail, flagged
  ``is_thumbnail`` (when the thumbnail is an http(s) URL), or nothing to fetch (an inline ``data:``
  thumbnail, as in a page saved with its scripts stripped): :attr:`GooglePage.without_image`.
* **the basic page** (no JavaScript; the real capture of February 2026): each result is a link
  ``/url?..&url=<source page>`` around its thumbnail ``<img>``, followed by a link to the same
  page holding the short title and the domain. No full-size URL either: thumbnails, flagged.

Tiles and basic results are read by structure (data attributes, links, images), not by Google's
generated class names, which change every few months.

The reading itself is in imagespider/engines/googlepage.py; this module holds the page as a whole
(:func:`parse_results`, block detection), the filter codes, the license claim and the provider.

Google gives no per-image license: ``license_code`` stays None, and the ``tbs=il:cl`` filter is
the only license evidence (the spider records it). Pure: text in, dataclasses out, never raises.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit

from imagespider.engines.base import MARKUP_CHANGED_MIN, EngineResult, Provider, ResultsPage, SearchCall, text_of
from imagespider.engines.googlepage import as_text, basic_results, http_url, records, rendered_tiles, with_tile
from imagespider.rights.model import PERMISSIONS, License, Permissions, unknown
from imagespider.rights.policy import Policy, permissions_needed

# --- tbs filter codes (tests/fixtures/README.md section 2: join several with commas, tbs=isz:l,il:cl) ---

SIZE: dict[str, str] = {"large": "isz:l", "medium": "isz:m", "icon": "isz:i"}
TYPE: dict[str, str] = {
    "photo": "itp:photo",
    "clipart": "itp:clipart",
    "lineart": "itp:lineart",
    "animated": "itp:animated",
    "face": "itp:face",
}
#: Named colours are Google's colour swatches (``ic:specific,isc:<name>``). "gray" is the
#: black-and-white filter ``ic:gray``, so the gray *swatch* has no key here (it would collide).
_SWATCHES = (
    "red",
    "orange",
    "yellow",
    "green",
    "teal",
    "blue",
    "purple",
    "pink",
    "white",
    "black",
    "brown",
)
COLOR: dict[str, str] = {
    "gray": "ic:gray",
    "transparent": "ic:trans",
    **{name: f"ic:specific,isc:{name}" for name in _SWATCHES},
}
TIME: dict[str, str] = {"day": "qdr:d", "week": "qdr:w", "month": "qdr:m", "year": "qdr:y"}
ASPECT: dict[str, str] = {
    "square": "iar:s",
    "tall": "iar:t",
    "wide": "iar:w",
    "panoramic": "iar:xw",
}
#: Usage rights: Creative Commons licences, or commercial & other licences.
LICENSE: dict[str, str] = {"creative_commons": "il:cl", "commercial": "il:ol"}
#: Values of the ``safe=`` URL parameter (not a tbs code).
#: The same words as every spider's -a safe=; Google has no "moderate" of its own, its "images"
#: setting (blur explicit images) is the closest.
SAFE: dict[str, str] = {"strict": "active", "moderate": "images", "off": "off"}

_CONSENT_FORM = re.compile(r"""<form\b[^>]*\baction\s*=\s*["']?[^"'>]*consent\.google\.""", re.I)
_CAPTCHA_FORM = re.compile(r"""\bid\s*=\s*["']?captcha-form\b""", re.I)


@dataclass(frozen=True)
class GooglePage:
    """What one results page gave."""

    #: Records with their full-size image first (page order), then the tiles and basic results
    #: that name only a thumbnail (``is_thumbnail`` True, ``image_url`` the thumbnail).
    results: list[EngineResult]
    #: Records that were found but held no usable image URL (cut short, malformed).
    skipped: int
    #: Why the page holds no results, when it holds none and no results markup either:
    #: "consent", "sorry", "enablejs" (see :func:`detect_block`) or "no_results_markup". None when
    #: results markup was found, even if empty.
    blocked: str | None
    #: Tiles the page shows with no image URL to fetch at all (no record, a ``data:`` thumbnail):
    #: their page, title and site, ``image_url`` empty. The browser can still open their preview.
    without_image: list[EngineResult] = field(default_factory=list)
    #: Result tiles and basic results the page shows, whatever they hold.
    tiles: int = 0
    #: The tiles and basic results without a record, in page order, whether they name a thumbnail
    #: (also in :attr:`results`) or nothing (also in :attr:`without_image`).
    from_tiles: list[EngineResult] = field(default_factory=list)


def parse_results(html: str, url: str | None = None) -> GooglePage:
    """Parse a Google Images results page into results, one per docid (first wins).

    Per record: ``image_url`` the full-size URL, ``width``/``height`` from
    :func:`full_size_dimensions`, ``thumbnail_url`` the encrypted-tbn URL, ``engine_id`` the
    docid, ``page_url`` from the "2003" block (else the tile's ``data-lpage``), ``title`` from
    "2003" (else the "2008" short title, else the tile's), ``site`` the site name at index 12 of
    "2003" (else the domain from "2000", else the tile's). A tile without a record, and each
    result of the basic page, gives its thumbnail (:class:`GooglePage`). ``url`` is the response's
    final URL, used only for block detection, which runs only when the page has no records and no
    tiles, since a real results page can contain words such as "unusual traffic" in a title.
    """
    text = as_text(html)
    results, skipped = records(text)
    tiles = rendered_tiles(text) if "data-docid" in text else []
    basic = basic_results(text) if "/url?" in text else []
    by_docid = {tile.engine_id: tile for tile in tiles if tile.engine_id}
    results = [with_tile(result, by_docid.get(result.engine_id or "")) for result in results]
    recorded = {result.engine_id for result in results}
    from_tiles = [tile for tile in [*tiles, *basic] if not (tile.engine_id and tile.engine_id in recorded)]
    blocked = None
    if not results and not skipped and not tiles and not basic:
        blocked = detect_block(text, url) or "no_results_markup"
    return GooglePage(
        results=results + [tile for tile in from_tiles if tile.image_url],
        skipped=skipped,
        blocked=blocked,
        without_image=[tile for tile in from_tiles if not tile.image_url],
        tiles=len(tiles) + len(basic),
        from_tiles=from_tiles,
    )


def preview_url(value: Any) -> str | None:
    """The full-size URL a tile's preview showed (read in the browser), if it is a usable http(s) URL."""
    return http_url(value)


def detect_block(html: str, url: str | None = None) -> str | None:
    """Name the interstitial Google served instead of results, or None.

    "consent": the EU cookie-consent redirect (consent.google.* in the URL, or a form posting
    there); "sorry": the rate-limit CAPTCHA (/sorry/index in the URL, "unusual traffic" text or
    the captcha-form); "enablejs": the JavaScript-only shell (/httpservice/retry/enablejs in the
    URL, or linked from its meta refresh / noscript). The URL is checked first: it is the surest
    sign. Meant for pages without results (see :func:`parse_results`).
    """
    address = url.lower() if isinstance(url, str) else ""
    if "consent.google." in address:
        return "consent"
    if "/sorry/index" in address:
        return "sorry"
    if "/httpservice/retry/enablejs" in address:
        return "enablejs"
    text = as_text(html)
    if _CONSENT_FORM.search(text):
        return "consent"
    if "unusual traffic" in text.lower() or _CAPTCHA_FORM.search(text):
        return "sorry"
    if "/httpservice/retry/enablejs" in text:
        return "enablejs"
    return None


def build_tbs(**codes: str | None) -> str | None:
    """Join the non-empty tbs codes with commas, in argument order; None when all are empty.

    ``build_tbs(size=SIZE["large"], license=LICENSE["creative_commons"])`` -> ``"isz:l,il:cl"``.
    None lets the spider leave ``tbs=`` out of the URL instead of sending an empty one.
    """
    parts = [code.strip() for code in codes.values() if isinstance(code, str) and code.strip()]
    return ",".join(parts) or None


# --------------------------------------------------------------------------------------------
# Licenses: Google names none per image; its usage-rights filter is the only claim.
# --------------------------------------------------------------------------------------------

#: ``tbs=il:<code>`` -> (license id, permissions the filter's label promises).
LICENSE_FILTERS: dict[str, tuple[str, Permissions]] = {
    "il:cl": ("cc-unspecified", Permissions(True, None, None, None, None)),  # Creative Commons licenses
    "il:ol": ("unknown", PERMISSIONS["unknown"]),  # "Commercial & other licenses": asserts nothing
}


def license_claim(code: str) -> License:
    """What Google's usage-rights filter ``code`` claims about every result it returned; an
    unknown code raises ValueError (codes come from our own code, not the web)."""
    name = (code or "").strip()
    if name not in LICENSE_FILTERS:
        raise ValueError(f"unknown Google license filter {code!r}; expected one of {', '.join(LICENSE_FILTERS)}")
    license_id, permissions = LICENSE_FILTERS[name]
    return License(license_id, None, None, "engine-filter", permissions)


def license_filter(policy: Policy) -> str | None:
    """Google ``tbs`` usage-rights value: ``il:cl`` (Creative Commons) for any policy that needs a
    shareable license; Google has nothing finer. None for ``any`` and for id lists that include a
    non-shareable id (all-rights-reserved, unknown), for the same reason as Bing."""
    if policy.is_any or permissions_needed(policy) is None:
        return None
    return "il:cl"


# --------------------------------------------------------------------------------------------
# The provider
# --------------------------------------------------------------------------------------------

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


@dataclass(frozen=True)
class GoogleOptions:
    #: ``GOOGLE_SEARCH_URL``.
    search_url: str
    #: The user's filter codes, by argument name (``-a size=large`` -> ``{"size": "isz:l"}``).
    filters: Mapping[str, str]
    policy: Policy


class GoogleProvider(Provider[GoogleOptions]):
    """Google Images: one results page a query (``udm=2``), grown by scrolling, or the basic page;
    no license per image, only the usage-rights filter's claim."""

    name = "google"
    filters = {"size": SIZE, "type": TYPE, "color": COLOR, "time": TIME, "aspect": ASPECT, "safe": SAFE}  # noqa: RUF012

    def search(self, query: str, page: object, options: GoogleOptions) -> SearchCall:
        filters = dict(options.filters)
        safe = filters.pop("safe", SAFE["strict"])
        tbs = build_tbs(**filters, license=license_filter(options.policy))
        params = {"q": query, "udm": "2"}
        if tbs:
            params["tbs"] = tbs
        params["safe"] = safe
        # ":" and "," kept literal, as Google's own filter links write them.
        return SearchCall(f"{options.search_url}?{urlencode(params, safe=':,')}")

    def parse(self, body: str | bytes, options: GoogleOptions | None = None) -> ResultsPage:
        """The records' full-size results, then the tiles without a record in page order, with a
        thumbnail or with nothing (``image_url`` empty: the spider opens their previews)."""
        page = parse_results(text_of(body))
        return ResultsPage(in_order(page), skipped=page.skipped)

    def result_evidence(self, html: str) -> int:
        return max(super().result_evidence(html), html.count("data-docid"))

    def refusal(self, text: str, url: str, status: int) -> str | None:
        blocked = parse_results(text, url).blocked
        if blocked is None:
            return None
        if blocked == "no_results_markup" and self.result_evidence(text) >= MARKUP_CHANGED_MIN:
            return None  # a page full of images none of which parse: changed markup, not a refusal
        where = urlsplit(url)
        answer = ANSWERS.get(blocked, f"Google answered with a page that is not results ({blocked})")
        return f"{answer} (HTTP {status} from {where.netloc}{where.path})"

    def declared_license(self, result: EngineResult, options: GoogleOptions) -> License:
        code = license_filter(options.policy)
        return license_claim(code) if code else unknown()


def in_order(page: GooglePage) -> list[EngineResult]:
    """The records' full-size results first, then the tiles and basic results in page order."""
    return [result for result in page.results if not result.is_thumbnail] + page.from_tiles
