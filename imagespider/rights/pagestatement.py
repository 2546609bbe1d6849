"""What a source page's statement is, how strong each kind is, and how the statements tied to one
image are weighed: the vocabulary imagespider/rights/pagemarkup.py, pagedata.py and pagetext.py
fill and imagespider/rights/pageindex.py and page.py weigh. Pure: values in, values out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlsplit

from imagespider.rights.model import License

#: Structured data names the image itself: closer than any element around it.
NAMED_CLOSENESS = 1000
#: Most statements one page's index keeps: a page of more is read as saying nothing (page.py).
MAX_PAGE_STATEMENTS = 4000
#: How many statements a PageEvidence records.
MAX_STATEMENTS = 12

# Statement ranks: lower is more explicit.
RANK_STRUCTURED = 0  # schema.org license / dcterms.license, machine-readable
RANK_REL_LICENSE = 1  # rel="license"
RANK_LINK = 2  # a CC deed link or badge without rel
RANK_TEXT = 3  # a caption naming a license in words, dc.rights text
RANK_NOTICE = 4  # "All rights reserved" in running text

#: A WordPress size suffix (``-300x200``) before an image file's extension: the loose key drops it.
SIZE_SUFFIX = re.compile(r"-\d{2,5}x\d{2,5}(?=\.[A-Za-z0-9]{2,5}$)")


@dataclass(frozen=True, slots=True)
class Statement:
    """One thing a page says: ``kind`` is ``license``, ``text_license`` (a site's license for its
    text, never applied to an image), ``author``, ``author_url``, ``credit``, ``copyright`` or
    ``acquire_license_page``; ``value`` is what the page wrote (a URL or text);
    ``element`` says where (``a[rel=license]``, ``json-ld ImageObject.license``...)."""

    kind: str
    value: str
    element: str
    rank: int = RANK_TEXT
    #: For ``license`` statements: the license read from the value, None when it names none we
    #: know (a site's own license page): evidence, not a guess.
    license: License | None = None
    #: Where it applies: ``image`` (the image's own figure, caption, credit or structured data),
    #: ``content`` (the page's main content around it), ``page`` (page-wide: head, footer, sidebar).
    scope: str = "page"

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind, "element": self.element, "value": self.value, "scope": self.scope}
        if self.license is not None:
            out["license"] = self.license.id
        return out


@dataclass
class ImageTarget:
    """An image of the page: the URL keys it is known by and the statements tied to it, each
    with its closeness (the depth of the element holding both; higher is closer)."""

    exact: set[str] = field(default_factory=set)
    loose: set[str] = field(default_factory=set)
    statements: list[tuple[int, Statement]] = field(default_factory=list)
    #: The page's metadata names it as the page's image (og:image, twitter:image, JSON-LD).
    principal: bool = False
    #: The content blocks around it that hold statements of their own (PageIndex.groups).
    groups: list[int] = field(default_factory=list)

    def add_url(self, url: str | None) -> None:
        keys = url_keys(url)
        if keys:
            self.exact.add(keys[0])
            self.loose.add(keys[1])


def url_keys(url: str | None) -> tuple[str, str] | None:
    """The keys an image URL is matched by: exact (scheme, fragment and default port ignored,
    percent-escapes decoded) and loose (no query, no WordPress ``-300x200`` size suffix)."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
        hostname, port = parts.hostname, parts.port
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not hostname:
        return None
    host = hostname.lower()
    if port and port not in (80, 443):
        host += f":{port}"
    path = unquote(parts.path) or "/"
    exact = f"{host}{path}" + (f"?{parts.query}" if parts.query else "")
    loose = host + SIZE_SUFFIX.sub("", path)
    return exact, loose


def policy_suffix(policy: str | None) -> str:
    return f" (policy {policy})" if policy else ""


def text_license(statement: Statement) -> Statement:
    """A site's license for its text ("Text is available under CC BY-SA"): recorded, never
    applied to an image."""
    return Statement(
        "text_license", statement.value, statement.element, statement.rank, statement.license, statement.scope
    )


def license_key(lic: License) -> tuple[str, str | None, str | None]:
    return lic.id, lic.version, lic.url


def best_statement(pairs: list[tuple[int, Statement]]) -> Statement:
    """The closest, most explicit statement; among equals, one that names a license, first in
    the page."""
    closest = max(c for c, _ in pairs)
    candidates = [s for c, s in pairs if c == closest]
    rank = min(s.rank for s in candidates)
    best = [s for s in candidates if s.rank == rank]
    return next((s for s in best if s.license is not None), best[0])


def first_of_kind(pairs: list[tuple[int, Statement]], kind: str) -> str | None:
    found = sorted(((c, s) for c, s in pairs if s.kind == kind), key=lambda p: -p[0])
    return found[0][1].value if found else None


def first_page_value(statements: list[Statement], kind: str) -> str | None:
    return next((s.value for s in statements if s.kind == kind), None)
