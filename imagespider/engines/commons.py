"""Wikimedia Commons: MediaWiki API search answers -> :class:`EngineResult` list, and the
``extmetadata`` license fields read into the license model.

The request (imagespider/spiders/commons.py) is ``action=query&generator=search&gsrnamespace=6&
prop=imageinfo&iiprop=url|size|mime|extmetadata&formatversion=2``; pages come as a list
(``formatversion=2``) or an object keyed by page id (the default, as in the real capture,
tests/fixtures/commons_query_allimages_imageinfo_extmetadata_openverse_catalog.json), ordered by
their search ``index`` when given. Paging repeats the request with everything in ``continue``.

Commons records a license for every file (``LicenseShortName``, ``LicenseUrl``, ``License``), so
its evidence is authoritative (source ``api``). The three fields come from the file's description
page, which anyone may edit: when they name different licenses (a short name "CC BY-NC 4.0" with a
CC0 URL), the most restrictive one is the file's license and the disagreement is recorded in the
row's ``engine_rights.license_disagreement``. ``Artist`` and ``Credit`` are HTML: read as text,
the artist's user link kept as ``author_url``. ``Restrictions`` (personality rights,
trademarked...), ``UsageTerms``, ``AttributionRequired``, ``Copyrighted`` and ``NonFree`` go to the
manifest's ``engine_rights``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from parsel import Selector

from imagespider.engines.base import ApiError, EngineResult, Provider, ResultsPage, SearchCall, ShapeError, json_object
from imagespider.rights.model import License, Permissions, cc_license, id_for_code, unknown
from imagespider.rights.pagewords import most_restrictive
from imagespider.rights.parse import from_short_name, from_url

PROVIDER = "wikimedia_commons"
#: File types a dataset can use; SVG, PDF, TIFF scans, video and audio are left out.
IMAGE_MIMES = frozenset({"image/jpeg", "image/png", "image/webp", "image/gif"})


class CommonsShapeError(ShapeError):
    """A 200 answer whose body is not a MediaWiki query answer."""


class CommonsApiError(ApiError):
    """MediaWiki's ``{"error": {"code": .., "info": ..}}`` (``maxlag``, ``ratelimited``...)."""

    def __init__(self, code: str, info: str, lag: float | None = None) -> None:
        self.code, self.info, self.lag = code, info, lag
        super().__init__(f"{code}: {info}" if info else code)


#: A ``continue`` block is a handful of short keys (``gsroffset``, ``continue``); what is past
#: these bounds is not MediaWiki's and is not sent back.
_CONTINUE_KEYS, _CONTINUE_KEY, _CONTINUE_VALUE = 10, 40, 500


@dataclass(frozen=True)
class CommonsPage:
    results: list[EngineResult]
    #: The ``continue`` block to send with the next call; None on the last page.
    continue_params: dict[str, str] | None
    #: Files left out: no URL, or not a bitmap a dataset can use.
    skipped: int = 0


def parse_query(payload: str | bytes | Mapping[str, Any]) -> CommonsPage:
    """One ``action=query`` answer. Raises :class:`CommonsApiError` for an API error and
    :class:`CommonsShapeError` for a body that is not a query answer. A search with no hit comes
    back without ``query`` (``{"batchcomplete": true}``): that is an empty page, not an error."""
    data = json_object(payload, CommonsShapeError)
    error = data.get("error")
    if isinstance(error, Mapping):
        lag = error.get("lag")
        raise CommonsApiError(
            str(error.get("code") or "error"), " ".join(str(error.get("info") or "").split())[:300],
            float(lag) if isinstance(lag, (int, float)) and not isinstance(lag, bool) else None,
        )
    query = data.get("query")
    if query is None and ("batchcomplete" in data or "continue" in data):
        query = {"pages": []}
    if not isinstance(query, Mapping):
        keys = ", ".join(sorted(str(k) for k in data)[:8]) or "nothing"
        raise CommonsShapeError(f"no 'query' in the answer (it has {keys})")
    pages = query.get("pages", [])
    if isinstance(pages, Mapping):
        pages = list(pages.values())
    if not isinstance(pages, list):
        raise CommonsShapeError("'query.pages' is neither a list nor an object")
    pages = sorted(
        (p for p in pages if isinstance(p, Mapping)),
        key=lambda p: p.get("index") if isinstance(p.get("index"), int) else 1 << 30,
    )
    results: list[EngineResult] = []
    skipped = 0
    for page in pages:
        result = _result(page)
        if result is None:
            skipped += 1
        else:
            results.append(result)
    more = data.get("continue")
    continue_params = (
        {str(k)[:_CONTINUE_KEY]: str(v)[:_CONTINUE_VALUE] for k, v in list(more.items())[:_CONTINUE_KEYS]}
        if isinstance(more, Mapping) else None
    )
    return CommonsPage(results, continue_params, skipped)


def html_text(value: Any) -> str | None:
    """Commons' HTML fields (``Artist``, ``Credit``) as one line of text."""
    if value is None or isinstance(value, (dict, list)):
        return None
    raw = str(value)
    if "<" not in raw:
        return " ".join(raw.split()) or None
    # Commons templates hide machine data (``label QS:Len,"..."``) in display:none elements.
    parts = Selector(text=f"<div>{raw}</div>").xpath(
        "//text()[not(ancestor::*[contains(translate(@style, ' ', ''), 'display:none')])]"
    ).getall()
    return " ".join("".join(parts).split()) or None


def artist_url(value: Any) -> str | None:
    """The artist's own link in ``Artist``: a ``User:`` page first, else the first link."""
    if not isinstance(value, str) or "<a" not in value:
        return None
    links = [_absolute(h) for h in Selector(text=f"<div>{value}</div>").css("a::attr(href)").getall()]
    links = [link for link in links if link]
    users = [link for link in links if link and "/wiki/user:" in link.lower()]
    return (users or links or [None])[0]


def _result(page: Mapping[str, Any]) -> EngineResult | None:
    infos = page.get("imageinfo")
    info = infos[0] if isinstance(infos, list) and infos and isinstance(infos[0], Mapping) else None
    if info is None:
        return None
    url = _absolute(info.get("thumburl")) or _absolute(info.get("url"))
    mime = info.get("mime")
    if not url or (isinstance(mime, str) and mime not in IMAGE_MIMES):
        return None
    found = info.get("extmetadata")
    meta: Mapping[str, Any] = found if isinstance(found, Mapping) else {}

    def value(name: str) -> Any:
        entry = meta.get(name)
        return entry.get("value") if isinstance(entry, Mapping) else None

    title = html_text(value("ObjectName")) or _file_title(page.get("title"))
    thumb = bool(info.get("thumburl"))
    restrictions = [r for r in str(value("Restrictions") or "").split("|") if r.strip()]
    short_name, license_url = html_text(value("LicenseShortName")), _absolute(value("LicenseUrl"))
    slug = html_text(value("License"))
    disagreement = license_disagreement(short_name, license_url, slug)
    return EngineResult(
        image_url=url,
        page_url=_absolute(info.get("descriptionurl")),
        title=title,
        width=_int(info.get("thumbwidth") if thumb else info.get("width")),
        height=_int(info.get("thumbheight") if thumb else info.get("height")),
        site="commons.wikimedia.org",
        author=html_text(value("Artist")),
        author_url=artist_url(value("Artist")),
        license_code=short_name,
        license_url=license_url,
        license_version=slug,  # the slug ("cc-by-sa-4.0"), read by license_of
        engine_id=str(page.get("pageid")) if page.get("pageid") is not None else None,
        rights={
            "provider": PROVIDER,
            "attribution": html_text(value("Credit")),
            "attribution_required": _flag(value("AttributionRequired")),
            "copyrighted": _flag(value("Copyrighted")),
            "usage_terms": html_text(value("UsageTerms")),
            "restrictions": [r.strip() for r in restrictions],
            "non_free": _flag(value("NonFree")),
            **({"license_disagreement": disagreement} if disagreement else {}),
        },
    )


def declared(result: EngineResult) -> License:
    """The license a Commons result declares; a file Commons marks ``NonFree`` (fair use on some
    wikis) may not be redistributed, whatever its name says."""
    lic = license_of(result.license_code, result.license_url, result.license_version)
    if result.rights.get("non_free"):
        p = lic.permissions
        return License(lic.id, lic.version, lic.url, lic.source, Permissions(False, False, p.modify, p.attribution,
                                                                              p.share_alike))
    return lic


def _file_title(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    title = value.split(":", 1)[1] if value.startswith("File:") else value
    return title.rsplit(".", 1)[0].strip() or None


def _absolute(value: Any) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return None
    url = value.strip()
    if url.startswith("//"):
        url = "https:" + url
    return url if re.match(r"^https?://", url, re.IGNORECASE) else None


def _flag(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    text = str(value or "").strip().lower()
    return {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}.get(text)


def _int(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return None
    try:
        number = int(value)
    except (ValueError, OverflowError):  # junk, 5000 digits, 1e400 (JSON's infinity)
        return None
    return number if number > 0 else None


def license_of(short_name: str | None, url: str | None = None, slug: str | None = None) -> License:
    """Wikimedia Commons extmetadata: ``LicenseShortName``, ``LicenseUrl`` and ``License`` (the
    slug). When the fields agree, the URL's reading wins (it is the most precise, jurisdiction
    included), then the short name's, then the slug's. When they name different licenses, the most
    restrictive one (rights/pagewords.py ``most_restrictive``); licenses that cannot be ordered
    (one forbids what the other allows, both ways) give ``unknown``. Deliberately simple: only
    Creative Commons and public domain are recognised; GFDL, FAL, OGL, "Attribution only" and the
    like become ``unknown`` (source ``api``), which a ``share`` policy rejects. That loses some free
    images but never keeps a wrong one."""
    readings = license_readings(short_name, url, slug)
    if readings:
        licenses = [lic for _, _, lic in readings]
        if len({lic.id for lic in licenses}) == 1:
            return licenses[0]
        return most_restrictive(licenses) or License("unknown", None, None, "api")
    if short_name or url or slug:
        return License("unknown", None, None, "api")
    return unknown()


def license_readings(
    short_name: str | None, url: str | None = None, slug: str | None = None
) -> list[tuple[str, str, License]]:
    """Each license field that names a license we know: (field, its value, the license), URL first."""
    readings = []
    for field_name, text, read in (
        ("LicenseUrl", url, lambda text: from_url(text, "api")),
        ("LicenseShortName", short_name, lambda text: from_short_name(text, "api")),
        ("License", slug, _license_from_slug),
    ):
        found = read(text) if text else None
        if found is not None:
            readings.append((field_name, str(text), found))
    return readings


def license_disagreement(short_name: str | None, url: str | None, slug: str | None) -> list[dict[str, str]] | None:
    """The license fields and what each names, when they name different licenses (else None):
    kept in the row, so the choice of the most restrictive can be checked."""
    readings = license_readings(short_name, url, slug)
    if len({lic.id for _, _, lic in readings}) < 2:
        return None
    return [{"field": field_name, "value": text[:300], "license": lic.id} for field_name, text, lic in readings]


def _license_from_slug(slug: str) -> License | None:
    """Commons ``License`` slugs: "cc-by-sa-4.0", "cc-by-sa-3.0-de", "cc-zero", "pd", "pd-usgov..."."""
    slug = slug.strip().lower()
    if slug.startswith("pd-usgov"):
        return License("us-gov", None, None, "api")
    if slug in ("pd", "pd-self", "public-domain"):
        return License("pdm", None, None, "api")
    if slug in ("cc-zero", "cc0", "cc0-1.0"):
        return cc_license("cc0", "1.0", "api")
    match = re.fullmatch(r"cc-(by-nd-nc|by(?:-nc)?(?:-sa|-nd)?)(?:-(\d\.\d))?(?:-([a-z]{2,}))?", slug)
    if match:
        license_id = id_for_code(match.group(1))
        assert license_id is not None
        return cc_license(license_id, match.group(2), "api", match.group(3))
    return None


# --------------------------------------------------------------------------------------------
# The provider
# --------------------------------------------------------------------------------------------

#: The extmetadata fields asked for (``iiextmetadatafilter``): what the parser reads, nothing more.
EXTMETADATA = (
    "ObjectName|LicenseShortName|LicenseUrl|License|Artist|Credit|AttributionRequired|Copyrighted|"
    "UsageTerms|Restrictions|NonFree"
)


@dataclass(frozen=True)
class CommonsOptions:
    #: ``COMMONS_API_URL``.
    api_url: str
    page_size: int
    #: ``COMMONS_THUMB_WIDTH``: 0 for the original file.
    thumb_width: int
    maxlag: int
    #: Wikimedia's User-Agent policy: name/version (contact) library/version.
    user_agent: str


class CommonsProvider(Provider[CommonsOptions]):
    """Wikimedia Commons through the MediaWiki API: ``generator=search`` over File pages, paged
    by the answer's ``continue`` block, every file's license read from its ``extmetadata``."""

    name = "commons"
    filters = {"restrictions": {"keep": "keep", "exclude": "exclude"}}  # noqa: RUF012
    #: The first call has no ``continue`` block.
    first_page = None

    def search(self, query: str, page: Mapping[str, str] | None, options: CommonsOptions) -> SearchCall:
        params: dict[str, Any] = {
            "action": "query",
            "format": "json",
            "formatversion": "2",
            "generator": "search",
            "gsrsearch": f"{query} filetype:bitmap",
            "gsrnamespace": "6",
            "gsrlimit": options.page_size,
            "prop": "imageinfo",
            "iiprop": "url|size|mime|extmetadata",
            "iiextmetadatafilter": EXTMETADATA,
            "maxlag": options.maxlag,
        }
        if options.thumb_width:
            params["iiurlwidth"] = options.thumb_width
        # The answer's ``continue`` block adds its continuation keys; it never replaces ours
        # (an answer naming another ``action`` or ``gsrsearch`` is not followed there).
        params.update({key: value for key, value in (page or {}).items() if key not in params})
        headers = {"User-Agent": options.user_agent, "Api-User-Agent": options.user_agent}
        return SearchCall(f"{options.api_url}?{urlencode(params)}", headers=headers)

    def parse(self, body: str | bytes, options: CommonsOptions | None = None) -> ResultsPage:
        page = parse_query(body)
        return ResultsPage(page.results, next=page.continue_params, skipped=page.skipped)

    def declared_license(self, result: EngineResult, options: CommonsOptions) -> License:
        return declared(result)
