"""The vocabulary of source-page evidence: what a statement is, how strong each kind is, and the
small readers of HTML and structured data (URLs, srcset, microdata, JSON-LD values) that
imagespider/rights/pagereader.py uses to find statements and imagespider/rights/page.py to weigh
them. Pure: lxml elements and strings in, values out.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlsplit

from imagespider.rights.model import License
from imagespider.rights.pagelayout import unwrap_archive
from imagespider.rights.pagewords import RESERVED, covers_text_only
from imagespider.rights.parse import from_url, parse_evidence

#: schema.org types whose statements are about one image.
IMAGE_TYPES = frozenset({"imageobject", "photograph"})
#: Structured data names the image itself: closer than any element around it.
NAMED_CLOSENESS = 1000
#: Longest value kept from a page (a copyright line, an author's name).
MAX_VALUE = 300
#: Most raw text (whitespace included) read from one element for a value.
MAX_RAW = 64 * MAX_VALUE
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

BADGE = re.compile(
    r"^(?:https?:)?//(?:i\.creativecommons\.org|licensebuttons\.net|mirrors\.creativecommons\.org/presskit/buttons)"
    r"/(?P<kind>l|p)/(?P<code>[a-z-]+)/(?P<version>\d\.\d)/",
    re.IGNORECASE,
)
#: "All rights reserved" in the languages of the web (imagespider/rights/pagewords.py).
ARR = RESERVED
SIZE_SUFFIX = re.compile(r"-\d{2,5}x\d{2,5}(?=\.[A-Za-z0-9]{2,5}$)")
SKIP_TEXT = frozenset({"script", "style", "noscript", "template", "textarea"})
CAPTION_CLASS = re.compile(
    r"caption|credit|attribution|license|licence|copyright|source|quelle|bildnachweis|fotonachweis", re.IGNORECASE
)
LICENSE_RELS = frozenset({"license", "cc:license", "dc:license", "dct:license", "dcterms:license", "schema:license"})
IMAGE_ATTRS = ("src", "data-src", "data-lazy-src", "data-original", "data-orig-file", "data-large-file")
SRCSET_ATTRS = ("srcset", "data-srcset", "data-lazy-srcset")
DC_RIGHTS = frozenset({"dc.rights", "dcterms.rights", "dc.rights.license"})
DC_LICENSE = frozenset({"dcterms.license", "dc.license"})


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


def srcset_urls(value: str | None) -> Iterator[str]:
    """The URL of each srcset candidate, split as the HTML standard splits them: a URL runs to
    the next whitespace (image CDNs put commas in URLs: ``.../f_auto,q_auto/w_400/...``), and
    a URL ending in commas has no descriptors; the descriptors run to the next comma."""
    text = value or ""
    pos, end = 0, len(text)
    while pos < end:
        while pos < end and (text[pos] == "," or text[pos].isspace()):
            pos += 1
        start = pos
        while pos < end and not text[pos].isspace():
            pos += 1
        url = text[start:pos]
        if url.endswith(","):
            url = url.rstrip(",")
        else:
            comma = text.find(",", pos)
            pos = end if comma < 0 else comma + 1
        if url:
            yield url


def clean_text(value: object) -> str:
    """Whitespace folded and control characters dropped (a saved alt text's stray U+0080 is no
    part of what the page says), at most MAX_VALUE characters."""
    text = " ".join(CONTROL.sub("", str(value or "")).split())
    return text[:MAX_VALUE]


CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def policy_suffix(policy: str | None) -> str:
    return f" (policy {policy})" if policy else ""


def license_statement_of(value: str, element: str, rank: int, resolve: Any) -> Statement:
    """A license statement: a URL (resolved against the page) or words, read into a License
    when it names one we know."""
    text = clean_text(value)
    url = resolve(text) if re.match(r"^(?:https?:)?//|^/", text) else None
    lic = (from_url(unwrap_archive(url), "page") if url else None) or parse_evidence(text, "page")
    return Statement("license", url or text, element, rank, lic)


def text_license(statement: Statement) -> Statement:
    """A site's license for its text ("Text is available under CC BY-SA"): recorded, never
    applied to an image."""
    return Statement(
        "text_license", statement.value, statement.element, statement.rank, statement.license, statement.scope
    )


ABOUT_TEXT = re.compile(r"\btext\b", re.IGNORECASE)
ABOUT_IMAGES = re.compile(r"\b(?:photo|image|picture|illustration)s?\b|\bmedia\b", re.IGNORECASE)


def text_block(element: Any) -> Any:
    """The block (paragraph, footer, cell...) whose sentence a link sits in, or None."""
    for block in (element, *element.iterancestors()):
        if block.tag in ("p", "div", "li", "footer", "section", "small", "td"):
            return block
    return None


def about_text(element: Any) -> bool:
    """The sentence around a page-wide license link says it covers the site's text only."""
    block = text_block(element)
    if block is None:
        return False
    # The CC license chooser's RDFa says what the work is: dct:type dcmitype/Text is the text.
    types = {urlsplit_path(str(href)).rstrip("/").rsplit("/", 1)[-1].lower()
             for href in block.xpath(".//*[contains(@rel, 'type')]/@href")}
    if "text" in types and not types & DCMI_IMAGE_TYPES:
        return True
    sentence = raw_text(block, 500)
    if ABOUT_TEXT.search(sentence) and not ABOUT_IMAGES.search(sentence.split(";")[0]):
        return True
    return covers_text_only(sentence)


#: DCMI types (http://purl.org/dc/dcmitype/) of works that are or hold images.
DCMI_IMAGE_TYPES = frozenset({"image", "stillimage", "movingimage", "interactiveresource", "collection"})


def raw_text(element: Any, limit: int) -> str:
    """``element.text_content()[:limit]`` without building the whole text: a page of thousands
    of notices in one block must not copy the block once per notice."""
    chunks: list[str] = []
    size = 0
    for chunk in element.itertext():
        chunk = chunk[: limit - size]  # one huge text node is not copied whole
        chunks.append(chunk)
        size += len(chunk)
        if size >= limit:
            break
    return "".join(chunks)


def element_text(element: Any) -> str:
    """``clean_text(element.text_content())``, reading only as much of the text as it keeps."""
    chunks: list[str] = []
    kept = raw = 0
    for chunk in element.itertext():
        # Read at most MAX_RAW characters: nested captions around one huge text node would
        # otherwise each copy it whole (a run of whitespace that long is no value's start).
        chunk = chunk[: MAX_RAW - raw]
        chunks.append(chunk)
        raw += len(chunk)
        kept += len("".join(chunk.split()))
        if kept >= MAX_VALUE or raw >= MAX_RAW:  # the cleaned text's first MAX_VALUE characters are known
            break
    return clean_text("".join(chunks))


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


IMAGE_FILE = re.compile(r"\.(?:jpe?g|png|gif|webp|svg|tiff?|avif|bmp|heic)$", re.IGNORECASE)


def is_icon(img: Any) -> bool:
    """An avatar, icon, badge or spacer (both sides given, at most 64 px, or a strip at most
    40 px high): never the image a search result is about, and it must not take a caption meant
    for the photo next to it. An image linking to its own full-size file is content, however
    small its preview (a wiki's file page of a tiny drawing)."""
    for link in img.iterancestors("a"):
        if IMAGE_FILE.search(urlsplit_path(link.get("href"))):
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


def is_license_link(element: Any) -> bool:
    rels = {r.lower() for r in (element.get("rel") or "").split()}
    return bool(rels & LICENSE_RELS)


def badge_deed(match: re.Match[str]) -> str:
    code, version = match.group("code").lower(), match.group("version")
    if match.group("kind").lower() == "p":
        return f"https://creativecommons.org/publicdomain/{code}/{version}/"
    return f"https://creativecommons.org/licenses/{code}/{version}/"


def schema_types(value: Any) -> set[str]:
    """schema.org type names, lower case, without vocabulary URL or prefix."""
    names: list[str] = []
    for item in json_values(value):
        names += str(item).split()
    return {re.split(r"[/#:]", name.rstrip("/"))[-1].lower() for name in names if name}


def prop_names(element: Any) -> list[str]:
    raw = (element.get("itemprop") or "") + " " + (element.get("property") or "") + " " + (element.get("rel") or "")
    return [re.split(r"[/#:]", name.rstrip("/"))[-1].lower() for name in raw.split() if name]


def rel_names(element: Any) -> set[str]:
    """The names :func:`prop_names` took from ``rel``: their value is the link."""
    return {re.split(r"[/#:]", name.rstrip("/"))[-1].lower() for name in (element.get("rel") or "").split()}


def scope_of(element: Any) -> Any:
    for ancestor in element.iterancestors():
        if ancestor.get("itemscope") is not None or ancestor.get("typeof") is not None:
            return ancestor
    return None


def is_scope(element: Any) -> bool:
    return element.get("itemscope") is not None or element.get("typeof") is not None


def props_by_scope(root: Any) -> dict[Any, list[tuple[str, tuple[Any, Any]]]]:
    """(property, (element, value)) for the properties of every item under ``root`` (itself
    included), not of items nested in it (a nested item's value is its element, read by
    :func:`nested_name`). One pass over the tree: asking each item in turn walks nested items'
    elements once per enclosing item, quadratic on a page of items nested in items."""
    owner: dict[Any, Any] = {}
    out: dict[Any, list[tuple[str, tuple[Any, Any]]]] = {}
    for element in root.iterdescendants():
        if not isinstance(element.tag, str):
            continue
        parent = element.getparent()
        scope = parent if is_scope(parent) else owner.get(parent)
        owner[element] = scope
        if scope is None or not (element.get("itemprop") or element.get("property")):
            continue
        nested = is_scope(element)
        rels = rel_names(element)
        for prop in prop_names(element):
            value = element if nested else prop_value(element, prop in rels)
            out.setdefault(scope, []).append((prop, (element, value)))
    return out


#: Longest text read from an element as a property's value (a URL written as text).
MAX_PROP_TEXT = 4096


def prop_value(element: Any, link: bool = False) -> str:
    """A property's value. RDFa 1.1: an element with ``rel`` links to its ``href``, and its
    ``property`` is then its text (the CC license chooser's ``<a property="cc:attributionName"
    rel="cc:attributionURL" href="URL">Name</a>``); ``link`` asks for the ``rel``'s value."""
    if element.get("content"):
        return str(element.get("content"))
    if link or element.get("itemprop") or not (element.get("rel") or element.get("rev")):
        for attr in ("href", "src", "resource", "datetime"):
            if element.get(attr):
                return str(element.get(attr))
    return raw_text(element, MAX_PROP_TEXT)


def nested_name(element: Any, props: dict[Any, list[tuple[str, tuple[Any, Any]]]]) -> str:
    """A nested item's name (``props`` is :func:`props_by_scope` of the page)."""
    for prop, (_, value) in props.get(element, []):
        if prop in ("name", "legalname") and isinstance(value, str) and value.strip():
            return value
    return element_text(element)


def json_nodes(data: Any, depth: int = 0) -> Iterator[dict[str, Any]]:
    """Every object of a JSON-LD document that has a type or a license (graphs, lists and
    nested values included)."""
    if depth > 20:
        return
    if isinstance(data, list):
        for item in data:
            yield from json_nodes(item, depth + 1)
    elif isinstance(data, dict):
        if "@type" in data or "license" in data or "contentUrl" in data:
            yield data
        for key, value in data.items():
            if key not in ("creator", "author", "copyrightHolder") and isinstance(value, (dict, list)):
                yield from json_nodes(value, depth + 1)


def json_values(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def json_scalar(value: Any) -> str:
    """A JSON-LD literal as text: a string or number, a value object's ``@value``
    (``{"@value": "Jane", "@language": "en"}``), or the first of a list of those; "" otherwise
    (never the repr of an object)."""
    for item in value if isinstance(value, list) else [value]:
        if isinstance(item, dict):
            item = item.get("@value")
        if isinstance(item, str) or (isinstance(item, (int, float)) and not isinstance(item, bool)):
            return str(item)
    return ""


def json_text(value: Any) -> str:
    if isinstance(value, dict) and "@value" not in value:
        return json_scalar(value.get("@id")) or json_scalar(value.get("url")) or json_scalar(value.get("name"))
    return json_scalar(value)


def json_name(value: Any) -> str:
    if isinstance(value, dict) and "@value" not in value:
        return json_scalar(value.get("name")) or json_scalar(value.get("legalName"))
    return json_scalar(value)


def json_url(value: Any) -> str | None:
    if isinstance(value, dict):
        return json_scalar(value.get("url")) or json_scalar(value.get("sameAs")) or None
    return None
