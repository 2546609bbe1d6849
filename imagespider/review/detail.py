"""The large view's facts about one image, as HTML escaped exactly as report.html escapes them.

Every text comes from the web (titles, authors, URLs, rights statements), so it goes through the
report's own helpers (imagespider/dataset/documents/reporthtml.py): :func:`html.escape` for text, links only
for http(s) URLs, ``rel=noopener noreferrer`` (the page's URL holds the session's token).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from html import escape
from typing import Any

from imagespider.dataset.documents.reporthtml import link
from imagespider.dataset.store.credit import license_of

#: Rows shown first, in this order; the rights evidence follows as its own table.
FACTS = (
    "label", "previous_label", "query", "engine", "image_url", "page_url", "license_source", "width", "height",
    "format", "bytes", "sha256", "phash", "retrieved_at",
)


def detail_html(row: Mapping[str, Any]) -> str:
    """Title (linked to its source page), author, license (linked to its deed), facts and rights evidence."""
    lic = license_of(row)
    title = str(row.get("title") or "").strip() or "Untitled image"
    author = str(row.get("author") or "").strip()
    parts = [
        f'<h2 class="title">{link(title, row.get("page_url"))}</h2>',
        f'<p class="by">{"by " + link(author, row.get("author_url")) if author else "author unknown"}</p>',
        f'<p class="license"><span class="badge">{link(lic.label, lic.url)}</span></p>',
        '<table class="facts">',
    ]
    for name in FACTS:
        value = row.get(name)
        if value is None or value == "":
            continue
        shown = link(value, value) if name.endswith("_url") else escape(str(value))
        parts.append(f"<tr><th>{escape(name)}</th><td>{shown}</td></tr>")
    for name in ("permissions", "attribution"):
        value = row.get(name)
        if value not in (None, "", {}, []):
            parts.append(f"<tr><th>{escape(name)}</th><td>{_value(value)}</td></tr>")
    parts.append("</table>")
    rights = row.get("rights")
    found = [(name, value) for name, value in rights.items() if value not in (None, "", [], {})] if isinstance(
        rights, Mapping) else []
    if found:
        parts.append('<h3>Rights evidence</h3><table class="rights">')
        parts += [f"<tr><th>{escape(str(name))}</th><td>{_value(value)}</td></tr>" for name, value in found]
        parts.append("</table>")
    else:
        parts.append('<p class="muted">No rights statement was found in the file, its headers or its page.</p>')
    return "".join(parts)


def _value(value: Any) -> str:
    if isinstance(value, str):
        return link(value, value) if value.lower().startswith(("http://", "https://")) else escape(value)
    return escape(json.dumps(value, ensure_ascii=False))
