"""ATTRIBUTION.md: TASL credits (Title, Author, Source, License) for every kept image.

A dataset of Creative Commons images may only be republished with a credit for each image, so the
store carries one file that can be published with it as is. It is rebuilt from the whole manifest
at the end of every crawl (earlier crawls included), never appended to, so it always matches
``metadata.jsonl``. A large store (imagespider/dataset/documents/write.py, ``ATTRIBUTION_SPLIT_ROWS``)
gets one credits file per class, ``<label>/ATTRIBUTION.md``, written as a stream and only when the
class changed, and ATTRIBUTION.md becomes the index linking them.

Titles and authors come from the web: they are escaped as the credit line escapes them
(imagespider/dataset/store/credit.py), so nothing of theirs becomes markup or a link.

Pure functions, no Scrapy: :func:`render_attribution` takes manifest rows and returns the text.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from typing import Any
from urllib.parse import quote

from imagespider.dataset.store.credit import credit_line, license_of, md_text, md_url

__all__ = ["ATTRIBUTION", "attribution_index_lines", "attribution_lines", "render_attribution", "tasl_line"]

#: File name at the store's root.
ATTRIBUTION = "ATTRIBUTION.md"


def tasl_line(row: Mapping[str, Any]) -> str:
    """One Markdown list item crediting an image (:func:`credit_line`), then its file:
    ``- "Title" by [Author](url), source: [host](url), licensed under [CC BY 2.0](url). File: ...``"""
    credit = credit_line(row, license_of(row), markdown=True)
    file_name = row.get("file_name")
    if file_name:
        credit += f". File: {md_text(file_name)}"
    return "- " + credit


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
