"""report.html: a page to look at the dataset with, rebuilt at the end of every crawl.

It shows what numbers alone hide (a class full of logos, a wrong label, an engine giving mostly
broken results): a gallery of every kept image with its title, author, license and source page,
bar charts of the counts per engine, license and drop reason, and the rejected results with their
reasons.

Why it is built the way it is:

* ``<img src>`` are the dataset's own files, relative to the store, so the page works offline, from
  ``file://``, and after the folder is moved or published. No thumbnails folder: any extra folder
  in the store would be taken for a class by torchvision's ``ImageFolder``. The browser scales the
  originals (CSS) and loads them lazily.
* Self-contained: inline CSS and SVG, no script, no external font or stylesheet. A
  Content-Security-Policy forbids anything else, as a second line of defence.
* Every string from the web (titles, authors, URLs, error details) is escaped with
  :func:`html.escape`, and only http(s) URLs become links.

Pure functions, no Scrapy: :func:`render_report` takes manifest and rejected rows, returns HTML.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from html import escape
from typing import Any
from urllib.parse import quote

from imagespider.dataset.attribution import license_of

__all__ = ["MAX_REJECTED_ROWS", "REPORT", "bar_chart", "render_report"]

#: File name at the store's root.
REPORT = "report.html"
#: The rejected table stops here (the newest first); the charts still count every row.
MAX_REJECTED_ROWS = 1000

_CSP = "default-src 'none'; img-src 'self' file: data:; style-src 'unsafe-inline'"
#: Badge colour per license family: free (green), with conditions (blue/orange), unknown (grey).
_BADGE = {
    "cc0": "#2e7d32", "pdm": "#2e7d32", "no-known-restrictions": "#2e7d32", "us-gov": "#2e7d32",
    "cc-by": "#1565c0", "cc-by-sa": "#1565c0", "cc-by-nd": "#6a1b9a",
    "cc-by-nc": "#e65100", "cc-by-nc-sa": "#e65100", "cc-by-nc-nd": "#e65100",
    "all-rights-reserved": "#b71c1c", "cc-unspecified": "#546e7a", "unknown": "#757575",
}  # fmt: skip
_BAR = "#1976d2"

_STYLE = """
body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0 2rem 3rem;color:#222;
background:#fafafa}
h1{margin:1.5rem 0 .25rem}h2{margin:2rem 0 .5rem;border-bottom:1px solid #ddd}h3{margin:1.2rem 0 .4rem}
.summary{color:#555}
.charts{display:flex;flex-wrap:wrap;gap:2rem}.chart h3{font-size:1rem}
.gallery{display:grid;grid-template-columns:repeat(auto-fill,minmax(180px,1fr));gap:12px}
figure{margin:0;background:#fff;border:1px solid #ddd;border-radius:6px;overflow:hidden;display:flex;
flex-direction:column}
figure img{width:100%;height:160px;object-fit:cover;background:#eee;display:block}
figcaption{padding:6px 8px;font-size:12px;overflow-wrap:anywhere}
figcaption .title{font-weight:600;display:block;max-height:3.9em;overflow:hidden}
figcaption .meta{color:#666}
.badge{display:inline-block;color:#fff;border-radius:3px;padding:0 5px;font-size:11px;text-decoration:none;margin:2px 0}
table{border-collapse:collapse;width:100%;font-size:12px;background:#fff}
th,td{border:1px solid #ddd;padding:3px 6px;text-align:left;vertical-align:top;overflow-wrap:anywhere}
th{background:#f0f0f0}
td:nth-child(1),td:nth-child(3),td:nth-child(4),td:nth-child(6),td:nth-child(7){white-space:nowrap}
.note{color:#a15c00}
"""


def _href(url: object) -> str | None:
    """An http(s) URL, attribute-escaped, or None: a ``javascript:`` URL never becomes a link."""
    text = str(url or "").strip()
    if not re.match(r"^https?://[^\s/]", text, re.IGNORECASE):
        return None
    return escape(text, quote=True)


def _a(text: object, url: object) -> str:
    """Escaped text, linked when the URL is http(s)."""
    label = escape(str(text))
    href = _href(url)
    return f'<a href="{href}" rel="noopener noreferrer nofollow">{label}</a>' if href else label


def _src(file_name: object) -> str | None:
    """The image's path relative to the report (which sits at the store's root), URL-quoted and
    escaped; None for a name that would point outside the store (absolute, ``..``, a scheme)."""
    name = str(file_name or "")
    parts = name.split("/")
    if not name or name.startswith("/") or "\\" in name or ":" in parts[0] or ".." in parts or "" in parts:
        return None
    return escape(quote(name), quote=True)


def bar_chart(title: str, counts: Mapping[str, int], width: int = 420) -> str:
    """A horizontal bar chart as inline SVG, biggest first; text is escaped, no dependency."""
    items = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    bar_height, gap, label_width, top = 18, 6, 170, 4
    height = top + len(items) * (bar_height + gap) + 4
    biggest = max((count for _, count in items), default=0) or 1
    room = width - label_width - 60
    parts = [
        f'<div class="chart"><h3>{escape(title)}</h3>',
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{max(height, 24)}" '
        f'role="img" aria-label="{escape(title, quote=True)}">',
    ]
    if not items:
        parts.append('<text x="0" y="16" font-size="12" fill="#777">nothing yet</text>')
    for i, (name, count) in enumerate(items):
        y = top + i * (bar_height + gap)
        length = max(1, round(room * count / biggest))
        shown = name if len(name) <= 26 else name[:25] + "…"
        parts.append(
            f'<g><title>{escape(name)}: {count:,}</title>'
            f'<text x="{label_width - 6}" y="{y + 13}" font-size="12" text-anchor="end">{escape(shown)}</text>'
            f'<rect x="{label_width}" y="{y}" width="{length}" height="{bar_height}" fill="{_BAR}"/>'
            f'<text x="{label_width + length + 4}" y="{y + 13}" font-size="12">{count:,}</text></g>'
        )
    parts.append("</svg></div>")
    return "".join(parts)


def _plural(count: int, word: str, words: str | None = None) -> str:
    return f"{count:,} " + (word if count == 1 else words or word + "s")


def _figure(row: Mapping[str, Any]) -> str:
    src = _src(row.get("file_name"))
    lic = license_of(row)
    title = str(row.get("title") or "").strip() or "Untitled image"
    alt = escape(title, quote=True)
    image = (
        f'<img src="{src}" alt="{alt}" loading="lazy" decoding="async" width="180" height="160">'
        if src
        else '<div class="note">file name outside the store</div>'
    )
    if _href(row.get("page_url")):
        image = f'<a href="{_href(row.get("page_url"))}" rel="noopener noreferrer nofollow">{image}</a>'
    author = str(row.get("author") or "").strip()
    byline = f"by {_a(author, row.get('author_url'))}" if author else "author unknown"
    colour = _BADGE.get(lic.id, _BADGE["unknown"])
    badge_text = escape(lic.label)
    license_url = _href(lic.url)
    badge = (
        f'<a class="badge" style="background:{colour}" href="{license_url}" rel="license noopener">{badge_text}</a>'
        if license_url
        else f'<span class="badge" style="background:{colour}">{badge_text}</span>'
    )
    size = ""
    if row.get("width") and row.get("height"):
        size = f"{int(row['width'])}×{int(row['height'])} "
    meta = f"{size}{escape(str(row.get('format') or ''))} · {escape(str(row.get('engine') or '?'))}"
    return (
        f"<figure>{image}<figcaption>"
        f'<span class="title">{_a(title, row.get("page_url"))}</span>'
        f'<span class="meta">{byline}</span><br>{badge}<br>'
        f'<span class="meta">{meta}</span>'
        "</figcaption></figure>"
    )


def _gallery(rows: Sequence[Mapping[str, Any]]) -> str:
    by_label: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for row in rows:
        by_label[str(row.get("label") or "?")].append(row)
    if not by_label:
        return "<p>No image kept yet.</p>"
    parts = []
    for label in sorted(by_label):
        members = sorted(by_label[label], key=lambda r: str(r.get("file_name") or ""))
        parts.append(f'<h3 id="label-{escape(quote(label), quote=True)}">{escape(label)} ({len(members):,})</h3>')
        parts.append('<div class="gallery">' + "".join(_figure(row) for row in members) + "</div>")
    return "".join(parts)


def _rejected_table(rejected: Sequence[Mapping[str, Any]]) -> str:
    if not rejected:
        return "<p>Nothing was rejected.</p>"
    shown = list(reversed(rejected))[:MAX_REJECTED_ROWS]
    note = ""
    if len(rejected) > MAX_REJECTED_ROWS:
        note = (
            f'<p class="note">Showing the newest {MAX_REJECTED_ROWS:,} of {len(rejected):,} rejected results; '
            "rejected.jsonl has them all.</p>"
        )
    head = "<tr><th>reason</th><th>detail</th><th>label</th><th>engine</th><th>image</th><th>page</th><th>at</th></tr>"
    body = "".join(
        "<tr>"
        f"<td>{escape(str(row.get('reason') or '?'))}</td>"
        f"<td>{escape(str(row.get('detail') or ''))}</td>"
        f"<td>{escape(str(row.get('label') or ''))}</td>"
        f"<td>{escape(str(row.get('engine') or ''))}</td>"
        f"<td>{_a(row.get('url') or '', row.get('url'))}</td>"
        f"<td>{_a('page', row.get('page_url')) if _href(row.get('page_url')) else ''}</td>"
        f"<td>{escape(str(row.get('at') or ''))}</td>"
        "</tr>"
        for row in shown
    )
    return f'{note}<table id="rejected"><thead>{head}</thead><tbody>{body}</tbody></table>'


def render_report(rows: Iterable[Mapping[str, Any]], rejected_rows: Iterable[Mapping[str, Any]]) -> str:
    """The whole report.html for a store's manifest rows and rejected rows (all crawls)."""
    kept = list(rows)
    rejected = list(rejected_rows)
    engines = Counter(str(row.get("engine") or "?") for row in kept)
    licenses = Counter(license_of(row).label for row in kept)
    labels = Counter(str(row.get("label") or "?") for row in kept)
    reasons = Counter(str(row.get("reason") or "?") for row in rejected)
    summary = (
        f"{_plural(len(kept), 'image')} kept in {_plural(len(labels), 'class', 'classes')} "
        f"from {_plural(len(engines), 'engine')}; {_plural(len(rejected), 'result')} rejected."
    )
    charts = "".join(
        [
            bar_chart("Kept per class", labels),
            bar_chart("Kept per engine", engines),
            bar_chart("Kept per license", licenses),
            bar_chart("Rejected per reason", reasons),
        ]
    )
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<title>imagespider dataset report</title>"
        f"<style>{_STYLE}</style></head><body>"
        "<h1>Dataset report</h1>"
        f'<p class="summary">{summary} Credits: ATTRIBUTION.md; all rows: metadata.jsonl, rejected.jsonl.</p>'
        f'<h2>Counts</h2><div class="charts">{charts}</div>'
        f'<h2>Kept images</h2><div id="kept">{_gallery(kept)}</div>'
        f"<h2>Rejected results</h2>{_rejected_table(rejected)}"
        "</body></html>\n"
    )
