#!/usr/bin/env python
"""What a store of N images costs a crawl: open, add 100 images with a real crawl, publish (issue 20).

Run from the project root::

    .venv/bin/python benchmarks/store.py                          # 10k and 100k rows
    nice .venv/bin/python benchmarks/store.py --rows 1000000      # a million (~840 MB of manifest, ~2 GB disk)
    .venv/bin/python benchmarks/store.py --rows 10000 --json out.json --keep /tmp/stores
    .venv/bin/python benchmarks/store.py --rows --objects 2000 20000   # object-store publish only

For each size it writes a synthetic store in a temporary folder: ``metadata.jsonl`` rows shaped
as a crawl writes them (every manifest column, the rights and engine_rights blocks, ~840 bytes a
row, random perceptual hashes) in 1,000 classes, and one tiny image file per row named as
the store names images (``<label>/<sha256>.png``, a 1x1 PNG), so the store's scans see a million files. Then,
each step in its own child process (wall time from spawn to exit, and the peak RSS of the largest
process of the child's tree by ``os.wait4``'s ``ru_maxrss``):

1. ``index``: the first open, which builds ``.index.sqlite`` from the manifest (once per store);
2. ``first publish``: ATTRIBUTION.md, report.html and README.md written for every class (once);
3. ``open``: opening the store as every crawl does (index fresh: nothing of the manifest is read);
4. ``crawl +100``: ``scrapy crawl urls -a license=any`` of 100 new images (64-128 px JPEGs of
   noise, served from 127.0.0.1) into one class, publishing at its end as every crawl does; and the
   same crawl into an empty store for comparison (wall times are noisy on a shared machine);
5. ``publish``: the documents again after the crawl (one class changed);
6. ``scrapy export``: every row shipped as WebDataset and Parquet shards (each file is a 1x1 PNG of
   its own colour, ~70 bytes, so every row is read, checked against its sha256 and shipped).

It prints a table and the size of report.html, and checks issue 20's bar for a million rows: the
crawl's peak RSS under 400 MB, opening + publishing (in-process seconds, the work the store's size adds to a
crawl) under 30 s, report.html under 10 MB; and issue 28's: publish and export peak under 400 MB (memory
bounded by a constant, not by the store).
"""

from __future__ import annotations

import argparse
import hashlib
import http.server
import io
import json
import os
import random
import shutil
import struct
import subprocess
import sys
import tempfile
import threading
import time
import zlib
from dataclasses import asdict, dataclass
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CLASSES = 1000
ADDED = 100
RSS_LIMIT_MB = 400
ADDED_LIMIT_S = 30
REPORT_LIMIT_MB = 10


@dataclass
class Step:
    rows: int
    step: str
    seconds: float
    peak_rss_mb: float
    note: str = ""


def run(command: list[str], cwd: Path = ROOT, env: dict[str, str] | None = None) -> tuple[float, float, str]:
    """Run a child to its end: (wall seconds, peak RSS in MB of its largest process, output)."""
    start = time.perf_counter()
    with tempfile.TemporaryFile() as out:
        process = subprocess.Popen(command, cwd=cwd, env={**os.environ, **(env or {})}, stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.perf_counter() - start
        out.seek(0)
        text = out.read().decode("utf-8", "replace")
    if process.returncode != 0:
        raise RuntimeError(f"{command[:4]} failed ({process.returncode}):\n{text[-3000:]}")
    return seconds, usage.ru_maxrss / 1024, text


def python(code: str, *args: str) -> tuple[float, float, str]:
    return run([sys.executable, "-c", code, *args], env={"PYTHONPATH": str(ROOT)})


#: Each prints the seconds of the work itself (``in-process``), without the interpreter's imports.
OPEN = """
import sys, time
from imagespider.dataset.store.local import Dataset
start = time.perf_counter()
d = Dataset(sys.argv[1]); d.open(); d.close()
print("in-process", time.perf_counter() - start)
"""
PUBLISH = """
import logging, sys, time
from imagespider.dataset.documents.write import write_documents
from imagespider.dataset.store.local import Dataset
logging.basicConfig(level=logging.WARNING)
d = Dataset(sys.argv[1]); d.open()
start = time.perf_counter()
write_documents(d.root, d.index)
print("in-process", time.perf_counter() - start)
d.close()
"""


def in_process(output: str) -> float:
    return float(output.rsplit("in-process ", 1)[1].split()[0])


# -- a synthetic store --------------------------------------------------------------------------


def template() -> dict[str, Any]:
    sys.path.insert(0, str(ROOT))
    from imagespider.dataset.store.manifest import MANIFEST_FIELDS, RIGHTS_FIELDS
    from imagespider.engines import ENGINE_RIGHTS_FIELDS

    row: dict[str, Any] = dict.fromkeys(MANIFEST_FIELDS)
    row.update(
        query="", engine="flickr", title="A photo of something seen on a walk, with a longer caption than most",
        author="Some Photographer", author_url="https://www.flickr.com/people/12345678@N00/", site="flickr.com",
        license="cc-by", license_version="2.0", license_url="https://creativecommons.org/licenses/by/2.0/",
        license_source="api", permissions={"share": True, "commercial": True, "modify": True, "attribution": True,
                                           "share_alike": False},
        width=1024, height=768, format="JPEG", bytes=245_761, retrieved_at="2026-11-30T06:00:00+00:00",
        rights={name: None for name in RIGHTS_FIELDS}, engine_rights={name: None for name in ENGINE_RIGHTS_FIELDS},
        tags=["walk", "photo"],
    )
    return row


def tiny_png(n: int) -> bytes:
    """A 1x1 PNG whose colour is ``n``: distinct bytes (and sha256) per row, ~70 bytes, made
    without Pillow (a million in seconds), so ``scrapy export`` ships every row."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    pixel = b"\x00" + (n & 0xFFFFFF).to_bytes(3, "big")
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(pixel)) + chunk(b"IEND", b""))


def make_store(root: Path, rows: int, seed: int = 20) -> float:
    """Write ``rows`` rows in CLASSES classes and a tiny PNG per row (named by its sha256, as the
    crawl names files); returns the seconds taken."""
    start = time.perf_counter()
    rng = random.Random(seed)
    base = template()
    labels = [f"class{n:04d}" for n in range(CLASSES)]
    for label in labels:
        (root / label).mkdir(parents=True, exist_ok=True)
    with (root / "metadata.jsonl").open("w", encoding="utf-8") as manifest:
        chunk: list[str] = []
        for n in range(rows):
            label = labels[n % CLASSES]
            data = tiny_png(n)
            sha = hashlib.sha256(data).hexdigest()
            name = f"{label}/{sha}.png"
            row = dict(base)
            row.update(
                file_name=name, label=label, query=label, image_url=f"https://live.staticflickr.com/65535/{n}_{sha[:10]}_b.png",
                page_url=f"https://www.flickr.com/photos/someone/{n}/", sha256=sha, phash=f"{rng.getrandbits(64):016x}",
            )
            row["attribution"] = f'"{row["title"]}" by Some Photographer, source: www.flickr.com, licensed under CC BY 2.0'
            chunk.append(json.dumps(row, ensure_ascii=False))
            fd = os.open(root / name, os.O_CREAT | os.O_WRONLY, 0o644)
            os.write(fd, data)
            os.close(fd)
            if len(chunk) == 10_000:
                manifest.write("\n".join(chunk) + "\n")
                chunk.clear()
        if chunk:
            manifest.write("\n".join(chunk) + "\n")
    return time.perf_counter() - start


# -- 100 new images on loopback -----------------------------------------------------------------


def make_images(folder: Path, count: int = ADDED) -> None:
    from PIL import Image

    rng = random.Random(7)
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(count):
        side = rng.randrange(64, 129)
        image = Image.frombytes("RGB", (side, side), rng.randbytes(side * side * 3))
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=85)
        (folder / f"{n}.jpg").write_bytes(buffer.getvalue())


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *_: Any) -> None:
        pass


def serve(folder: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def crawl(store: Path, url_list: Path) -> tuple[float, float, str]:
    return run(
        [sys.executable, "-m", "scrapy", "crawl", "urls", "-a", f"path={url_list}", "-a", "label=class0001",
         "-a", "license=any", "-s", f"IMAGES_STORE={store}", "-s", "ALLOW_PRIVATE_ADDRESSES=True",
         "-s", "ROBOTSTXT_OBEY=False", "-s", "LOG_LEVEL=INFO", "-s", "STATS_DUMP=True"],
        env={"PYTHONPATH": str(ROOT)},
    )


def export(store: Path, out: Path) -> tuple[float, float, str]:
    """``scrapy export`` of the whole store, WebDataset and Parquet, as a user runs it."""
    return run([sys.executable, "-m", "scrapy", "export", str(out), "--store", str(store)], env={"PYTHONPATH": str(ROOT)})


def object_store_publish(count: int, work: Path) -> Step:
    """``scrapy publish s3://...`` of a bucket of ``count`` images with their sidecars and
    ``count // 2`` rejected rows of 4 workers, on moto's S3 server on loopback (its memory is its
    own process's): the publish's peak RSS, to show it does not grow with the bucket."""
    from concurrent.futures import ThreadPoolExecutor

    import botocore.session

    port_finder = __import__("socket").socket()
    port_finder.bind(("127.0.0.1", 0))
    port = port_finder.getsockname()[1]
    port_finder.close()
    server = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    endpoint = f"http://127.0.0.1:{port}"
    aws = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_REGION_NAME": "us-east-1"}
    try:
        time.sleep(3)
        client = botocore.session.get_session().create_client(
            "s3", endpoint_url=endpoint, aws_access_key_id="testing", aws_secret_access_key="testing",  # noqa: S106 (moto)
            region_name="us-east-1",
        )
        client.create_bucket(Bucket="bench")
        base = template()

        def put(n: int) -> None:
            data = tiny_png(n)
            sha = hashlib.sha256(data).hexdigest()
            label = f"class{n % 100:04d}"
            row = {**base, "file_name": f"{label}/{sha}.png", "label": label, "sha256": sha}
            client.put_object(Bucket="bench", Key=f"s/{label}/{sha}.png", Body=data)
            client.put_object(Bucket="bench", Key=f"s/{label}/{sha}.json", Body=json.dumps(row).encode())
            if n % 2:
                key = f"s/.rejected/worker{n % 4}/{1765000000000000000 + n}-{n}.json"
                client.put_object(Bucket="bench", Key=key, Body=b'{"reason": "too_small", "label": "class0001"}')

        with ThreadPoolExecutor(8) as pool:
            list(pool.map(put, range(count)))
        settings = [f"{name}={value}" for name, value in {**aws, "AWS_ENDPOINT_URL": endpoint}.items()]
        command = [sys.executable, "-m", "scrapy", "publish", "s3://bench/s"]
        for setting in settings:
            command += ["-s", setting]
        seconds, rss, output = run(command, env={"PYTHONPATH": str(ROOT)})
        published = output.rsplit("published s3://bench/s: ", 1)[1].split(" images", 1)[0]
        return Step(count, "object-store publish", seconds, rss, f"{published} images, {count // 2} rejected rows")
    finally:
        server.kill()  # moto holds every object in memory: no need to let it finish anything
        server.wait(30)


def kept(output: str) -> str:
    marker = "'imagespider/kept': "
    return output.split(marker, 1)[1].split(",", 1)[0].split("}", 1)[0] if marker in output else "?"


# -- the benchmark ------------------------------------------------------------------------------


def bench(rows: int, work: Path, url_list: Path, baseline: float) -> tuple[list[Step], dict[str, float]]:
    store = work / f"store-{rows}"
    shutil.rmtree(store, ignore_errors=True)
    store.mkdir(parents=True)
    steps = [Step(rows, "write synthetic store", make_store(store, rows), 0,
                  f"{(store / 'metadata.jsonl').stat().st_size / 1e6:,.0f} MB manifest")]
    print(f"  {rows:,} rows written in {steps[-1].seconds:.1f} s", flush=True)
    work_s: dict[str, float] = {}
    for name, code in (("index (first open)", OPEN), ("first publish", PUBLISH), ("open", OPEN)):
        seconds, rss, output = python(code, str(store))
        work_s[name] = in_process(output)
        steps.append(Step(rows, name, seconds, rss, f"{work_s[name]:.1f} s in-process"))
        print(f"  {name}: {seconds:.1f} s ({work_s[name]:.1f} s in-process), {rss:.0f} MB", flush=True)
    seconds, rss, output = crawl(store, url_list)
    steps.append(Step(rows, f"crawl +{ADDED}", seconds, rss, f"kept {kept(output)}; +{seconds - baseline:.1f} s over an empty store"))
    print(f"  crawl: {seconds:.1f} s, {rss:.0f} MB, kept {kept(output)}", flush=True)
    seconds, rss, output = python(PUBLISH, str(store))
    work_s["publish"] = in_process(output)
    steps.append(Step(rows, "publish", seconds, rss, f"{work_s['publish']:.1f} s in-process"))
    print(f"  publish: {seconds:.1f} s ({work_s['publish']:.1f} s in-process), {rss:.0f} MB", flush=True)
    shards = work / f"shards-{rows}"
    shutil.rmtree(shards, ignore_errors=True)
    seconds, rss, output = export(store, shards)
    exported = json.loads((shards / "shards.json").read_text())["samples"]
    steps.append(Step(rows, "scrapy export", seconds, rss, f"{exported:,} samples, both formats"))
    print(f"  export: {seconds:.1f} s, {rss:.0f} MB, {exported:,} samples", flush=True)
    shutil.rmtree(shards, ignore_errors=True)
    sizes = {
        "report_html_mb": (store / "report.html").stat().st_size / 1e6,
        "attribution_md_mb": (store / "ATTRIBUTION.md").stat().st_size / 1e6,
        "index_mb": (store / ".index.sqlite").stat().st_size / 1e6,
        "manifest_mb": (store / "metadata.jsonl").stat().st_size / 1e6,
        "added_s": steps[-3].seconds - baseline,
        "open_s": work_s["open"],
        "publish_s": work_s["publish"],
        "open_publish_s": work_s["open"] + work_s["publish"],
        "crawl_rss_mb": steps[-3].peak_rss_mb,
        "publish_rss_mb": max(step.peak_rss_mb for step in steps if "publish" in step.step),
        "export_rss_mb": steps[-1].peak_rss_mb,
        "export_s": steps[-1].seconds,
    }
    return steps, sizes


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, nargs="*", default=[10_000, 100_000])
    parser.add_argument("--json", type=Path, help="write the figures here")
    parser.add_argument("--keep", type=Path, help="build the stores here and keep them (default: a temp folder)")
    parser.add_argument("--objects", type=int, nargs="*", default=[],
                        help="also publish object stores (moto's S3 server) of these many images")
    args = parser.parse_args()
    if args.objects:
        for count in args.objects:
            step = object_store_publish(count, Path(tempfile.gettempdir()))
            print(f"{count:,} objects: publish {step.seconds:.1f} s, {step.peak_rss_mb:.0f} MB, {step.note}", flush=True)
        if not args.rows:
            return 0
    work = args.keep or Path(tempfile.mkdtemp(prefix="imagespider-store-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    make_images(work / "images")
    server, base = serve(work / "images")
    url_list = work / "urls.txt"
    url_list.write_text("".join(f"{base}/{n}.jpg\n" for n in range(ADDED)))
    try:
        empty = work / "store-empty"
        shutil.rmtree(empty, ignore_errors=True)
        baseline, baseline_rss, output = crawl(empty, url_list)
        print(f"crawl +{ADDED} into an empty store: {baseline:.1f} s, {baseline_rss:.0f} MB, kept {kept(output)}")
        results: list[Step] = [Step(0, f"crawl +{ADDED}", baseline, baseline_rss, f"kept {kept(output)}")]
        sizes: dict[int, dict[str, float]] = {}
        for rows in args.rows:
            print(f"{rows:,} rows:", flush=True)
            steps, sizes[rows] = bench(rows, work, url_list, baseline)
            results += steps
            if not args.keep:
                shutil.rmtree(work / f"store-{rows}", ignore_errors=True)
    finally:
        server.shutdown()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    print("\n| rows | step | seconds | peak RSS (MB) | note |\n|---:|---|---:|---:|---|")
    for step in results:
        print(f"| {step.rows:,} | {step.step} | {step.seconds:.1f} | {step.peak_rss_mb:.0f} | {step.note} |")
    print("\n| rows | manifest MB | index MB | report.html MB | ATTRIBUTION.md MB | crawl RSS MB | open s | publish s "
          "| crawl s minus empty-store crawl | publish RSS MB | export s | export RSS MB |"
          "\n|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for rows, size in sizes.items():
        print(f"| {rows:,} | {size['manifest_mb']:.0f} | {size['index_mb']:.0f} | {size['report_html_mb']:.2f} | "
              f"{size['attribution_md_mb']:.2f} | {size['crawl_rss_mb']:.0f} | {size['open_s']:.1f} | "
              f"{size['publish_s']:.1f} | {size['added_s']:.1f} | {size['publish_rss_mb']:.0f} | "
              f"{size['export_s']:.0f} | {size['export_rss_mb']:.0f} |")
    if args.json:
        args.json.write_text(json.dumps({"steps": [asdict(s) for s in results], "sizes": sizes}, indent=1))
    verdict = 0
    for rows, size in sizes.items():
        if rows >= 1_000_000:
            ok = (size["crawl_rss_mb"] < RSS_LIMIT_MB and size["open_publish_s"] < ADDED_LIMIT_S
                  and size["report_html_mb"] < REPORT_LIMIT_MB and size["publish_rss_mb"] < RSS_LIMIT_MB
                  and size["export_rss_mb"] < RSS_LIMIT_MB)
            print(f"{rows:,} rows: crawl RSS {size['crawl_rss_mb']:.0f} MB (< {RSS_LIMIT_MB}), open + publish "
                  f"{size['open_publish_s']:.1f} s (< {ADDED_LIMIT_S}), report.html {size['report_html_mb']:.2f} MB "
                  f"(< {REPORT_LIMIT_MB}), publish RSS {size['publish_rss_mb']:.0f} MB and export RSS "
                  f"{size['export_rss_mb']:.0f} MB (< {RSS_LIMIT_MB}): {'PASS' if ok else 'FAIL'}")
            verdict |= not ok
    return verdict


if __name__ == "__main__":
    sys.exit(main())
