"""The small readers of a page's HTML that imagespider/rights/pagereader.py and pagetext.py find
statements with: image URLs and srcset, an element's text (bounded), license links and Creative
Commons badges, captions and icons, and a license statement read from a value. What a statement
is lives in imagespider/rights/pagestatement.py, structured data's values in pagedata.py. Pure:
lxml elements and strings in, values out.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

from imagespider.rights.pagelayout import unwrap_archive
from imagespider.rights.pagestatement import Statement
from imagespider.rights.pagewords import RESERVED, covers_text_only
from imagespider.rights.parse import from_url, parse_evidence

#: Longest value kept from a page (a copyright line, an author's name).
MAX_VALUE = 300
#: Most raw text (whitespace included) read from one element for a value.
MAX_RAW = 64 * MAX_VALUE

#: A Creative Commons badge image's URL: its license's kind, code and version (:func:`badge_deed`).
BADGE = re.compile(
    r"^(?:https?:)?//(?:i\.creativecommons\.org|licensebuttons\.net|mirrors\.creativecommons\.org/presskit/buttons)"
    r"/(?P<kind>l|p)/(?P<code>[a-z-]+)/(?P<version>\d\.\d)/",
    re.IGNORECASE,
)
#: "All rights reserved" in the languages of the web (imagespider/rights/pagewords.py).
ARR = RESERVED
SKIP_TEXT = frozenset({"script", "style", "noscript", "template", "textarea"})
CAPTION_CLASS = re.compile(
    r"caption|credit|attribution|license|licence|copyright|source|quelle|bildnachweis|fotonachweis", re.IGNORECASE
)
LICENSE_RELS = frozenset({"license", "cc:license", "dc:license", "dct:license", "dcterms:license", "schema:license"})
IMAGE_ATTRS = ("src", "data-src", "data-lazy-src", "data-original", "data-orig-file", "data-large-file")
SRCSET_ATTRS = ("srcset", "data-srcset", "data-lazy-srcset")
DC_RIGHTS = frozenset({"dc.rights", "dcterms.rights", "dc.rights.license"})
DC_LICENSE = frozenset({"dcterms.license", "dc.license"})


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


def license_statement_of(value: str, element: str, rank: int, resolve: Any) -> Statement:
    """A license statement: a URL (resolved against the page) or words, read into a License
    when it names one we know."""
    text = clean_text(value)
    url = resolve(text) if re.match(r"^(?:https?:)?//|^/", text) else None
    lic = (from_url(unwrap_archive(url), "page") if url else None) or parse_evidence(text, "page")
    return Statement("license", url or text, element, rank, lic)


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
