"""Google Images results pages, read: script-data records, rendered tiles and the basic page.

The three forms a results page shows its results in (imagespider/engines/google.py says which
page serves which), each read here by structure (data attributes, links, images), not by Google's
generated class names, which change every few months. Pure: text in, results out, never raises.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import replace
from typing import Any
from urllib.parse import parse_qs, urlsplit

from parsel import Selector

from imagespider.engines.base import EngineResult

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
_BAD_URL_CHARS = re.compile(r'[\s<>"]')

_DECODER = json.JSONDecoder()


# --- records --------------------------------------------------------------------------------------


def records(text: str) -> tuple[list[EngineResult], int]:
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
    image_url = http_url(full[0])
    if image_url is None:
        return None
    meta = next((item for item in record[4:] if isinstance(item, Mapping)), {})
    return _result(
        docid=docid,
        image_url=image_url,
        dims=(positive_int(full[1]), positive_int(full[2])),
        thumbnail_url=http_url(thumb[0]) if isinstance(thumb, list) and thumb else None,
        meta=meta,
    )


def _regex_record(chunk: str) -> EngineResult | None:
    """A record that is not valid JSON, read with regexes over its own stretch of text."""
    head = _HEAD.match(chunk)
    if head is None:
        return None
    image_url = http_url(_unescape(head.group(3)))
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
        dims=(positive_int(head.group(4)), positive_int(head.group(5))),
        thumbnail_url=http_url(_unescape(head.group(2))),
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
        page_url=http_url(_at(source, 2)),
        thumbnail_url=thumbnail_url,
        title=_text(_at(source, 3)) or _text(_at(_list(meta.get("2008")), 1)),
        width=width,
        height=height,
        site=_text(_at(source, _SITE_NAME_INDEX)) or _text(_at(_list(meta.get("2000")), 1)),
        engine_id=docid,
    )


# --- tiles ----------------------------------------------------------------------------------------


def rendered_tiles(text: str) -> list[EngineResult]:
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
    page_url = http_url(tile.attrib.get("data-lpage"))
    link = _source_link(tile.xpath(".//a[@href]"), page_url)
    if page_url is None and link is not None:
        page_url = http_url(link.attrib.get("href"))
    texts = _texts(link) if link is not None else []
    thumb = next(iter(tile.xpath(".//img[not(ancestor::a[@href])]") or tile.xpath(".//img")), None)
    alt = _text(thumb.attrib.get("alt")) if thumb is not None else None
    title = alt or (texts[-1] if texts else None)
    site = texts[0] if len(texts) >= 2 else None  # the link shows the site, then the title
    return _thumbnail_result(docid, thumb, page_url, title, site)


def _source_link(links: list[Selector], page_url: str | None) -> Selector | None:
    """The tile's link to its source page: the one to ``data-lpage``, else the first to the web."""
    web = [link for link in links if http_url(link.attrib.get("href"))]
    same = [link for link in web if page_url and link.attrib.get("href") == page_url]
    return (same or web or [None])[0]


def basic_results(text: str) -> list[EngineResult]:
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
    return next((http_url(value) for key in ("url", "q") for value in query.get(key, []) if http_url(value)), None)


def _thumbnail_result(
    docid: str | None, thumb: Selector | None, page_url: str | None, title: str | None, site: str | None
) -> EngineResult:
    try:
        thumbnail = http_url(thumb.attrib.get("src")) if thumb is not None else None
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


def with_tile(result: EngineResult, tile: EngineResult | None) -> EngineResult:
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


def as_text(value: Any) -> str:
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


def http_url(value: Any) -> str | None:
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


def positive_int(value: Any) -> int | None:
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
