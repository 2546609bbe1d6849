"""Bing Images results markup -> :class:`EngineResult` list.

Every result is an ``a.iusc`` link whose ``m`` attribute holds HTML-escaped JSON (``murl`` the
full image, ``turl`` the thumbnail, ``purl`` the source page, ``t`` the title). The full page
and the ``/images/async`` fragment that the page's script appends on scroll share this markup,
so one function parses both. Bing gives no per-image license: the license comes only from the
``qft`` filter the request used (:func:`license_filter` and :func:`license_claim` below).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import parse_qs, urlencode, urlsplit

from parsel import Selector

from imagespider.engines.base import EngineResult, Provider, ResultsPage, SearchCall, text_of
from imagespider.rights.model import PERMISSIONS, License, Permissions, unknown
from imagespider.rights.policy import Policy, permissions_needed

#: Bing's size text, e.g. ``1000×1000`` (U+00D7), sometimes written with a plain ``x``.
_SIZE_TEXT = re.compile(r"(\d+)\s*[×x]\s*(\d+)")
#: Bing marks the query words in ``desc`` with these private-use characters.
_HIGHLIGHT = dict.fromkeys(map(ord, "\ue000\ue001"))

#: ``qft`` filter codes, verified against the filter menu of the saved 2026 pages.
SIZE = {
    "small": "imagesize-small",
    "medium": "imagesize-medium",
    "large": "imagesize-large",
    "wallpaper": "imagesize-wallpaper",
}
TYPE = {
    "photo": "photo-photo",
    "clipart": "photo-clipart",
    "linedrawing": "photo-linedrawing",
    "animated": "photo-animatedgif",
    "transparent": "photo-transparent",
}
COLOR = {
    "color": "color2-color",
    "bw": "color2-bw",
    **{
        name: f"color2-FGcls_{name.upper()}"
        for name in (
            "red orange yellow green teal blue purple pink brown black gray white"
        ).split()
    },
}
ASPECT = {"square": "aspect-square", "wide": "aspect-wide", "tall": "aspect-tall"}
TIME = {
    "day": "age-lt1440",
    "week": "age-lt10080",
    "month": "age-lt43200",
    "year": "age-lt525600",
}
SAFE = {"strict": "strict", "moderate": "moderate", "off": "off"}


def build_qft(codes: list[str]) -> str | None:
    """Join filter codes the way Bing's own menu does: ``+filterui:a+filterui:b``.

    The colon and plus stay literal: Bing ignores a percent-encoded colon.
    """
    parts = [f"+filterui:{code}" for code in codes if code]
    return "".join(parts) or None


def parse_results(html: str) -> list[EngineResult]:
    """Every ``a.iusc[m]`` result in a full page or an async fragment, in page order.

    A link whose ``m`` is not JSON or has no ``murl`` is skipped: it cannot be downloaded.
    """
    return parse_results_counted(html)[0]


def parse_results_counted(html: str) -> tuple[list[EngineResult], int]:
    """:func:`parse_results`, and how many result links were skipped as unusable (one pass)."""
    links = Selector(text=html).css("a.iusc")
    results = [result for result in map(_parse_link, links) if result is not None]
    return results, len(links) - len(results)


def count_results(html: str) -> int:
    """How many result links a page holds, parsable or not (to tell skipped ones apart)."""
    return len(Selector(text=html).css("a.iusc"))


#: Bing's thumbnail URLs (``tse1.mm.bing.net/th?id=OIP.<id>``, ``/th?id=OIP...``), in any markup.
_THUMBNAIL = re.compile(r"/th/?\?id=OI[A-Z]?\.[\w-]+")


def thumbnail_count(html: str) -> int:
    """Distinct Bing thumbnails a page shows, whatever markup holds them: a page with many of these
    but no ``a.iusc`` result is a results page whose markup changed, not an empty search."""
    return len(set(_THUMBNAIL.findall(html)))


def _parse_link(link: Selector) -> EngineResult | None:
    if "m" not in link.attrib:
        return None
    try:
        meta = json.loads(link.attrib["m"])
    except (KeyError, ValueError):
        return None
    if not isinstance(meta, dict):
        return None
    image_url = _text(meta.get("murl"))
    if not image_url:
        return None
    width, height = _dimensions(link)
    title = _text(meta.get("t")) or _text(meta.get("desc"))
    return EngineResult(
        image_url=image_url,
        page_url=_text(meta.get("purl")),
        thumbnail_url=_text(meta.get("turl")),
        title=title.translate(_HIGHLIGHT) if title else None,
        width=width,
        height=height,
        site=_site(link),
        engine_id=_text(meta.get("md5")) or _text(meta.get("mid")),
    )


def _dimensions(link: Selector) -> tuple[int | None, int | None]:
    """The original's size: ``expw``/``exph`` of the detail link, else the ``W×H`` caption."""
    query = parse_qs(urlsplit(link.attrib.get("href", "")).query)
    width, height = _int(query.get("expw")), _int(query.get("exph"))
    if width and height:
        return width, height
    caption = link.xpath("ancestor::li[1]").css(".img_info span.nowrap::text").get("")
    match = _SIZE_TEXT.search(caption)
    if match:
        return int(match.group(1)), int(match.group(2))
    return None, None


def _site(link: Selector) -> str | None:
    domain = link.xpath("ancestor::li[1]").css("div.lnkw a::attr(title)").get()
    return domain.strip() if domain else None


def _int(values: list[str] | None) -> int | None:
    if not values:
        return None
    try:
        number = int(values[0])
    except ValueError:
        return None
    return number if number > 0 else None


def _text(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    value = value.strip()
    return value or None


# --------------------------------------------------------------------------------------------
# Licenses: Bing names none per image; its usage-rights filter is the only claim.
# --------------------------------------------------------------------------------------------

_T, _N = True, None

#: ``qft=+filterui:<code>`` -> (license id, permissions the filter's label promises); labels
#: verified on the saved Bing pages (tests/fixtures/README.md).
LICENSE_FILTERS: dict[str, tuple[str, Permissions]] = {
    "licenseType-Any": ("cc-unspecified", Permissions(_T, _N, _N, _N, _N)),  # All Creative Commons
    "license-L1": ("pdm", PERMISSIONS["pdm"]),  # Public domain
    "license-L2_L3_L4_L5_L6_L7": ("cc-unspecified", Permissions(_T, _N, _N, _N, _N)),  # Free to share and use
    "license-L2_L3_L4": ("cc-unspecified", Permissions(_T, _T, _N, _N, _N)),  # ... use commercially
    "license-L2_L3_L5_L6": ("cc-unspecified", Permissions(_T, _N, _T, _N, _N)),  # Free to modify, share, use
    "license-L2_L3": ("cc-unspecified", Permissions(_T, _T, _T, _N, _N)),  # ... and use commercially
}


def license_claim(code: str) -> License:
    """What Bing's license filter ``code`` claims about every result it returned: no license by
    name, hence ``cc-unspecified`` (``pdm`` for the public-domain filter) with just the permissions
    the filter's label promises. A ``filterui:`` / ``+filterui:`` prefix is accepted; an unknown
    code raises ValueError (codes come from our own code, not the web)."""
    name = re.sub(r"^\+?filterui:", "", (code or "").strip())
    if name not in LICENSE_FILTERS:
        raise ValueError(f"unknown Bing license filter {code!r}; expected one of {', '.join(LICENSE_FILTERS)}")
    license_id, permissions = LICENSE_FILTERS[name]
    return License(license_id, None, None, "engine-filter", permissions)


def license_filter(policy: Policy) -> str | None:
    """The narrowest Bing ``qft`` license filter (``+filterui:`` not included) that still returns
    every result the policy could keep: public domain when only cc0/pdm are listed, otherwise the
    filter matching the commercial/modify requirements (explicit ids imply the permissions they
    all share), "All Creative Commons" for plain sharing. None means do not filter.

    Bing results are labelled from the filter (:func:`license_claim`): ``cc-unspecified``, or
    ``pdm`` under ``license-L1``. So a policy listing ids keeps Bing results only if it lists
    those ids; with ``license=cc0`` alone every Bing result is dropped, as it should be, since Bing
    never tells CC0 apart."""
    if policy.is_any:
        return None
    if policy.allowed_ids and policy.allowed_ids <= {"cc0", "pdm"}:
        return "license-L1"
    needed = permissions_needed(policy)
    if needed is None:
        return None
    if {"commercial", "modify"} <= needed:
        return "license-L2_L3"
    if "commercial" in needed:
        return "license-L2_L3_L4"
    if "modify" in needed:
        return "license-L2_L3_L5_L6"
    return "licenseType-Any"


# --------------------------------------------------------------------------------------------
# The provider
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BingOptions:
    #: ``BING_SEARCH_URL``.
    search_url: str
    #: The user's filter codes, by argument name (``-a size=large`` -> ``{"size": "imagesize-large"}``).
    filters: Mapping[str, str]
    policy: Policy


class BingProvider(Provider[BingOptions]):
    """Bing Images: one results page a query, grown by scrolling; no license per image, only the
    usage-rights filter's claim."""

    name = "bing"
    filters = {"size": SIZE, "type": TYPE, "color": COLOR, "aspect": ASPECT, "time": TIME, "safe": SAFE}  # noqa: RUF012

    def search(self, query: str, page: object, options: BingOptions) -> SearchCall:
        """Filters become ``qft=+filterui:...`` codes, the license filter from the policy."""
        filters = dict(options.filters)
        safe = filters.pop("safe", "strict")
        codes = list(filters.values())
        license_code = license_filter(options.policy)
        if license_code:
            codes.append(license_code)
        params = {"q": query, "form": "HDRSC3", "first": "1", "adlt": safe}
        qft = build_qft(codes)
        url = f"{options.search_url}?{urlencode(params)}"
        # Bing ignores a percent-encoded colon in qft: keep ":" and "+" literal.
        return SearchCall(f"{url}&qft={qft}" if qft else url)

    def parse(self, body: str | bytes, options: BingOptions | None = None) -> ResultsPage:
        results, skipped = parse_results_counted(text_of(body))
        return ResultsPage(results, skipped=skipped)

    def result_evidence(self, html: str) -> int:
        return thumbnail_count(html)

    def declared_license(self, result: EngineResult, options: BingOptions) -> License:
        code = license_filter(options.policy)
        return license_claim(code) if code else unknown()
