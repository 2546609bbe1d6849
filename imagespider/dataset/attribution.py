"""ATTRIBUTION.md: TASL credits (Title, Author, Source, License) for every kept image.

A dataset of Creative Commons images may only be republished with a credit for each image, so the
store carries one file that can be published with it as is. It is rebuilt from the whole manifest
at the end of every crawl (earlier crawls included), never appended to, so it always matches
``metadata.jsonl``. A large store (imagespider/dataset/documents.py, ``ATTRIBUTION_SPLIT_ROWS``)
gets one credits file per class, ``<label>/ATTRIBUTION.md``, written as a stream and only when the
class changed, and ATTRIBUTION.md becomes the index linking them.

Titles and authors come from the web: everything of theirs is escaped so a title such as
``[x](javascript:alert(1))`` or ``**boo**`` shows as text, and only http(s) URLs become links.
GitHub's Markdown also links bare ``www.x``, ``http://x`` and ``a@b.c`` in text (GFM
autolinks): in web text these are broken with an invisible word joiner (U+2060), so a title
such as "www.evil.com" shows as it was written and is not a link.

Pure functions, no Scrapy: :func:`render_attribution` takes manifest rows and returns the text.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from imagespider.rights.model import License, unknown

__all__ = ["ATTRIBUTION", "attribution_index_lines", "attribution_lines", "credit_line", "license_of", "md_text",
           "md_url", "plain_text", "render_attribution", "tasl_line"]

#: File name at the store's root.
ATTRIBUTION = "ATTRIBUTION.md"

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


def tasl_line(row: Mapping[str, Any]) -> str:
    """One Markdown list item crediting an image (:func:`credit_line`), then its file:
    ``- "Title" by [Author](url), source: [host](url), licensed under [CC BY 2.0](url). File: ...``"""
    credit = credit_line(row, license_of(row), markdown=True)
    file_name = row.get("file_name")
    if file_name:
        credit += f". File: {md_text(file_name)}"
    return "- " + credit


def _host(url: str) -> str:
    match = re.match(r"^https?://([^/?#]+)", url, re.IGNORECASE)
    return match.group(1) if match else url


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}" + ("" if count == 1 else "s")


def render_attribution(rows: Iterable[Mapping[str, Any]]) -> str:
    """The whole ATTRIBUTION.md for these manifest rows: a heading per license label (most images
    first, with its count and license link), then one TASL line per image, sorted by file name so
    the file is the same for the same manifest (diffs between crawls show only what changed)."""
    groups: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    urls: dict[str, str | None] = {}
    for row in rows:
        lic = license_of(row)
        groups[lic.label].append(row)
        urls.setdefault(lic.label, lic.url)
    for members in groups.values():
        members.sort(key=lambda r: (str(r.get("file_name") or ""), str(r.get("image_url") or "")))
    sections = [(label, len(groups[label]), urls[label], groups[label]) for label in groups]
    return "".join(attribution_lines(sections))


#: A license's section: its label, its count, its deed's URL, and its rows sorted by file name.
Section = tuple[str, int, "str | None", Iterable[Mapping[str, Any]]]


def attribution_lines(sections: Iterable[Section], heading: str = "# Attribution") -> Iterator[str]:
    """ATTRIBUTION.md line by line (each with its newline), from sections in any order: the
    biggest license first. The rows of a section may be a stream (a class of a million images is
    written without holding it)."""
    ordered = sorted(sections, key=lambda section: (-section[1], section[0]))
    total = sum(section[1] for section in ordered)
    yield from (line + "\n" for line in [
        heading,
        "",
        f"This dataset holds {_plural(total, 'image')}. Each is credited below with its title, author,",
        "source and license (TASL), grouped by license. Images whose license is not known may not be",
        "redistributed without checking with their authors.",
    ])
    for label, count, url, members in ordered:
        yield f"\n## {md_text(label)} ({_plural(count, 'image')})\n\n"
        target = md_url(url)
        if target:
            yield f"License text: <{target}>\n\n"
        for row in members:
            yield tasl_line(row) + "\n"


def attribution_index_lines(classes: Iterable[tuple[str, int, Mapping[str, int], str | None]],
                            licenses: Mapping[str, int]) -> Iterator[str]:
    """ATTRIBUTION.md of a large store: the counts per license, then one line per class linking
    its own credits file (``classes``: label, count, its licenses, its file or None)."""
    total = sum(licenses.values())
    yield "# Attribution\n\n"
    yield (f"This dataset holds {_plural(total, 'image')}. Each is credited with its title, author, source and\n"
           "license (TASL) in its class's credits file, linked below, grouped by license there. Images whose\n"
           "license is not known may not be redistributed without checking with their authors.\n\n")
    yield "## Licenses\n\n"
    for label, count in sorted(licenses.items(), key=lambda kv: (-kv[1], kv[0])):
        yield f"- {md_text(label)}: {_plural(count, 'image')}\n"
    yield "\n## Classes\n\n"
    for label, count, per_license, path in classes:
        ranked = sorted(per_license.items(), key=lambda kv: (-kv[1], kv[0]))
        shown = ", ".join(f"{md_text(name)} {n:,}" for name, n in ranked)
        name = f"[{md_text(label)}]({quote(path)})" if path else md_text(label)
        yield f"- {name}: {_plural(count, 'image')} ({shown})\n"
