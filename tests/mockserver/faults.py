"""Image hosts that misbehave in every way the open web does, behind one Bing results page.

``/faults/<run>/images/search`` answers with real Bing markup (tests/mockserver/__init__.py) whose results
point at ``/faults/<run>/<kind>``, one per entry of :data:`EXPECTED`: the reason each must be
dropped with, or "kept". ``<run>`` keeps the per-URL counters (the flaky host) of two crawls
apart. Everything is on loopback; resets, stalls and drips are played on the socket itself.

``/guard/<run>/images/search`` lists images a default crawl must refuse (:func:`guard_results`).

``/slow/<run>/images/search`` shows :data:`SLOW_BATCH` good images and brings more, late, with
each scroll (up to :data:`SLOW_RESULTS`), for the resume tests to interrupt a crawl halfway.
"""

from __future__ import annotations

import copy
import io
import json
import random
import re
import socket
import struct
import threading
import time
import zlib
from collections import Counter
from functools import lru_cache
from urllib.parse import quote

import lxml.html
from PIL import Image

from tests import mockserver

#: The test crawl's limits, which the sizes below are chosen against.
DOWNLOAD_TIMEOUT = 2
DOWNLOAD_MAXSIZE = 1_000_000
MAX_PIXELS = 4_000_000

#: kind -> what the crawl must conclude: "kept" or the reason in rejected.jsonl.
EXPECTED: dict[str, str] = {
    "good-jpeg": "kept",
    "good-png": "kept",
    "good-webp": "kept",
    "png-served-as-html": "kept",  # a lying Content-Type: the bytes decide
    "flaky-500-then-ok": "kept",  # retried, then served
    "redirect-3-to-good": "kept",  # a chain of three redirects ending at an image
    "html-served-as-jpeg": "not_an_image",
    "empty": "empty",
    "not-found-404": "http_error",
    "gone-410": "http_error",
    "server-error-503": "http_error",
    "stall": "timeout",  # never answers within DOWNLOAD_TIMEOUT
    "drip": "timeout",  # answers, then sends a byte now and then
    "reset": "connection_error",  # TCP RST instead of an answer
    "reset-mid-body": "connection_error",  # RST after half the body
    "redirect-loop-a": "too_many_redirects",
    "too-large": "too_large",  # Content-Length over DOWNLOAD_MAXSIZE
    "too-large-unannounced": "too_large",  # no Content-Length, body over DOWNLOAD_MAXSIZE
    "bomb-header": "decompression_bomb",  # 100000x100000 declared in a 100-byte PNG
    "over-max-pixels": "decompression_bomb",  # a real 2500x2000 PNG over IMAGES_MAX_PIXELS
}
#: How many requests each kind must cost: 404/410 are final, 5xx and lost connections are retried
#: (RETRY_TIMES=1 in the test).
EXPECTED_REQUESTS = {
    "not-found-404": 1, "gone-410": 1, "server-error-503": 2, "flaky-500-then-ok": 2, "reset": 2,
}  # fmt: skip

SLOW_RESULTS = 40
#: Results per scroll, seconds before a scroll's results arrive, seconds per image.
SLOW_BATCH = 4
SLOW_PAGE_DELAY = 1.0
SLOW_DELAY = 0.2

_hits: Counter[str] = Counter()
_lock = threading.Lock()


@lru_cache(maxsize=64)
def noise_image(name: str, fmt: str = "JPEG", size: tuple[int, int] = (320, 240)) -> bytes:
    image = Image.frombytes("RGB", size, random.Random(name).randbytes(size[0] * size[1] * 3))
    buffer = io.BytesIO()
    image.save(buffer, fmt)
    return buffer.getvalue()


@lru_cache(maxsize=1)
def bomb_png() -> bytes:
    """A valid 1x1 PNG whose header claims 100000x100000 pixels (10 gigapixels to decode)."""
    buffer = io.BytesIO()
    Image.new("L", (1, 1)).save(buffer, "PNG")
    data = bytearray(buffer.getvalue())
    ihdr = bytearray(data[12:29])  # b"IHDR" + 13 bytes of header fields
    ihdr[4:12] = struct.pack(">II", 100_000, 100_000)
    data[12:29] = ihdr
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(ihdr)))
    return bytes(data)


@lru_cache(maxsize=1)
def big_flat_png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (2500, 2000), (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


def results_page(base: str, run: str, kinds: list[str]) -> bytes:
    results = [(f"{base}/faults/{run}/{kind}", f"{base}/faults/{run}/page/{kind}.html", f"{kind} photo") for kind in kinds]
    return mockserver.bing_page_of(results).encode()


def _hit(key: str) -> int:
    with _lock:
        _hits[key] += 1
        return _hits[key]


def _reset(handler: mockserver.Handler) -> None:
    """Close with a TCP RST (SO_LINGER 0) instead of a FIN."""
    handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    handler.connection.close()
    handler.close_connection = True


def _write_slowly(handler: mockserver.Handler, chunks: list[bytes], pause: float) -> None:
    try:
        for chunk in chunks:
            handler.wfile.write(chunk)
            handler.wfile.flush()
            time.sleep(pause)
    except OSError:
        pass  # the client gave up, as it should


def _headers(handler: mockserver.Handler, status: int, content_type: str, length: int | None) -> None:
    handler.send_response(status)
    handler.send_header("Content-Type", content_type)
    if length is not None:
        handler.send_header("Content-Length", str(length))
    handler.end_headers()


def _faults(handler: mockserver.Handler, path: str, query: dict[str, list[str]]) -> mockserver.Reply | None:
    _, _, run, rest = path.split("/", 3)
    base = f"http://{handler.headers.get('Host')}"
    if rest == "images/search":
        return 200, "text/html; charset=utf-8", results_page(base, run, list(EXPECTED)), {}
    if rest.startswith("page/"):
        return 200, "text/html", b"<!doctype html><title>source page</title>", {}
    kind = rest
    if kind == "good-jpeg":
        return 200, "image/jpeg", noise_image(f"{run}/jpeg", "JPEG"), {}
    if kind == "good-png":
        return 200, "image/png", noise_image(f"{run}/png", "PNG"), {}
    if kind == "good-webp":
        return 200, "image/webp", noise_image(f"{run}/webp", "WEBP"), {}
    if kind == "png-served-as-html":
        return 200, "text/html; charset=utf-8", noise_image(f"{run}/as-html", "PNG"), {}
    if kind == "flaky-500-then-ok":
        if _hit(f"{run}/{kind}") == 1:
            return 500, "text/html", b"<h1>try again</h1>", {}
        return 200, "image/jpeg", noise_image(f"{run}/flaky", "JPEG"), {}
    if kind.startswith("redirect-") and kind.endswith("-to-good"):
        hops = int(kind.split("-")[1])
        target = f"redirect-{hops - 1}-to-good" if hops > 1 else "redirect-target"
        return 302, "text/html", b"", {"Location": f"/faults/{run}/{target}"}
    if kind == "redirect-target":
        return 200, "image/jpeg", noise_image(f"{run}/redirected", "JPEG"), {}
    if kind in ("redirect-loop-a", "redirect-loop-b"):
        other = "redirect-loop-b" if kind.endswith("a") else "redirect-loop-a"
        return 301, "text/html", b"", {"Location": f"{base}/faults/{run}/{other}"}
    if kind == "html-served-as-jpeg":
        return 200, "image/jpeg", b"<!doctype html><title>Hotlinking forbidden</title>", {}
    if kind == "empty":
        return 200, "image/jpeg", b"", {}
    if kind == "not-found-404":
        return 404, "text/html", b"<h1>Not found</h1>", {}
    if kind == "gone-410":
        return 410, "text/html", b"<h1>Gone</h1>", {}
    if kind == "server-error-503":
        return 503, "text/html", b"<h1>Service unavailable</h1>", {}
    if kind == "stall":
        time.sleep(DOWNLOAD_TIMEOUT * 2 + 1)
        _reset(handler)
        return None
    if kind == "drip":
        body = noise_image(f"{run}/drip", "JPEG")
        _headers(handler, 200, "image/jpeg", len(body))
        _write_slowly(handler, [body[i : i + 64] for i in range(0, 64 * 20, 64)], 0.5)
        _reset(handler)
        return None
    if kind == "reset":
        _reset(handler)
        return None
    if kind == "reset-mid-body":
        body = noise_image(f"{run}/reset-mid-body", "JPEG")
        _headers(handler, 200, "image/jpeg", len(body))
        _write_slowly(handler, [body[: len(body) // 2]], 0.05)
        _reset(handler)
        return None
    if kind == "too-large":
        _headers(handler, 200, "image/jpeg", DOWNLOAD_MAXSIZE * 3)
        _write_slowly(handler, [b"\xff" * 65536] * (DOWNLOAD_MAXSIZE * 3 // 65536), 0)
        return None
    if kind == "too-large-unannounced":
        _headers(handler, 200, "image/jpeg", None)
        _write_slowly(handler, [b"\xff\xd8\xff" + b"\0" * 65533] + [b"\0" * 65536] * 60, 0)
        handler.close_connection = True
        return None
    if kind == "bomb-header":
        return 200, "image/png", bomb_png(), {}
    if kind == "over-max-pixels":
        return 200, "image/png", big_flat_png(), {}
    return 404, "text/plain", b"no such fault", {}


def guard_results(base: str, run: str, own_host: str) -> dict[str, str]:
    """image URL -> expected outcome on a crawl without ALLOW_PRIVATE_ADDRESSES, whose
    BING_SEARCH_URL is ``{base}/guard/{run}/images/search``. Images under that engine URL are
    the user's own endpoint and allowed; one of them redirects to the cloud metadata address."""
    port = base.rsplit(":", 1)[1]
    engine = f"{base}/guard/{run}/images/search"
    return {
        f"{engine}/good.jpg": "kept",
        f"{engine}/to-metadata.jpg": "private_address",  # allowed, then redirected
        f"{base}/guard/{run}/img/loopback.jpg": "private_address",
        "http://169.254.169.254/latest/meta-data/iam/security-credentials/": "private_address",
        f"http://localhost:{port}/guard/{run}/img/localhost.jpg": "private_address",
        f"http://[::1]:{port}/guard/{run}/img/ipv6.jpg": "private_address",
        f"http://{own_host}:{port}/guard/{run}/img/own-host.jpg": "private_address",  # resolved
        "http://10.0.0.1/internal.jpg": "private_address",
        "file:///etc/passwd": "unsupported_scheme",
        "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGNgAAAAAgAB4iG8MwAAAABJRU5ErkJggg==": "unsupported_scheme",
        f"ftp://127.0.0.1:{port}/guard/{run}/img/ftp.jpg": "unsupported_scheme",
    }


def _guard(handler: mockserver.Handler, path: str, query: dict[str, list[str]]) -> mockserver.Reply:
    _, _, run, rest = path.split("/", 3)
    base = f"http://{handler.headers.get('Host')}"
    if rest == "images/search":
        own_host = query.get("own_host", [socket.gethostname()])[0]
        urls = guard_results(base, run, own_host)
        results = [(url, f"{base}/guard/{run}/page/{i}.html", f"guard photo {i}") for i, url in enumerate(urls)]
        return 200, "text/html; charset=utf-8", mockserver.bing_page_of(results).encode(), {}
    if rest == "images/search/to-metadata.jpg":
        return 302, "text/html", b"", {"Location": "http://169.254.169.254/latest/meta-data/"}
    if rest.startswith("images/search/") or rest.startswith("img/"):
        return 200, "image/jpeg", noise_image(f"{run}/guard/{rest}", "JPEG"), {}
    return 200, "text/html", b"<!doctype html><title>source page</title>", {}


def slow_image_path(run: str, index: int) -> str:
    return f"/slow/{quote(run)}/img/{index}.jpg"


def _slow_rows(base: str, run: str, first: int) -> str:
    """Real Bing result rows for slow results ``first``..``first + SLOW_BATCH - 1``."""
    _, templates = mockserver._bing_capture()
    items = []
    for index in range(first, min(first + SLOW_BATCH, SLOW_RESULTS)):
        li = copy.deepcopy(templates[index % len(templates)])
        murl, purl = f"{base}{slow_image_path(run, index)}", f"{base}/slow/{run}/page/{index}.html"
        mockserver.fill_result(li, murl, purl, f"slow photo {index}", 320, 240, base)
        items.append(lxml.html.tostring(li, encoding="unicode"))
    return "".join(f'<ul class="dgControl_list ">{item}</ul>' for item in items)


def _slow_next(run: str, first: int) -> str | None:
    return f"/slow/{run}/images/async?first={first}" if first < SLOW_RESULTS else None


def _slow(handler: mockserver.Handler, path: str, query: dict[str, list[str]]) -> mockserver.Reply:
    """A Bing page that shows SLOW_BATCH results and loads more, late, as the reader scrolls."""
    _, _, run, rest = path.split("/", 3)
    base = f"http://{handler.headers.get('Host')}"
    if rest == "images/search":
        shell, _ = mockserver._bing_capture()
        html = shell.replace('<div id="results-placeholder"></div>', _slow_rows(base, run, 0))
        html = re.sub(r'data-nexturl="[^"]*"', f'data-nexturl="{_slow_next(run, SLOW_BATCH)}"', html, count=1)
        return 200, "text/html; charset=utf-8", html.encode(), {}
    if rest == "images/async":
        time.sleep(SLOW_PAGE_DELAY)
        first = int(query["first"][0])
        payload = {"html": _slow_rows(base, run, first), "next": _slow_next(run, first + SLOW_BATCH)}
        return 200, "application/json", json.dumps(payload).encode(), {}
    if rest.startswith("img/"):
        time.sleep(SLOW_DELAY)
        index = int(rest.split("/")[1].split(".")[0])
        return 200, "image/jpeg", noise_image(f"{run}/slow/{index}", "JPEG"), {}
    return 200, "text/html", b"<!doctype html><title>source page</title>", {}


mockserver.ROUTES["/faults/"] = _faults
mockserver.ROUTES["/slow/"] = _slow
mockserver.ROUTES["/guard/"] = _guard
