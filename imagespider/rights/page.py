"""Source-page evidence: what the page that shows an image says about that image's rights.

Bing and Google name no license per image; the page they point at usually does. This reads a
page's HTML once into a :class:`PageIndex` (small, so a crawl can cache it per page URL while
many images share the page) and answers, per image, with a :class:`PageEvidence`:

* license statements: ``rel="license"`` on ``<a>``/``<link>`` (HTML5, microformats rel-license,
  RDFa ``cc:license``), Creative Commons deed links and badge images, schema.org ``license`` in
  JSON-LD, microdata and RDFa, ``<meta name="dc.rights|dcterms.license">``, caption text naming a
  license, and an explicit "All rights reserved" notice;
* credit: schema.org ``creator``/``author``, ``creditText``, ``copyrightNotice``,
  ``copyrightHolder``, ``acquireLicensePage``, CC's ``cc:attributionName``/``cc:attributionURL``;
* opt-outs: ``<meta name="robots|imagespider" content="noai|noimageai">``,
  ``<meta name="tdm-reservation" content="1">`` (with ``tdm-policy``), and the page response's
  ``X-Robots-Tag`` / ``tdm-reservation`` headers (read by :mod:`imagespider.rights.headers`).

Tying a statement to *this* image is the whole point. An image on the page is known by every
URL it is written with (``src``, ``data-src``, ``srcset``, ``<picture><source>``, a link around it
to the full-size file, schema.org ``contentUrl``), resolved against the page URL and its
``<base>``; a statement belongs to the images of the closest element that holds both (its
``<figure>``, caption block, gallery cell), or to the image its structured data names. A statement
tied to the image wins over a page-wide one; a page-wide license applies only when the page
states exactly one; an image whose page states several and none of them for it gets nothing.
Only the Creative Commons family and public-domain statements become a license
(:mod:`imagespider.rights.parse`); any other license URL is recorded as evidence, not guessed at.

Pure: HTML text in, dataclasses out; lxml only, no Scrapy, no I/O; never raises on bad markup.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import lxml.etree
import lxml.html

from imagespider.rights.headers import read_headers
from imagespider.rights.model import License
from imagespider.rights.pagemarkup import (
    MAX_STATEMENTS,
    ImageTarget,
    Statement,
    best_statement,
    first_of_kind,
    first_page_value,
    license_key,
    policy_suffix,
    url_keys,
)
from imagespider.rights.pagereader import PageReader

__all__ = ["PageEvidence", "PageIndex", "Statement", "index_page", "read_page"]

#: Most images and statements one page's index keeps (a real gallery page has a few hundred
#: images). A page of more is read as saying nothing: a 2 MiB page of bare ``<img>`` tags would
#: otherwise be kept as tens of MB in the crawl's page cache.
MAX_TARGETS = 1000
MAX_PAGE_STATEMENTS = 4000


@dataclass(frozen=True, slots=True)
class PageEvidence:
    """What a page says about one image of it."""

    page_url: str
    #: The license that applies to the image (source ``page``), or None.
    license: License | None = None
    #: The statement it was read from.
    license_statement: Statement | None = None
    #: ``image`` (tied to this image), ``page`` (the page's one license), or None.
    scope: str | None = None
    #: The image was found on the page (by one of its URLs).
    image_found: bool = False
    author: str | None = None
    author_url: str | None = None
    credit: str | None = None
    copyright: str | None = None
    acquire_license_page: str | None = None
    #: (reason, detail) when the page opts out of text and data mining: ``noai`` or ``tdm_reservation``.
    opt_out: tuple[str, str] | None = None
    tdm_policy: str | None = None
    #: Every statement weighed for this image, for the record.
    statements: tuple[Statement, ...] = ()
    #: Why no license applies although statements exist (several page-wide licenses...).
    note: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The manifest's ``rights.page``: the page, the element and value the license came from,
        and the other evidence (absent values are left out)."""
        out: dict[str, Any] = {"url": self.page_url, "image_found": self.image_found}
        if self.license_statement is not None:
            out["scope"] = self.scope
            out["element"] = self.license_statement.element
            out["value"] = self.license_statement.value
        if self.license is not None:
            out["license"] = self.license.id
        for name in ("author", "author_url", "credit", "copyright", "acquire_license_page", "tdm_policy", "note"):
            value = getattr(self, name)
            if value:
                out[name] = value
        if self.opt_out:
            out["opt_out"] = self.opt_out[0]
            out["opt_out_detail"] = self.opt_out[1]
        if self.statements:
            out["statements"] = [s.to_dict() for s in self.statements[:MAX_STATEMENTS]]
        return out


@dataclass
class PageIndex:
    """One page read once: its images with their statements, its page-wide statements and its
    opt-out. :meth:`evidence_for` answers for any image URL."""

    url: str
    targets: list[ImageTarget] = field(default_factory=list)
    page: list[Statement] = field(default_factory=list)
    opt_out: tuple[str, str] | None = None
    tdm_policy: str | None = None
    #: Why the page's statements were not kept (too many to weigh), or None.
    overflow: str | None = None

    def weight(self) -> int:
        """How much this index holds (images and statements), for the page cache's budget."""
        return 1 + len(self.targets) + len(self.page) + sum(len(t.statements) for t in self.targets)

    def evidence_for(self, image_url: str) -> PageEvidence:
        if self.overflow:
            return PageEvidence(page_url=self.url, opt_out=self.opt_out, tdm_policy=self.tdm_policy, note=self.overflow)
        matched = self._match(image_url)
        tied = [pair for target in matched for pair in target.statements]
        licenses = [(closeness, s) for closeness, s in tied if s.kind == "license"]
        chosen: Statement | None = None
        scope: str | None = None
        note: str | None = None
        if licenses:
            chosen = best_statement(licenses)
            scope = "image"
        else:
            # A page-wide statement applies only when it is the one license the page states
            # anywhere: on a gallery of several licenses it cannot be told which one is meant.
            page_licenses = [s for s in self.page if s.kind == "license"]
            every = page_licenses + [s for t in self.targets for _, s in t.statements if s.kind == "license"]
            stated = {license_key(s.license) if s.license is not None else s.value for s in every}
            if page_licenses and len(stated) == 1:
                chosen = min(page_licenses, key=lambda s: s.rank)
                scope = "page"
            elif page_licenses:
                note = f"the page states {len(stated)} licenses, none of them for this image"
        author = first_of_kind(tied, "author")
        credit = first_of_kind(tied, "credit")
        statements = [s for _, s in sorted(tied, key=lambda p: (-p[0], p[1].rank))]
        if scope != "image":
            statements += [s for s in self.page if s.kind in ("license", "text_license")]
        return PageEvidence(
            page_url=self.url,
            license=chosen.license if chosen else None,
            license_statement=chosen,
            scope=scope,
            image_found=bool(matched),
            author=author or credit,
            author_url=first_of_kind(tied, "author_url"),
            credit=credit,
            copyright=first_of_kind(tied, "copyright") or first_page_value(self.page, "copyright"),
            acquire_license_page=first_of_kind(tied, "acquire_license_page"),
            opt_out=self.opt_out,
            tdm_policy=self.tdm_policy,
            statements=tuple(dict.fromkeys(statements)),
            note=note,
        )

    def _match(self, image_url: str) -> list[ImageTarget]:
        keys = url_keys(image_url)
        if not keys:
            return []
        exact = [t for t in self.targets if keys[0] in t.exact]
        if exact:
            return exact
        loose = [t for t in self.targets if keys[1] in t.loose]
        return loose if _one_image(loose) else []


def _one_image(targets: list[ImageTarget]) -> bool:
    """Whether targets matched only loosely (no query, no size suffix) are one image, known by
    URLs they share (an <img> and the JSON-LD naming its file, a resized copy linking to the
    full-size file). Images told apart only by their query (every /_next/image?url=... of a
    Next.js page, a photo.php?id=...) share the loose key: which one is meant cannot be told."""
    if len(targets) <= 1:
        return True
    holders: dict[str, list[int]] = {}
    for number, target in enumerate(targets):
        for key in target.exact:
            holders.setdefault(key, []).append(number)
    reached, todo = {0}, [0]
    while todo:  # every target and URL visited once: linear in the URLs
        for key in targets[todo.pop()].exact:
            for number in holders.pop(key, ()):
                if number not in reached:
                    reached.add(number)
                    todo.append(number)
    return len(reached) == len(targets)


def read_page(
    html: str, page_url: str, image_url: str, headers: Mapping[Any, Any] | None = None,
    user_agent_token: str = "imagespider",  # noqa: S107 (a robots token, not a password)
) -> PageEvidence:
    """What the page at ``page_url`` (its HTML, and its response headers if known) says about
    the image at ``image_url``."""
    return index_page(html, page_url, headers, user_agent_token).evidence_for(image_url)


def index_page(
    html: str, page_url: str, headers: Mapping[Any, Any] | None = None,
    user_agent_token: str = "imagespider",  # noqa: S107 (a robots token, not a password)
) -> PageIndex:
    """Read a page once: its images, statements and opt-outs (see the module docstring)."""
    index = PageIndex(page_url)
    if headers:
        signals = read_headers(headers, user_agent_token)
        if signals.noai:
            index.opt_out = ("noai", f"X-Robots-Tag on the page: {signals.x_robots_tag}")
        elif signals.tdm_reservation:
            index.opt_out = ("tdm_reservation", "tdm-reservation: 1 on the page")
        elif term := signals.usage_reserved:
            index.opt_out = ("content_usage", f"Content-Usage on the page: {signals.content_usage} ({term})")
        index.tdm_policy = signals.tdm_policy
    root = _parse(html)
    if root is not None:
        PageReader(index, root, page_url, user_agent_token).read()
    if index.opt_out is not None and index.opt_out[0] == "tdm_reservation":
        # Named once, whether the header or a <meta> gave the policy.
        index.opt_out = (index.opt_out[0], index.opt_out[1] + policy_suffix(index.tdm_policy))
    if root is None:
        return index
    statements = len(index.page) + sum(len(t.statements) for t in index.targets)
    if len(index.targets) > MAX_TARGETS or statements > MAX_PAGE_STATEMENTS:
        index.overflow = (
            f"the page holds {len(index.targets)} images and {statements} rights statements, more than "
            f"{MAX_TARGETS} and {MAX_PAGE_STATEMENTS} read per page: none applied"
        )
        index.targets, index.page = [], []
    return index


def _parse(html: str) -> lxml.html.HtmlElement | None:
    """The page's document, or None when there is none. lxml refuses a str that opens with an
    XML declaration naming an encoding (XHTML, served as application/xhtml+xml): such a page
    is parsed as UTF-8 bytes, the declaration then telling lxml nothing new."""
    if not html or not html.strip():
        return None
    try:
        try:
            return lxml.html.document_fromstring(html)
        except ValueError:
            return lxml.html.document_fromstring(html.encode("utf-8", "replace"), parser=_UTF8)
    except (lxml.etree.ParserError, ValueError):
        return None


_UTF8 = lxml.html.HTMLParser(encoding="utf-8")
