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

Google gives no per-image license: ``license_code`` stays None, and the ``tbs=il:cl`` filter is
the only license evidence (the spider records it). Pure: text in, dataclasses out, never raises.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import parse_qs, urlsplit

from parsel import Selector

from imagespider.engines import EngineResult
from imagespider.rights.model import PERMISSIONS, License, Permissions
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

# --- where the numbers after the full-size URL go -----------------------------------------------

#: DISPUTED (tests/fixtures/README.md section 2a): the 2026 browser extension says ``[url, HEIGHT, WIDTH]``, "verified
#: against naturalWidth/naturalHeight on real files"; older parsers read ``[url, w, h]``. We follow
#: the 2026 source. If real data proves otherwise, flip this one constant.
FULL_SIZE_IS_HEIGHT_FIRST = True


def full_size_dimensions(first: int | None, second: int | None) -> tuple[int | None, int | None]:
    """``(width, height)`` from the two numbers after the full-size URL (see the constant above)."""
    if FULL_SIZE_IS_HEIGHT_FIRST:
        return second, first
    return first, second


# --- patterns -----------------------------------------------------------------------------------

#: A JSON string literal; group 1 is its still-escaped content.
_LITERAL = r'"((?:[^"\\]|\\.)*)"'
#: Where a record starts: docid, then a thumbnail on Google's encrypted-tbn host.
_RECORD_START = re.compile(r'\[0,"([A-Za-z0-9_-]{6,})",\["https?://encrypted-tbn')
#: The head of a record, for records that are not valid JSON as a whole.
_HEAD = re.compile(
    r'\[0,"([A-Za-z0-9_-]{6,})",\[' + _LITERAL + r",\d+,\d+\],\[" + _LITERAL + r",(\d+),(\d+)\]"
)
_META_2000 = re.compile(r'"2000":\[null,' + _LITERAL)
_META_2003 = re.compile(r'"2003":\[null,' + _LITERAL + "," + _LITERAL + "," + _LITERAL)
_META_2008 = re.compile(r'"2008":\[null,' + _LITERAL)
#: How far past a broken record's start its metadata is looked for (SOURCES: "within ~1500 chars").
_FALLBACK_WINDOW = 3000
_SITE_NAME_INDEX = 12
_CONSENT_FORM = re.compile(r"""<form\b[^>]*\baction\s*=\s*["']?[^"'>]*consent\.google\.""", re.I)
_CAPTCHA_FORM = re.compile(r"""\bid\s*=\s*["']?captcha-form\b""", re.I)
_BAD_URL_CHARS = re.compile(r'[\s<>"]')

_DECODER = json.JSONDecoder()


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
    text = _as_text(html)
    results, skipped = _records(text)
    tiles = _rendered_tiles(text) if "data-docid" in text else []
    basic = _basic_results(text) if "/url?" in text else []
    by_docid = {tile.engine_id: tile for tile in tiles if tile.engine_id}
    results = [_with_tile(result, by_docid.get(result.engine_id or "")) for result in results]
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
    return _url(value)


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
    text = _as_text(html)
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


# --- records --------------------------------------------------------------------------------------


def _records(text: str) -> tuple[list[EngineResult], int]:
    """Every record in page order, deduplicated by docid; and how many could not be read."""
    starts = [match.start() for match in _RECORD_START.finditer(text)]
    results: list[EngineResult] = []
    seen: set[str] = set()
    skipped = 0
    for index, start in enumerate(starts):
        end = starts[index + 1] if index + 1 < len(starts) else len(text)
        result = _decoded_record(text, start) or _regex_record(
            text[start : min(end, start + _FALLBACK_WINDOW)]
        )
        if result is None:
            skipped += 1
        elif result.engine_id not in seen:
            seen.add(result.engine_id or "")
            results.append(result)
    return results, skipped


def _decoded_record(text: str, start: int) -> EngineResult | None:
    """The record at ``start`` decoded as JSON, or None when it is not valid JSON of that shape."""
    try:
        record, _ = _DECODER.raw_decode(text, start)
    except ValueError:
        return None
    if not (isinstance(record, list) and len(record) >= 4):
        return None
    docid, thumb, full = record[1], record[2], record[3]
    if not (isinstance(docid, str) and isinstance(full, list) and len(full) >= 3):
        return None
    image_url = _url(full[0])
    if image_url is None:
        return None
    meta = next((item for item in record[4:] if isinstance(item, Mapping)), {})
    return _result(
        docid=docid,
        image_url=image_url,
        dims=(_int(full[1]), _int(full[2])),
        thumbnail_url=_url(thumb[0]) if isinstance(thumb, list) and thumb else None,
        meta=meta,
    )


def _regex_record(chunk: str) -> EngineResult | None:
    """A record that is not valid JSON, read with regexes over its own stretch of text."""
    head = _HEAD.match(chunk)
    if head is None:
        return None
    image_url = _url(_unescape(head.group(3)))
    if image_url is None:
        return None
    meta: dict[str, list[Any]] = {}
    if found := _META_2000.search(chunk):
        meta["2000"] = [None, _unescape(found.group(1))]
    if found := _META_2003.search(chunk):
        meta["2003"] = [None, *(_unescape(group) for group in found.groups())]
    if found := _META_2008.search(chunk):
        meta["2008"] = [None, _unescape(found.group(1))]
    return _result(
        docid=head.group(1),
        image_url=image_url,
        dims=(_int(head.group(4)), _int(head.group(5))),
        thumbnail_url=_url(_unescape(head.group(2))),
        meta=meta,
    )


def _result(
    docid: str,
    image_url: str,
    dims: tuple[int | None, int | None],
    thumbnail_url: str | None,
    meta: Mapping[str, Any],
) -> EngineResult:
    """Build the result from a record's parts and its metadata blocks ("2000", "2003", "2008")."""
    width, height = full_size_dimensions(*dims)
    source = _list(meta.get("2003"))
    return EngineResult(
        image_url=image_url,
        page_url=_url(_at(source, 2)),
        thumbnail_url=thumbnail_url,
        title=_text(_at(source, 3)) or _text(_at(_list(meta.get("2008")), 1)),
        width=width,
        height=height,
        site=_text(_at(source, _SITE_NAME_INDEX)) or _text(_at(_list(meta.get("2000")), 1)),
        engine_id=docid,
    )


# --- tiles ----------------------------------------------------------------------------------------


def _rendered_tiles(text: str) -> list[EngineResult]:
    """Every rendered tile (``data-docid``), first tile of a docid wins, as a thumbnail result
    (``image_url`` empty when its thumbnail is not an http(s) URL)."""
    out: list[EngineResult] = []
    seen: set[str] = set()
    for tile in _selector(text).xpath("//*[@data-docid]"):
        try:
            result = _rendered_tile(tile)
        except ValueError:  # lxml refuses a garbled attribute name or value: not a tile we can read
            continue
        if result.engine_id and result.engine_id not in seen:
            seen.add(result.engine_id)
            out.append(result)
    return out


def _rendered_tile(tile: Selector) -> EngineResult:
    docid = (tile.attrib.get("data-docid") or "").strip()
    page_url = _url(tile.attrib.get("data-lpage"))
    link = _source_link(tile.xpath(".//a[@href]"), page_url)
    if page_url is None and link is not None:
        page_url = _url(link.attrib.get("href"))
    texts = _texts(link) if link is not None else []
    thumb = next(iter(tile.xpath(".//img[not(ancestor::a[@href])]") or tile.xpath(".//img")), None)
    alt = _text(thumb.attrib.get("alt")) if thumb is not None else None
    title = alt or (texts[-1] if texts else None)
    site = texts[0] if len(texts) >= 2 else None  # the link shows the site, then the title
    return _thumbnail_result(docid, thumb, page_url, title, site)


def _source_link(links: list[Selector], page_url: str | None) -> Selector | None:
    """The tile's link to its source page: the one to ``data-lpage``, else the first to the web."""
    web = [link for link in links if _url(link.attrib.get("href"))]
    same = [link for link in web if page_url and link.attrib.get("href") == page_url]
    return (same or web or [None])[0]


def _basic_results(text: str) -> list[EngineResult]:
    """The basic page's results: a ``/url?..url=<page>`` link around a thumbnail, then a link to
    the same page holding the title and the domain (its first and last texts)."""
    out: list[EngineResult] = []
    pending: tuple[str, Selector] | None = None
    for link in _selector(text).xpath("//a[@href]"):
        try:
            target = _redirect_target(link.attrib.get("href", ""))
            thumb = next(iter(link.xpath(".//img")), None) if target else None
            texts = _texts(link) if target and thumb is None else []
        except ValueError:  # lxml refuses a garbled attribute name or value
            continue
        if target is None:
            continue
        if thumb is not None:
            if pending is not None:
                out.append(_thumbnail_result(None, pending[1], pending[0], None, None))
            pending = (target, thumb)
            continue
        if pending is not None and pending[0] == target:
            title = texts[0] if texts else None
            site = texts[-1] if len(texts) >= 2 else None
            out.append(_thumbnail_result(None, pending[1], target, title, site))
            pending = None
    if pending is not None:
        out.append(_thumbnail_result(None, pending[1], pending[0], None, None))
    return out


def _redirect_target(href: str) -> str | None:
    """Where Google's ``/url?..&url=<page>`` (or ``q=``) redirect link leads; None for other links."""
    parts = urlsplit(href.strip())
    if parts.path != "/url" or parts.netloc not in ("", "www.google.com"):
        return None
    query = parse_qs(parts.query)
    return next((_url(value) for key in ("url", "q") for value in query.get(key, []) if _url(value)), None)


def _thumbnail_result(
    docid: str | None, thumb: Selector | None, page_url: str | None, title: str | None, site: str | None
) -> EngineResult:
    try:
        thumbnail = _url(thumb.attrib.get("src")) if thumb is not None else None
    except ValueError:  # lxml refuses a garbled attribute
        thumbnail = None
    return EngineResult(
        image_url=thumbnail or "",
        page_url=page_url,
        thumbnail_url=thumbnail,
        title=title,
        site=site,
        engine_id=docid,
        is_thumbnail=thumbnail is not None,
    )


def _with_tile(result: EngineResult, tile: EngineResult | None) -> EngineResult:
    """Fill what a record lacks (page URL, title, site) from its DOM tile."""
    if tile is None:
        return result
    return replace(
        result,
        page_url=result.page_url or tile.page_url,
        title=result.title or tile.title,
        site=result.site or tile.site,
    )


def _selector(text: str) -> Selector:
    try:
        return Selector(text=text or "<html></html>")
    except ValueError:  # lxml refuses the text as a whole
        return Selector(text="<html></html>")


def _texts(node: Selector) -> list[str]:
    """The non-blank text pieces under ``node``, whitespace collapsed, in document order."""
    pieces = (" ".join(piece.split()) for piece in node.xpath(".//text()").getall())
    return [piece for piece in pieces if piece]


# --- small helpers --------------------------------------------------------------------------------


def _as_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode("utf-8", errors="replace")
    return ""


def _unescape(literal: str) -> str:
    """Decode a JSON string literal's content; on a bad escape, undo only the usual \\u003d/\\u0026."""
    try:
        value = json.loads(f'"{literal}"')
    except ValueError:
        return literal.replace("\\u003d", "=").replace("\\u0026", "&").replace("\\/", "/")
    return value if isinstance(value, str) else literal


def _url(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    url = value.strip()
    if not url.startswith(("https://", "http://")) or _BAD_URL_CHARS.search(url):
        return None
    return url


def _text(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    return value.strip() or None


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and value.isdigit():
        try:
            value = int(value)
        except ValueError:  # "²" is a digit to isdigit, not to int; so are 5000 digits
            return None
    return value if isinstance(value, int) and value > 0 else None


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _at(items: list[Any], index: int) -> Any:
    return items[index] if len(items) > index else None


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
