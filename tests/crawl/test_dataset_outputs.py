"""What a crawl leaves for people and loaders, end to end on the mock Bing: ATTRIBUTION.md,
report.html seen in headless Chromium, progress lines in the log, and the store read as it is by
Hugging Face ``datasets`` and torchvision ``ImageFolder``.

Two crawls go into one store (``cat`` then ``dog``), so the documents are shown to cover earlier
crawls too."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from imagespider.browser import default_launch_options
from imagespider.dataset.store.manifest import RIGHTS_FIELDS
from tests.conftest import PROJECT
from tests.crawl.conftest import Crawl, CrawlResult, read_jsonl

FAST = {"SCROLL_WAIT_TIMEOUT": 3, "SCROLL_STEP_PAUSE": 0.05, "LOG_LEVEL": "INFO"}
#: What torchvision.datasets.folder.IMG_EXTENSIONS accepts (checked against torchvision below).
IMAGEFOLDER_EXTENSIONS = (".jpg", ".jpeg", ".png", ".ppm", ".bmp", ".pgm", ".tif", ".tiff", ".webp")


def bing(crawl: Crawl, query: str, limit: int, store: Path | None = None) -> CrawlResult:
    return crawl(
        "bing", "-a", f"q={query}", "-a", f"limit={limit}", "-a", "license=any",
        store=store, settings={"PROGRESS_INTERVAL": 0.5, **FAST},
    )


@pytest.fixture(scope="module")
def first_crawl(crawl: Crawl) -> tuple[Path, str, str]:
    """One crawl of 20 cats; returns the store, the log, and ATTRIBUTION.md as it was then."""
    result = bing(crawl, "cat", 20)
    assert result.returncode == 0, result.stderr[-3000:]
    return result.store, result.stderr, (result.store / "ATTRIBUTION.md").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def store(first_crawl: tuple[Path, str, str], crawl: Crawl) -> Path:
    """The same store after a second crawl (5 dogs)."""
    path = first_crawl[0]
    result = bing(crawl, "dog", 5, store=path)
    assert result.returncode == 0, result.stderr[-3000:]
    return path


def tasl_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("- ")]


# -- ATTRIBUTION.md ----------------------------------------------------------------------


def test_attribution_has_a_tasl_line_per_kept_image(first_crawl: tuple[Path, str, str]) -> None:
    store, _, attribution = first_crawl
    lines = tasl_lines(attribution)
    assert len(lines) == 20
    assert "## Unknown license (20 images)" in attribution  # license=any on Bing: no claim at all
    for row in read_jsonl(store / "metadata.jsonl"):
        assert sum(row["file_name"] in line for line in lines) == 1


def test_attribution_covers_earlier_crawls(store: Path) -> None:
    lines = tasl_lines((store / "ATTRIBUTION.md").read_text(encoding="utf-8"))
    rows = read_jsonl(store / "metadata.jsonl")
    assert len(rows) == len(lines) == 25
    assert not [p.name for p in store.iterdir() if p.name.endswith(".tmp")]  # written whole, then moved


# -- progress ----------------------------------------------------------------------------


def test_progress_lines_and_summary_in_the_log_and_stats(first_crawl: tuple[Path, str, str]) -> None:
    store, log, _ = first_crawl
    progress = re.findall(r"progress: bing 'cat' \(cat\): kept (\d+)/20, dropped (\d+)", log)
    assert progress, log[-3000:]
    rejected = [r for r in read_jsonl(store / "rejected.jsonl") if r["query"] == "cat"]  # not the later crawl's
    summary = re.search(r"summary: bing 'cat' \(cat\): kept 20/20, dropped (\d+)(?: \((.*)\))?\n", log)
    assert summary, log[-3000:]
    assert int(summary.group(1)) == len(rejected)
    for reason in {r["reason"] for r in rejected}:
        count = sum(r["reason"] == reason for r in rejected)
        assert f"{reason} {count}" in summary.group(2)
        assert f"'imagespider/query/cat/dropped/{reason}': {count}," in log
    assert re.search(r"summary: 1 query, kept 20 in this run, dropped \d+ .*; finish reason finished", log)
    assert "'imagespider/query/cat/kept': 20," in log


# -- report.html -------------------------------------------------------------------------


def open_report(store: Path, tmp_path: Path) -> tuple[list[int], list[str], list[str], Path]:
    """Open report.html from a moved copy of the store in Chromium, scroll every lazy image into
    view as a reader would, and return the images' natural widths, their sources, the requests
    that failed and a full-page screenshot."""
    from playwright.sync_api import sync_playwright

    # The report must not depend on where the store is: open it from a moved copy.
    moved = tmp_path / "moved"
    os.rename(store, moved)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(**default_launch_options())
            try:
                page = browser.new_page(viewport={"width": 1200, "height": 900})
                failed: list[str] = []
                page.on("requestfailed", lambda request: failed.append(request.url))
                page.goto((moved / "report.html").as_uri(), wait_until="load")
                for image in page.locator("#kept img").all():
                    image.scroll_into_view_if_needed()
                page.wait_for_function(
                    "Array.from(document.querySelectorAll('#kept img')).every(i => i.complete)", timeout=15_000
                )
                widths = page.eval_on_selector_all("#kept img", "images => images.map(i => i.naturalWidth)")
                sources = page.eval_on_selector_all("#kept img", "images => images.map(i => i.getAttribute('src'))")
                screenshot = tmp_path / "report.png"
                page.evaluate("window.scrollTo(0, 0)")
                page.screenshot(path=str(screenshot), full_page=True)
            finally:
                browser.close()
    finally:
        os.rename(moved, store)
    return widths, sources, failed, screenshot


def test_report_renders_every_kept_image_in_chromium(store: Path, tmp_path: Path) -> None:
    rows = read_jsonl(store / "metadata.jsonl")
    widths, sources, failed, screenshot = open_report(store, tmp_path)
    assert len(widths) == len(rows) == 25
    assert all(width > 0 for width in widths), widths
    # Thumbnails made at publish time (imagespider/dataset/documents/thumbnails.py), each linking to its original.
    assert sorted(sources) == sorted(f"{row['label']}/.thumbs/{row['sha256']}.jfif" for row in rows)
    assert not failed, failed
    assert screenshot.stat().st_size > 50_000


def test_report_counts_and_rejected_list(store: Path) -> None:
    html = (store / "report.html").read_text(encoding="utf-8")
    rejected = read_jsonl(store / "rejected.jsonl")
    assert 'title="bing: 25"' in html and 'title="Unknown license: 25"' in html
    for reason in {r["reason"] for r in rejected}:
        assert f'title="{reason}: {sum(r["reason"] == reason for r in rejected)}"' in html
    assert html.split('<table id="rejected">')[1].count("<tr>") == len(rejected) + 1


# -- loaders -----------------------------------------------------------------------------

HF_SCRIPT = """
import json, sys
import datasets
ds = datasets.load_dataset("imagefolder", data_dir=sys.argv[1], split="train")
print(json.dumps({
    "rows": len(ds),
    "columns": ds.column_names,
    "labels": sorted(set(ds["label"])),
    "sizes": sorted([list(image.size) for image in ds["image"]]),
    "rights_keys": sorted(ds.features["rights"].keys()),
    "first": {k: v for k, v in ds[0].items() if k != "image"},
}, default=str))
"""


def load_with_datasets(store: Path, tmp_path: Path) -> dict:
    """Hugging Face ``imagefolder`` on the store as it is, offline, in a child process."""
    env = {
        **os.environ, "PYTHONPATH": str(PROJECT), "HF_HOME": str(tmp_path / "hf"),
        "HF_DATASETS_CACHE": str(tmp_path / "hf" / "datasets"), "HF_DATASETS_OFFLINE": "1", "HF_HUB_OFFLINE": "1",
    }
    result = subprocess.run(
        [sys.executable, "-c", HF_SCRIPT, str(store)], env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_hugging_face_imagefolder_loads_the_store_as_it_is(store: Path, tmp_path: Path) -> None:
    loaded = load_with_datasets(store, tmp_path)
    rows = read_jsonl(store / "metadata.jsonl")
    assert loaded["rows"] == len(rows) == 25
    assert loaded["labels"] == ["cat", "dog"]
    assert loaded["sizes"] == sorted([row["width"], row["height"]] for row in rows)
    expected_columns = {"image"} | set(rows[0]) - {"file_name"}
    assert set(loaded["columns"]) == expected_columns
    assert loaded["rights_keys"] == sorted(RIGHTS_FIELDS)
    assert loaded["first"]["engine"] == "bing" and loaded["first"]["title"]


def test_every_manifest_row_has_the_same_rights_keys(store: Path) -> None:
    """A nested column whose keys vary between rows fails to load in Hugging Face datasets once
    the manifest passes 10 MB (its schema is taken from the first 10 MB)."""
    rows = read_jsonl(store / "metadata.jsonl")
    assert {tuple(row["rights"]) for row in rows} == {RIGHTS_FIELDS}


def test_the_store_is_an_imagefolder_layout(store: Path) -> None:
    """torchvision's ImageFolder takes every folder under the root for a class and loads the files
    in it with an image extension: no other folder (thumbnails, caches) may be there. Inside a
    class, only the report's hidden ``.thumbs`` folder, whose ``.jfif`` files ImageFolder does not read."""
    folders = sorted(p.name for p in store.iterdir() if p.is_dir())
    assert folders == ["cat", "dog"]
    for folder in folders:
        files = [f for f in (store / folder).iterdir() if f.name != ".thumbs"]
        assert files and all(f.is_file() and f.suffix.lower() in IMAGEFOLDER_EXTENSIONS for f in files)
        thumbs = list((store / folder / ".thumbs").iterdir())
        assert len(thumbs) == len(files) and not [f for f in thumbs if f.suffix.lower() in IMAGEFOLDER_EXTENSIONS]


def test_torchvision_imagefolder_loads_the_store(store: Path) -> None:
    folder = pytest.importorskip("torchvision.datasets.folder")
    assert set(IMAGEFOLDER_EXTENSIONS) == set(folder.IMG_EXTENSIONS)
    dataset = folder.ImageFolder(str(store))
    rows = read_jsonl(store / "metadata.jsonl")
    assert dataset.classes == ["cat", "dog"]
    assert len(dataset) == len(rows)
    counts = {label: sum(row["label"] == label for row in rows) for label in ("cat", "dog")}
    assert counts == {"cat": 20, "dog": 5}
    assert [dataset.targets.count(i) for i in range(2)] == [20, 5]
    image, target = dataset[len(dataset) - 1]
    assert target == 1 and image.size[0] > 0
