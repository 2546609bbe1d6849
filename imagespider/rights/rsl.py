"""RSL 1.0 (Really Simple Licensing, rslstandard.org) documents: which content they cover and
whether AI training of it is prohibited or needs a license first.

An RSL document (``<rsl xmlns="https://rslstandard.org/rsl">``) holds ``<content url=...>``
elements, each with zero or more ``<license>`` elements::

    <content url="/photos/*" server="https://api.rslcollective.org">
      <license>
        <permits type="usage">search ai-input</permits>
        <prohibits type="usage">ai-train</prohibits>
        <payment type="use"><standard>https://rslcollective.org/license</standard></payment>
      </license>
    </content>

How it is read for a dataset built for training (docs/licenses.md, "Opt-out always wins"):

* **prohibited** (``rsl_prohibited``) when a license of the content prohibits a usage that covers
  training (``ai-train``, or the broader ``ai-all`` and ``all``), or permits usages (``<permits
  type="usage">``) none of which covers training: RSL 1.0 reads a permits list as the only usages
  allowed.
* **license required** (``rsl_license_required``) otherwise, when the content names a license
  server (``server=``, where a license token is obtained), is ``encrypted``, or a license asks
  for a payment other than ``free`` or ``attribution`` (``use``, ``purchase``, ``subscription``,
  ``training``, ``crawl``, ``inference``...; a ``<payment>`` with no type is a payment too).
* ``<permits|prohibits type="user">`` and ``type="geo"`` are not read: who uses a dataset and
  where is not known at crawl time. A content with only ``<terms>`` (Stack Overflow's, naming
  CC BY-SA) reserves nothing here.

Every ``<content>`` whose ``url`` matches the URL counts (robots.txt path patterns; an absolute
``url`` also names its origin); the most restrictive answer wins. A relative ``url`` is read
against the site that named the document (its robots.txt ``License:`` line or its ``Link``
header), not against the document's own host: rslstandard.org's robots.txt names the RSL
Collective's ``royalty.xml``, whose ``<content url="/">`` means the naming site.

Discovery: a robots.txt ``License:`` line (rights/robotsrules.py), an HTTP ``Link: <url>; rel="license";
type="application/rsl+xml"`` header on the image or its source page (:func:`rsl_links`), or the same
``<link rel="license" type="application/rsl+xml">`` in the page (rights/pagereader.py), which is then
not read as a license statement.

Pure: XML bytes in, frozen dataclasses out. Parsed with defusedxml (no DTD, no entities, no
external references): the document is a stranger's. The fetching is imagespider/sitesignals/sitefiles.py.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from imagespider.rights.pathmatch import matches, url_path

__all__ = ["RSL_TYPE", "RslContent", "RslDocument", "RslVerdict", "parse_rsl", "rsl_links"]

#: The media type RSL 1.0 registers; ``rel="license"`` with it names an RSL document, not a license page.
RSL_TYPE = "application/rsl+xml"
_LINK = re.compile(r"<([^<>]*)>([^<]*)")
_PARAM = re.compile(r';\s*([A-Za-z*-]+)\s*=\s*("[^"]*"|[^;,\s]*)')

#: Usage terms that cover training (RSL 1.0 vocabulary: ``all`` > ``ai-all`` > ``ai-train``).
TRAINING_USAGES = frozenset({"all", "ai-all", "ai-train"})
#: Payment types that need no license obtained first.
FREE_PAYMENTS = frozenset({"free", "attribution"})
#: Most ``<content>`` elements kept from one document.
MAX_CONTENTS = 1000


@dataclass(frozen=True, slots=True)
class RslContent:
    url: str
    #: What the content's licenses say about training: the reason and the rule, or None.
    verdict: RslVerdict | None


@dataclass(frozen=True, slots=True)
class RslVerdict:
    #: ``rsl_prohibited`` or ``rsl_license_required``.
    reason: str
    #: The rule, e.g. '<content url="/photos/*"> prohibits usage ai-train'.
    rule: str


@dataclass(frozen=True, slots=True)
class RslDocument:
    #: Where the document was read from (for the record).
    url: str
    contents: tuple[RslContent, ...] = ()

    def verdict_for(self, url: str) -> RslVerdict | None:
        """The most restrictive verdict of the contents covering ``url`` (prohibited first)."""
        found = [c.verdict for c in self.contents if c.verdict is not None and self._covers(c.url, url)]
        return next((v for v in found if v.reason == "rsl_prohibited"), found[0] if found else None)

    def _covers(self, pattern: str, url: str) -> bool:
        target = urlsplit(url)
        if pattern.lower().startswith(("http://", "https://")):
            scheme, _, rest = pattern.partition("://")
            netloc, slash, path = rest.partition("/")
            if (scheme.lower(), netloc.lower()) != (target.scheme, target.netloc.lower()):
                return False
            pattern = slash + path
        return matches(pattern or "/", url_path(url))


def parse_rsl(body: bytes | str, url: str) -> RslDocument | None:
    """The document at ``url``, or None when it is not an RSL document (not XML, a DTD or
    entities, another root element)."""
    try:
        root = SafeET.fromstring(body, forbid_dtd=True)
    except (SafeET.ParseError, DefusedXmlException, ValueError, RecursionError):
        return None
    if _local(root.tag) != "rsl":
        return None
    contents: list[RslContent] = []
    for element in root.iter():
        if _local(element.tag) != "content":
            continue
        pattern = (element.get("url") or "").strip()
        if pattern:
            contents.append(RslContent(pattern, _verdict(element, pattern)))
        if len(contents) >= MAX_CONTENTS:
            break
    return RslDocument(url, tuple(contents))


def _verdict(content: object, pattern: str) -> RslVerdict | None:
    where = f'<content url="{pattern}">'
    licenses = [e for e in content.iter() if _local(e.tag) == "license"]  # type: ignore[attr-defined]
    permitted: list[set[str] | None] = []  # per license: its permitted usages, None = no list
    for license_ in licenses:
        allowed: set[str] | None = None
        for element in license_.iter():
            if (element.get("type") or "usage").strip().lower() != "usage":
                continue
            terms = set((element.text or "")[:4096].replace(",", " ").lower().split())
            if _local(element.tag) == "prohibits" and (hit := sorted(terms & TRAINING_USAGES)):
                return RslVerdict("rsl_prohibited", f"{where} prohibits usage {' '.join(hit)}")
            if _local(element.tag) == "permits":
                allowed = (allowed or set()) | terms
        permitted.append(allowed)
    # A permits list allows only what it names; training is prohibited when no license allows it.
    if permitted and all(p is not None and not p & TRAINING_USAGES for p in permitted):
        named = sorted(set().union(*(p for p in permitted if p)))
        return RslVerdict("rsl_prohibited", f"{where} permits only usage {' '.join(named) or '(none)'}")
    server = (content.get("server") or "").strip()  # type: ignore[attr-defined]
    if server:
        return RslVerdict("rsl_license_required", f"{where} requires a license from {server}")
    if (content.get("encrypted") or "").strip().lower() == "true":  # type: ignore[attr-defined]
        return RslVerdict("rsl_license_required", f"{where} is encrypted (licensed access only)")
    for license_ in licenses:
        for element in license_.iter():
            if _local(element.tag) == "payment":
                kind = (element.get("type") or "").strip().lower()
                if kind not in FREE_PAYMENTS:
                    return RslVerdict("rsl_license_required", f"{where} asks for payment {kind or '(untyped)'}")
    return None


def _local(tag: object) -> str:
    """An element's name without its namespace (RSL documents are written with and without it)."""
    return tag.rsplit("}", 1)[-1].lower() if isinstance(tag, str) else ""


def rsl_links(values: Iterable[str]) -> tuple[str, ...]:
    """The URLs of HTTP ``Link`` header values with ``rel="license"`` and ``type="application/rsl+xml"``
    (RSL 1.0's association of a document with a response), as written (resolve against the response)."""
    out: list[str] = []
    for value in values:
        for target, params in _LINK.findall(value[:8192]):
            found = {k.lower(): v.strip('"').strip() for k, v in _PARAM.findall(params)}
            if "license" in found.get("rel", "").lower().split() and found.get("type", "").lower() == RSL_TYPE:
                out.append(target.strip())
    return tuple(dict.fromkeys(u for u in out if u))[:4]
