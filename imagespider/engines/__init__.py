"""Pure parsers, one module per engine: text or JSON in, a list of :class:`EngineResult` out.

Nothing here imports Scrapy or touches the network, so a change in an engine's markup is a
one-file fix tested on a saved capture.
"""

from __future__ import annotations

from dataclasses import dataclass, field


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
    date_taken: str | None = None
    tags: tuple[str, ...] = field(default_factory=tuple)
    #: The engine's id for the result (Bing md5, Google docid, Flickr photo id).
    engine_id: str | None = None
