"""The pieces report.html and the class pages are built of (imagespider/dataset/documents/report.py): safe
links and image paths, a bar chart, one image's figure, the page shell with its style.

* Nothing is cut at any width: charts are HTML, not fixed-width SVG, names wrap instead of being
  shortened, and tables wrap their cells (checked in Chromium at 1400 and 420 px by
  tests/crawl/test_report.py).
* Self-contained: inline CSS, no script, no external font or stylesheet. A
  Content-Security-Policy forbids anything else, as a second line of defence.
* Every string from the web (titles, authors, URLs, error details) is escaped with
  :func:`html.escape`, and only http(s) URLs become links (:func:`link`); an image path that would
  point outside the store is no image (:func:`image_src`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from html import escape
from typing import Any
from urllib.parse import quote

from imagespider.dataset.store.credit import license_of

#: Bars per chart; the rest are summed in one "others" bar.
MAX_BARS = 40

_CSP = "default-src 'none'; img-src 'self' file: data:; style-src 'unsafe-inline'"
#: Badge colour per license family: free (green), with conditions (blue/orange), unknown (grey).
_BADGE = {
    "cc0": "#2e7d32", "pdm": "#2e7d32", "no-known-restrictions": "#2e7d32", "us-gov": "#2e7d32",
    "cc-by": "#1565c0", "cc-by-sa": "#1565c0", "cc-by-nd": "#6a1b9a",
    "cc-by-nc": "#e65100", "cc-by-nc-sa": "#e65100", "cc-by-nc-nd": "#e65100",
    "all-rights-reserved": "#b71c1c", "cc-unspecified": "#546e7a", "unknown": "#757575",
}  # fmt: skip

_STYLE = """
*{box-sizing:border-box}
body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0 auto;padding:0 1rem 3rem;
max-width:1400px;color:#222;background:#fafafa;overflow-wrap:anywhere}
h1{margin:1.2rem 0 .25rem}h2{margin:2rem 0 .5rem;border-bottom:1px solid #ddd}h3{margin:1.2rem 0 .4rem}
.summary{color:#555}
nav.contents{position:sticky;top:0;z-index:1;background:#fafafa;border-bottom:1px solid #ddd;padding:.4rem 0;
display:flex;flex-wrap:wrap;gap:.2rem .8rem;font-size:13px}
.classlist{display:flex;flex-wrap:wrap;gap:.2rem .8rem;font-size:13px;margin:.5rem 0}
h2,h3{scroll-margin-top:3rem}
.run{background:#fff;border:1px solid #ddd;border-radius:4px;padding:4px 8px;margin:4px 0;font-size:12px}
.run .args{color:#555;font-family:ui-monospace,monospace}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(100%,320px),1fr));gap:1rem 2rem}
.chart h3{font-size:1rem}
.bar{display:grid;grid-template-columns:minmax(0,11rem) minmax(2rem,1fr) auto;gap:.5rem;align-items:center;
margin:2px 0;font-size:12px}
.bar .name{text-align:right}.track{background:#e3e3e3;height:14px;border-radius:2px}
.fill{display:block;height:14px;background:#1976d2;border-radius:2px;min-width:2px}
.gallery{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(100%,160px),1fr));gap:10px}
figure{margin:0;background:#fff;border:1px solid #ddd;border-radius:6px;display:flex;flex-direction:column;
min-width:0}
figure img{width:100%;height:140px;object-fit:cover;background:#eee;display:block;border-radius:6px 6px 0 0}
figcaption{padding:6px 8px;font-size:12px}
figcaption .title{font-weight:600;display:block}
figcaption .meta{color:#666}
.badge{display:inline-block;color:#fff;border-radius:3px;padding:0 5px;font-size:11px;text-decoration:none;margin:2px 0}
table{border-collapse:collapse;width:100%;font-size:12px;background:#fff}
th,td{border:1px solid #ddd;padding:3px 6px;text-align:left;vertical-align:top}
th{background:#f0f0f0}td.n,th.n{text-align:right}
.note{color:#a15c00}.muted{color:#777}
"""


def href(url: object) -> str | None:
    """An http(s) URL, attribute-escaped, or None: a ``javascript:`` URL never becomes a link."""
    text = str(url or "").strip()
    if not re.match(r"^https?://[^\s/]", text, re.IGNORECASE):
        return None
    return escape(text, quote=True)


def link(text: object, url: object) -> str:
    """Escaped text, linked when the URL is http(s)."""
    label = escape(str(text))
    target = href(url)
    return f'<a href="{target}" rel="noopener noreferrer nofollow">{label}</a>' if target else label


def image_src(file_name: object, up: str = "") -> str | None:
    """The image's path relative to the report (which sits at the store's root, or ``up`` below
    it), URL-quoted and escaped; None for a name that would point outside the store (absolute,
    ``..``, a scheme)."""
    name = str(file_name or "")
    parts = name.split("/")
    if not name or name.startswith("/") or "\\" in name or ":" in parts[0] or ".." in parts or "" in parts:
        return None
    return escape(up + quote(name), quote=True)


def bar_chart(title: str, counts: Mapping[str, int], most: int = MAX_BARS) -> str:
    """A horizontal bar chart in HTML, biggest first, at most ``most`` bars (the rest summed in
    one): names wrap rather than being cut."""
    items = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    if len(items) > most:
        rest = items[most - 1:]
        items = [*items[:most - 1], (f"{len(rest):,} others", sum(count for _, count in rest))]
    biggest = max((count for _, count in items), default=0) or 1
    parts = [f'<div class="chart" role="group" aria-label="{escape(title, quote=True)}"><h3>{escape(title)}</h3>']
    if not items:
        parts.append('<p class="muted">nothing yet</p>')
    for name, count in items:
        share = max(1.0, 100 * count / biggest)
        parts.append(
            f'<div class="bar" title="{escape(name, quote=True)}: {count:,}"><span class="name">{escape(name)}</span>'
            f'<span class="track"><span class="fill" style="width:{share:.1f}%"></span></span>'
            f'<span class="count">{count:,}</span></div>'
        )
    parts.append("</div>")
    return "".join(parts)


def plural(count: int, word: str, words: str | None = None) -> str:
    """``1 image``, ``2,000 images``; ``words`` for an irregular plural."""
    return f"{count:,} " + (word if count == 1 else words or word + "s")


def anchor(label: str) -> str:
    """The id of a class's heading (any label, quoted and escaped)."""
    return "class-" + escape(quote(label, safe=""), quote=True)


def figure(row: Mapping[str, Any], thumbs: Mapping[str, str], up: str = "") -> str:
    """One kept image: its thumbnail linking to the original, title, author, license badge and size."""
    src = image_src(row.get("file_name"), up)
    lic = license_of(row)
    full_title = str(row.get("title") or "").strip() or "Untitled image"
    # A very long title is shortened in the text (whole in the tooltip), never cut by CSS.
    title = full_title if len(full_title) <= 140 else full_title[:139] + "…"
    alt = escape(full_title, quote=True)
    thumb = image_src(thumbs.get(str(row.get("file_name"))), up) if src else None
    if src:
        image = (
            f'<a href="{src}"><img src="{thumb or src}" alt="{alt}" title="{alt}" loading="lazy" decoding="async" '
            'width="160" height="140"></a>'
        )
    else:
        image = '<div class="note">file name outside the store</div>'
    author = str(row.get("author") or "").strip()
    byline = f"by {link(author, row.get('author_url'))}" if author else "author unknown"
    colour = _BADGE.get(lic.id, _BADGE["unknown"])
    badge_text = escape(lic.label)
    license_url = href(lic.url)
    badge = (
        f'<a class="badge" style="background:{colour}" href="{license_url}" rel="license noopener">{badge_text}</a>'
        if license_url
        else f'<span class="badge" style="background:{colour}">{badge_text}</span>'
    )
    size = ""
    width, height = row.get("width"), row.get("height")
    if all(isinstance(value, int) and not isinstance(value, bool) and value > 0 for value in (width, height)):
        size = f"{width}×{height} "  # a damaged row's "abc" is left out, not the whole report
    meta = f"{size}{escape(str(row.get('format') or ''))} · {escape(str(row.get('engine') or '?'))}"
    return (
        f"<figure>{image}<figcaption>"
        f'<span class="title">{link(title, row.get("page_url"))}</span>'
        f'<span class="meta">{byline}</span><br>{badge}<br>'
        f'<span class="meta">{meta}</span>'
        "</figcaption></figure>"
    )


def html_page(title: str, body: str) -> str:
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title>"
        f"<style>{_STYLE}</style></head><body>{body}</body></html>\n"
    )
