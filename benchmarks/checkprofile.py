#!/usr/bin/env python
"""Where one image's check spends its time, by step and format (issue 19's profile).

Run from the project root after ``benchmarks/throughput.py`` generated its images::

    .venv/bin/python benchmarks/checkprofile.py            # the first 400 cached images
    .venv/bin/python benchmarks/checkprofile.py --images 2000

For each image of ``benchmarks/.cache/`` it times, in this one process, the steps
:func:`imagespider.pipelines.imagecheck.inspect_image` runs (opening the header; the decode as
the check does it: JPEG at ``draft`` scale, a still WebP through libwebp directly
(imagespider/pipelines/webpdecode.py), PNG by Pillow; the reduced copy the hash and the thumbnail
share; SHA-256; the perceptual hash; the embedded rights; the thumbnail), Pillow's full decode as
the minimal client of benchmarks/throughput.py does it, and what sending the body to a worker
process costs (pickling it and writing it through a pipe, as ``ProcessPoolExecutor`` does, the
reading thread included). CPU milliseconds per image (``time.process_time``: other load on the
machine changes it far less than wall time), the mean per format.
"""

from __future__ import annotations

import argparse
import hashlib
import multiprocessing
import pickle
import statistics
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from io import BytesIO
from multiprocessing.connection import Connection
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PIL import Image  # noqa: E402

from imagespider.dataset.documents.thumbnails import thumbnail_jpeg  # noqa: E402
from imagespider.dataset.neardup.phash import HASH_DECODE_MIN, hash_sized, phash_of  # noqa: E402
from imagespider.pipelines.imagecheck import _draft_side, inspect_image  # noqa: E402
from imagespider.pipelines.webpdecode import decode_still_webp  # noqa: E402
from imagespider.rights.embedded import read_embedded_from  # noqa: E402

STEPS = (
    "open", "decode (as checked)", "decode (full, Pillow)", "reduce (hash + thumbnail)", "sha256", "phash",
    "embedded", "thumbnail", "send to worker", "whole check",
)  # fmt: skip


def _send_cost(body: bytes, conn: Connection) -> None:
    conn.send_bytes(pickle.dumps((body, 0, 0, 0), protocol=pickle.HIGHEST_PROTOCOL))


def _one(body: bytes, writer: Connection, times: dict[str, dict[str, list[float]]]) -> None:
    with Image.open(BytesIO(body)) as probe:
        fmt = probe.format or "?"

    def timed(step: str, fn: Callable[[], object]) -> object:
        start = time.process_time()
        value = fn()
        times[fmt][step].append((time.process_time() - start) * 1000)
        return value

    image = timed("open", lambda: Image.open(BytesIO(body)))
    assert isinstance(image, Image.Image)

    def checked_decode() -> Image.Image:
        if image.format == "JPEG":
            image.draft(image.mode, (_draft_side(image.width), _draft_side(image.height)))
        pixels = decode_still_webp(body, HASH_DECODE_MIN) if image.format == "WEBP" else None
        if pixels is None:
            image.load()
            return image
        return pixels

    pixels = timed("decode (as checked)", checked_decode)
    assert isinstance(pixels, Image.Image)
    timed("decode (full, Pillow)", lambda: Image.open(BytesIO(body)).load())
    small = timed("reduce (hash + thumbnail)", lambda: hash_sized(pixels))
    assert isinstance(small, Image.Image)
    timed("sha256", lambda: hashlib.sha256(body).hexdigest())
    timed("phash", lambda: phash_of(small))
    timed("embedded", lambda: read_embedded_from(image, body))
    timed("thumbnail", lambda: thumbnail_jpeg(small.copy()))
    timed("send to worker", lambda: _send_cost(body, writer))
    timed("whole check", lambda: inspect_image(body, 1, 1, 10**9))


def profile(paths: list[Path]) -> dict[str, dict[str, list[float]]]:
    times: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    reader, writer = multiprocessing.Pipe(duplex=False)
    drain = threading.Thread(target=lambda: [reader.recv_bytes() for _ in paths], daemon=True)
    drain.start()
    for path in paths:
        _one(path.read_bytes(), writer, times)
    drain.join()
    return times


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--images", type=int, default=400)
    args = parser.parse_args(argv)
    folders = sorted((ROOT / "benchmarks" / ".cache").glob("images-*"))
    if not folders:
        raise SystemExit("no cached images: run benchmarks/throughput.py first")
    paths = sorted(p for p in folders[-1].iterdir() if p.suffix in (".jpg", ".png", ".webp"))[: args.images]
    times = profile(paths)
    print("| step (ms per image) | " + " | ".join(times) + " |")
    print("|---|" + "---:|" * len(times))
    for step in STEPS:
        cells = [f"{statistics.mean(times[fmt][step]):.1f}" for fmt in times]
        print(f"| {step} | " + " | ".join(cells) + " |")
    print("| images | " + " | ".join(str(len(times[fmt]["open"])) for fmt in times) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
