"""The review page driven in a real Chromium (Playwright), as a user does: ``scrapy review`` started
as a command, images marked removed and moved in two classes by keyboard and buttons, a mark undone,
a near-duplicate pair resolved, applied; then the store on disk (files, rows, rejected.jsonl, index,
documents) and torchvision's ImageFolder and Hugging Face's imagefolder loading it with the new
labels; ``scrapy review --undo`` restores it byte for byte."""

from __future__ import annotations

import http.server
import io
import json
import re
import signal
import subprocess
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from imagespider.browser import default_launch_options
from imagespider.dataset.store.index import StoreIndex
from tests.conftest import PROJECT, run_scrapy, scrapy_command, scrapy_env
from tests.crawl.test_dataset_outputs import load_with_datasets
from tests.review_stores import in_step, jpeg, kept_row, snapshot, write_store


def recoded(data: bytes) -> bytes:
    """The same picture with other bytes (a CDN's re-encoding): a near duplicate."""
    buffer = io.BytesIO()
    with Image.open(io.BytesIO(data)) as image:
        image.save(buffer, "JPEG", quality=60)
    return buffer.getvalue()


@pytest.fixture
def store(tmp_path: Path) -> Path:
    root = tmp_path / "data"
    original = jpeg(100, (96, 96))
    rows = [kept_row(root, "cat", n) for n in range(8)]
    rows += [kept_row(root, "cat", 100, original), kept_row(root, "cat", 101, recoded(original))]
    rows += [kept_row(root, "dog", n) for n in range(20, 25)]
    write_store(root, rows)
    return root


@pytest.fixture
def review(store: Path) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    child = subprocess.Popen(
        scrapy_command("review", str(store), "--no-browser"), cwd=PROJECT, env=scrapy_env(None),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    assert child.stdout is not None
    line = child.stdout.readline()
    assert " at http://127.0.0.1:" in line, (line, child.stderr.read() if child.poll() is not None else "")
    yield line.split(" at ", 1)[1].split()[0], child
    if child.poll() is None:
        child.send_signal(signal.SIGINT)
        child.wait(timeout=30)


#: Every thumbnail in the grid has loaded (a broken one has no natural width).
LOADED = "() => [...document.querySelectorAll('.cell')].every(c => c.dataset.loaded === '1')"


def files_of(page: object, label: str) -> list[str]:
    return page.eval_on_selector_all(".cell", "cells => cells.map(c => c.dataset.file)")  # type: ignore[attr-defined]


def test_review_in_chromium_applies_and_undoes(store: Path, review: tuple[str, subprocess.Popen[str]],
                                               tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    url, child = review
    before = snapshot(store)
    rows = {row["file_name"]: row for row in in_step(store)}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(**default_launch_options())
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(url)
        expect(page.locator(".cell")).to_have_count(10)
        expect(page.locator("#classes button")).to_have_count(2)
        page.wait_for_function(LOADED)
        cats = sorted(files_of(page, "cat"))
        assert cats == sorted(name for name in rows if name.startswith("cat/"))
        twins = [name for name in cats if rows[name]["title"] in ("cat 100", "cat 101")]
        others = [name for name in page.eval_on_selector_all(".cell", "c => c.map(e => e.dataset.file)")
                  if name not in twins]

        # cat: remove one by keyboard, move one to dog by its button, one to a new class by keyboard.
        page.locator(f'.cell[data-file="{others[0]}"] canvas').click()
        expect(page.locator("#view")).to_be_visible()  # the large view: license, author, source page
        expect(page.locator("#view-facts")).to_contain_text("CC BY 2.0")
        expect(page.locator("#view-facts a", has_text=rows[others[0]]["title"])).to_have_attribute(
            "href", rows[others[0]]["page_url"])
        page.keyboard.press("x")
        expect(page.locator("#view-mark")).to_have_text("remove")
        page.keyboard.press("Escape")
        expect(page.locator("#view")).to_be_hidden()
        page.locator(f'.cell[data-file="{others[1]}"] button[data-act="move"]').click()
        page.fill("#move-label", "dog")
        page.click("#move-ok")
        page.locator(f'.cell[data-file="{others[2]}"] .cap').click()
        page.keyboard.press("m")
        page.fill("#move-label", "Lion")
        page.keyboard.press("Enter")
        expect(page.locator(f'.cell[data-file="{others[2]}"] .badge')).to_have_text("move to Lion")
        # A mark taken back before apply.
        page.locator(f'.cell[data-file="{others[3]}"] .cap').click()
        page.keyboard.press("x")
        expect(page.locator(f'.cell[data-file="{others[3]}"]')).to_have_class(re.compile(r"\bremove\b"))
        page.keyboard.press("u")
        expect(page.locator(f'.cell[data-file="{others[3]}"]')).not_to_have_class(re.compile(r"\bremove\b"))
        expect(page.locator("#apply")).to_have_text("Apply 3 changes")

        # The near-duplicate pair, side by side: keep one.
        page.click("#dups")
        expect(page.locator("#groups-list .group")).to_have_count(1)
        expect(page.locator("#groups-list .group figure")).to_have_count(2)
        page.click(f'#groups-list button[data-keep="{twins[0]}"]')
        expect(page.locator(f'#groups-list figure[data-file="{twins[1]}"]')).to_have_class(re.compile(r"\bremove\b"))
        page.keyboard.press("Escape")

        # dog: remove one with its button, move one to cat with the key of class 1.
        page.click('#classes button[data-label="dog"]')
        expect(page.locator(".cell")).to_have_count(5)
        dogs = files_of(page, "dog")
        page.click(f'.cell[data-file="{dogs[0]}"] button[data-act="remove"]')
        page.locator(f'.cell[data-file="{dogs[1]}"] .cap').click()
        page.keyboard.press("1")
        expect(page.locator("#apply")).to_have_text("Apply 6 changes")
        expect(page.locator('#classes button[data-label="cat"] .marked')).to_have_text("4 marked")

        page.click("#apply")
        expect(page.locator("#confirm-text")).to_contain_text("Apply 6 changes: 3 removed")
        page.click("#confirm-ok")
        expect(page.locator("body")).to_have_attribute("data-applied", re.compile(r".+-review-.+"))
        review_id = page.get_attribute("body", "data-applied")
        expect(page.locator("#classes button")).to_have_count(3)
        expect(page.locator(".cell")).to_have_count(4)
        page.wait_for_function(LOADED)
        assert not errors, errors
        page.screenshot(path=str(tmp_path / "review.png"))
        browser.close()
    child.send_signal(signal.SIGINT)
    child.wait(timeout=30)
    assert child.returncode == 0, child.stderr.read() if child.stderr else ""

    # -- the store on disk ---------------------------------------------------------------
    after = {row["file_name"]: row for row in in_step(store)}
    removed = [others[0], twins[1], dogs[0]]
    moved = {others[1]: "dog", others[2]: "lion", dogs[1]: "cat"}
    assert len(after) == len(rows) - 3
    for name in removed:
        assert name not in after and not (store / name).exists()
        label, base = name.split("/")
        assert (store / label / ".removed" / f"{base}.removed").read_bytes() == before[name]
    for name, label in moved.items():
        new = f"{label}/{name.split('/')[1]}"
        assert after[new]["label"] == label and after[new]["previous_label"] == name.split("/")[0]
        assert (store / new).read_bytes() == before[name]
    rejected = [json.loads(line) for line in (store / "rejected.jsonl").read_text().splitlines()]
    reviewed = [row for row in rejected if row["reason"] == "reviewed_removed"]
    assert sorted(row["url"] for row in reviewed) == sorted(rows[name]["image_url"] for name in removed)
    assert all(row["review_id"] == review_id for row in reviewed)
    index = StoreIndex(store)
    index.open()
    assert index.count_by_label() == {"cat": 7, "dog": 4, "lion": 1}
    index.close()
    attribution = (store / "ATTRIBUTION.md").read_text()
    assert rows[others[0]]["title"] + "]" not in attribution and rows[others[1]]["title"] in attribution
    assert "lion" in (store / "report.html").read_text() and "lion" in (store / "README.md").read_text()
    folder = pytest.importorskip("torchvision.datasets.folder")
    dataset = folder.ImageFolder(str(store))
    assert dataset.classes == ["cat", "dog", "lion"] and len(dataset) == 12
    assert [dataset.targets.count(i) for i in range(3)] == [7, 4, 1]
    loaded = load_with_datasets(store, tmp_path)
    assert loaded["rows"] == 12 and loaded["labels"] == ["cat", "dog", "lion"]

    # -- undo: byte for byte ---------------------------------------------------------------
    undone = run_scrapy("review", str(store), "--undo", str(review_id))
    assert undone.returncode == 0, undone.stderr[-3000:]
    assert "Traceback" not in undone.stderr
    assert snapshot(store) == before


def test_another_site_in_the_browser_cannot_use_the_review(store: Path, review: tuple[str, subprocess.Popen[str]],
                                                           tmp_path: Path) -> None:
    """A page of another origin open in the same browser, even knowing the token, changes nothing:
    its POST (a "simple" text/plain one that needs no preflight) is refused for its Origin, its
    reads are refused or unreadable, and ``../`` never leaves the store."""
    from playwright.sync_api import sync_playwright

    url, child = review
    base, token = url.split("/?token=")
    before = snapshot(store)
    first = sorted(p.relative_to(store).as_posix() for p in store.glob("cat/*.jpg"))[0]

    class Blank(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            body = b"<!DOCTYPE html><title>elsewhere</title>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    other = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Blank)
    threading.Thread(target=other.serve_forever, daemon=True).start()
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(**default_launch_options())
            page = browser.new_page()
            page.goto(f"http://127.0.0.1:{other.server_address[1]}/")
            outcome = page.evaluate(
                """async ([base, token, file]) => {
                  const out = {};
                  try {
                    const r = await fetch(base + '/api/apply?token=' + token, {method: 'POST', mode: 'no-cors',
                      headers: {'Content-Type': 'text/plain'}, body: JSON.stringify({marks: [{file_name: file, action: 'remove'}]})});
                    out.post = r.type;
                  } catch (e) { out.post = 'blocked'; }
                  try { await fetch(base + '/api/classes?token=' + token); out.read = 'read'; }
                  catch (e) { out.read = 'blocked'; }
                  return out;
                }""",
                [base, token, first],
            )
            assert outcome["read"] == "blocked", outcome  # no CORS header: the answer is not the other page's
            browser.close()
    finally:
        other.shutdown()
        other.server_close()
    assert snapshot(store) == before  # nothing applied
    for path in ("/file/../metadata.jsonl", "/file/cat/..%2F..%2Fmetadata.jsonl", "/api/classes"):
        target = base + path + ("" if path == "/api/classes" else f"?token={token}")  # the first with no token
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(target, timeout=10)  # noqa: S310 (our own loopback server)
        assert refused.value.code in (403, 404), path
    child.send_signal(signal.SIGINT)
    child.wait(timeout=30)
    assert child.stderr is not None
    log = child.stderr.read()
    assert "refused POST /api/apply: wrong Origin" in log and "refused GET /api/classes: wrong Origin" in log
