"""Flickr REST API responses (``flickr.photos.search``, ``flickr.photos.licenses.getInfo``) to results.

Flickr is the one engine here with a per-photo license from an API, so this parser keeps the
license id untouched (``license_code``) for the license model to map. The API is asked for JSON
(``format=json&nojsoncallback=1``), but the wrapped ``jsonFlickrApi({...})`` form is accepted too,
since forgetting ``nojsoncallback`` is an easy mistake that should not lose a crawl.

Pure: text or decoded JSON in, dataclasses out. The only exception raised is
:class:`FlickrApiError`, for a response that is an API error or not a Flickr response at all;
anything odd inside an otherwise valid response is skipped and counted, never raised.
Format reference: tests/fixtures/README.md section 3.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from imagespider.engines.base import ApiError, EngineResult, Provider, ResultsPage, SearchCall, numbered_page
from imagespider.engines.flickrlicense import license_ids_for, license_of
from imagespider.rights.model import License, unknown
from imagespider.rights.policy import Policy

#: Flickr size suffixes the spider can take the image from, largest first: o original,
#: k 2048, h 1600, l 1024, c 800, z 640, m 500 (the longest side).
SIZE_ORDER: tuple[str, ...] = ("o", "k", "h", "l", "c", "z", "m")

#: The ``extras`` the spider sends with ``flickr.photos.search``: everything this parser reads.
EXTRAS: str = (
    "license,owner_name,url_o,url_k,url_h,url_l,url_c,url_z,o_dims,date_taken,tags,description"
)

#: Sizes tried, in order, for ``thumbnail_url`` (t 100, s 240, m 500 px). They are only present
#: when the request's ``extras`` name them.
THUMBNAIL_ORDER: tuple[str, ...] = ("t", "s", "m")

SITE = "flickr.com"
STATIC_HOST = "https://live.staticflickr.com"
PHOTO_PAGE = "https://www.flickr.com/photos"
_WRAPPER = "jsonFlickrApi("


class FlickrApiError(ApiError):
    """Flickr said ``"stat": "fail"``, or the body is not a Flickr JSON response.

    ``code`` is Flickr's error code (100 = invalid API key, 10 = search unavailable...), or None
    when the body could not be read as a Flickr response at all.
    """

    def __init__(self, code: int | None, message: str) -> None:
        super().__init__(code, message)
        self.code = code
        self.message = message

    def __str__(self) -> str:
        if self.code is None:
            return f"Flickr API error: {self.message}"
        return f"Flickr API error {self.code}: {self.message}"


@dataclass(frozen=True)
class FlickrPage:
    """One page of ``flickr.photos.search``: its results and where it sits in the paging."""

    results: list[EngineResult]
    page: int
    pages: int
    total: int
    #: Photos with no usable image URL (no ``url_X`` and not enough to build one), or not even
    #: an object. Counted so the spider can report them instead of silently losing them.
    skipped: int


def parse_search(
    payload: dict[str, Any] | str | bytes, prefer_size: str | None = None
) -> FlickrPage:
    """Read a ``flickr.photos.search`` response into a :class:`FlickrPage`.

    ``payload`` is the body (text or bytes, plain JSON or ``jsonFlickrApi(...)``) or the decoded
    dict. ``prefer_size`` (the ``FLICKR_SIZE`` setting, one of :data:`SIZE_ORDER`) is tried first,
    then :data:`SIZE_ORDER`; width and height come from the same size's ``width_X``/``height_X``.
    A photo with no ``url_X`` at all gets ``https://live.staticflickr.com/<server>/<id>_<secret>_b.jpg``
    (the 1024 px size) with *no* dimensions, since nothing in the response says how big it is.

    Raises :class:`FlickrApiError` on an error response or a body that is not a search response;
    raises ``ValueError`` for a ``prefer_size`` outside :data:`SIZE_ORDER` (a configuration error,
    better loud than a silently ignored setting).
    """
    if prefer_size is not None and prefer_size not in SIZE_ORDER:
        raise ValueError(f"prefer_size must be one of {', '.join(SIZE_ORDER)}, not {prefer_size!r}")
    data = _load(payload)
    photos = data.get("photos")
    if not isinstance(photos, Mapping):
        raise FlickrApiError(None, "response has no 'photos' object")
    entries = photos.get("photo")
    if not isinstance(entries, list):
        entries = []
    sizes = _size_order(prefer_size)
    results: list[EngineResult] = []
    for entry in entries:
        result = _photo(entry, sizes) if isinstance(entry, Mapping) else None
        if result is not None:
            results.append(result)
    return FlickrPage(
        results=results,
        page=_int(photos.get("page")) or 1,
        pages=_int(photos.get("pages")) or 0,
        total=_int(photos.get("total")) or 0,
        skipped=len(entries) - len(results),
    )


def parse_licenses(payload: dict[str, Any] | str | bytes) -> list[dict[str, str]]:
    """Read ``flickr.photos.licenses.getInfo`` into ``[{"id": "0", "name": ..., "url": ...}]``.

    Ids become strings so they compare equal to a photo's ``license`` (a string in search
    results). Entries without an id are dropped. Raises :class:`FlickrApiError` on an error
    response or a body without a ``licenses`` object.
    """
    data = _load(payload)
    block = data.get("licenses")
    if not isinstance(block, Mapping):
        raise FlickrApiError(None, "response has no 'licenses' object")
    entries = block.get("license")
    licenses: list[dict[str, str]] = []
    for entry in entries if isinstance(entries, list) else []:
        if isinstance(entry, Mapping) and entry.get("id") is not None:
            licenses.append(
                {
                    "id": str(entry["id"]),
                    "name": _text(entry.get("name")) or "",
                    "url": _text(entry.get("url")) or "",
                }
            )
    return licenses


def _load(payload: Mapping[str, Any] | str | bytes) -> Mapping[str, Any]:
    """Decode the body, unwrap ``jsonFlickrApi(...)``, and turn ``stat: fail`` into the exception."""
    if isinstance(payload, Mapping):
        data: Any = payload
    else:
        data = _decode(payload)
    if not isinstance(data, Mapping):
        raise FlickrApiError(None, "response is not a JSON object")
    if data.get("stat") == "fail":
        message = _text(data.get("message")) or "unknown error"
        raise FlickrApiError(_int(data.get("code"), positive=False), message)
    return data


def _decode(payload: str | bytes) -> Any:
    if isinstance(payload, (bytes, bytearray)):
        text = bytes(payload).decode("utf-8", errors="replace")
    elif isinstance(payload, str):
        text = payload
    else:
        raise FlickrApiError(None, f"unexpected payload type {type(payload).__name__}")
    text = text.strip().lstrip("\ufeff")
    if text.startswith(_WRAPPER):
        text = text[len(_WRAPPER) :].rstrip().rstrip(";").rstrip()
        if text.endswith(")"):
            text = text[:-1]
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as exc:  # RecursionError: arrays nested 100,000 deep
        raise FlickrApiError(None, f"response is not JSON: {text[:80]!r}") from exc


def _size_order(prefer_size: str | None) -> tuple[str, ...]:
    if not prefer_size:
        return SIZE_ORDER
    return (prefer_size, *(size for size in SIZE_ORDER if size != prefer_size))


def _photo(photo: Mapping[str, Any], sizes: tuple[str, ...]) -> EngineResult | None:
    """One ``photos.photo[]`` entry, or None when no image URL can be had from it."""
    image = _best_size(photo, sizes) or _built_url(photo)
    if image is None:
        return None
    image_url, width, height = image
    photo_id = _text(photo.get("id"))
    owner = _text(photo.get("owner"))
    license_id = photo.get("license")
    return EngineResult(
        image_url=image_url,
        page_url=f"{PHOTO_PAGE}/{owner}/{photo_id}" if owner and photo_id else None,
        thumbnail_url=_first_url(photo, THUMBNAIL_ORDER),
        title=_text(photo.get("title")),
        width=width,
        height=height,
        site=SITE,
        author=_text(photo.get("ownername")),
        author_url=f"{PHOTO_PAGE}/{owner}/" if owner else None,
        license_code=str(license_id) if license_id not in (None, "") else None,
        date_taken=_date_taken(photo),
        tags=_tags(photo.get("tags")),
        engine_id=photo_id,
    )


def _best_size(
    photo: Mapping[str, Any], sizes: tuple[str, ...]
) -> tuple[str, int | None, int | None] | None:
    for size in sizes:
        url = _url(photo.get(f"url_{size}"))
        if url:
            return url, _int(photo.get(f"width_{size}")), _int(photo.get(f"height_{size}"))
    return None


def _built_url(photo: Mapping[str, Any]) -> tuple[str, None, None] | None:
    """The 1024 px (``_b``) URL from server/id/secret, for responses that lack every ``url_X``."""
    parts = [_text(photo.get(key)) for key in ("server", "id", "secret")]
    if not all(parts):
        return None
    server, photo_id, secret = parts
    return f"{STATIC_HOST}/{server}/{photo_id}_{secret}_b.jpg", None, None


def _first_url(photo: Mapping[str, Any], sizes: tuple[str, ...]) -> str | None:
    for size in sizes:
        url = _url(photo.get(f"url_{size}"))
        if url:
            return url
    return None


def _url(value: Any) -> str | None:
    text = _text(value)
    return text if text and text.startswith(("https://", "http://")) else None


def _text(value: Any) -> str | None:
    """A non-empty string, or None: Flickr sends ids as strings or numbers, and "" for "none"."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, str)):
        text = str(value).strip()
        return text or None
    return None


def _int(value: Any, positive: bool = True) -> int | None:
    """An int from an int or a numeric string (Flickr sends both); None when absent or junk."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, str) and value.strip().lstrip("-").isdigit():
        try:
            number = int(value.strip())
        except ValueError:  # "²" is a digit to isdigit, not to int; so are 5000 digits
            return None
    else:
        return None
    if positive and number <= 0:
        return None
    return number


def _date_taken(photo: Mapping[str, Any]) -> str | None:
    """``datetaken``, unless Flickr flags it unknown: it then holds a stand-in, not a real date."""
    if _text(photo.get("datetakenunknown")) == "1":
        return None
    return _text(photo.get("datetaken"))


def _tags(value: Any) -> tuple[str, ...]:
    return tuple(value.split()) if isinstance(value, str) else ()


# --------------------------------------------------------------------------------------------
# The provider
# --------------------------------------------------------------------------------------------

#: ``extras`` sent with each search: what the parser reads, plus the 100 px thumbnail.
SEARCH_EXTRAS = EXTRAS + ",url_t"
#: flickr.photos.search ``sort`` values (Flickr's own names).
SORTS: dict[str, str] = {
    name: name
    for name in (
        "relevance",
        "date-posted-desc",
        "date-posted-asc",
        "date-taken-desc",
        "date-taken-asc",
        "interestingness-desc",
        "interestingness-asc",
    )
}
#: ``-a safe=`` in the words the Bing spider uses -> Flickr ``safe_search`` (1 safe, 2 moderate,
#: 3 restricted). Flickr shows calls without a user login safe content only, whatever is asked.
SAFE: dict[str, str] = {"strict": "1", "moderate": "2", "off": "3"}


@dataclass(frozen=True)
class FlickrOptions:
    #: ``FLICKR_API_URL`` (the REST endpoint). The key is not here: it joins each call only as it
    #: is sent (imagespider/downloadermiddlewares/apikey.py), so no request on disk holds it.
    api_url: str
    per_page: int
    sort: str
    safe_search: str
    #: ``FLICKR_SIZE``: the size preferred, empty for the largest.
    size: str
    policy: Policy
    #: From licenses.getInfo; None means the built-in table (0-10).
    license_table: dict[str, License] | None = None


def rest_call(api_url: str, params: Mapping[str, Any]) -> SearchCall:
    """One REST call: its parameters, answered as plain JSON."""
    return SearchCall(f"{api_url}?{urlencode({**params, 'format': 'json', 'nojsoncallback': '1'})}")


class FlickrProvider(Provider[FlickrOptions]):
    """Flickr's REST API: ``flickr.photos.search`` paged by number, the license filter on
    Flickr's side, each photo's own license id the evidence."""

    name = "flickr"
    filters = {"sort": SORTS, "safe": SAFE}  # noqa: RUF012
    first_page = 1

    def search(self, query: str, page: Any, options: FlickrOptions) -> SearchCall:
        params: dict[str, Any] = {
            "method": "flickr.photos.search",
            "text": query,
            "extras": SEARCH_EXTRAS,
            "per_page": options.per_page,
            "page": page,
            "sort": options.sort,
            "safe_search": options.safe_search,
            "content_type": 1,  # photos only, no screenshots or "other"
            "media": "photos",
        }
        ids = license_ids_for(options.policy, options.license_table)
        if ids is not None:
            params["license"] = ",".join(ids)
        return rest_call(options.api_url, params)

    def licenses_call(self, options: FlickrOptions) -> SearchCall:
        """``flickr.photos.licenses.getInfo``: the license table, asked once a crawl."""
        return rest_call(options.api_url, {"method": "flickr.photos.licenses.getInfo"})

    def parse(self, body: str | bytes, options: FlickrOptions) -> ResultsPage:
        page = parse_search(body, prefer_size=options.size or None)
        return numbered_page(page.results, page.page, page.pages, page.skipped)

    def declared_license(self, result: EngineResult, options: FlickrOptions) -> License:
        if not result.license_code:
            return unknown("api")
        return license_of(result.license_code, options.license_table)
