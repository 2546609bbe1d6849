"""Pure parsers, one module per engine: text or JSON in, a list of :class:`EngineResult` out.

Nothing here imports Scrapy or touches the network, so a change in an engine's markup is a
one-file fix tested on a saved capture. Each engine module also holds that engine's license
codes and filters, and :data:`ENGINES` below is the one place an engine is registered: its
endpoint settings (reachable even when they point at a private address, since the user chose
them), its secret settings (masked in every log line), its download slot and what its licenses
are worth. The private-address guard, the secret filter and README's engines table read it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal


@dataclass(frozen=True, slots=True)
class EngineResult:
    """One image result as an engine describes it, before anything is downloaded."""

    image_url: str
    page_url: str | None = None
    thumbnail_url: str | None = None
    title: str | None = None
    width: int | None = None
    height: int | None = None
    site: str | None = None
    author: str | None = None
    author_url: str | None = None
    #: The engine's own license code for this one result (a Flickr license id, an Openverse
    #: code...). None when the engine gives no per-result license (Bing, Google).
    license_code: str | None = None
    #: The version and deed URL the engine gives with ``license_code`` (Openverse, Commons).
    license_version: str | None = None
    license_url: str | None = None
    date_taken: str | None = None
    tags: tuple[str, ...] = field(default_factory=tuple)
    #: The engine's id for the result (Bing md5, Google docid, Flickr photo id).
    engine_id: str | None = None
    #: The engine's own rights statements for this result, by :data:`ENGINE_RIGHTS_FIELDS` name
    #: (Openverse's attribution and provider, Commons' credit and restrictions...).
    rights: Mapping[str, Any] = field(default_factory=dict, hash=False)
    #: ``image_url`` is the engine's thumbnail, not the full-size image: the engine named none
    #: (a Google tile whose page holds no script data and whose preview showed none).
    is_thumbnail: bool = False


def _not_json(name: str) -> Any:
    """NaN and Infinity are Python's extension, not JSON: an answer holding them is refused."""
    raise ValueError(f"{name} is not JSON")


def json_object(payload: str | bytes | Mapping[str, Any], shape_error: type[Exception]) -> Mapping[str, Any]:
    """An API's answer as the JSON object it should be (a mapping passes as it is); anything else
    raises ``shape_error`` (the engine's "changed API" error) saying what it is instead."""
    if isinstance(payload, Mapping):
        return payload
    if not isinstance(payload, (str, bytes, bytearray)):
        raise shape_error(f"the answer is a JSON {type(payload).__name__}, not an object")
    try:
        data = json.loads(payload, parse_constant=_not_json)
    except (ValueError, UnicodeDecodeError, RecursionError) as error:
        raise shape_error(f"the answer is not JSON ({str(error)[:80]})") from None
    if not isinstance(data, Mapping):
        raise shape_error(f"the answer is a JSON {type(data).__name__}, not an object")
    return data


#: Keys of the manifest's ``engine_rights`` column: what an engine with per-image licenses says
#: about each image beyond its license. Every key is written on every row (null when the engine
#: gives nothing), so the column has one schema (see imagespider/dataset/store/manifest.py).
ENGINE_RIGHTS_FIELDS: tuple[str, ...] = (
    "provider",  # Openverse ``provider``; "wikimedia_commons" for Commons
    "provider_source",  # Openverse ``source`` (the collection within the provider)
    "attribution",  # the engine's own credit text: Openverse ``attribution``, Commons ``Credit``
    "attribution_required",  # Commons ``AttributionRequired``
    "copyrighted",  # Commons ``Copyrighted``
    "usage_terms",  # Commons ``UsageTerms``
    "restrictions",  # Commons ``Restrictions`` (personality rights, trademarked...), a list
    "non_free",  # Commons ``NonFree``
    "mature",  # Openverse ``mature``
    # Commons: its license fields when they name different licenses (the most restrictive was
    # taken), a list of {field, value, license}; null when they agree
    "license_disagreement",
)


#: A results page showing at least this many images (or result links) while the parser reads none
#: is taken as changed markup, not as "no results" (imagespider/spiders/scrolling.py).
MARKUP_CHANGED_MIN = 10


#: How much an engine's license statement is worth: ``per-image`` (an API names each result's
#: license: authoritative), ``filter`` (only a usage-rights filter's claim over all results),
#: ``none`` (nothing at all).
LicenseQuality = Literal["per-image", "filter", "none"]


@dataclass(frozen=True, slots=True)
class Engine:
    """One engine as the rest of the crawler needs to know it, declared once in :data:`ENGINES`."""

    name: str
    #: Settings holding the URLs the spider sends its engine requests to.
    endpoint_settings: tuple[str, ...]
    license_quality: LicenseQuality
    #: Settings (and environment variables of the same name) holding credentials.
    secret_settings: tuple[str, ...] = ()
    #: The download slot every engine request goes through (``DOWNLOAD_SLOTS`` paces it);
    #: None = the endpoint host's own slot.
    slot: str | None = None
    #: Rendered in Chromium (scrapy-playwright) rather than fetched with Scrapy's HTTP client.
    browser: bool = False
    #: The engine's name for people (README's engines table).
    title: str = ""
    #: Whether a crawl needs the secret settings (else they only unlock more, e.g. higher limits).
    key_required: bool = False
    #: The engine's limits and how we pace it, one line for README's engines table.
    limits: str = ""


ENGINES: dict[str, Engine] = {
    engine.name: engine
    for engine in (
        Engine(
            "openverse", ("OPENVERSE_API_URL",), "per-image",
            secret_settings=("OPENVERSE_CLIENT_ID", "OPENVERSE_CLIENT_SECRET"), slot="openverse-api",
            title="Openverse",
            limits="anonymous: 20 results a page, 20 calls a minute, 200 a day (paced by the `x-ratelimit-*` "
            "headers); registered (with the keys): up to 500 a page, higher limits",
        ),
        Engine(
            "commons", ("COMMONS_API_URL",), "per-image", slot="commons-api", title="Wikimedia Commons",
            limits="calls one at a time, `maxlag` honoured, `COMMONS_CONTACT` in the User-Agent (Wikimedia's "
            "policy); no server-side license filter, so the policy is applied to each file before download",
        ),
        Engine(
            "flickr", ("FLICKR_API_URL",), "per-image", secret_settings=("FLICKR_API_KEY",), slot="flickr-api",
            title="Flickr", key_required=True, limits="3,600 calls an hour per key: one call a second",
        ),
        Engine(
            "bing", ("BING_SEARCH_URL",), "filter", browser=True, title="Bing Images",
            limits="a browser page per query, scrolled",
        ),
        Engine(
            "google", ("GOOGLE_SEARCH_URL",), "filter", browser=True, title="Google Images",
            limits="a browser page per query; often answers with a consent or CAPTCHA page",
        ),
    )
}


def endpoint_setting_names() -> tuple[str, ...]:
    """Every registered engine's endpoint settings, for the private-address guard."""
    return tuple(name for engine in ENGINES.values() for name in engine.endpoint_settings)


def secret_setting_names() -> tuple[str, ...]:
    """Every registered engine's credential settings, for the secret filter."""
    return tuple(name for engine in ENGINES.values() for name in engine.secret_settings)


_QUALITY_TEXT: dict[str, str] = {
    "per-image": "yes, from the API for each result: authoritative (`per-image`)",
    "filter": "no: only the usage-rights filter's claim over the whole list (`filter`)",
    "none": "no (`none`)",
}


def engines_table() -> str:
    """README's engines table, from :data:`ENGINES` (tests/unit/test_engines.py keeps them equal)."""
    lines = [
        "| engine | spider | license per image (quality) | endpoint setting | key | limits and pacing |",
        "|---|---|---|---|---|---|",
    ]
    for engine in ENGINES.values():
        keys = ", ".join(f"`{name}`" for name in engine.secret_settings)
        key = f"{keys} ({'required' if engine.key_required else 'optional'})" if keys else "none"
        endpoints = ", ".join(f"`{name}`" for name in engine.endpoint_settings)
        lines.append(
            f"| {engine.title or engine.name} | `{engine.name}` | {_QUALITY_TEXT[engine.license_quality]} "
            f"| {endpoints} | {key} | {engine.limits} |"
        )
    return "\n".join(lines) + "\n"
