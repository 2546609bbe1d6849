#!/usr/bin/env python
"""Throughput of imagespider's image pipeline against the tools a user would pick instead (issue 8).

Run from the project root::

    .venv/bin/python benchmarks/throughput.py                # 2,000 images, every contender
    .venv/bin/python benchmarks/throughput.py --install      # once: img2dataset + icrawler in benchmarks/.venv
    .venv/bin/python benchmarks/throughput.py --images 500 --only imagespider,minimal --json out.json

It generates N photo-like images (half JPEG, a quarter PNG, a quarter WebP, 0.3 to 2 megapixels),
cached in ``benchmarks/.cache/``, serves them from a separate process on 127.0.0.1, and runs every
contender as its own child process over the same URL list. Each row reports the wall time from
spawn to exit (start-up included: it is what a user waits for), images per second, the peak RSS of
the largest process of the child's tree (``os.wait4``'s ``ru_maxrss``, which covers the child and the
descendants it reaped; not ``RUSAGE_CHILDREN``, which is a max over every child so far) and the
number of valid images the contender stored, counted on disk afterwards.

Every downloader gets the same concurrency where it exposes one: 32 connections, all to one host
(so both Scrapy runs get ``CONCURRENT_REQUESTS_PER_DOMAIN=32``).

The script imports only the standard library at the top: the icrawler contender re-runs this file
under ``benchmarks/.venv``'s Python, and the hidden ``_serve``/``_transfer``/``_decode``/``_minimal``
sub-commands run the server and the limits in their own processes.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import http.client
import json
import math
import os
import platform
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "benchmarks"
CACHE = BENCH / ".cache"
BENCH_VENV = BENCH / ".venv"
#: Third-party contenders, pinned so figures taken on different days compare.
THIRD_PARTY = ("img2dataset==1.47.0", "icrawler==0.6.10")
#: Connections every downloader gets (all to one host).
CONCURRENCY = 32
#: Bumped whenever the generated images change, so an old cache is not mistaken for a new one.
GENERATOR_VERSION = 1
#: By index modulo 4: half JPEG (the web's photo format), a quarter each PNG and WebP.
FORMATS = ("JPEG", "JPEG", "PNG", "WEBP")
EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp"}
ASPECTS = (4 / 3, 3 / 2, 16 / 9, 1.0, 3 / 4, 2 / 3)
CONTENDERS = ("transfer", "decode", "minimal", "imagespider", "stock", "img2dataset", "icrawler")


# --------------------------------------------------------------------------- the images


def image_name(index: int) -> tuple[str, str]:
    """File name and Pillow format of image ``index``: fixed by the index, so the cache is stable."""
    fmt = FORMATS[index % len(FORMATS)]
    return f"{index:05d}.{EXTENSIONS[fmt]}", fmt


def photo_like(index: int) -> Any:
    """A deterministic photo-like picture: a smooth colour gradient, soft shapes, sharp details, grain.

    Pure noise would not compress and would make every codec slower than on real photos; flat
    colour would compress to nothing. Gradients plus blurred shapes plus mild grain land JPEGs near
    the bytes per pixel of real web photos, so transfer and decode costs resemble a real crawl.
    """
    from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageOps

    rng = random.Random(index * 7919 + GENERATOR_VERSION)
    pixels = rng.uniform(0.3e6, 2.0e6)
    aspect = rng.choice(ASPECTS)
    width = round(math.sqrt(pixels * aspect))
    height = max(1, round(pixels / width))
    gradient = Image.linear_gradient("L").rotate(rng.uniform(0, 360), resample=Image.Resampling.BICUBIC)
    gradient = gradient.crop((38, 38, 218, 218)).resize((width, height), Image.Resampling.BILINEAR)
    image = ImageOps.colorize(gradient, _colour(rng), _colour(rng), mid=_colour(rng))
    draw = ImageDraw.Draw(image)
    for _ in range(rng.randint(6, 20)):
        draw.ellipse(_box(rng, width, height), fill=_colour(rng))
    for _ in range(rng.randint(2, 8)):
        corners = [(rng.uniform(0, width), rng.uniform(0, height)) for _ in range(rng.randint(3, 6))]
        draw.polygon(corners, fill=_colour(rng))
    image = image.filter(ImageFilter.GaussianBlur(rng.uniform(2.0, 6.0)))
    draw = ImageDraw.Draw(image)
    for _ in range(rng.randint(20, 60)):  # sharp details: twigs, wires, text-like strokes
        draw.line(_box(rng, width, height), fill=_colour(rng), width=rng.randint(1, 3))
    grain = Image.effect_noise((width, height), rng.uniform(2.0, 5.0))
    return ImageChops.add(image, Image.merge("RGB", (grain, grain, grain)), offset=-128)


def _colour(rng: random.Random) -> tuple[int, int, int]:
    return (rng.randrange(256), rng.randrange(256), rng.randrange(256))


def _box(rng: random.Random, width: int, height: int) -> tuple[float, float, float, float]:
    x0, y0 = rng.uniform(0, width), rng.uniform(0, height)
    return (x0, y0, x0 + rng.uniform(10, width / 2), y0 + rng.uniform(10, height / 2))


def encode(index: int, folder: Path) -> None:
    """Write image ``index`` as a real camera/web tool would: JPEGs with EXIF, some progressive."""
    from PIL import Image

    name, fmt = image_name(index)
    image = photo_like(index)
    rng = random.Random(index)
    exif = Image.Exif()
    exif[0x013B] = f"Photographer {index % 97}"  # Artist
    exif[0x0110] = "Benchmark Camera"  # Model
    options: dict[str, Any] = {}
    if fmt == "JPEG":
        options = {"quality": rng.choice((75, 80, 85, 90)), "progressive": index % 8 == 0, "exif": exif}
    elif fmt == "WEBP":
        options = {"quality": 80, "exif": exif}
    tmp = folder / f".{name}.tmp"
    image.save(tmp, fmt, **options)
    tmp.replace(folder / name)  # a killed generator never leaves a half file under a real name


def ensure_images(count: int) -> tuple[Path, dict[str, str]]:
    """The cached folder holding at least ``count`` images, and name -> sha256 of the first ``count``."""
    folder = CACHE / f"images-v{GENERATOR_VERSION}"
    folder.mkdir(parents=True, exist_ok=True)
    missing = [i for i in range(count) if not (folder / image_name(i)[0]).exists()]
    if missing:
        print(f"generating {len(missing)} images in {folder} (cached for later runs)...", flush=True)
        with ProcessPoolExecutor(os.cpu_count()) as pool:
            list(pool.map(encode, missing, [folder] * len(missing), chunksize=8))
    return folder, load_hashes(folder, count)


def load_hashes(folder: Path, count: int) -> dict[str, str]:
    """name -> sha256 for the first ``count`` images, cached in ``index.json`` beside them."""
    index_file = folder / "index.json"
    known: dict[str, str] = json.loads(index_file.read_text()) if index_file.exists() else {}
    names = [image_name(i)[0] for i in range(count)]
    for name in names:
        if name not in known:
            known[name] = hashlib.sha256((folder / name).read_bytes()).hexdigest()
    index_file.write_text(json.dumps(known, sort_keys=True))
    return {name: known[name] for name in names}


# --------------------------------------------------------------------------- the server


def serve(folder: str) -> None:
    """Serve ``folder`` on a free loopback port (printed on stdout) until killed.

    HTTP/1.1 keep-alive, and the body goes out by ``sendfile`` from the page cache, so each request
    costs the server a header parse and one system call: the transfer floor row shows whether that
    is fast enough not to be what the contenders wait for.
    """
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    root = Path(folder).resolve()
    types = {".jpg": "image/jpeg", ".png": "image/png", ".webp": "image/webp"}

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # TCP_NODELAY: with Nagle on, a body's short last segment waits for the client's delayed
        # ACK (40 ms), which a client with few connections would see as a slow server.
        disable_nagle_algorithm = True

        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            name = unquote(urlsplit(self.path).path).lstrip("/")
            path = root / name
            if "/" in name or path.suffix not in types or not path.is_file():
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            with path.open("rb") as body:
                size = os.fstat(body.fileno()).st_size
                self.send_response(200)
                self.send_header("Content-Type", types[path.suffix])
                self.send_header("Content-Length", str(size))
                self.end_headers()
                self.connection.sendfile(body)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            pass

    class Server(ThreadingHTTPServer):
        daemon_threads = True
        request_queue_size = 256  # 32+ clients connect at once; the default backlog of 5 drops SYNs

    server = Server(("127.0.0.1", 0), Handler)
    print(server.server_address[1], flush=True)
    server.serve_forever()


def start_server(folder: Path) -> tuple[subprocess.Popen[str], int]:
    """The image server in its own process, so its CPU time is not charged to any contender."""
    proc = subprocess.Popen(
        [sys.executable, __file__, "_serve", str(folder)], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    return proc, int(proc.stdout.readline())


# --------------------------------------------------------------------------- the limits (children)


def _connection_pool(port: int) -> Callable[[], http.client.HTTPConnection]:
    """One keep-alive connection per worker thread, as a browser or requests.Session keeps them."""
    local = threading.local()

    def get() -> http.client.HTTPConnection:
        if not hasattr(local, "conn"):
            local.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        return local.conn

    return get


def _fetch(conn: http.client.HTTPConnection, url: str) -> bytes:
    conn.request("GET", urlsplit(url).path)
    response = conn.getresponse()
    body = response.read()
    if response.status != 200:
        raise RuntimeError(f"HTTP {response.status} for {url}")
    return body


def _read_urls(path: str) -> list[str]:
    return [line.strip() for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]


def child_transfer(urls_file: str) -> dict[str, int]:
    """The transfer floor: bytes only, over CONCURRENCY keep-alive connections. No image work."""
    urls = _read_urls(urls_file)
    port = urlsplit(urls[0]).port or 80
    conn = _connection_pool(port)
    with ThreadPoolExecutor(CONCURRENCY) as pool:
        sizes = list(pool.map(lambda url: len(_fetch(conn(), url)), urls))
    return {"done": len(sizes), "bytes": sum(sizes)}


def _decode_file(path: str) -> int:
    from PIL import Image

    with Image.open(path) as image:
        image.load()
        return image.width * image.height


def child_decode(folder: str, count: str) -> dict[str, int]:
    """The decode floor: Pillow fully decodes every image once, one process per core, no network."""
    paths = [str(Path(folder) / image_name(i)[0]) for i in range(int(count))]
    with ProcessPoolExecutor(os.cpu_count()) as pool:
        pixels = list(pool.map(_decode_file, paths, chunksize=16))
    return {"done": len(pixels), "pixels": sum(pixels)}


def child_minimal(urls_file: str, out: str) -> dict[str, int]:
    """The practical limit: fetch, fully decode, hash and store each image in a thread pool.

    Pillow releases the GIL while decoding, so CONCURRENCY threads keep both cores busy; this is
    the least any tool can do and still know every stored file is a whole image.
    """
    from io import BytesIO

    from PIL import Image

    urls = _read_urls(urls_file)
    conn = _connection_pool(urlsplit(urls[0]).port or 80)
    folder = Path(out)

    def one(url: str) -> int:
        body = _fetch(conn(), url)
        with Image.open(BytesIO(body)) as image:
            image.load()
            ext = (image.format or "img").lower().replace("jpeg", "jpg")
        (folder / f"{hashlib.sha256(body).hexdigest()}.{ext}").write_bytes(body)
        return len(body)

    with ThreadPoolExecutor(CONCURRENCY) as pool:
        sizes = list(pool.map(one, urls))
    return {"done": len(sizes), "bytes": sum(sizes)}


def child_icrawler(urls_file: str, out: str, count: str) -> dict[str, int]:
    """icrawler's UrlListCrawler with CONCURRENCY downloader threads (run under benchmarks/.venv).

    ``queue_timeout=1`` instead of its default 5 s: its threads otherwise idle that long on the
    empty queue before exiting, which would charge icrawler for waiting rather than working.
    """
    import logging

    from icrawler import Crawler
    from icrawler.builtin import UrlListCrawler

    crawler = UrlListCrawler(downloader_threads=CONCURRENCY, storage={"root_dir": out}, log_level=logging.WARNING)
    # The base class's crawl(): UrlListCrawler.crawl() does not pass queue_timeout on.
    Crawler.crawl(
        crawler,
        feeder_kwargs={"url_list": urls_file},
        downloader_kwargs={"max_num": int(count), "queue_timeout": 1},
    )
    return {"done": int(count)}


CHILDREN: dict[str, Callable[..., dict[str, int]]] = {
    "_transfer": child_transfer,
    "_decode": child_decode,
    "_minimal": child_minimal,
    "_icrawler": child_icrawler,
}


# --------------------------------------------------------------------------- running contenders


@dataclass
class Bench:
    """What every contender shares: the images, their URLs, and where tools live."""

    count: int
    images: Path
    hashes: dict[str, str]
    urls_file: Path
    work: Path
    venv_python: Path = BENCH_VENV / "bin" / "python"

    @property
    def originals(self) -> set[str]:
        return set(self.hashes.values())


@dataclass
class Row:
    name: str
    seconds: float | None = None
    images_per_s: float | None = None
    cpu_s: float | None = None
    peak_rss_mb: float | None = None
    kept: int | None = None
    ratio: float | None = None
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Plan:
    """How to run one contender: a command, where, and how to count what it kept."""

    argv: list[str]
    cwd: Path = ROOT
    out: Path | None = None  # a folder of stored images to count; None = the child reports "done"
    env: dict[str, str] = field(default_factory=dict)
    note: str = ""


def child_env(extra: dict[str, str]) -> dict[str, str]:
    """The caller's environment without anything that would pick another Scrapy project."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SCRAPY_")}
    env["PYTHONUNBUFFERED"] = "1"
    return env | extra


def run_timed(plan: Plan, log: Path, timeout: float) -> tuple[float, float, float, int]:
    """Wall seconds, CPU seconds, peak RSS (MB) and exit code of one child, from ``os.wait4``.

    ``ru_maxrss`` from ``wait4`` is the largest RSS of that child or of any descendant it reaped,
    so each row has its own peak; ``getrusage(RUSAGE_CHILDREN)`` would carry the largest of all
    earlier rows too. CPU seconds (user + system, the child and its reaped descendants) say how
    much work a contender did, which other load on the machine changes far less than wall time.
    """
    with (log.with_suffix(".out")).open("wb") as out, (log.with_suffix(".err")).open("wb") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(
            plan.argv, cwd=plan.cwd, env=child_env(plan.env), stdout=out, stderr=err, start_new_session=True
        )
        killer = threading.Timer(timeout, lambda: os.killpg(proc.pid, signal.SIGKILL))
        killer.start()
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        killer.cancel()
        proc.returncode = os.waitstatus_to_exitcode(status)
    return seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, proc.returncode


def stored_images(folder: Path) -> Iterator[Path]:
    for path in folder.rglob("*"):
        if path.suffix.lower() in IMAGE_SUFFIXES and path.is_file():
            yield path


def count_valid(folder: Path, originals: set[str]) -> tuple[int, int]:
    """(valid, identical): files that are whole images, and of those, byte-identical to a served one.

    A file whose bytes match a served image is valid by construction; any other (a re-encode) must
    open and decode with Pillow. Several copies of one original count once.
    """
    from PIL import Image

    seen: set[str] = set()
    valid = 0
    for path in stored_images(folder):
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        if digest in originals:
            if digest not in seen:
                seen.add(digest)
                valid += 1
            continue
        try:
            with Image.open(path) as image:
                image.load()
            valid += 1
        except Exception:  # noqa: BLE001 (any failure means not a valid image)
            pass
    return valid, len(seen)


def run_contender(name: str, bench: Bench, timeout: float) -> Row:
    """Plan, run and check one contender; a missing tool or a failed run is a row with a note."""
    plan = PLANS[name](bench)
    if isinstance(plan, str):
        return Row(name, note=f"skipped: {plan}")
    print(f"running {name}...", flush=True)
    log = bench.work / f"{name}.log"
    seconds, cpu, rss, code = run_timed(plan, log, timeout)
    row = Row(name, seconds=round(seconds, 2), cpu_s=round(cpu, 1), peak_rss_mb=round(rss, 1), note=plan.note)
    if code != 0:
        tail = log.with_suffix(".err").read_text(errors="replace").strip().splitlines()[-3:]
        row.note = f"FAILED (exit {code}): {' | '.join(tail)}"
    if plan.out is not None:
        row.kept, identical = count_valid(plan.out, bench.originals)
        if identical < row.kept:
            row.note = _join(row.note, f"{row.kept - identical} re-encoded, {identical} byte-identical")
        shutil.rmtree(plan.out, ignore_errors=True)  # a few GB per run otherwise
    else:
        report = _last_json(log.with_suffix(".out"))
        row.kept = report.pop("done", 0)
        row.extra = report
    if row.kept is not None and row.kept < bench.count:
        row.note = _join(f"!! only {row.kept} of {bench.count} images", row.note)
    row.images_per_s = round(bench.count / seconds, 1)
    return row


def best_of(name: str, bench: Bench, args: argparse.Namespace) -> Row:
    """The fastest of ``--repeat`` runs: other load on a shared machine only ever adds time."""
    rows = [run_contender(name, bench, args.timeout) for _ in range(max(1, args.repeat))]
    return min(rows, key=lambda row: row.seconds if row.seconds is not None else math.inf)


def _join(*parts: str) -> str:
    return "; ".join(part for part in parts if part)


def _last_json(path: Path) -> dict[str, Any]:
    lines = [line for line in path.read_text(errors="replace").splitlines() if line.startswith("{")]
    return json.loads(lines[-1]) if lines else {}


# --------------------------------------------------------------------------- the contenders


def _self(*args: str) -> list[str]:
    return [sys.executable, __file__, *args]


def plan_transfer(bench: Bench) -> Plan:
    return Plan(_self("_transfer", str(bench.urls_file)))


def plan_decode(bench: Bench) -> Plan:
    return Plan(_self("_decode", str(bench.images), str(bench.count)))


def plan_minimal(bench: Bench) -> Plan:
    out = _fresh(bench.work / "minimal")
    return Plan(_self("_minimal", str(bench.urls_file), str(out)), out=out)


def plan_imagespider(bench: Bench) -> Plan | str:
    if not (ROOT / "imagespider" / "spiders" / "urls.py").exists():
        return "imagespider/spiders/urls.py (the urls spider) does not exist yet"
    out = _fresh(bench.work / "imagespider")
    argv = [
        sys.executable, "-m", "scrapy", "crawl", "urls",
        "-a", f"path={bench.urls_file}", "-a", "license=any",
        "-s", f"IMAGES_STORE={out}", "-s", "ALLOW_PRIVATE_ADDRESSES=True", "-s", "LOG_LEVEL=WARNING",
        # The URL list names no source pages: no page is fetched for evidence (pipelines/license.py),
        # so the run does the same work as every other contender's, image fetches only.
        "-s", "PAGE_EVIDENCE=False",
        *_scrapy_concurrency(),
    ]  # fmt: skip
    return Plan(argv, cwd=ROOT, out=out)


def plan_stock(bench: Bench) -> Plan:
    """Scrapy's ImagesPipeline, run outside the project (no scrapy.cfg) so only stock settings apply."""
    out = _fresh(bench.work / "stock")
    argv = [
        sys.executable, "-m", "scrapy", "runspider", str(BENCH / "stock_spider.py"),
        "-a", f"path={bench.urls_file}", "-s", f"IMAGES_STORE={out}", "-s", "LOG_LEVEL=WARNING",
        *_scrapy_concurrency(),
    ]  # fmt: skip
    return Plan(argv, cwd=_fresh(bench.work / "stock-cwd"), out=out)


def _scrapy_concurrency() -> list[str]:
    return ["-s", f"CONCURRENT_REQUESTS={CONCURRENCY}", "-s", f"CONCURRENT_REQUESTS_PER_DOMAIN={CONCURRENCY}"]


def plan_img2dataset(bench: Bench) -> Plan | str:
    """img2dataset keeping sizes; 2 processes x 16 threads = CONCURRENCY connections on both cores.

    ``skip_reencode`` keeps JPEG bytes as served (without it, ``resize_mode=no`` still re-encodes
    every image to JPEG at quality 95); PNG and WebP are still re-encoded to JPEG, as img2dataset
    always does for a format other than ``encode_format``. Shards of N/2 give each process one.
    """
    tool = BENCH_VENV / "bin" / "img2dataset"
    if not tool.exists():
        return "img2dataset not installed (run with --install)"
    out = _fresh(bench.work / "img2dataset")
    argv = [
        str(tool), "--url_list", str(bench.urls_file), "--input_format", "txt", "--output_format", "files",
        "--output_folder", str(out), "--resize_mode", "no", "--skip_reencode", "True",
        "--processes_count", "2", "--thread_count", str(CONCURRENCY // 2),
        "--number_sample_per_shard", str(math.ceil(bench.count / 2)), "--timeout", "30",
        "--enable_wandb", "False", "--disallowed_header_directives", "[]",
    ]  # fmt: skip
    # albumentations (an img2dataset dependency) asks PyPI for updates on import unless told not to.
    return Plan(argv, out=out, env={"NO_ALBUMENTATIONS_UPDATE": "1"}, note="skip_reencode=True")


def plan_icrawler(bench: Bench) -> Plan | str:
    if not bench.venv_python.exists():
        return "icrawler not installed (run with --install)"
    out = _fresh(bench.work / "icrawler")
    argv = [str(bench.venv_python), __file__, "_icrawler", str(bench.urls_file), str(out), str(bench.count)]
    return Plan(argv, out=out, note="UrlListCrawler, 32 downloader threads")


def _fresh(folder: Path) -> Path:
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder


PLANS: dict[str, Callable[[Bench], Plan | str]] = {
    "transfer": plan_transfer,
    "decode": plan_decode,
    "minimal": plan_minimal,
    "imagespider": plan_imagespider,
    "stock": plan_stock,
    "img2dataset": plan_img2dataset,
    "icrawler": plan_icrawler,
}
LABELS = {
    "transfer": "transfer floor (bytes only)",
    "decode": "decode floor (Pillow, all cores)",
    "minimal": "minimal fetch+decode client",
    "imagespider": "imagespider (urls spider)",
    "stock": "Scrapy stock ImagesPipeline",
    "img2dataset": "img2dataset",
    "icrawler": "icrawler UrlListCrawler",
}


# --------------------------------------------------------------------------- report


def machine() -> dict[str, Any]:
    """What the figures were taken on, for the README and the JSON."""
    cpu = next(
        (line.split(":", 1)[1].strip() for line in _lines("/proc/cpuinfo") if line.startswith("model name")),
        platform.processor() or "unknown",
    )
    mem_kb = next((int(line.split()[1]) for line in _lines("/proc/meminfo") if line.startswith("MemTotal")), 0)
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "ram_gib": round(mem_kb / 1024**2, 1),
        "python": platform.python_version(),
        "date": dt.date.today().isoformat(),
    }


def _lines(path: str) -> list[str]:
    try:
        return Path(path).read_text().splitlines()
    except OSError:
        return []


def add_ratios(rows: list[Row]) -> None:
    """Each row's time as a multiple of imagespider's (2.0 = took twice as long)."""
    base = next((row.seconds for row in rows if row.name == "imagespider" and row.seconds), None)
    for row in rows:
        if base and row.seconds:
            row.ratio = round(row.seconds / base, 2)


def table(rows: Iterable[Row]) -> str:
    head = (f"{'contender':34} {'seconds':>8} {'images/s':>9} {'CPU s':>6} {'peak RSS MB':>12} {'kept':>6} "
            f"{'x imagespider':>14}  note")  # fmt: skip
    lines = [head, "-" * len(head)]
    for row in rows:
        cells = [_cell(row.seconds, ".2f"), _cell(row.images_per_s, ".1f"), _cell(row.cpu_s, ".1f"),
                 _cell(row.peak_rss_mb, ".0f"), _cell(row.kept, "d"), _cell(row.ratio, ".2f")]  # fmt: skip
        lines.append(f"{LABELS[row.name]:34} {cells[0]:>8} {cells[1]:>9} {cells[2]:>6} {cells[3]:>12} "
                     f"{cells[4]:>6} {cells[5]:>14}  {row.note}")  # fmt: skip
    return "\n".join(lines)


def _cell(value: float | int | None, spec: str) -> str:
    return "-" if value is None else format(value, spec)


def dataset_summary(bench: Bench) -> dict[str, Any]:
    sizes = [(bench.images / name).stat().st_size for name in bench.hashes]
    total = sum(sizes)
    return {"images": bench.count, "total_mb": round(total / 1e6, 1), "mean_kb": round(total / len(sizes) / 1e3, 1)}


# --------------------------------------------------------------------------- main


def install() -> None:
    """benchmarks/.venv with the third-party contenders, kept out of the project's requirements."""
    if not BENCH_VENV.exists():
        subprocess.run([sys.executable, "-m", "venv", str(BENCH_VENV)], check=True)
    pip = [str(BENCH_VENV / "bin" / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    subprocess.run([*pip, *THIRD_PARTY], check=True)


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--images", type=int, default=2000, help="how many images to serve (default 2000)")
    parser.add_argument("--json", type=Path, help="also write the table and the machine as JSON here")
    parser.add_argument("--only", default="", help=f"comma list of contenders: {','.join(CONTENDERS)}")
    parser.add_argument(
        "--install", action="store_true", help="first create benchmarks/.venv with img2dataset and icrawler"
    )
    parser.add_argument("--timeout", type=float, default=900, help="seconds before a contender is killed")
    parser.add_argument("--repeat", type=int, default=1, help="runs per contender; the fastest is shown (default 1)")
    args = parser.parse_args(argv)
    args.only = [name.strip() for name in args.only.split(",") if name.strip()] or list(CONTENDERS)
    unknown = set(args.only) - set(CONTENDERS)
    if unknown:
        parser.error(f"unknown contender(s) {', '.join(sorted(unknown))}; choose from {', '.join(CONTENDERS)}")
    return args


def compile_project() -> None:
    """Byte-compile imagespider once, as a user's first crawl leaves it: every other contender
    runs from installed packages whose bytecode pip wrote, while a project run with
    ``PYTHONDONTWRITEBYTECODE`` set (as on some CI machines) compiles its modules at every start
    (~0.2 s of CPU each crawl)."""
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "imagespider")], check=True)


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    if args.install:
        install()
    compile_project()
    images, hashes = ensure_images(args.images)
    server, port = start_server(images)
    try:
        with tempfile.TemporaryDirectory(prefix="throughput-") as work:
            urls_file = Path(work) / "urls.txt"
            urls_file.write_text("".join(f"http://127.0.0.1:{port}/{name}\n" for name in hashes))
            bench = Bench(args.images, images, hashes, urls_file, Path(work))
            info = machine() | dataset_summary(bench)
            print(f"{info['images']} images, {info['total_mb']} MB; {info['cpu']}, {info['cores']} cores, "
                  f"{info['ram_gib']} GiB; {CONCURRENCY} connections per downloader", flush=True)  # fmt: skip
            rows = [best_of(name, bench, args) for name in args.only]
    finally:
        server.kill()
        server.wait()
    add_ratios(rows)
    print(table(rows))
    if args.json:
        args.json.write_text(json.dumps({"machine": info, "rows": [asdict(row) for row in rows]}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "_serve":
        serve(sys.argv[2])
    elif len(sys.argv) > 1 and sys.argv[1] in CHILDREN:
        print(json.dumps(CHILDREN[sys.argv[1]](*sys.argv[2:])), flush=True)
    else:
        sys.exit(main(sys.argv[1:]))
