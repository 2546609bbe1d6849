"""A manifest row's credit and license: the ``attribution`` column a crawl writes, and the license a
row reads as.

The TASL credit (Title, Author, Source, License) has one wording, shown plain in the manifest and
as Markdown in ATTRIBUTION.md (imagespider/dataset/documents/attribution.py). Titles and authors come
from the web: everything of theirs is escaped so a title such as ``[x](javascript:alert(1))`` or
``**boo**`` shows as text, and only http(s) URLs become links. GitHub's Markdown also links bare
``www.x``, ``http://x`` and ``a@b.c`` in text (GFM autolinks): in web text these are broken with an
invisible word joiner (U+2060), so a title such as "www.evil.com" shows as it was written.

Pure functions, no Scrapy. The store's own modules (the manifest row, the index) read rows' licenses
here, below the documents built from them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from imagespider.rights.model import License, unknown

__all__ = ["credit_line", "license_of", "md_text", "md_url", "plain_text"]

# CommonMark lets any ASCII punctuation be backslash-escaped; these are the ones that can start
# markup inline (emphasis, links, images, code, raw HTML, entities, tables, strikethrough).
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#!|~&])")
_WHITESPACE = re.compile(r"\s+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
#: Characters kept as they are in a link destination; the rest is percent-encoded, so a URL can
#: neither close the ``(...)`` nor open raw HTML.
_URL_SAFE = "/:?#@!$&*+,;=%~-._[]"


#: What GFM's extended autolinks start from: ``www.``, a scheme's ``://``, an e-mail's ``@``.
_AUTOLINK = re.compile(r"(?i)(www)(\.)|(:)(//)|(@)()(?=\w)")
_WORD_JOINER = "\u2060"


def md_text(value: object) -> str:
    """Web text as one line of literal Markdown: :func:`plain_text`, markup characters
    backslash-escaped, autolinks broken (see module doc)."""
    escaped = _MD_SPECIAL.sub(r"\\\1", plain_text(value))
    return _AUTOLINK.sub(_defang, escaped)


def _defang(match: re.Match[str]) -> str:
    """``www.`` -> ``www<WJ>.``, ``://`` -> ``:<WJ>//``, ``@`` -> ``@<WJ>``."""
    head, tail = next((match.group(i), match.group(i + 1) or "") for i in (1, 3, 5) if match.group(i))
    return f"{head}{_WORD_JOINER}{tail}"


def md_url(value: object) -> str | None:
    """An http(s) URL fit for a Markdown link destination, or None for anything else
    (``javascript:``, ``data:``, relative paths): such a "link" is shown as nothing."""
    url = str(value or "").strip()
    if not re.match(r"^https?://[^\s/]", url, re.IGNORECASE):
        return None
    return quote(url, safe=_URL_SAFE)


def _link(text: str, url: object) -> str:
    """``[text](url)`` with ``text`` already escaped, or the bare text when the URL is unusable."""
    target = md_url(url)
    return f"[{text}]({target})" if target else text


def plain_text(value: object) -> str:
    """Web text as one plain line: whitespace (newlines too) folded to one space, control
    characters removed."""
    return _CONTROL.sub("", _WHITESPACE.sub(" ", str(value))).strip()


def _plain_link(text: str, url: object) -> str:
    """``text (url)`` for an http(s) URL, else the bare text."""
    target = str(url or "").strip()
    return f"{text} ({target})" if md_url(target) else text


@dataclass(frozen=True)
class _Style:
    """How a credit shows web text and links: the wording is :func:`credit_line`'s alone."""

    text: Callable[[object], str]
    link: Callable[[str, object], str]


PLAIN = _Style(plain_text, _plain_link)
MARKDOWN = _Style(md_text, _link)


def credit_line(fields: Mapping[str, Any], lic: License, *, markdown: bool = False) -> str:
    """A TASL credit (Title, Author, Source, License) in Creative Commons' recommended order,
    from manifest fields (``title``, ``author``, ``author_url``, ``page_url``, ``image_url``):
    ``"Cat" by Jane (https://...), source: photos.example (https://...), licensed under CC BY 2.0
    (https://...)``. The manifest's ``attribution`` column is the plain form; ATTRIBUTION.md the
    Markdown form (links instead of parentheses), with the same words."""
    style = MARKDOWN if markdown else PLAIN
    title = fields.get("title")
    credit = f'"{style.text(title)}"' if title and str(title).strip() else "Untitled image"
    author = fields.get("author")
    if author and str(author).strip():
        credit += " by " + style.link(style.text(author), fields.get("author_url"))
    source = next((u for u in (fields.get("page_url"), fields.get("image_url")) if md_url(u)), None)
    if source:
        credit += ", source: " + style.link(style.text(_host(str(source).strip())), source)
    if lic.id == "unknown":
        credit += ", license not known"
    elif lic.id == "cc-unspecified":
        credit += ", under a Creative Commons license the source did not name"
    elif lic.id in ("all-rights-reserved", "no-known-restrictions", "us-gov"):
        credit += ", " + style.link(style.text(lic.label), lic.url)
    else:
        verb = "marked" if lic.id == "pdm" else "licensed under"
        credit += f", {verb} " + style.link(style.text(lic.label), lic.url)
    return credit


def license_of(row: Mapping[str, Any]) -> License:
    """The row's license; a manifest edited by hand with an id we do not know reads as unknown."""
    try:
        return License.from_dict(dict(row))
    except (ValueError, TypeError):
        return unknown()


def _host(url: str) -> str:
    match = re.match(r"^https?://([^/?#]+)", url, re.IGNORECASE)
    return match.group(1) if match else url
