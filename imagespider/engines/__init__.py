"""Engines, pure: one module per engine, each with its provider (imagespider/engines/base.py).

Nothing here imports Scrapy or touches the network, so a change in an engine's markup is a
one-file fix tested on a saved capture. Each engine module holds that engine's parse functions,
its license codes and filters, and its :class:`~imagespider.engines.base.Provider` (request
building from a query and a page token, parsing, license mapping, failure detection).
:data:`ENGINES` below is the one place an engine is registered: its provider, its endpoint
settings (reachable even when they point at a private address, since the user chose them), its
secret settings (masked in every log line), its download slot and what its licenses are worth.
The spiders, the private-address guard, the secret filter and the docs' engines table read it.
"""

from __future__ import annotations

from imagespider.engines import bing, commons, flickr, google, openverse
from imagespider.engines.base import (
    ENGINE_RIGHTS_FIELDS,
    MARKUP_CHANGED_MIN,
    ApiError,
    Engine,
    EngineResult,
    LicenseQuality,
    Provider,
    ResultsPage,
    SearchCall,
    ShapeError,
    json_object,
)

__all__ = [
    "ENGINES",
    "ENGINE_RIGHTS_FIELDS",
    "MARKUP_CHANGED_MIN",
    "ApiError",
    "Engine",
    "EngineResult",
    "LicenseQuality",
    "Provider",
    "ResultsPage",
    "SearchCall",
    "ShapeError",
    "endpoint_setting_names",
    "engines_table",
    "json_object",
    "secret_setting_names",
]


ENGINES: dict[str, Engine] = {
    engine.name: engine
    for engine in (
        Engine(
            "openverse", ("OPENVERSE_API_URL",), "per-image",
            secret_settings=("OPENVERSE_CLIENT_ID", "OPENVERSE_CLIENT_SECRET"), slot="openverse-api",
            title="Openverse", provider=openverse.OpenverseProvider(),
            limits="anonymous: 20 results a page, 20 calls a minute, 200 a day (paced by the `x-ratelimit-*` "
            "headers); registered (with the keys): up to 500 a page, higher limits",
        ),
        Engine(
            "commons", ("COMMONS_API_URL",), "per-image", slot="commons-api", title="Wikimedia Commons",
            provider=commons.CommonsProvider(),
            limits="calls one at a time, `maxlag` honoured, `COMMONS_CONTACT` in the User-Agent (Wikimedia's "
            "policy); no server-side license filter, so the policy is applied to each file before download",
        ),
        Engine(
            "flickr", ("FLICKR_API_URL",), "per-image", secret_settings=("FLICKR_API_KEY",), slot="flickr-api",
            title="Flickr", key_required=True, provider=flickr.FlickrProvider(),
            limits="3,600 calls an hour per key: one call a second",
        ),
        Engine(
            "bing", ("BING_SEARCH_URL",), "filter", browser=True, title="Bing Images", provider=bing.BingProvider(),
            limits="a browser page per query, scrolled",
        ),
        Engine(
            "google", ("GOOGLE_SEARCH_URL",), "filter", browser=True, title="Google Images",
            provider=google.GoogleProvider(),
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
    """docs/spiders.md's engines table, from :data:`ENGINES` (tests/unit/test_engines.py keeps them equal)."""
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
