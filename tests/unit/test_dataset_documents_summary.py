"""The documents of a large store, written from its index (imagespider/dataset/documents/summary.py,
imagespider/dataset/documents/write.py), on real files in tmp_path.

What is proven here:
- the summary from the index equals the summary from the rows in memory (counts per class,
  engine, license, the card's column kinds, rejected counts and the newest rejected rows), and
  rejected.jsonl is read only where it grew;
- the documents of a small store are those of the rows in memory (ATTRIBUTION.md byte for byte);
- a store over the split threshold gets one credits file per class, linked from ATTRIBUTION.md,
  crediting every row once; a class file is rewritten only when its class changed;
- with many classes, report.html links one page per class, holds no gallery and stays small,
  and each class page shows a bounded sample with paths that work from its folder.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from imagespider.dataset.documents import write as documents
from imagespider.dataset.documents.attribution import ATTRIBUTION, render_attribution
from imagespider.dataset.documents.card import CARD, render_card
from imagespider.dataset.documents.report import CLASS_PAGE_SAMPLE, INLINE_CLASSES, REPORT
from imagespider.dataset.documents.summary import StoreSummary
from imagespider.dataset.store.files import MANIFEST, REJECTED
from imagespider.dataset.store.index import StoreIndex

LICENSES = [
    {"license": "cc-by", "license_version": "2.0", "license_url": "https://creativecommons.org/licenses/by/2.0/"},
    {"license": "cc0", "license_version": "1.0", "license_url": "https://creativecommons.org/publicdomain/zero/1.0/"},
    {"license": "unknown"},
]


def row(n: int, label: str) -> dict[str, Any]:
    digest = f"{n:064x}"
    return {
        "file_name": f"{label}/{digest}.jpg", "label": label, "query": label, "engine": ["bing", "flickr"][n % 2],
        "image_url": f"https://img.example.com/{n}.jpg", "page_url": f"https://page.example.com/{n}",
        "title": f"Photo {n}", "author": None if n % 3 else f"Author {n}", "sha256": digest,
        "width": 10, "height": 10, "tags": ["a"], **LICENSES[n % 3],
    }


def make_store(root: Path, classes: int, per_class: int, rejected: int = 0) -> list[dict[str, Any]]:
    rows = [row(c * per_class + i, f"class{c:03d}") for c in range(classes) for i in range(per_class)]
    root.mkdir(parents=True, exist_ok=True)
    (root / MANIFEST).write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    for r in rows:
        (root / r["file_name"]).parent.mkdir(exist_ok=True)
    with (root / REJECTED).open("w", encoding="utf-8") as handle:
        for n in range(rejected):
            handle.write(json.dumps({"url": f"https://x.example/{n}", "label": f"class{n % classes:03d}",
                                     "reason": ["http_error", "duplicate"][n % 2], "at": "2026-01-01T00:00:00+00:00"}) + "\n")
    return rows


def index_of(root: Path) -> StoreIndex:
    index = StoreIndex(root)
    index.open()
    return index


def test_the_index_summary_equals_the_summary_of_the_rows(tmp_path: Path) -> None:
    rows = make_store(tmp_path, 3, 7, rejected=2500)
    rejected = [json.loads(line) for line in (tmp_path / REJECTED).read_text().splitlines()]
    index = index_of(tmp_path)
    try:
        from_index = StoreSummary.from_index(index, tmp_path / REJECTED)
        assert from_index == StoreSummary.from_rows(rows, rejected)
        # Only what was appended is read again.
        with (tmp_path / REJECTED).open("a", encoding="utf-8") as handle:
            handle.write(json.dumps({"label": "class000", "reason": "too_small"}) + "\n")
        again = StoreSummary.from_index(index, tmp_path / REJECTED)
        assert again.rejected == 2501 and again.reasons["too_small"] == 1
    finally:
        index.close()
    assert render_card(rows) == render_card((), (), from_index)


def test_a_small_store_gets_the_same_documents_as_before(tmp_path: Path) -> None:
    rows = make_store(tmp_path, 2, 5)
    index = index_of(tmp_path)
    try:
        documents.write_documents(tmp_path, index)
    finally:
        index.close()
    assert (tmp_path / ATTRIBUTION).read_text(encoding="utf-8") == render_attribution(rows)
    html = (tmp_path / REPORT).read_text(encoding="utf-8")
    assert len(re.findall(r"<img ", html)) == 10
    assert (tmp_path / CARD).read_text(encoding="utf-8").startswith("---\n")
    assert not list(tmp_path.glob("*/" + ATTRIBUTION)) and not list(tmp_path.glob("*/" + REPORT))


def test_a_large_store_is_split_per_class(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(documents, "ATTRIBUTION_SPLIT_ROWS", 50)
    classes = INLINE_CLASSES + 5
    rows = make_store(tmp_path, classes, 9, rejected=100)
    index = index_of(tmp_path)
    try:
        documents.write_documents(tmp_path, index)
        credits = (tmp_path / ATTRIBUTION).read_text(encoding="utf-8")
        assert f"This dataset holds {len(rows):,} images" in credits
        for c in range(classes):
            assert f"[class{c:03d}](class{c:03d}/ATTRIBUTION.md): 9 images" in credits
        lines = [line for path in sorted(tmp_path.glob("*/" + ATTRIBUTION))
                 for line in path.read_text(encoding="utf-8").splitlines() if line.startswith("- ")]
        assert sorted(re.findall(r"File: (\S+)", "\n".join(lines))) == sorted(r["file_name"] for r in rows)

        html = (tmp_path / REPORT).read_text(encoding="utf-8")
        assert "<img " not in html
        assert all(f'href="class{c:03d}/report.html"' in html for c in range(classes))
        page = (tmp_path / "class000" / REPORT).read_text(encoding="utf-8")
        assert page.count("<img ") == 9 and f'src="../class000/{0:064x}.jpg"' in page

        # Nothing changed: no class file is written again; one class grows: only it is.
        before = {path: path.stat().st_mtime_ns for path in tmp_path.glob("*/*.*") if path.suffix in (".md", ".html")}
        documents.write_documents(tmp_path, index)
        assert before == {path: path.stat().st_mtime_ns for path in before}
        extra = row(10_000, "class001")
        line = (json.dumps(extra) + "\n").encode()
        offset = (tmp_path / MANIFEST).stat().st_size
        with (tmp_path / MANIFEST).open("ab") as handle:
            handle.write(line)
        index.add(extra, offset, line)
        documents.write_documents(tmp_path, index)
        changed = {path.relative_to(tmp_path).as_posix() for path in before if path.stat().st_mtime_ns != before[path]}
        assert changed == {"class001/ATTRIBUTION.md", "class001/report.html"}
        assert f"File: class001/{10_000:064x}.jpg" in (tmp_path / "class001" / ATTRIBUTION).read_text(encoding="utf-8")
    finally:
        index.close()


def test_a_class_page_shows_a_bounded_sample(tmp_path: Path) -> None:
    make_store(tmp_path, INLINE_CLASSES + 1, 1)
    big = [row(100_000 + n, "class000") for n in range(CLASS_PAGE_SAMPLE + 30)]
    with (tmp_path / MANIFEST).open("a", encoding="utf-8") as handle:
        handle.write("".join(json.dumps(r) + "\n" for r in big))
    index = index_of(tmp_path)
    try:
        documents.write_documents(tmp_path, index)
    finally:
        index.close()
    page = (tmp_path / "class000" / REPORT).read_text(encoding="utf-8")
    assert page.count("<img ") == CLASS_PAGE_SAMPLE
    assert f"({CLASS_PAGE_SAMPLE + 31:,}) (showing {CLASS_PAGE_SAMPLE:,})" in page


def test_a_url_counts_once_by_its_latest_rejection_and_not_once_kept(tmp_path: Path) -> None:
    rows = make_store(tmp_path, 1, 3)
    history = [
        {"url": rows[0]["image_url"], "label": "class000", "reason": "private_address", "crawl": "c1"},  # kept now
        {"url": "https://x.example/a.jpg", "label": "class000", "reason": "http_error", "crawl": "c1"},
        {"url": "https://x.example/a.jpg", "label": "class000", "reason": "too_small", "crawl": "c2"},  # latest
        {"label": "class000", "reason": "empty", "crawl": "c2"},  # no URL: counted on its own
    ]
    (tmp_path / REJECTED).write_text("".join(json.dumps(r) + "\n" for r in history), encoding="utf-8")
    index = index_of(tmp_path)
    try:
        summary = StoreSummary.from_index(index, tmp_path / REJECTED)
    finally:
        index.close()
    assert summary.rejected == 2 and summary.reasons == {"too_small": 1, "empty": 1}
    assert [r["reason"] for r in summary.newest_rejected] == ["too_small", "empty"]
    assert summary == StoreSummary.from_rows(rows, history)
