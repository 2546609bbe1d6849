"""Hostile input for issue 13: images built to exhaust a checker, slow images to kill a crawl in,
and a host whose robots.txt is 34 MB.

``/hostile/<kind>`` serves one of :data:`HOSTILE` (each tiny on the wire, costly to decode).
``/hostile/slow/<n>.png`` serves a distinct small PNG after :data:`SLOW_DELAY` seconds.
``/hostile/slow-check.jpg`` is within every bound but takes seconds to check.
``/hostile/gzip-bomb`` is a small gzip body that expands past any sane DOWNLOAD_MAXSIZE.
:func:`big_robots_server` starts a second server (its own host, so its own robots.txt) whose
robots.txt is :data:`BIG_ROBOTS_MB` MB of rules, and which serves ``/ok.png``.
"""

from __future__ import annotations

import gzip
import io
import random
import struct
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from http.server import BaseHTTPRequestHandler

from PIL import Image

from imagespider.pipelines.checkbounds import MAX_JPEG_SCANS
from tests import mockserver

SLOW_DELAY = 0.4
BIG_ROBOTS_MB = 34


def _chunk(kind: bytes, data: bytes) -> bytes:
    return kind + struct.pack("<I", len(data)) + data + (b"\0" if len(data) % 2 else b"")


@lru_cache(maxsize=1)
def webp_bomb(width: int = 9000, height: int = 9900, frames: int = 2) -> bytes:
    """An animated WebP of ~140 bytes: a canvas just under IMAGES_MAX_PIXELS, 1x1 frames.
    Decoding its first frame allocates the whole canvas (RGBA), twice, in libwebp."""
    one = io.BytesIO()
    Image.new("RGBA", (1, 1), (255, 0, 0, 255)).save(one, "WEBP", lossless=True)
    vp8l = one.getvalue()[12:]  # the VP8L chunk, as saved (header, size, data, padding)
    u24 = lambda n: struct.pack("<I", n)[:3]  # noqa: E731
    vp8x = bytes([0x12, 0, 0, 0]) + u24(width - 1) + u24(height - 1)  # animation + alpha
    anim = struct.pack("<IH", 0, 0)
    frame = u24(0) + u24(0) + u24(0) + u24(0) + u24(100) + b"\0"
    body = _chunk(b"VP8X", vp8x) + _chunk(b"ANIM", anim) + _chunk(b"ANMF", frame + vp8l) * frames
    return b"RIFF" + struct.pack("<I", 4 + len(body)) + b"WEBP" + body


@lru_cache(maxsize=1)
def near_limit_png(width: int = 9400, height: int = 9500) -> bytes:
    """An RGBA PNG of 89.3 million pixels (under the default IMAGES_MAX_PIXELS), all zeros:
    ~360 KB on the wire, 357 MB once decoded. Streamed through zlib, never held whole here."""
    compressor = zlib.compressobj(9)
    row = b"\0" * (width * 4 + 1)
    idat = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


@lru_cache(maxsize=2)
def many_scans_jpeg(scans: int = 20_000, side: int = 2048) -> bytes:
    """A progressive JPEG whose last scan is repeated until it has ``scans`` scans: each scan is
    another pass over every block (libjpeg warns and goes on). The picture is flat, so a scan
    is a few bytes of end-of-block runs: ~1 MB on the wire, many seconds of decoding."""
    image = Image.new("RGB", (side, side), (120, 130, 140))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", progressive=True, quality=60)
    data = buffer.getvalue()
    last_sos = data.rfind(b"\xff\xda")
    eoi = data.rfind(b"\xff\xd9")
    scan = data[last_sos:eoi]
    present = data.count(b"\xff\xda")
    return data[:eoi] + scan * (scans - present) + data[eoi:]


@lru_cache(maxsize=1)
def gzip_bomb(expanded: int = 64 * 1024 * 1024) -> bytes:
    return gzip.compress(b"\0" * expanded, 9)


#: kind -> (content type, body, the reason the crawl must give).
HOSTILE = {
    "webp-bomb.webp": ("image/webp", webp_bomb, "too_costly"),
    "near-limit.png": ("image/png", near_limit_png, "too_costly"),
    "many-scans.jpg": ("image/jpeg", many_scans_jpeg, "too_costly"),
}


@lru_cache(maxsize=64)
def small_png(n: int) -> bytes:
    image = Image.frombytes("RGB", (96, 80), random.Random(f"hostile/{n}").randbytes(96 * 80 * 3))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def _hostile(handler: mockserver.Handler, path: str, query: dict[str, list[str]]) -> mockserver.Reply | None:
    name = path.removeprefix("/hostile/")
    if name.startswith("slow/"):
        time.sleep(SLOW_DELAY)
        return 200, "image/png", small_png(int(name.removeprefix("slow/").split(".")[0])), {}
    if name.startswith("ok/"):
        return 200, "image/png", small_png(int(name.removeprefix("ok/").split(".")[0])), {}
    if name == "slow-check.jpg":  # within every bound, but seconds to check (issue 28)
        return 200, "image/jpeg", many_scans_jpeg(MAX_JPEG_SCANS - 10, 6000), {}
    if name == "gzip-bomb":
        return 200, "image/png", gzip_bomb(), {"Content-Encoding": "gzip"}
    if name in HOSTILE:
        content_type, build, _ = HOSTILE[name]
        return 200, content_type, build(), {}
    return 404, "text/plain", b"no such thing", {}


mockserver.ROUTES["/hostile/"] = _hostile


@lru_cache(maxsize=1)
def big_robots() -> bytes:
    line = b"User-agent: *\n" + b"".join(b"Disallow: /private/%06d/\n" % i for i in range(1000))
    return line * (BIG_ROBOTS_MB * 1024 * 1024 // len(line) + 1)


class _RobotsHandler(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass

    def do_GET(self) -> None:  # noqa: N802
        self.server.log_request_url(self.path)  # type: ignore[attr-defined]
        if self.path == "/robots.txt":
            body, content_type = big_robots(), "text/plain"
        elif self.path.startswith("/ok/"):
            body, content_type = small_png(1000 + int(self.path[4:].split(".")[0])), "image/png"
        else:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            for start in range(0, len(body), 1 << 20):
                self.wfile.write(body[start : start + (1 << 20)])
        except OSError:
            pass  # the crawler stopped reading (it caps robots.txt)


@contextmanager
def big_robots_server() -> Iterator[str]:
    """A second host on 127.0.0.1 whose robots.txt is BIG_ROBOTS_MB MB; yields its base URL."""
    with mockserver.serving_in_thread(mockserver.LoggingServer(("127.0.0.1", 0), _RobotsHandler)) as server:
        yield server.base
