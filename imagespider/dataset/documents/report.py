"""report.html: a page to look at the dataset with, rebuilt at the end of every crawl.

It shows what numbers alone hide (a class full of logos, a wrong label, an engine giving mostly
broken results): a contents bar with a jump link per class, bar charts of the counts per class,
engine, license and drop reason, a class x license matrix, each class's kept count against its
limit with its top drop reasons, the store's run history (crawls.jsonl), a gallery of each class
with each image's title, author, license and source page, and the newest rejected results with
their reasons.

Its size does not grow with the store: the counts cover every row (imagespider/dataset/documents/summary.py,
from the store's index), but a class shows a bounded sample of its images (:data:`GALLERY_SAMPLE`,
the first by file name, which is by content hash, so an unbiased pick), charts their ``MAX_BARS``
biggest entries (imagespider/dataset/documents/reporthtml.py), tables their :data:`MAX_CLASSES_LISTED`
biggest classes, the run history its newest :data:`MAX_RUNS` and the rejected table its newest
:data:`MAX_REJECTED_ROWS`.
With more than :data:`INLINE_CLASSES` classes the galleries move to one page per class,
``<label>/report.html`` (:data:`CLASS_PAGE_SAMPLE` images each), and report.html links to them.

Why it is built the way it is:

* The gallery shows small thumbnails made at publish time (imagespider/dataset/documents/thumbnails.py, in
  hidden folders the loaders skip), lazily loaded, each linking to its original: a store of
  thousands of images stays a page a browser opens. Paths are relative to the store, so the page
  works offline, from ``file://``, and after the folder is moved or published.
* The page is built of safe pieces (imagespider/dataset/documents/reporthtml.py): self-contained, escaped,
  nothing cut at any width.

Pure functions, no Scrapy: :func:`render_report` takes the rows to show, the rejected and crawl
rows and (for a large store) the summary of every row, and returns HTML.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from html import escape
from typing import Any

from imagespider.dataset.documents.reporthtml import anchor, bar_chart, figure, href, html_page, link, plural
from imagespider.dataset.documents.summary import MAX_REJECTED_ROWS, StoreSummary

__all__ = ["CLASS_PAGE_SAMPLE", "GALLERY_SAMPLE", "INLINE_CLASSES", "MAX_REJECTED_ROWS", "REPORT",
           "render_class_page", "render_report"]

#: File name at the store's root, and of each class's page in its folder.
REPORT = "report.html"
#: Images shown per class on report.html (the class's first by file name).
GALLERY_SAMPLE = 100
#: Up to this many classes, report.html holds every gallery; beyond, one page per class.
INLINE_CLASSES = 30
#: Images on a class's own page.
CLASS_PAGE_SAMPLE = 240
#: Classes listed in report.html's tables and contents (the biggest); every class keeps its own page.
MAX_CLASSES_LISTED = 2000
#: Crawls shown in the run history (the newest); crawls.jsonl has them all.
MAX_RUNS = 200


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
        parts.append(f'<h3 id="{anchor(label)}">{escape(label)} ({total:,}){shown}</h3>')
        parts.append('<div class="gallery">' + "".join(figure(row, thumbs, up) for row in members) + "</div>")
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
    own = pages.get(label)
    return escape(own, quote=True) if own else f"#{anchor(label)}"


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
        f"<td>{link(row.get('url') or '', row.get('url'))}</td>"
        f"<td>{link('page', row.get('page_url')) if href(row.get('page_url')) else ''}</td>"
        f"<td>{escape(str(row.get('at') or ''))}</td>"
        "</tr>"
        for row in shown
    )
    return f'{note}<table id="rejected"><thead>{head}</thead><tbody>{body}</tbody></table>'


def render_report(
    rows: Iterable[Mapping[str, Any]], rejected_rows: Iterable[Mapping[str, Any]],
    crawls: Iterable[Mapping[str, Any]] = (), thumbs: Mapping[str, str] | None = None,
    summary: StoreSummary | None = None, pages: Mapping[str, str] | None = None,
) -> str:
    """The whole report.html. ``rows`` are the images to show: every row of a small store, or a
    sample per class with ``summary`` counting every row and rejected result (then
    ``rejected_rows`` are only the newest); ``crawls`` the rows of crawls.jsonl; ``thumbs`` maps a
    row's ``file_name`` to its thumbnail (imagespider/dataset/documents/thumbnails.py). ``pages`` maps a
    class to its own page: given, the galleries are there, not here."""
    kept = list(rows)
    rejected = list(rejected_rows)
    runs = list(crawls)
    if summary is None:
        summary = StoreSummary.from_rows(kept, rejected)
    rejected = rejected[-MAX_REJECTED_ROWS:]
    labels, engines, licenses, reasons = summary.labels, summary.engines, summary.licenses, summary.reasons
    summary_text = (
        f"{plural(summary.kept, 'image')} kept in {plural(len(labels), 'class', 'classes')} "
        f"from {plural(len(engines), 'engine')} by {plural(len(runs), 'crawl')}; "
        f"{plural(summary.rejected, 'result')} rejected."
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
        gallery = (f"<p>{plural(len(labels), 'class', 'classes')}: each class's images are on its own page, "
                   "linked from the class table and the contents above.</p>")
    else:
        gallery = _gallery(kept, thumbs or {}, labels)
    return html_page(
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
    return html_page(
        f"{label}: imagespider dataset report",
        f'<nav class="contents"><a href="../{REPORT}">All classes</a></nav><h1>{escape(label)}</h1>'
        f'<p class="summary">{plural(count, "image")} kept, {plural(sum(reasons.values()), "result")} rejected. '
        "Credits: ATTRIBUTION.md at the store's root.</p>"
        f'<div class="charts">{charts}</div>'
        f'<h2>Kept images</h2><div id="kept">{gallery}</div>',
    )
