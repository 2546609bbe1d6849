"""What every engine module shares: the result, the registry entry, and the provider interface.

A provider is one engine, pure (parsel, the standard library and imagespider.rights' pure parsers;
no Scrapy, no network): it builds the call for one page of a query from the query and a page
token (:meth:`Provider.search`), reads an answer's text or JSON into a :class:`ResultsPage`
(:meth:`Provider.parse`), maps what the engine says about licenses to our license model
(:meth:`Provider.declared_license`), and tells an answer that is not results (a consent wall, a
CAPTCHA, an error the API names) from one that is (:meth:`Provider.refusal`, :class:`ApiError`,
:class:`ShapeError`). The spiders (imagespider/spiders/) do the crawling around it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Generic, Literal, TypeVar

from imagespider.rights.model import License


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
#: gives nothing), so the column has one schema (see imagespider/dataset/manifest.py).
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
    #: The engine's name for people (docs/spiders.md's engines table).
    title: str = ""
    #: Whether a crawl needs the secret settings (else they only unlock more, e.g. higher limits).
    key_required: bool = False
    #: The engine's limits and how we pace it, one line for docs/spiders.md's engines table.
    limits: str = ""
    #: The engine itself: how its calls are built and its answers read (:class:`Provider`).
    provider: Provider[Any] | None = field(default=None, compare=False, repr=False)




# --------------------------------------------------------------------------------------------
# Providers
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SearchCall:
    """One call to an engine: what :meth:`Provider.search` builds from a query and a page token."""

    #: The URL with its query string.
    url: str
    method: str = "GET"
    headers: Mapping[str, str] = field(default_factory=dict)
    body: str | None = None


@dataclass(frozen=True)
class ResultsPage:
    """One answer of an engine, read: its results and what the next call needs."""

    results: list[EngineResult]
    #: The page token of the next call (a page number, a ``continue`` block); None when this page
    #: was the last, or when the engine grows its page as it is scrolled (Bing, Google).
    next: Any = None
    #: Where this page stands, for the end-of-query line ("page 2 of 5").
    position: str = ""
    #: Results the parser had to leave out (no usable image URL, a record it could not read).
    skipped: int = 0


def numbered_page(results: list[EngineResult], page: int, pages: int, skipped: int = 0) -> ResultsPage:
    """A page of an API numbered 1 to ``pages`` (Flickr, Openverse): the next is ``page + 1`` until the last."""
    return ResultsPage(results, next=page + 1 if page < pages else None, position=f"page {page} of {pages}",
                       skipped=skipped)


class ShapeError(ValueError):
    """An answer in a shape the parser does not know: the engine changed (the spider saves it and
    ends the engine with ``failed_<engine>_api_changed``), never "no results"."""


class ApiError(Exception):
    """An error the engine names in its answer (an invalid key, a lagged replica), with its code."""

    code: Any = None


OptionsT = TypeVar("OptionsT")


class Provider(Generic[OptionsT]):
    """One engine, pure: request building, parsing, license mapping and failure detection.

    ``OptionsT`` is the engine's options dataclass (in its module): what its calls and its reading
    need beyond the query, from the crawl's settings and arguments (the spider builds it).
    """

    name: ClassVar[str]
    #: Argument name -> {user value: engine code}: the ``-a`` filters the engine understands.
    filters: ClassVar[Mapping[str, Mapping[str, str]]] = {}
    #: The page token of a query's first call.
    first_page: ClassVar[Any] = None

    def search(self, query: str, page: Any, options: OptionsT) -> SearchCall:
        """The call for one page of ``query`` (``page`` is :attr:`first_page` or a :attr:`ResultsPage.next`)."""
        raise NotImplementedError

    def parse(self, body: str | bytes, options: OptionsT) -> ResultsPage:
        """An answer (or a browser page, or the markup it appended) read into a :class:`ResultsPage`;
        raises :class:`ShapeError` for a body it does not recognise, :class:`ApiError` for an error
        the engine names."""
        raise NotImplementedError

    def declared_license(self, result: EngineResult, options: OptionsT) -> License:
        """The license evidence the engine gives for ``result``, before anything is downloaded."""
        raise NotImplementedError

    def refusal(self, text: str, url: str, status: int) -> str | None:
        """Why an answer is something other than results (a consent wall, a CAPTCHA), as one line
        for the user; None for results. ``url`` is the final URL, after redirects."""
        return None

    def result_evidence(self, html: str) -> int:
        """How many images or result links a results page plainly shows, whatever its markup: a
        page showing :data:`MARKUP_CHANGED_MIN` or more of which :meth:`parse` reads none is
        changed markup, not an empty search. Engines override it with what is sure to be theirs."""
        return html.count("<img")


def text_of(body: str | bytes) -> str:
    """A page's text (bytes are read as UTF-8, bad bytes replaced: the parsers read markup)."""
    return body if isinstance(body, str) else body.decode("utf-8", "replace")
