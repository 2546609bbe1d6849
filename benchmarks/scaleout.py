#!/usr/bin/env python
"""Images per second of a distributed crawl with 1, 2 and 3 workers on one machine (issue 18).

Run from the project root (needs redis-server, and moto for ``--store s3``: the test requirements)::

    .venv/bin/python benchmarks/scaleout.py                       # 300 images, 1 2 3 workers, moto S3
    .venv/bin/python benchmarks/scaleout.py --images 600 --workers 1,2,4 --store local --json out.json

The images are benchmarks/throughput.py's (photo-like, 0.3 to 2 megapixels, half JPEG, cached in
``benchmarks/.cache/``), served from their own process on 127.0.0.1. Each run starts a fresh
redis-server and, with ``--store s3``, a fresh moto S3 server, then N ``scrapy crawl urls`` workers
over one URL list (``REDIS_URL`` set: rows handed out in chunks, quota and dedup in Redis) into one
bucket; ``--store local`` gives each worker its own folder (a local store is one crawl's at a time).
Two figures per row: *wall* from the first spawn to the last exit (what a user waits for, the
workers' start-up included), and *crawl* from the first worker's ``start_time`` to the last one's
``finish_time`` (Scrapy's stats), which leaves out Python's and Scrapy's start-up. The load average
is printed with each row: on a shared machine it says how much of the CPU the run really had.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

import throughput  # noqa: E402  (benchmarks/throughput.py: the images and their server)

from tests.servers import redis_server, s3_client, s3_server, s3_settings  # noqa: E402

_STAMP = re.compile(r"'(start|finish)_time': datetime\.datetime\(([^)]*)\)")


@dataclass
class Row:
    workers: int
    store: str
    images: int
    kept: int
    wall_s: float
    crawl_s: float
    wall_img_s: float
    crawl_img_s: float
    load_before: float
    load_after: float


def stamps(text: str) -> tuple[list[dt.datetime], list[dt.datetime]]:
    starts, finishes = [], []
    for kind, args in _STAMP.findall(text):
        numbers = [int(part) for part in args.split(",")[:7]]
        stamp = dt.datetime(*numbers)  # type: ignore[arg-type]
        (starts if kind == "start" else finishes).append(stamp)
    return starts, finishes


def run(workers: int, store: str, urls: Path, count: int, scratch: Path, endpoint: str | None,
        redis_url: str) -> Row:
    job = f"bench-{workers}-{time.time_ns()}"
    options = ["-s", f"REDIS_URL={redis_url}", "-s", f"DISTRIBUTED_JOB={job}", "-s", "DISTRIBUTED_CHUNK_ROWS=20",
               "-s", "STATS_DUMP=True", "-s", "ALLOW_PRIVATE_ADDRESSES=True", "-s", "ROBOTSTXT_OBEY=False",
               "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=32", "-s", "PAGE_EVIDENCE=False"]
    if endpoint is not None:
        options += s3_settings(endpoint)
    logs = [scratch / f"{job}-{n}.log" for n in range(workers)]
    load_before = os.getloadavg()[0]
    start = time.perf_counter()
    processes = []
    for n, log in enumerate(logs):
        target = f"s3://bench/{job}" if store == "s3" else str(scratch / job / str(n))
        argv = [sys.executable, "-m", "scrapy", "crawl", "urls", "-a", f"path={urls}", "-a", "license=any",
                "-s", f"IMAGES_STORE={target}", *options]
        with log.open("wb") as out:
            processes.append(subprocess.Popen(argv, cwd=ROOT, env=throughput.child_env({}), stdout=out,
                                              stderr=subprocess.STDOUT))
    for n, process in enumerate(processes):
        if process.wait(1800) != 0:
            raise SystemExit(f"worker {n} failed: {logs[n].read_text()[-2000:]}")
    wall = time.perf_counter() - start
    text = "".join(log.read_text(errors="replace") for log in logs)
    starts, finishes = stamps(text)
    crawl = (max(finishes) - min(starts)).total_seconds()
    kept = sum(int(found) for found in re.findall(r"'imagespider/kept': (\d+)", text))
    return Row(workers, store, count, kept, round(wall, 1), round(crawl, 1), round(kept / wall, 1),
               round(kept / crawl, 1), round(load_before, 1), round(os.getloadavg()[0], 1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=300)
    parser.add_argument("--workers", default="1,2,3")
    parser.add_argument("--store", choices=("s3", "local"), default="s3")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    folder, _ = throughput.ensure_images(args.images)
    server, port = throughput.start_server(folder)
    rows: list[Row] = []
    try:
        with tempfile.TemporaryDirectory(prefix="imagespider-scaleout-") as name:
            scratch = Path(name)
            urls = scratch / "urls.txt"
            urls.write_text("".join(f"http://127.0.0.1:{port}/{throughput.image_name(i)[0]}\n"
                                    for i in range(args.images)))
            for workers in (int(n) for n in args.workers.split(",")):
                with redis_server(scratch) as redis_url:
                    if args.store == "s3":
                        with s3_server() as endpoint:
                            s3_client(endpoint).create_bucket(Bucket="bench")
                            row = run(workers, "s3", urls, args.images, scratch, endpoint, redis_url)
                    else:
                        row = run(workers, "local", urls, args.images, scratch, None, redis_url)
                rows.append(row)
                print(json.dumps(asdict(row)), flush=True)
    finally:
        server.kill()
    print(f"\n{os.cpu_count()} cores; {args.images} images; store {args.store}\n")
    print("| workers | kept | wall s | images/s (wall) | crawl s | images/s (crawl) | load before/after |")
    print("|---|---|---|---|---|---|---|")
    for row in rows:
        print(f"| {row.workers} | {row.kept} | {row.wall_s} | {row.wall_img_s} | {row.crawl_s} | "
              f"{row.crawl_img_s} | {row.load_before} / {row.load_after} |")
    if args.json:
        args.json.write_text(json.dumps([asdict(row) for row in rows], indent=2))


if __name__ == "__main__":
    main()
