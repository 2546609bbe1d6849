"""report.html: a page to look at the dataset with, rebuilt at the end of every crawl.

It shows what numbers alone hide (a class full of logos, a wrong label, an engine giving mostly
broken results): a contents bar with a jump link per class, bar charts of the counts per class,
engine, license and drop reason, a class x license matrix, each class's kept count against its
limit with its top drop reasons, the store's run history (crawls.jsonl), a gallery of every kept
image with its title, author, license and source page, and the rejected results with their reasons.

Why it is built the way it is:

* The gallery shows small thumbnails made at publish time (imagespider/dataset/thumbnails.py, in
  hidden folders the loaders skip), lazily loaded, each linking to its original: a store of
  thousands of images stays a page a browser opens. Paths are relative to the store, so the page
  works offline, from ``file://``, and after the folder is moved or published.
* Nothing is cut at any width: charts are HTML, not fixed-width SVG, names wrap instead of being
  shortened, and tables wrap their cells (checked in Chromium at 1400 and 420 px by
  tests/crawl/test_report.py).
* Self-contained: inline CSS, no script, no external font or stylesheet. A
  Content-Security-Policy forbids anything else, as a second line of defence.
* Every string from the web (titles, authors, URLs, error details) is escaped with
  :func:`html.escape`, and only http(s) URLs become links.

Pure functions, no Scrapy: :func:`render_report` takes manifest, rejected and crawl rows, returns HTML.
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


def bar_chart(title: str, counts: Mapping[str, int]) -> str:
    """A horizontal bar chart in HTML, biggest first: names wrap rather than being cut."""
    items = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
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


def _plural(count: int, word: str, words: str | None = None) -> str:
    return f"{count:,} " + (word if count == 1 else words or word + "s")


def _anchor(label: str) -> str:
    return "class-" + escape(quote(label, safe=""), quote=True)


def _figure(row: Mapping[str, Any], thumbs: Mapping[str, str]) -> str:
    src = _src(row.get("file_name"))
    lic = license_of(row)
    full_title = str(row.get("title") or "").strip() or "Untitled image"
    # A very long title is shortened in the text (whole in the tooltip), never cut by CSS.
    title = full_title if len(full_title) <= 140 else full_title[:139] + "…"
    alt = escape(full_title, quote=True)
    thumb = _src(thumbs.get(str(row.get("file_name")))) if src else None
    if src:
        image = (
            f'<a href="{src}"><img src="{thumb or src}" alt="{alt}" title="{alt}" loading="lazy" decoding="async" '
            'width="160" height="140"></a>'
        )
    else:
        image = '<div class="note">file name outside the store</div>'
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


def _by_label(rows: Sequence[Mapping[str, Any]]) -> dict[str, list[Mapping[str, Any]]]:
    by_label: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for row in rows:
        by_label[str(row.get("label") or "?")].append(row)
    return dict(sorted(by_label.items()))


def _gallery(rows: Sequence[Mapping[str, Any]], thumbs: Mapping[str, str]) -> str:
    by_label = _by_label(rows)
    if not by_label:
        return "<p>No image kept yet.</p>"
    parts = []
    for label, members in by_label.items():
        members = sorted(members, key=lambda r: str(r.get("file_name") or ""))
        parts.append(f'<h3 id="{_anchor(label)}">{escape(label)} ({len(members):,})</h3>')
        parts.append('<div class="gallery">' + "".join(_figure(row, thumbs) for row in members) + "</div>")
    return "".join(parts)


def _contents(labels: Counter[str]) -> str:
    """A bar of section links that stays at the top, then a jump link per class (not sticky:
    hundreds of classes would cover the page)."""
    links = [
        '<a href="#counts">Counts</a>', '<a href="#classes">Classes</a>', '<a href="#matrix">Class × license</a>',
        '<a href="#runs">Runs</a>', '<a href="#kept">Images</a>', '<a href="#rejected-results">Rejected</a>',
    ]
    classes = [
        f'<a href="#{_anchor(label)}">{escape(label)}&nbsp;({count:,})</a>' for label, count in sorted(labels.items())
    ]
    return (
        '<nav class="contents" aria-label="Contents">' + " ".join(links) + "</nav>"
        + '<nav class="classlist" aria-label="Classes">' + " ".join(classes) + "</nav>"
    )


def _limits(crawls: Sequence[Mapping[str, Any]]) -> dict[str, tuple[int, int | None, str]]:
    """Per label, from the newest crawl that had it: (kept by that crawl, its limit, its mode)."""
    found: dict[str, tuple[int, int | None, str]] = {}
    for crawl in crawls:
        mode = str((crawl.get("arguments") or {}).get("mode") or "add")
        for query in crawl.get("queries") or ():
            label = str(query.get("label") or "?")
            limit = query.get("limit")
            found[label] = (int(query.get("kept") or 0), int(limit) if isinstance(limit, int) else None, mode)
    return found


def _class_table(
    labels: Counter[str], rejected: Sequence[Mapping[str, Any]], crawls: Sequence[Mapping[str, Any]]
) -> str:
    drops: dict[str, Counter[str]] = defaultdict(Counter)
    for row in rejected:
        drops[str(row.get("label") or "?")][str(row.get("reason") or "?")] += 1
    limits = _limits(crawls)
    head = ('<tr><th>class</th><th class="n">in the store</th><th>last crawl: kept / limit</th>'
            "<th>top drop reasons (all crawls)</th></tr>")
    body = []
    for label in sorted(set(labels) | set(drops)):
        kept, limit, mode = limits.get(label, (0, None, "add"))
        last = "—" if limit is None else f"{kept:,} / {limit:,}"
        if limit is not None and mode == "top-up":
            last += " (top-up: limit counts the store)"
        top = ", ".join(f"{escape(reason)} {count:,}" for reason, count in drops[label].most_common(3)) or "—"
        body.append(
            f'<tr><td><a href="#{_anchor(label)}">{escape(label)}</a></td><td class="n">{labels[label]:,}</td>'
            f"<td>{last}</td><td>{top}</td></tr>"
        )
    return f'<table id="class-table"><thead>{head}</thead><tbody>{"".join(body)}</tbody></table>'


def _matrix(rows: Sequence[Mapping[str, Any]]) -> str:
    cells: Counter[tuple[str, str]] = Counter()
    for row in rows:
        cells[(str(row.get("label") or "?"), license_of(row).label)] += 1
    labels = sorted({label for label, _ in cells})
    licenses = sorted({lic for _, lic in cells})
    if not labels:
        return "<p>No image kept yet.</p>"
    head = "<tr><th>class</th>" + "".join(f'<th class="n">{escape(lic)}</th>' for lic in licenses) + "</tr>"
    body = "".join(
        f"<tr><td>{escape(label)}</td>"
        + "".join(f'<td class="n">{cells[(label, lic)]:,}</td>' if cells[(label, lic)] else '<td class="n muted">·</td>'
                  for lic in licenses)
        + "</tr>"
        for label in labels
    )
    return f'<table id="matrix-table"><thead>{head}</thead><tbody>{body}</tbody></table>'


def _runs(crawls: Sequence[Mapping[str, Any]]) -> str:
    """One block per crawl, newest first (blocks, not a table: they read at any width)."""
    if not crawls:
        return "<p>No crawl recorded yet (crawls.jsonl).</p>"
    blocks = []
    for crawl in reversed(crawls):
        arguments = " ".join(f"{escape(str(k))}={escape(str(v))}" for k, v in (crawl.get("arguments") or {}).items()
                             if not str(k).startswith("_"))
        dropped = crawl.get("dropped") or {}
        total = sum(int(v) for v in dropped.values() if isinstance(v, int))
        top = ", ".join(f"{escape(str(k))} {int(v):,}" for k, v in list(dropped.items())[:3] if isinstance(v, int))
        started = escape(str(crawl.get("start") or "?")).replace("T", " ").replace("+00:00", " UTC")
        blocks.append(
            f'<div class="run"><b>{started}</b> · {escape(str(crawl.get("spider") or "?"))} · '
            f'kept {int(crawl.get("kept") or 0):,} · dropped {total:,}{f" ({top})" if top else ""} · '
            f'{escape(str(crawl.get("finish_reason") or "?"))}<div class="args">{arguments}</div></div>'
        )
    return f'<div id="runs-list">{"".join(blocks)}</div>'


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


def render_report(
    rows: Iterable[Mapping[str, Any]], rejected_rows: Iterable[Mapping[str, Any]],
    crawls: Iterable[Mapping[str, Any]] = (), thumbs: Mapping[str, str] | None = None,
) -> str:
    """The whole report.html for a store's manifest, rejected and crawl rows (all crawls);
    ``thumbs`` maps a row's ``file_name`` to its thumbnail (imagespider/dataset/thumbnails.py)."""
    kept = list(rows)
    rejected = list(rejected_rows)
    runs = list(crawls)
    engines = Counter(str(row.get("engine") or "?") for row in kept)
    licenses = Counter(license_of(row).label for row in kept)
    labels = Counter(str(row.get("label") or "?") for row in kept)
    reasons = Counter(str(row.get("reason") or "?") for row in rejected)
    summary = (
        f"{_plural(len(kept), 'image')} kept in {_plural(len(labels), 'class', 'classes')} "
        f"from {_plural(len(engines), 'engine')} by {_plural(len(runs), 'crawl')}; "
        f"{_plural(len(rejected), 'result')} rejected."
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
        f'<p class="summary">{summary} Credits: ATTRIBUTION.md; all rows: metadata.jsonl, rejected.jsonl, '
        "crawls.jsonl.</p>"
        f"{_contents(labels)}"
        f'<h2 id="counts">Counts</h2><div class="charts">{charts}</div>'
        f'<h2 id="classes">Classes: kept against the limit</h2>{_class_table(labels, rejected, runs)}'
        f'<h2 id="matrix">Class × license</h2>{_matrix(kept)}'
        f'<h2 id="runs">Run history</h2>{_runs(runs)}'
        f'<h2>Kept images</h2><div id="kept">{_gallery(kept, thumbs or {})}</div>'
        f'<h2 id="rejected-results">Rejected results</h2>{_rejected_table(rejected)}'
        "</body></html>\n"
    )
