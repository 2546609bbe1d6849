"""report.html for a store of hundreds of images, seen in Chromium at 1400 and 420 px: thumbnails
(small, lazy, in hidden folders the loaders skip), a contents bar with a link per class, the class
x license matrix, kept against the limit, the run history, and no element cut or sticking out at
either width. The store is written here (600 generated images, long names on purpose); the
screenshots are left in the test's temporary folder to be looked at."""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path

import pytest
from PIL import Image

from imagespider.browser import default_launch_options
from imagespider.dataset.documents.report import GALLERY_SAMPLE, REPORT
from imagespider.dataset.documents.thumbnails import SAMPLE, THUMBS
from imagespider.dataset.documents.write import write_documents
from imagespider.dataset.store.crawls import CRAWLS
from imagespider.dataset.store.files import MANIFEST, REJECTED
from imagespider.dataset.store.index import StoreIndex
from tests.conftest import run_scrapy
from tests.manifest_rows import store_row, write_manifest
from tests.mockserver import MockHTTPServer

LONG_LABEL = "a-class-name-that-is-far-too-long-to-fit-in-a-narrow-window-without-wrapping-" + "x" * 40
LICENSES = [
    {"license": "cc-by", "license_version": "2.0", "license_url": "https://creativecommons.org/licenses/by/2.0/"},
    {"license": "cc-by-nc-sa", "license_version": "4.0",
     "license_url": "https://creativecommons.org/licenses/by-nc-sa/4.0/"},
    {"license": "cc-unspecified"}, {"license": "unknown"}, {"license": "cc0", "license_version": "1.0"},
]
#: Any element whose box sticks out of the window, or whose content is cut or spills out of it.
OVERFLOW = """() => {
  const width = document.documentElement.clientWidth, found = [];
  const name = e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.className ? '.' + e.className : '')
    + ' "' + (e.textContent || '').slice(0, 40) + '"';
  if (document.documentElement.scrollWidth > width + 1) found.push('the page scrolls sideways');
  for (const e of document.body.querySelectorAll('*')) {
    const box = e.getBoundingClientRect(), style = getComputedStyle(e);
    if (!box.width && !box.height) continue;
    if (box.right > width + 1 || box.left < -1) found.push('outside the window: ' + name(e));
    if (style.display !== 'inline' && e.clientWidth && e.scrollWidth > e.clientWidth + 1)
      found.push('content wider than its box: ' + name(e));
    if (style.overflowY !== 'visible' && e.clientHeight && e.scrollHeight > e.clientHeight + 1)
      found.push('content cut: ' + name(e));
    if (style.textOverflow === 'ellipsis') found.push('ellipsis: ' + name(e));
  }
  return found.slice(0, 30);
}"""


def jpeg(seed: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (900 + seed % 7 * 40, 600), ((seed * 37) % 255, (seed * 91) % 255, (seed * 53) % 255)).save(
        buffer, "JPEG", quality=90)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("report") / "data"
    labels = [f"class-{i:02d}" for i in range(11)] + [LONG_LABEL, "日本語の猫"]
    rows, rejected = [], []
    for n in range(600):
        label = labels[n % len(labels)]
        data = jpeg(n)
        sha = hashlib.sha256(data).hexdigest()
        (root / label).mkdir(parents=True, exist_ok=True)
        (root / label / f"{sha}.jpg").write_bytes(data)
        rows.append({
            "file_name": f"{label}/{sha}.jpg", "label": label, "query": label, "engine": ("bing", "flickr")[n % 2],
            "image_url": f"https://img.example/{n}/" + "very-long-path-segment/" * 6 + "x.jpg",
            "page_url": f"https://photos.example/{n}", "title": ("An unusually long title " * (n % 9)) or "cat",
            "author": "Author with a rather long name " * (n % 3), "width": 900, "height": 600, "format": "JPEG",
            "sha256": sha, "license_source": "api", **LICENSES[n % len(LICENSES)],
        })
        rejected.append({"url": f"https://img.example/bad/{n}/" + "z" * 120 + ".jpg", "label": label, "query": label,
                         "engine": "bing", "page_url": None, "reason": ("http_error", "too_small", "duplicate")[n % 3],
                         "detail": "HTTP 503 " + "detail " * 20, "at": "2026-11-30T06:00:00+00:00"})
    with (root / REJECTED).open("w", encoding="utf-8") as handle:
        handle.writelines(json.dumps(row) + "\n" for row in rejected)
    crawl = {"id": "20261130T060000Z-bing-abc", "spider": "bing", "start": "2026-11-30T06:00:00+00:00",
             "end": "2026-11-30T06:10:00+00:00", "arguments": {"queries": "/srv/" + "q" * 150 + ".txt", "limit": "60"},
             "kept": 600, "dropped": {"http_error": 200, "too_small": 200, "duplicate": 200},
             "finish_reason": "finished",
             "queries": [{"label": label, "query": label, "limit": 60, "kept": 46} for label in labels]}
    (root / CRAWLS).write_text(json.dumps(crawl) + "\n", encoding="utf-8")
    (root / MANIFEST).write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    index = StoreIndex(root)  # the documents are written from the store's index (imagespider/dataset/store/index.py)
    index.open()
    try:
        write_documents(root, index)
    finally:
        index.close()
    return root


def test_thumbnails_are_small_hidden_and_not_images_to_the_loaders(store: Path) -> None:
    thumbs = sorted(store.glob(f"*/{THUMBS}/*"))
    assert len(thumbs) == 600
    assert max(path.stat().st_size for path in thumbs) < 20_000
    torchvision_folder = pytest.importorskip("torchvision.datasets.folder")
    assert not [p for p in thumbs if p.suffix.lower() in torchvision_folder.IMG_EXTENSIONS]
    assert [p.name for p in store.iterdir() if p.is_dir() and p.name.startswith(".")] == []  # no class for torchvision
    html = (store / REPORT).read_text(encoding="utf-8")
    assert html.count(f'/{THUMBS}/') == 600 and html.count('loading="lazy"') == 600


def test_report_sections(store: Path) -> None:
    html = (store / REPORT).read_text(encoding="utf-8")
    for section in ('id="counts"', 'id="classes"', 'id="matrix"', 'id="runs"', 'id="kept"', 'id="rejected"'):
        assert section in html
    assert html.count('<a href="#class-') >= 2 * 13  # the contents bar and the class table link every class
    assert "46 / 60" in html  # kept against the limit
    assert "http_error 16" in html  # a class's top drop reasons
    matrix = html.split('id="matrix-table"')[1].split("</table>")[0]
    assert matrix.count("<tr>") == 1 + 13 and "CC BY-NC-SA 4.0" in matrix


@pytest.mark.parametrize("width", [1400, 420])
def test_nothing_is_cut_or_sticks_out_in_chromium(store: Path, width: int, tmp_path: Path) -> None:
    """Screenshots (top, counts, matrix, runs, a class's gallery) stay in tmp_path to be looked at."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(**default_launch_options())
        try:
            page = browser.new_page(viewport={"width": width, "height": 1000})
            failed: list[str] = []
            page.on("requestfailed", lambda request: failed.append(request.url))
            page.goto((store / REPORT).as_uri(), wait_until="load")
            assert page.evaluate(OVERFLOW) == []
            # The contents bar jumps to a class; its thumbnails load (lazily) there.
            page.click(f'nav.classlist a[href="#class-{LONG_LABEL}"]')
            page.wait_for_function(
                f"Array.from(document.querySelectorAll('#class-{LONG_LABEL} + .gallery img')).slice(0, 4)"
                ".every(i => i.complete && i.naturalWidth > 0)", timeout=15_000)
            assert page.evaluate("() => window.scrollY") > 1000
            page.screenshot(path=str(tmp_path / f"report-{width}-gallery.png"))
            for section in ("counts", "matrix", "runs"):
                page.evaluate(f"document.getElementById('{section}').scrollIntoView()")
                page.screenshot(path=str(tmp_path / f"report-{width}-{section}.png"))
            page.evaluate("window.scrollTo(0, 0)")
            page.screenshot(path=str(tmp_path / f"report-{width}-top.png"))
            assert not failed, failed[:5]
        finally:
            browser.close()


def test_a_crawl_makes_thumbnails_only_for_images_the_report_can_show(
    mockserver: MockHTTPServer, tmp_path: Path
) -> None:
    """Issue 19: once a class holds as many images as its report shows (SAMPLE, the first by
    file name, so by sha256), the check makes a thumbnail only for a new image that sorts among
    them. The class here holds SAMPLE rows whose digests are spread evenly over the lower half of
    the sha256 range, so about half of the crawl's images sort among them."""
    store, label = tmp_path / "data", "spread"
    step = (1 << 255) // SAMPLE
    write_manifest(store, [store_row(n * step, label) for n in range(1, SAMPLE + 1)])
    cutoff = f"{SAMPLE * step:064x}"
    urls = tmp_path / "urls.txt"
    urls.write_text("".join(f"{mockserver.base}/openverse-img/{label}/{n}.jpg\n" for n in range(12)))
    result = run_scrapy("crawl", "urls", "-a", f"path={urls}", "-a", f"label={label}", "-a", "license=any",
                        "-s", f"IMAGES_STORE={store}")
    assert result.returncode == 0, result.stderr[-3000:]
    rows = [json.loads(line) for line in (store / MANIFEST).read_text(encoding="utf-8").splitlines()][SAMPLE:]
    shown = {row["sha256"] for row in rows if row["sha256"] <= cutoff}
    assert len(rows) == 12 and 0 < len(shown) < len(rows)
    thumbs = {path.stem for path in (store / label / THUMBS).glob("*.jfif")}
    assert thumbs == shown
    # report.html shows the class's first GALLERY_SAMPLE files, each new one by its thumbnail.
    first = sorted(row["file_name"] for row in rows + [store_row(n * step, label) for n in range(1, SAMPLE + 1)])
    in_report = [row["sha256"] for row in rows if row["file_name"] in first[:GALLERY_SAMPLE]]
    html = (store / REPORT).read_text(encoding="utf-8")
    assert in_report and all(f"{label}/{THUMBS}/{sha}.jfif" in html for sha in in_report)
