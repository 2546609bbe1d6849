"""Openverse ``GET /v1/images/`` answers -> :class:`EngineResult` list, and its license codes.

Openverse gives every result a structured license (``license``, ``license_version``,
``license_url``), so its evidence is authoritative (source ``api``). The result keys changed over
the years (tests/fixtures/openverse/, real recorded answers from 2022 to 2024): ``attribution``,
``width``, ``height`` and ``mature`` are missing in 2022-03, null in 2022-09 and filled from 2023;
all are treated as optional. A body without a ``results`` list is not "no results" but an answer
we do not understand: :class:`OpenverseShapeError`.

The license policy becomes Openverse's own filters (:func:`filters_for`): ``license=`` with exactly
the codes the policy keeps and ``license_type=commercial,modification`` for those requirements.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from imagespider.engines.base import (
    EngineResult,
    Provider,
    ResultsPage,
    SearchCall,
    ShapeError,
    json_object,
    numbered_page,
)
from imagespider.rights.model import License, Permissions, cc_license, id_for_code, unknown
from imagespider.rights.parse import from_url
from imagespider.rights.policy import Policy

#: Every license code Openverse uses (its ``license`` filter accepts these).
LICENSE_CODES: tuple[str, ...] = (
    "by", "by-sa", "by-nd", "by-nc", "by-nc-sa", "by-nc-nd", "cc0", "pdm", "sampling+", "nc-sampling+",
)  # fmt: skip
#: Anonymous callers may ask for at most 20 results a page; registered ones for more.
ANONYMOUS_PAGE_SIZE = 20
MAX_PAGE_SIZE = 500


class OpenverseShapeError(ShapeError):
    """A 200 answer whose body is not Openverse's search shape."""


@dataclass(frozen=True)
class OpenversePage:
    results: list[EngineResult]
    page: int
    page_count: int
    result_count: int
    #: Results without a usable ``url``.
    skipped: int = 0


def parse_search(payload: str | bytes | Mapping[str, Any]) -> OpenversePage:
    """One ``/v1/images/`` answer. Raises :class:`OpenverseShapeError` when the body is not JSON
    or has no ``results`` list."""
    data = json_object(payload, OpenverseShapeError)
    results = data.get("results")
    if not isinstance(results, list):
        keys = ", ".join(sorted(str(k) for k in data)[:8]) or "nothing"
        raise OpenverseShapeError(f"no 'results' list in the answer (it has {keys})")
    parsed: list[EngineResult] = []
    skipped = 0
    for entry in results:
        result = _result(entry) if isinstance(entry, Mapping) else None
        if result is None:
            skipped += 1
        else:
            parsed.append(result)
    page = _int(data.get("page")) or 1
    return OpenversePage(
        parsed, page, _int(data.get("page_count")) or 0, _int(data.get("result_count")) or 0, skipped
    )


def error_detail(payload: str | bytes) -> str | None:
    """Openverse's ``{"detail": ...}`` (or OAuth's ``{"error": ...}``) on an error answer, as one
    line, or None."""
    try:
        data = json_object(payload, OpenverseShapeError)
    except OpenverseShapeError:
        return None
    detail = data.get("detail") or data.get("error_description") or data.get("error")
    if isinstance(detail, Mapping):
        detail = "; ".join(f"{k}: {v}" for k, v in detail.items())
    return " ".join(str(detail).split())[:300] if detail else None


def filters_for(policy: Policy) -> dict[str, str]:
    """``license`` / ``license_type`` parameters keeping what ``policy`` keeps; {} for ``any``."""
    if policy.is_any:
        return {}
    codes = [code for code in LICENSE_CODES if policy.check(license_of(code, _DEFAULT_VERSION.get(code))) is None]
    params = {"license": ",".join(codes)} if codes else {}
    types = [name for need, name in (("commercial", "commercial"), ("modify", "modification"))
             if need in policy.requirements]  # fmt: skip
    if types:
        params["license_type"] = ",".join(types)
    return params


#: A version for codes whose permissions do not depend on it, so policy checks can run on codes.
_DEFAULT_VERSION = {"cc0": "1.0", "pdm": "1.0"}


def _result(entry: Mapping[str, Any]) -> EngineResult | None:
    url = _url(entry.get("url"))
    if not url:
        return None
    return EngineResult(
        image_url=url,
        page_url=_url(entry.get("foreign_landing_url")),
        thumbnail_url=_url(entry.get("thumbnail")),
        title=_text(entry.get("title")),
        width=_int(entry.get("width")),
        height=_int(entry.get("height")),
        site=_text(entry.get("source")) or _text(entry.get("provider")),
        author=_text(entry.get("creator")),
        author_url=_url(entry.get("creator_url")),
        license_code=_text(entry.get("license")),
        license_version=_text(entry.get("license_version")),
        license_url=_url(entry.get("license_url")),
        tags=_tags(entry.get("tags")),
        engine_id=_text(entry.get("id")),
        rights={
            "provider": _text(entry.get("provider")),
            "provider_source": _text(entry.get("source")),
            "attribution": _text(entry.get("attribution")),
            "mature": entry.get("mature") if isinstance(entry.get("mature"), bool) else None,
        },
    )


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, (dict, list, bool)):
        return None
    text = " ".join(str(value).split())
    return text or None


def _url(value: Any) -> str | None:
    text = _text(value)
    return text if text and re.match(r"^https?://", text, re.IGNORECASE) else None


def _int(value: Any) -> int | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = int(value)
    except (TypeError, ValueError, OverflowError):  # junk, 5000 digits, 1e400 (JSON's infinity)
        return None
    return number if number >= 0 else None


def _tags(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list):
        return ()
    names = (_text(tag.get("name")) if isinstance(tag, Mapping) else _text(tag) for tag in value)
    return tuple(dict.fromkeys(name for name in names if name))


def license_of(code: str, version: str | None, url: str | None = None) -> License:
    """Openverse ``license`` / ``license_version`` / ``license_url``. The code is trusted over the
    URL (it is the structured field); the URL is used only when it names the same license, so a
    ported jurisdiction survives. The retired Sampling licenses (``sampling+``, ``nc-sampling+``)
    are ``cc-unspecified``: they allow non-commercial sharing and sampling with credit, which no
    id of ours describes, so those permissions are asserted explicitly. Any other code is unknown."""
    code = (code or "").strip().lower()
    version = (version or "").strip() or None
    from_link = from_url(url, "api") if url else None
    if code in ("sampling+", "nc-sampling+"):
        return License(
            "cc-unspecified",
            version,
            f"https://creativecommons.org/licenses/{code}/{version or '1.0'}/",
            "api",
            Permissions(share=True, commercial=False, modify=True, attribution=True, share_alike=False),
        )
    if code in ("cc0", "pdm"):
        license_id: str | None = code
        version = version or "1.0"
    else:
        license_id = id_for_code(code)
    if license_id is None:
        return License("unknown", None, url or None, "api")
    if from_link is not None and from_link.id == license_id and from_link.version == version:
        return from_link
    return cc_license(license_id, version, "api")




# -- rate limits ------------------------------------------------------------------------------

_PERIODS = {"s": 1, "sec": 1, "second": 1, "m": 60, "min": 60, "minute": 60, "h": 3600, "hour": 3600,
            "d": 86400, "day": 86400}  # fmt: skip
_EXPECTED_IN = re.compile(r"available in (\d+(?:\.\d+)?) seconds?", re.IGNORECASE)


@dataclass(frozen=True)
class RateLimit:
    """One ``x-ratelimit-limit-<scope>: 20/min`` / ``x-ratelimit-available-<scope>: 19`` pair."""

    scope: str
    limit: int
    period: float
    available: int | None


def rate_limits(headers: Mapping[str, str]) -> list[RateLimit]:
    """The rate limits Openverse announces on an answer (header names in any case)."""
    lower = {str(k).lower(): str(v) for k, v in headers.items()}
    found = []
    for name, value in lower.items():
        if not name.startswith("x-ratelimit-limit-"):
            continue
        scope = name.removeprefix("x-ratelimit-limit-")
        match = re.fullmatch(r"\s*(\d+)\s*/\s*([a-z]+)\s*", value.lower())
        if not match or match.group(2) not in _PERIODS:
            continue
        available = _int(lower.get(f"x-ratelimit-available-{scope}", "").strip() or None)
        found.append(RateLimit(scope, int(match.group(1)), float(_PERIODS[match.group(2)]), available))
    return found


def pace(headers: Mapping[str, str]) -> float:
    """Seconds to wait before the next call: 0 while every limit has calls left, else the longest
    period among the exhausted ones (the API says how many calls remain, not when they return).
    Thumbnail limits do not apply to searches."""
    waits = [limit.period for limit in rate_limits(headers)
             if limit.available == 0 and "thumbnail" not in limit.scope]  # fmt: skip
    return max(waits, default=0.0)


def retry_after(headers: Mapping[str, str], detail: str | None) -> float | None:
    """How long a 429 asks us to wait: ``Retry-After`` seconds, else the "Expected available in
    N seconds" of Openverse's ``detail``; None when neither says."""
    lower = {str(k).lower(): str(v) for k, v in headers.items()}
    value = lower.get("retry-after", "").strip()
    if value.isascii() and value.isdigit():  # "²".isdigit() is True, float("²") a ValueError
        return float(value)
    match = _EXPECTED_IN.search(detail or "")
    return float(match.group(1)) if match else None


def parse_token(payload: str | bytes) -> tuple[str | None, float | None]:
    """``/v1/auth_tokens/token/``'s ``{"access_token": .., "expires_in": ..}``."""
    try:
        data = json_object(payload, OpenverseShapeError)
    except OpenverseShapeError:
        return None, None
    token = data.get("access_token")
    expires = data.get("expires_in")
    return (
        token if isinstance(token, str) and token else None,
        # A lifetime of 0 or less would renew the token before every call: read as not given.
        float(expires) if isinstance(expires, (int, float)) and not isinstance(expires, bool) and expires > 0 else None,
    )


# --------------------------------------------------------------------------------------------
# The provider
# --------------------------------------------------------------------------------------------

SEARCH_PATH = "/v1/images/"
TOKEN_PATH = "/v1/auth_tokens/token/"  # noqa: S105 (a path, not a password)


@dataclass(frozen=True)
class OpenverseOptions:
    #: ``OPENVERSE_API_URL``, without a trailing slash.
    api_url: str
    page_size: int
    policy: Policy


class OpenverseProvider(Provider[OpenverseOptions]):
    """The Openverse API: ``/v1/images/`` paged by number, the policy as its ``license`` and
    ``license_type`` filters, each result's own license the evidence. The token a registered
    client sends is added as each call is sent (imagespider/downloadermiddlewares/apikey.py)."""

    name = "openverse"
    first_page = 1

    def search(self, query: str, page: Any, options: OpenverseOptions) -> SearchCall:
        params = {"q": query, "page": page, "page_size": options.page_size, **filters_for(options.policy),
                  "mature": "false"}
        return SearchCall(f"{options.api_url}{SEARCH_PATH}?{urlencode(params)}")

    def token_call(self, options: OpenverseOptions, client_id: str, client_secret: str) -> SearchCall:
        """The OAuth2 client-credentials call for a token (registered use)."""
        body = urlencode({"grant_type": "client_credentials", "client_id": client_id, "client_secret": client_secret})
        return SearchCall(options.api_url + TOKEN_PATH, method="POST", body=body,
                          headers={"Content-Type": "application/x-www-form-urlencoded"})

    def parse(self, body: str | bytes, options: OpenverseOptions | None = None) -> ResultsPage:
        page = parse_search(body)
        return numbered_page(page.results, page.page, page.page_count, page.skipped)

    def declared_license(self, result: EngineResult, options: OpenverseOptions) -> License:
        if not result.license_code:
            return unknown("api")
        return license_of(result.license_code, result.license_version, result.license_url)
