#!/usr/bin/env python
"""The review page with one class of 10,000 images, in Chromium (issue 30).

Run from the project root::

    .venv/bin/python benchmarks/review.py                     # 10,000 images in one class
    .venv/bin/python benchmarks/review.py --images 50000 --json out.json

A store is written to a temporary folder: ``--images`` JPEGs in one class, each with its report
thumbnail (240 x 180, as a crawl leaves them: imagespider/dataset/documents/thumbnails.py), and their rows.
``scrapy review --no-browser`` serves it as a user starts it; headless Chromium (the launch
options the spiders use, imagespider/browser.py) opens the printed address.

Figures: seconds from ``goto`` until the grid's thumbnails in view have all loaded (the page is
usable); the cells in the DOM (only those in view exist); the memory summed over the Chromium
processes, on about:blank, after opening, and at its peak while the grid is scrolled from top to
bottom in 25 jumps, each waiting for its thumbnails: as PSS (shared pages split among the processes
mapping them, other Chromiums on the machine included, so it moves with them) and USS (pages
this Chromium alone holds). The goal: open in under 2 s and stay under 300 MB.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from imagespider.browser import default_launch_options  # noqa: E402

JUMPS = 25
LOADED = "() => [...document.querySelectorAll('.cell')].every(c => c.dataset.loaded === '1')"


def build_store(root: Path, images: int) -> None:
    """``images`` JPEGs in ``cat/`` with thumbnails and rows (a few pictures, each file's bytes made unique)."""
    generator = random.Random(30)
    (root / "cat" / ".thumbs").mkdir(parents=True)
    bases = []
    for _ in range(16):
        image = Image.new("RGB", (480, 360), tuple(generator.randrange(256) for _ in range(3)))
        for _spot in range(40):
            x, y = generator.randrange(480), generator.randrange(360)
            image.paste(tuple(generator.randrange(256) for _ in range(3)), (x, y, x + 60, y + 45))
        bases.append(image)
    thumbs = []
    for image in bases:
        buffer = io.BytesIO()
        image.resize((240, 180)).save(buffer, "JPEG", quality=72)
        thumbs.append(buffer.getvalue())
    originals = []
    for image in bases:
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=85)
        originals.append(buffer.getvalue())
    lines = []
    for n in range(images):
        # A JPEG comment after SOI makes each file's bytes (and sha256) its own.
        data = originals[n % 16][:2] + b"\xff\xfe\x00\x0c" + f"{n:010d}".encode() + originals[n % 16][2:]
        sha = hashlib.sha256(data).hexdigest()
        (root / "cat" / f"{sha}.jpg").write_bytes(data)
        (root / "cat" / ".thumbs" / f"{sha}.jfif").write_bytes(thumbs[n % 16])
        lines.append(json.dumps({
            "file_name": f"cat/{sha}.jpg", "label": "cat", "query": "cat", "engine": ("bing", "flickr")[n % 2],
            "image_url": f"https://img.example/{n}.jpg", "page_url": f"https://photos.example/{n}",
            "title": f"Cat number {n}", "author": f"Author {n % 97}", "license": ("cc-by", "cc-unspecified")[n % 5 == 0],
            "width": 480, "height": 360, "format": "JPEG", "bytes": len(data), "sha256": sha,
            "phash": f"{generator.getrandbits(64):016x}",
        }))
    (root / "metadata.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (root / "rejected.jsonl").write_text("", encoding="utf-8")


def memory_of(pid: int) -> tuple[int, int]:
    """(PSS, USS) in bytes: PSS shares pages among every process mapping them (other Chromiums on the
    machine included, so it moves with them); USS is the pages this process alone holds."""
    pss = uss = 0
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                pss = int(line.split()[1]) * 1024
            elif line.startswith(("Private_Clean:", "Private_Dirty:")):
                uss += int(line.split()[1]) * 1024
    except OSError:
        pass
    return pss, uss


def chromium_memory() -> tuple[int, int]:
    """(PSS, USS) summed over the Chromium processes descended from this one."""
    parents: dict[int, int] = {}
    names: dict[int, str] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        name = stat[stat.index("(") + 1:stat.rindex(")")]
        parents[int(entry)] = int(stat[stat.rindex(")") + 2:].split()[1])
        names[int(entry)] = name
    mine = {os.getpid()}
    changed = True
    while changed:
        changed = False
        for pid, parent in parents.items():
            if parent in mine and pid not in mine:
                mine.add(pid)
                changed = True
    found = [memory_of(pid) for pid in mine if "chrom" in names.get(pid, "").lower()]
    return sum(pss for pss, _ in found), sum(uss for _, uss in found)


def measure(root: Path) -> dict[str, float]:
    from playwright.sync_api import sync_playwright

    env = {**os.environ, "PYTHONPATH": str(PROJECT), "SCRAPY_SETTINGS_MODULE": "imagespider.settings"}
    server = subprocess.Popen(
        [sys.executable, "-m", "scrapy.cmdline", "review", str(root), "--no-browser"], cwd=PROJECT, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )
    try:
        assert server.stdout is not None
        started = time.monotonic()
        line = server.stdout.readline()
        url = line.split(" at ", 1)[1].split()[0]
        server_start = time.monotonic() - started
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(**default_launch_options())
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.goto("about:blank")
            page.wait_for_timeout(500)
            blank = chromium_memory()
            begin = time.monotonic()
            page.goto(url)
            page.wait_for_selector(".cell")
            page.wait_for_function(LOADED, polling=20)
            opened = time.monotonic() - begin
            total = int(page.text_content("#count").split()[0].replace(",", ""))
            cells = page.eval_on_selector_all(".cell", "c => c.length")
            after_open = chromium_memory()
            client = page.context.new_cdp_session(page)
            client.send("Performance.enable")
            heap = {m["name"]: m["value"] for m in client.send("Performance.getMetrics")["metrics"]}["JSHeapUsedSize"]
            peak = after_open
            scroll_begin = time.monotonic()
            height = page.evaluate("document.getElementById('grid').scrollHeight")
            for step in range(1, JUMPS + 1):
                page.evaluate(f"document.getElementById('grid').scrollTop = {height * step // JUMPS}")
                page.wait_for_timeout(50)
                page.wait_for_function(LOADED, polling=20)
                now = chromium_memory()
                peak = (max(peak[0], now[0]), max(peak[1], now[1]))
            scrolled = time.monotonic() - scroll_begin
            client.send("HeapProfiler.collectGarbage")
            page.wait_for_timeout(2000)
            settled = chromium_memory()
            last_cells = page.eval_on_selector_all(".cell", "c => c.length")
            browser.close()
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=60)
    return {
        "images": total, "server_start_s": round(server_start, 2), "open_s": round(opened, 3),
        "cells_in_dom": cells, "chromium_pss_mb_blank": round(blank[0] / 2**20),
        "chromium_uss_mb_blank": round(blank[1] / 2**20), "js_heap_mb_open": round(heap / 2**20, 1), "cells_in_dom_at_end": last_cells, "chromium_pss_mb_open": round(after_open[0] / 2**20),
        "chromium_uss_mb_open": round(after_open[1] / 2**20), "chromium_pss_mb_peak": round(peak[0] / 2**20),
        "chromium_uss_mb_peak": round(peak[1] / 2**20),
        "chromium_uss_mb_after_gc": round(settled[1] / 2**20), "scroll_whole_class_s": round(scrolled, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--images", type=int, default=10_000)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="review-bench-") as folder:
        root = Path(folder) / "data"
        begin = time.monotonic()
        build_store(root, args.images)
        print(f"store of {args.images:,} images written in {time.monotonic() - begin:.1f} s", flush=True)
        result = measure(root)
    for name, value in result.items():
        print(f"{name:>24}: {value}")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
