"""report.html: a page to look at the dataset with, rebuilt at the end of every crawl.

It shows what numbers alone hide (a class full of logos, a wrong label, an engine giving mostly
broken results): a contents bar with a jump link per class, bar charts of the counts per class,
engine, license and drop reason, a class x license matrix, each class's kept count against its
limit with its top drop reasons, the store's run history (crawls.jsonl), a gallery of each class
with each image's title, author, license and source page, and the newest rejected results with
their reasons.

Its size does not grow with the store: the counts cover every row (imagespider/dataset/summary.py,
from the store's index), but a class shows a bounded sample of its images (:data:`GALLERY_SAMPLE`,
the first by file name, which is by content hash, so an unbiased pick), charts their
:data:`MAX_BARS` biggest entries, tables their :data:`MAX_CLASSES_LISTED` biggest classes, the run
history its newest :data:`MAX_RUNS` and the rejected table its newest :data:`MAX_REJECTED_ROWS`.
With more than :data:`INLINE_CLASSES` classes the galleries move to one page per class,
``<label>/report.html`` (:data:`CLASS_PAGE_SAMPLE` images each), and report.html links to them.

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

Pure functions, no Scrapy: :func:`render_report` takes the rows to show, the rejected and crawl
rows and (for a large store) the summary of every row, and returns HTML.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from html import escape
from typing import Any
from urllib.parse import quote

from imagespider.dataset.attribution import license_of
from imagespider.dataset.summary import MAX_REJECTED_ROWS, StoreSummary

__all__ = ["CLASS_PAGE_SAMPLE", "GALLERY_SAMPLE", "INLINE_CLASSES", "MAX_BARS", "MAX_REJECTED_ROWS", "REPORT",
           "bar_chart", "render_class_page", "render_report"]

#: File name at the store's root, and of each class's page in its folder.
REPORT = "report.html"
#: Images shown per class on report.html (the class's first by file name).
GALLERY_SAMPLE = 100
#: Up to this many classes, report.html holds every gallery; beyond, one page per class.
INLINE_CLASSES = 30
#: Images on a class's own page.
CLASS_PAGE_SAMPLE = 240
#: Bars per chart; the rest are summed in one "others" bar.
MAX_BARS = 40
#: Classes listed in report.html's tables and contents (the biggest); every class keeps its own page.
MAX_CLASSES_LISTED = 2000
#: Crawls shown in the run history (the newest); crawls.jsonl has them all.
MAX_RUNS = 200

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


def _src(file_name: object, up: str = "") -> str | None:
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


def _plural(count: int, word: str, words: str | None = None) -> str:
    return f"{count:,} " + (word if count == 1 else words or word + "s")


def _anchor(label: str) -> str:
    return "class-" + escape(quote(label, safe=""), quote=True)


def _figure(row: Mapping[str, Any], thumbs: Mapping[str, str], up: str = "") -> str:
    src = _src(row.get("file_name"), up)
    lic = license_of(row)
    full_title = str(row.get("title") or "").strip() or "Untitled image"
    # A very long title is shortened in the text (whole in the tooltip), never cut by CSS.
    title = full_title if len(full_title) <= 140 else full_title[:139] + "…"
    alt = escape(full_title, quote=True)
    thumb = _src(thumbs.get(str(row.get("file_name"))), up) if src else None
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


def _gallery(rows: Sequence[Mapping[str, Any]], thumbs: Mapping[str, str], labels: Mapping[str, int],
             sample: int = GALLERY_SAMPLE, up: str = "") -> str:
    """Each class's first ``sample`` images by file name, under a heading with its whole count."""
    by_label = _by_label(rows)
    if not by_label:
        return "<p>No image kept yet.</p>"
    parts = []
    for label, members in by_label.items():
        members = sorted(members, key=lambda r: str(r.get("file_name") or ""))[:sample]
        total = max(labels.get(label, 0), len(members))
        shown = f" (showing {len(members):,})" if total > len(members) else ""
        parts.append(f'<h3 id="{_anchor(label)}">{escape(label)} ({total:,}){shown}</h3>')
        parts.append('<div class="gallery">' + "".join(_figure(row, thumbs, up) for row in members) + "</div>")
    return "".join(parts)


def _biggest(labels: Mapping[str, int], others: Iterable[str] = ()) -> tuple[list[str], str]:
    """The classes to list (sorted by name: the MAX_CLASSES_LISTED biggest) and a note when cut."""
    names = set(labels) | set(others)
    if len(names) <= MAX_CLASSES_LISTED:
        return sorted(names), ""
    kept = sorted(sorted(names, key=lambda name: (-labels.get(name, 0), name))[:MAX_CLASSES_LISTED])
    note = (f'<p class="note">The {MAX_CLASSES_LISTED:,} biggest of {len(names):,} classes; each class has its '
            "page at &lt;class&gt;/report.html.</p>")
    return kept, note


def _class_link(label: str, pages: Mapping[str, str]) -> str:
    page = pages.get(label)
    return escape(page, quote=True) if page else f"#{_anchor(label)}"


def _contents(labels: Counter[str], pages: Mapping[str, str] | None = None) -> str:
    """A bar of section links that stays at the top, then a jump link per class (not sticky:
    hundreds of classes would cover the page)."""
    links = [
        '<a href="#counts">Counts</a>', '<a href="#classes">Classes</a>', '<a href="#matrix">Class × license</a>',
        '<a href="#runs">Runs</a>', '<a href="#kept">Images</a>', '<a href="#rejected-results">Rejected</a>',
    ]
    names, _ = _biggest(labels)
    classes = [
        f'<a href="{_class_link(label, pages or {})}">{escape(label)}&nbsp;({labels[label]:,})</a>' for label in names
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


def _class_table(summary: StoreSummary, crawls: Sequence[Mapping[str, Any]], pages: Mapping[str, str]) -> str:
    labels = summary.labels
    drops = {label: summary.reasons_of(label) for label, _ in summary.label_reasons}
    names, note = _biggest(labels, drops)
    limits = _limits(crawls)
    head = ('<tr><th>class</th><th class="n">in the store</th><th>last crawl: kept / limit</th>'
            "<th>top drop reasons (all crawls)</th></tr>")
    body = []
    for label in names:
        kept, limit, mode = limits.get(label, (0, None, "add"))
        last = "—" if limit is None else f"{kept:,} / {limit:,}"
        if limit is not None and mode == "top-up":
            last += " (top-up: limit counts the store)"
        reasons = drops.get(label, Counter())
        top = ", ".join(f"{escape(reason)} {count:,}" for reason, count in reasons.most_common(3)) or "—"
        body.append(
            f'<tr><td><a href="{_class_link(label, pages)}">{escape(label)}</a></td>'
            f'<td class="n">{labels.get(label, 0):,}</td><td>{last}</td><td>{top}</td></tr>'
        )
    return f'{note}<table id="class-table"><thead>{head}</thead><tbody>{"".join(body)}</tbody></table>'


def _matrix(summary: StoreSummary) -> str:
    cells = summary.label_licenses
    labels, _ = _biggest(summary.labels)
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
    if len(crawls) > MAX_RUNS:
        blocks.append(
            f'<p class="note">The newest {MAX_RUNS:,} of {len(crawls):,} crawls; crawls.jsonl has them all.</p>'
        )
    for crawl in list(reversed(crawls))[:MAX_RUNS]:
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


def _rejected_table(rejected: Sequence[Mapping[str, Any]], total: int | None = None) -> str:
    """The newest MAX_REJECTED_ROWS of ``rejected`` (oldest first), newest on top; ``total``
    counts every rejected result when ``rejected`` is only the newest of them."""
    total = len(rejected) if total is None else total
    if not rejected:
        return "<p>Nothing was rejected.</p>"
    shown = list(reversed(rejected))[:MAX_REJECTED_ROWS]
    note = ""
    if total > len(shown):
        note = (
            f'<p class="note">Showing the newest {len(shown):,} of {total:,} rejected results; '
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


def _page(title: str, body: str) -> str:
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title>"
        f"<style>{_STYLE}</style></head><body>{body}</body></html>\n"
    )


def render_report(
    rows: Iterable[Mapping[str, Any]], rejected_rows: Iterable[Mapping[str, Any]],
    crawls: Iterable[Mapping[str, Any]] = (), thumbs: Mapping[str, str] | None = None,
    summary: StoreSummary | None = None, pages: Mapping[str, str] | None = None,
) -> str:
    """The whole report.html. ``rows`` are the images to show: every row of a small store, or a
    sample per class with ``summary`` counting every row and rejected result (then
    ``rejected_rows`` are only the newest); ``crawls`` the rows of crawls.jsonl; ``thumbs`` maps a
    row's ``file_name`` to its thumbnail (imagespider/dataset/thumbnails.py). ``pages`` maps a
    class to its own page: given, the galleries are there, not here."""
    kept = list(rows)
    rejected = list(rejected_rows)
    runs = list(crawls)
    if summary is None:
        summary = StoreSummary.from_rows(kept, rejected)
    rejected = rejected[-MAX_REJECTED_ROWS:]
    labels, engines, licenses, reasons = summary.labels, summary.engines, summary.licenses, summary.reasons
    summary_text = (
        f"{_plural(summary.kept, 'image')} kept in {_plural(len(labels), 'class', 'classes')} "
        f"from {_plural(len(engines), 'engine')} by {_plural(len(runs), 'crawl')}; "
        f"{_plural(summary.rejected, 'result')} rejected."
    )
    charts = "".join(
        [
            bar_chart("Kept per class", labels),
            bar_chart("Kept per engine", engines),
            bar_chart("Kept per license", licenses),
            bar_chart("Rejected per reason", reasons),
        ]
    )
    if pages:
        gallery = (f"<p>{_plural(len(labels), 'class', 'classes')}: each class's images are on its own page, "
                   "linked from the class table and the contents above.</p>")
    else:
        gallery = _gallery(kept, thumbs or {}, labels)
    return _page(
        "imagespider dataset report",
        "<h1>Dataset report</h1>"
        f'<p class="summary">{summary_text} Credits: ATTRIBUTION.md; all rows: metadata.jsonl, rejected.jsonl, '
        "crawls.jsonl.</p>"
        f"{_contents(labels, pages)}"
        f'<h2 id="counts">Counts</h2><div class="charts">{charts}</div>'
        f'<h2 id="classes">Classes: kept against the limit</h2>{_class_table(summary, runs, pages or {})}'
        f'<h2 id="matrix">Class × license</h2>{_matrix(summary)}'
        f'<h2 id="runs">Run history</h2>{_runs(runs)}'
        f'<h2>Kept images</h2><div id="kept">{gallery}</div>'
        f'<h2 id="rejected-results">Rejected results</h2>{_rejected_table(rejected, summary.rejected)}',
    )


def render_class_page(
    label: str, rows: Iterable[Mapping[str, Any]], summary: StoreSummary, thumbs: Mapping[str, str] | None = None
) -> str:
    """``<label>/report.html``: one class's counts and a sample of its images (paths from its folder)."""
    kept = list(rows)
    count = summary.labels.get(label, 0)
    reasons = summary.reasons_of(label)
    charts = bar_chart("Kept per license", summary.licenses_of(label)) + bar_chart("Rejected per reason", reasons)
    gallery = _gallery(kept, thumbs or {}, summary.labels, CLASS_PAGE_SAMPLE, "../")
    return _page(
        f"{label}: imagespider dataset report",
        f'<nav class="contents"><a href="../{REPORT}">All classes</a></nav><h1>{escape(label)}</h1>'
        f'<p class="summary">{_plural(count, "image")} kept, {_plural(sum(reasons.values()), "result")} rejected. '
        "Credits: ATTRIBUTION.md at the store's root.</p>"
        f'<div class="charts">{charts}</div>'
        f'<h2>Kept images</h2><div id="kept">{gallery}</div>',
    )
