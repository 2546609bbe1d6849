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

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

import lxml.etree
import lxml.html

from imagespider.rights.headers import read_headers
from imagespider.rights.model import License
from imagespider.rights.parse import from_url, parse_evidence

__all__ = ["PageEvidence", "PageIndex", "Statement", "index_page", "read_page"]

#: schema.org types whose statements are about one image.
IMAGE_TYPES = frozenset({"imageobject", "photograph"})
#: Structured data names the image itself: closer than any element around it.
_NAMED = 1000
#: Longest value kept from a page (a copyright line, an author's name).
_MAX_VALUE = 300
#: How many statements a PageEvidence records.
_MAX_STATEMENTS = 12

# Statement ranks: lower is more explicit.
RANK_STRUCTURED = 0  # schema.org license / dcterms.license, machine-readable
RANK_REL_LICENSE = 1  # rel="license"
RANK_LINK = 2  # a CC deed link or badge without rel
RANK_TEXT = 3  # a caption naming a license in words, dc.rights text
RANK_NOTICE = 4  # "All rights reserved" in running text

_BADGE = re.compile(
    r"^(?:https?:)?//(?:i\.creativecommons\.org|licensebuttons\.net|mirrors\.creativecommons\.org/presskit/buttons)"
    r"/(?P<kind>l|p)/(?P<code>[a-z-]+)/(?P<version>\d\.\d)/",
    re.IGNORECASE,
)
_ARR = re.compile(r"all\s+rights\s+reserved", re.IGNORECASE)
_SIZE_SUFFIX = re.compile(r"-\d{2,5}x\d{2,5}(?=\.[A-Za-z0-9]{2,5}$)")
_SKIP_TEXT = frozenset({"script", "style", "noscript", "template", "textarea"})
_CAPTION_CLASS = re.compile(r"caption|credit|attribution|license|licence", re.IGNORECASE)
_LICENSE_RELS = frozenset({"license", "cc:license", "dc:license", "dct:license", "dcterms:license", "schema:license"})
_IMAGE_ATTRS = ("src", "data-src", "data-lazy-src", "data-original", "data-orig-file", "data-large-file")
_SRCSET_ATTRS = ("srcset", "data-srcset", "data-lazy-srcset")
_DC_RIGHTS = frozenset({"dc.rights", "dcterms.rights", "dc.rights.license"})
_DC_LICENSE = frozenset({"dcterms.license", "dc.license"})


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

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind, "element": self.element, "value": self.value}
        if self.license is not None:
            out["license"] = self.license.id
        return out


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
            out["statements"] = [s.to_dict() for s in self.statements[:_MAX_STATEMENTS]]
        return out


@dataclass
class _Target:
    """An image of the page: the URL keys it is known by and the statements tied to it, each
    with its closeness (the depth of the element holding both; higher is closer)."""

    exact: set[str] = field(default_factory=set)
    loose: set[str] = field(default_factory=set)
    statements: list[tuple[int, Statement]] = field(default_factory=list)

    def add_url(self, url: str | None) -> None:
        keys = _keys(url)
        if keys:
            self.exact.add(keys[0])
            self.loose.add(keys[1])


@dataclass
class PageIndex:
    """One page read once: its images with their statements, its page-wide statements and its
    opt-out. :meth:`evidence_for` answers for any image URL."""

    url: str
    targets: list[_Target] = field(default_factory=list)
    page: list[Statement] = field(default_factory=list)
    opt_out: tuple[str, str] | None = None
    tdm_policy: str | None = None

    def evidence_for(self, image_url: str) -> PageEvidence:
        matched = self._match(image_url)
        tied = [pair for target in matched for pair in target.statements]
        licenses = [(closeness, s) for closeness, s in tied if s.kind == "license"]
        chosen: Statement | None = None
        scope: str | None = None
        note: str | None = None
        if licenses:
            chosen = _best(licenses)
            scope = "image"
        else:
            # A page-wide statement applies only when it is the one license the page states
            # anywhere: on a gallery of several licenses it cannot be told which one is meant.
            page_licenses = [s for s in self.page if s.kind == "license"]
            every = page_licenses + [s for t in self.targets for _, s in t.statements if s.kind == "license"]
            stated = {_license_key(s.license) if s.license is not None else s.value for s in every}
            if page_licenses and len(stated) == 1:
                chosen = min(page_licenses, key=lambda s: s.rank)
                scope = "page"
            elif page_licenses:
                note = f"the page states {len(stated)} licenses, none of them for this image"
        author = _first(tied, "author")
        credit = _first(tied, "credit")
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
            author_url=_first(tied, "author_url"),
            credit=credit,
            copyright=_first(tied, "copyright") or _first_page(self.page, "copyright"),
            acquire_license_page=_first(tied, "acquire_license_page"),
            opt_out=self.opt_out,
            tdm_policy=self.tdm_policy,
            statements=tuple(dict.fromkeys(statements)),
            note=note,
        )

    def _match(self, image_url: str) -> list[_Target]:
        keys = _keys(image_url)
        if not keys:
            return []
        exact = [t for t in self.targets if keys[0] in t.exact]
        return exact or [t for t in self.targets if keys[1] in t.loose]


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
            index.opt_out = ("tdm_reservation", "tdm-reservation: 1 on the page" + _policy(signals.tdm_policy))
        index.tdm_policy = signals.tdm_policy
    try:
        root = lxml.html.document_fromstring(html) if html and html.strip() else None
    except (lxml.etree.ParserError, ValueError):
        root = None
    if root is None:
        return index
    _Reader(index, root, page_url, user_agent_token).read()
    return index


class _Reader:
    """Fills a PageIndex from a parsed document."""

    def __init__(self, index: PageIndex, root: lxml.html.HtmlElement, page_url: str, token: str) -> None:
        self.index = index
        self.root = root
        self.token = token.strip().lower()
        base = root.xpath("//base[@href]/@href")
        self.base = page_url
        if base:
            try:
                self.base = urljoin(page_url, str(base[0]).strip())
            except ValueError:  # a <base> that is not a URL is ignored, as browsers do
                pass
        #: Content images (badges left out), each with its target.
        self.images: dict[Any, _Target] = {}
        self.depth: dict[Any, int] = {}
        self.order: dict[Any, int] | None = None
        generator = " ".join(str(g) for g in root.xpath("//meta[@name='generator']/@content"))
        #: MediaWiki's site-wide license (rel=license in the head and footer) is the wiki's text
        #: license; its images carry their own (Wikipedia articles show files of every license).
        self.mediawiki = generator.lower().startswith("mediawiki")

    def read(self) -> None:
        self._meta()
        self._collect_images()
        self._links_and_badges()
        self._text()
        self._scopes()
        self._json_ld()

    # -- helpers ---------------------------------------------------------------------------

    def url(self, value: object) -> str | None:
        text = str(value or "").strip()
        if not text or text.startswith(("data:", "javascript:", "#")):
            return None
        try:
            return urljoin(self.base, text)
        except ValueError:
            return None

    def tie(self, element: Any, statement: Statement) -> bool:
        """Tie a statement to the image(s) of the closest element holding one, or to the page.
        In a container with several images (a gallery written without a cell per image) the
        statement goes to the image just before it, as captions follow their images."""
        position = self._position(element)
        for ancestor in (element, *element.iterancestors()):
            if ancestor.tag in ("body", "html", "head"):
                break
            inside = [img for img in ancestor.iter("img") if img in self.images]
            if not inside:
                continue
            if len(inside) > 1:
                before = [img for img in inside if self._position(img) < position]
                inside = [before[-1] if before else inside[0]]
            closeness = self._depth(ancestor)
            for img in inside:
                self.images[img].statements.append((closeness, statement))
            return False
        self.index.page.append(statement)
        return True

    def _depth(self, element: Any) -> int:
        if element not in self.depth:
            self.depth[element] = sum(1 for _ in element.iterancestors())
        return self.depth[element]

    def _position(self, element: Any) -> int:
        if self.order is None:
            self.order = {el: i for i, el in enumerate(self.root.iter())}
        return self.order.get(element, 0)

    # -- the parts -------------------------------------------------------------------------

    def _meta(self) -> None:
        for meta in self.root.iter("meta"):
            name = (meta.get("name") or meta.get("property") or "").strip().lower()
            content = _clean(meta.get("content"))
            if not name or not content:
                continue
            if name in ("robots", self.token) and self.index.opt_out is None:
                tokens = {t.strip().lower() for t in content.split(",")}
                if tokens & {"noai", "noimageai"}:
                    self.index.opt_out = ("noai", f'<meta name="{name}" content="{content}">')
            elif name == "tdm-reservation" and content == "1" and self.index.opt_out is None:
                self.index.opt_out = ("tdm_reservation", "<meta name=\"tdm-reservation\" content=\"1\">")
            elif name == "tdm-policy":
                self.index.tdm_policy = self.index.tdm_policy or content
            elif name in _DC_LICENSE:
                self.index.page.append(_license(content, f"meta[name={name}]", RANK_STRUCTURED, self.url))
            elif name in _DC_RIGHTS:
                self.index.page.append(_license(content, f"meta[name={name}]", RANK_TEXT, self.url))
        if self.index.opt_out and self.index.opt_out[0] == "tdm_reservation":
            self.index.opt_out = (self.index.opt_out[0], self.index.opt_out[1] + _policy(self.index.tdm_policy))

    def _collect_images(self) -> None:
        for img in self.root.iter("img"):
            src = img.get("src") or ""
            if _BADGE.match(src.strip()) or any(_is_license_link(a) for a in img.iterancestors("a")) or _icon(img):
                continue
            target = _Target()
            for attr in _IMAGE_ATTRS:
                target.add_url(self.url(img.get(attr)))
            for attr in _SRCSET_ATTRS:
                for url in _srcset(img.get(attr)):
                    target.add_url(self.url(url))
            parent = img.getparent()
            if parent is not None and parent.tag == "picture":
                for source in parent.iter("source"):
                    for url in _srcset(source.get("srcset")):
                        target.add_url(self.url(url))
            for link in img.iterancestors("a"):
                target.add_url(self.url(link.get("href")))  # a link to the full-size file
                break
            if target.exact:
                self.images[img] = target
                self.index.targets.append(target)

    def _links_and_badges(self) -> None:
        for element in self.root.iter("a", "link", "area"):
            rels = {r.lower() for r in (element.get("rel") or "").split()}
            href = element.get("href")
            url = self.url(href)
            if not url:
                continue
            if rels & _LICENSE_RELS:
                statement = _license(url, f"{element.tag}[rel=license]", RANK_REL_LICENSE, self.url)
                if element.tag == "link":
                    self.index.page.append(_text_license(statement) if self.mediawiki else statement)
                elif self.tie(element, statement) and (self.mediawiki or _about_text(element)):
                    self.index.page[-1] = _text_license(statement)
                continue
            if "cc:attributionurl" in rels:
                self.tie(element, Statement("author_url", url, f"{element.tag}[rel=cc:attributionURL]"))
            lic = from_url(url, "page")
            if lic is not None and element.tag == "a":
                statement = Statement("license", url, "a[href] (Creative Commons deed)", RANK_LINK, lic)
                self._tie_only(element, statement)
        for img in self.root.iter("img"):
            match = _BADGE.match((img.get("src") or "").strip())
            if not match or any(_is_license_link(a) for a in img.iterancestors("a")):
                continue
            lic = from_url(_badge_deed(match), "page")
            if lic is not None:
                statement = Statement("license", _clean(img.get("src")), "img (Creative Commons badge)", RANK_LINK, lic)
                self._tie_only(img, statement)

    def _tie_only(self, element: Any, statement: Statement) -> None:
        """A deed link or badge without rel="license" is a statement only near an image: a
        page-wide link to a CC deed may merely talk about the license."""
        page = len(self.index.page)
        self.tie(element, statement)
        del self.index.page[page:]

    def _text(self) -> None:
        for element in self.root.iter():
            if not isinstance(element.tag, str) or element.tag in _SKIP_TEXT:
                continue
            if element.tag == "figcaption" or _CAPTION_CLASS.search(element.get("class") or ""):
                text = _clean(element.text_content())
                lic = parse_evidence(text, "page") if text else None
                if lic is not None and lic.id != "all-rights-reserved":
                    self._tie_only(element, Statement("license", text, f"{element.tag} text", RANK_TEXT, lic))
            for text, owner in ((element.text, element), (element.tail, element.getparent())):
                if not text or owner is None or owner.tag in _SKIP_TEXT or not _ARR.search(text):
                    continue
                notice = _clean(owner.text_content()) or _clean(text)
                lic = License("all-rights-reserved", source="page")
                where = f'{owner.tag} text "All rights reserved"'
                self.tie(owner, Statement("license", notice, where, RANK_NOTICE, lic))
                self.tie(owner, Statement("copyright", notice, f"{owner.tag} text"))

    def _scopes(self) -> None:
        """Microdata (itemscope/itemprop) and RDFa (typeof/property) items."""
        for element in self.root.xpath("//*[@property or @itemprop]"):
            if _scope_of(element) is None:  # CC's license chooser: cc:attributionName with no item
                for prop in _prop_names(element):
                    for statement in self._prop_statement(prop, element, _prop_value(element), "", "rdfa"):
                        self.tie(element, statement)
        for scope in self.root.xpath("//*[@itemscope or @typeof]"):
            types = _types(scope.get("itemtype") or scope.get("typeof"))
            props = _props(scope)
            name = sorted(types)[0] if types else "item"
            syntax = "microdata" if scope.get("itemscope") is not None else "rdfa"
            statements = []
            for prop, (element, value) in props:
                statements += self._prop_statement(prop, element, value, name, syntax)
            if types & IMAGE_TYPES or any(p == "contenturl" for p, _ in props):
                target = _Target()
                for prop, (_, value) in props:
                    if prop in ("contenturl", "url", "image"):
                        target.add_url(self.url(value))
                for img in scope.iter("img"):
                    if img in self.images:
                        target.exact |= self.images[img].exact
                        target.loose |= self.images[img].loose
                target.add_url(self.url(scope.get("about") or scope.get("resource")))
                target.statements += [(_NAMED, s) for s in statements]
                self.index.targets.append(target)
            else:
                self.index.page += [s for s in statements if s.kind in ("license", "copyright")]

    def _prop_statement(self, prop: str, element: Any, value: Any, type_name: str, syntax: str) -> list[Statement]:
        where = f"{syntax} {type_name}.{prop}" if type_name else f"{syntax} {prop}"
        if isinstance(value, lxml.html.HtmlElement):  # a nested item: a Person or Organization
            value = _nested_name(value)
            if not value:
                return []
        text = _clean(value)
        if not text:
            return []
        if prop == "license":
            return [_license(text, where, RANK_STRUCTURED, self.url)]
        kinds = {
            "creator": "author", "author": "author", "attributionname": "author", "credittext": "credit",
            "copyrightnotice": "copyright", "copyrightholder": "copyright",
            "acquirelicensepage": "acquire_license_page", "attributionurl": "author_url",
        }
        kind = kinds.get(prop)
        if not kind:
            return []
        if kind in ("acquire_license_page", "author_url"):
            text = self.url(text) or text
        return [Statement(kind, text, where)]

    def _json_ld(self) -> None:
        for script in self.root.xpath('//script[contains(translate(@type, "LDJSON", "ldjson"), "ld+json")]'):
            try:
                data = json.loads(script.text or "", strict=False)
            except (ValueError, RecursionError):
                continue
            for node in _nodes(data):
                self._json_ld_node(node)

    def _json_ld_node(self, node: dict[str, Any]) -> None:
        types = _types(node.get("@type"))
        name = sorted(types)[0] if types else "node"
        where = f"json-ld {name}"
        statements: list[Statement] = []
        for key, kind in (
            ("license", "license"), ("acquireLicensePage", "acquire_license_page"), ("creditText", "credit"),
            ("copyrightNotice", "copyright"), ("copyrightHolder", "copyright"), ("creator", "author"),
            ("author", "author"),
        ):
            for value in _values(node.get(key)):
                text = _clean(_json_name(value) if kind in ("author", "copyright") else _json_text(value))
                if not text:
                    continue
                if kind == "license":
                    statements.append(_license(text, f"{where}.license", RANK_STRUCTURED, self.url))
                else:
                    if kind == "acquire_license_page":
                        text = self.url(text) or text
                    statements.append(Statement(kind, text, f"{where}.{key}"))
                if kind == "author":
                    url = _json_url(value)
                    if url and self.url(url):
                        statements.append(Statement("author_url", str(self.url(url)), f"{where}.{key}.url"))
        if types & IMAGE_TYPES or "contentUrl" in node:
            target = _Target()
            for key in ("contentUrl", "url", "@id"):
                for value in _values(node.get(key)):
                    target.add_url(self.url(_json_text(value)))
            target.statements += [(_NAMED, s) for s in statements]
            self.index.targets.append(target)
        else:
            self.index.page += [s for s in statements if s.kind in ("license", "copyright")]


# -- pure helpers ------------------------------------------------------------------------------


def _keys(url: str | None) -> tuple[str, str] | None:
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
    loose = host + _SIZE_SUFFIX.sub("", path)
    return exact, loose


def _srcset(value: str | None) -> Iterator[str]:
    for candidate in (value or "").split(","):
        parts = candidate.split()
        if parts:
            yield parts[0]


def _clean(value: object) -> str:
    text = " ".join(str(value or "").split())
    return text[:_MAX_VALUE]


def _policy(policy: str | None) -> str:
    return f" (policy {policy})" if policy else ""


def _license(value: str, element: str, rank: int, resolve: Any) -> Statement:
    """A license statement: a URL (resolved against the page) or words, read into a License
    when it names one we know."""
    text = _clean(value)
    url = resolve(text) if re.match(r"^(?:https?:)?//|^/", text) else None
    lic = (from_url(url, "page") if url else None) or parse_evidence(text, "page")
    return Statement("license", url or text, element, rank, lic)


def _text_license(statement: Statement) -> Statement:
    """A site's license for its text ("Text is available under CC BY-SA"): recorded, never
    applied to an image."""
    return Statement("text_license", statement.value, statement.element, statement.rank, statement.license)


_ABOUT_TEXT = re.compile(r"\btext\b", re.IGNORECASE)
_ABOUT_IMAGES = re.compile(r"\b(?:photo|image|picture|illustration)s?\b|\bmedia\b", re.IGNORECASE)


def _about_text(element: Any) -> bool:
    """The sentence around a page-wide license link says it covers the site's text only."""
    for block in (element, *element.iterancestors()):
        if block.tag in ("p", "div", "li", "footer", "section", "small", "td"):
            sentence = str(block.text_content())[:500]
            return bool(_ABOUT_TEXT.search(sentence)) and not _ABOUT_IMAGES.search(
                sentence.split(";")[0]
            )
    return False


def _license_key(lic: License) -> tuple[str, str | None, str | None]:
    return lic.id, lic.version, lic.url


def _best(pairs: list[tuple[int, Statement]]) -> Statement:
    """The closest, most explicit statement; among equals, one that names a license, first in
    the page."""
    closest = max(c for c, _ in pairs)
    candidates = [s for c, s in pairs if c == closest]
    rank = min(s.rank for s in candidates)
    best = [s for s in candidates if s.rank == rank]
    return next((s for s in best if s.license is not None), best[0])


def _first(pairs: list[tuple[int, Statement]], kind: str) -> str | None:
    found = sorted(((c, s) for c, s in pairs if s.kind == kind), key=lambda p: -p[0])
    return found[0][1].value if found else None


def _first_page(statements: list[Statement], kind: str) -> str | None:
    return next((s.value for s in statements if s.kind == kind), None)


_IMAGE_FILE = re.compile(r"\.(?:jpe?g|png|gif|webp|svg|tiff?|avif|bmp|heic)$", re.IGNORECASE)


def _icon(img: Any) -> bool:
    """An avatar, icon, badge or spacer (both sides given, at most 64 px, or a strip at most
    40 px high): never the image a search result is about, and it must not take a caption meant
    for the photo next to it. An image linking to its own full-size file is content, however
    small its preview (a wiki's file page of a tiny drawing)."""
    for link in img.iterancestors("a"):
        if _IMAGE_FILE.search(urlsplit_path(link.get("href"))):
            return False
        break
    try:
        width, height = int(img.get("width") or 0), int(img.get("height") or 0)
    except ValueError:
        return False
    return bool(width and height) and (max(width, height) <= 64 or min(width, height) <= 40)


def urlsplit_path(url: str | None) -> str:
    try:
        return urlsplit((url or "").strip()).path
    except ValueError:
        return ""


def _is_license_link(element: Any) -> bool:
    rels = {r.lower() for r in (element.get("rel") or "").split()}
    return bool(rels & _LICENSE_RELS)


def _badge_deed(match: re.Match[str]) -> str:
    code, version = match.group("code").lower(), match.group("version")
    if match.group("kind").lower() == "p":
        return f"https://creativecommons.org/publicdomain/{code}/{version}/"
    return f"https://creativecommons.org/licenses/{code}/{version}/"


def _types(value: Any) -> set[str]:
    """schema.org type names, lower case, without vocabulary URL or prefix."""
    names: list[str] = []
    for item in _values(value):
        names += str(item).split()
    return {re.split(r"[/#:]", name.rstrip("/"))[-1].lower() for name in names if name}


def _prop_names(element: Any) -> list[str]:
    raw = (element.get("itemprop") or "") + " " + (element.get("property") or "") + " " + (element.get("rel") or "")
    return [re.split(r"[/#:]", name.rstrip("/"))[-1].lower() for name in raw.split() if name]


def _scope_of(element: Any) -> Any:
    for ancestor in element.iterancestors():
        if ancestor.get("itemscope") is not None or ancestor.get("typeof") is not None:
            return ancestor
    return None


def _props(scope: Any) -> list[tuple[str, tuple[Any, Any]]]:
    """(property, (element, value)) for the properties of this item, not of items nested in it.
    A nested item's value is its element (read by :func:`_nested_name`)."""
    out: list[tuple[str, tuple[Any, Any]]] = []
    for element in scope.iterdescendants():
        if not isinstance(element.tag, str) or _scope_of(element) is not scope:
            continue
        if not (element.get("itemprop") or element.get("property")):
            continue
        nested = element.get("itemscope") is not None or element.get("typeof") is not None
        for prop in _prop_names(element):
            out.append((prop, (element, element if nested else _prop_value(element))))
    return out


def _prop_value(element: Any) -> str:
    for attr in ("content", "href", "src", "resource", "datetime"):
        if element.get(attr):
            return str(element.get(attr))
    return str(element.text_content())


def _nested_name(element: Any) -> str:
    for prop, (_, value) in _props(element):
        if prop in ("name", "legalname") and isinstance(value, str) and value.strip():
            return value
    return str(element.text_content())


def _nodes(data: Any, depth: int = 0) -> Iterator[dict[str, Any]]:
    """Every object of a JSON-LD document that has a type or a license (graphs, lists and
    nested values included)."""
    if depth > 20:
        return
    if isinstance(data, list):
        for item in data:
            yield from _nodes(item, depth + 1)
    elif isinstance(data, dict):
        if "@type" in data or "license" in data or "contentUrl" in data:
            yield data
        for key, value in data.items():
            if key not in ("creator", "author", "copyrightHolder") and isinstance(value, (dict, list)):
                yield from _nodes(value, depth + 1)


def _values(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _json_text(value: Any) -> str:
    if isinstance(value, dict):
        return str(value.get("@id") or value.get("url") or value.get("name") or "")
    return str(value) if isinstance(value, (str, int, float)) else ""


def _json_name(value: Any) -> str:
    if isinstance(value, dict):
        return str(value.get("name") or value.get("legalName") or "")
    return str(value) if isinstance(value, str) else ""


def _json_url(value: Any) -> str | None:
    if isinstance(value, dict):
        url = value.get("url") or value.get("sameAs")
        return url if isinstance(url, str) else None
    return None
