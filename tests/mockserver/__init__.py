"""One loopback HTTP server that plays each engine from the real captures' markup, and the
image hosts behind them.

Bing: ``/images/search`` answers with the real 2026 results page (tests/fixtures), its scripts
removed and its result list rebuilt from its own ``li`` blocks, pointed at images this server
serves. Like Bing, the page holds the first 35 results; its script fetches ``/images/async``
fragments (same markup, no ``<html>``) when the reader scrolls near the bottom, and the fragments
arrive after a delay. Every third batch waits behind the page's real "See more" button.

``/s/<N>/images/search`` plays a query with N results (default 260). Results follow a fixed
plan (:func:`bing_plan`), so tests know which ones are good, broken or duplicates.

Run it alone with ``python -m tests.mockserver --port 8000``.
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import io
import json
import random
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TypeVar
from urllib.parse import parse_qs, quote, unquote, urlencode, urlsplit

import lxml.html
from PIL import Image

FIXTURES = Path(__file__).parents[1] / "fixtures"
BING_PAGE = FIXTURES / "bing_images_search_golang_gopher_2026.html"
BATCH = 35
DEFAULT_TOTAL = 260
ASYNC_DELAY = 0.4
#: Broken kinds, in turn, for every result whose index ends in 3.
BROKEN_KINDS = ("truncated", "html_as_jpeg", "not_found", "empty", "too_small")
FORMATS = ("JPEG", "PNG", "WEBP")
CONTENT_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}


# -- the plan: which result is what -----------------------------------------------------------


@dataclass(frozen=True)
class PlannedResult:
    index: int
    kind: str  # "good", "duplicate" (same bytes as index - 1) or one of BROKEN_KINDS
    format: str
    width: int
    height: int

    @property
    def usable(self) -> bool:
        return self.kind == "good"


def bing_plan(total: int = DEFAULT_TOTAL) -> list[PlannedResult]:
    """Results 0..total-1: index ending in 3 broken, in 7 a duplicate of the one before."""
    plan = []
    for i in range(total):
        if i % 10 == 3:
            kind = BROKEN_KINDS[(i // 10) % len(BROKEN_KINDS)]
        elif i % 10 == 7:
            kind = "duplicate"
        else:
            kind = "good"
        source = i - 1 if kind == "duplicate" else i
        fmt = FORMATS[source % len(FORMATS)]
        width, height = 200 + (source * 37) % 300, 150 + (source * 53) % 250
        plan.append(PlannedResult(i, kind, fmt, width, height))
    return plan


def image_path(query: str, index: int, fmt: str) -> str:
    return f"/img/{quote(query, safe='')}/{index}.{EXTENSIONS[fmt]}"


@lru_cache(maxsize=4096)
def render_image(query: str, index: int, fmt: str, width: int, height: int) -> bytes:
    """A distinct, decodable image: seeded noise, so no two results share bytes by chance."""
    rng = random.Random(f"{query}/{index}")
    image = Image.frombytes("RGB", (width, height), rng.randbytes(width * height * 3))
    buffer = io.BytesIO()
    image.save(buffer, fmt, quality=80) if fmt == "JPEG" else image.save(buffer, fmt)
    return buffer.getvalue()


def image_response(query: str, index: int, total: int) -> tuple[int, str, bytes]:
    plan = bing_plan(total)
    if not 0 <= index < total:
        return 404, "text/plain", b"no such image"
    result = plan[index]
    source = plan[index - 1] if result.kind == "duplicate" else result
    good = render_image(query, source.index, source.format, source.width, source.height)
    content_type = CONTENT_TYPES[source.format]
    if result.kind in ("good", "duplicate"):
        return 200, content_type, good
    if result.kind == "truncated":
        return 200, content_type, good[: len(good) // 2]
    if result.kind == "html_as_jpeg":
        return 200, "image/jpeg", b"<!doctype html><title>Not found</title><p>gone</p>"
    if result.kind == "not_found":
        return 404, "text/html", b"<h1>404</h1>"
    if result.kind == "empty":
        return 200, content_type, b""
    if result.kind == "too_small":
        return 200, "image/png", render_image(query, index, "PNG", 32, 32)
    raise AssertionError(result.kind)


# -- Bing markup, from the real capture -------------------------------------------------------


@lru_cache(maxsize=1)
def _bing_capture() -> tuple[str, list[lxml.html.HtmlElement]]:
    """The real page as a shell with a placeholder for results, and its result ``li`` blocks."""
    doc = lxml.html.fromstring(BING_PAGE.read_bytes())
    container = doc.get_element_by_id("mmComponent_images_2")
    templates = []
    for li in container.xpath("./ul[contains(@class,'dgControl_list')]/li"):
        links = li.xpath(".//a[contains(@class,'iusc')]")
        if len(links) == 1 and json.loads(links[0].get("m")).get("purl"):
            templates.append(copy.deepcopy(li))
    for ul in container.xpath("./ul"):
        container.remove(ul)
    expand = doc.get_element_by_id("mmComponent_images_2_exp")
    # Bing's own stylesheet (kept inline in the page) hides this button until the page's script
    # adds the class "clickable"; our script does the same.
    expand.addprevious(lxml.html.fromstring('<div id="results-placeholder"></div>'))
    # Bing's own scripts need bing.com; ours below plays their paging. External stylesheets
    # would only make Chromium try the network.
    for element in doc.xpath("//script | //link | //iframe"):
        element.drop_tree()
    doc.body.append(lxml.html.fromstring(f"<script>{PAGING_SCRIPT}</script>"))
    shell = lxml.html.tostring(doc, encoding="unicode", doctype="<!DOCTYPE html>")
    return shell, templates


def bing_rows(base: str, query: str, total: int, first: int, count: int) -> str:
    """``ul.dgControl_list`` rows for results ``first``..``first+count-1``, from real blocks."""
    _, templates = _bing_capture()
    plan = bing_plan(total)
    items = []
    for result in plan[first : first + count]:
        li = copy.deepcopy(templates[result.index % len(templates)])
        _fill(li, base, query, total, result)
        items.append(lxml.html.tostring(li, encoding="unicode"))
    rows = [items[i : i + 5] for i in range(0, len(items), 5)]
    return "".join(f'<ul class="dgControl_list ">{"".join(row)}</ul>' for row in rows)


def _fill(li: lxml.html.HtmlElement, base: str, query: str, total: int, result: PlannedResult) -> None:
    murl = f"{base}/s/{total}{image_path(query, result.index, result.format)}"
    purl = f"{base}/page/{quote(query, safe='')}/{result.index}.html"
    width, height = (32, 32) if result.kind == "too_small" else (result.width, result.height)
    fill_result(li, murl, purl, f"{query} photo {result.index} – \"mock\" result", width, height, base)


def fill_result(
    li: lxml.html.HtmlElement, murl: str, purl: str, title: str, width: int, height: int, base: str
) -> None:
    """Point one real result block at our image, page and title, keeping Bing's markup."""
    turl = f"{base}/th?id=OIP.{hashlib.md5(murl.encode()).hexdigest()}&pid=15.1"  # noqa: S324
    link = li.xpath(".//a[contains(@class,'iusc')]")[0]
    meta = json.loads(link.get("m"))
    meta.update(
        murl=murl, purl=purl, turl=turl, t=title, desc=f"\ue000{title}\ue001",
        md5=hashlib.md5(murl.encode()).hexdigest(),  # noqa: S324 (an id, as Bing's is)
    )
    link.set("m", json.dumps(meta, ensure_ascii=False))
    detail = urlencode({"view": "detailV2", "mediaurl": murl, "exph": height, "expw": width})
    link.set("href", f"/images/search?{detail}")
    for span in li.xpath(".//div[contains(@class,'img_info')]/span[contains(@class,'nowrap')]"):
        span.text = f"{width}×{height}"
    for site in li.xpath(".//div[contains(@class,'lnkw')]/a"):
        site.set("href", purl)
        site.set("title", urlsplit(purl).netloc)
    for caption in li.xpath(".//a[contains(@class,'inflnk')]"):
        caption.set("aria-label", title)
    for img in li.xpath(".//img"):
        img.set("src", turl)


def bing_page_of(results: list[tuple[str, str, str]], width: int = 320, height: int = 240) -> str:
    """A one-page Bing results page (no more to load) for explicit (image, page, title) results."""
    shell, templates = _bing_capture()
    items = []
    for index, (murl, purl, title) in enumerate(results):
        li = copy.deepcopy(templates[index % len(templates)])
        base = f"{urlsplit(murl).scheme}://{urlsplit(murl).netloc}"
        fill_result(li, murl, purl, title, width, height, base)
        items.append(lxml.html.tostring(li, encoding="unicode"))
    rows = "".join(f'<ul class="dgControl_list ">{"".join(items[i : i + 5])}</ul>' for i in range(0, len(items), 5))
    html = shell.replace('<div id="results-placeholder"></div>', rows)
    return re.sub(r'data-nexturl="[^"]*"', "", html, count=1)


PAGING_SCRIPT = r"""
(function () {
  var box = document.getElementById('mmComponent_images_2');
  var more = document.getElementById('mmComponent_images_2_exp');
  var loading = false, loads = 0, waitingForClick = false;
  function load() {
    var next = box.getAttribute('data-nexturl');
    if (loading || !next) return;
    loading = true;
    fetch(next).then(function (r) { return r.json(); }).then(function (data) {
      more.insertAdjacentHTML('beforebegin', data.html);
      if (data.next) box.setAttribute('data-nexturl', data.next); else box.removeAttribute('data-nexturl');
      loads += 1; loading = false;
      if (data.next && loads % 3 === 0) { waitingForClick = true; more.classList.add('clickable'); }
    });
  }
  window.addEventListener('scroll', function () {
    var nearBottom = window.innerHeight + window.scrollY >= document.documentElement.scrollHeight - 400;
    if (nearBottom && !waitingForClick) load();
  });
  more.addEventListener('click', function (e) {
    e.preventDefault(); waitingForClick = false; more.classList.remove('clickable'); load();
  });
})();
"""


def bing_page(base: str, query: str, total: int) -> str:
    shell, _ = _bing_capture()
    first_rows = bing_rows(base, query, total, 0, BATCH)
    html = shell.replace('<div id="results-placeholder"></div>', first_rows)
    next_url = _next_async(query, total, BATCH)
    return re.sub(r'data-nexturl="[^"]*"', f'data-nexturl="{next_url}"' if next_url else "", html, count=1)


def _next_async(query: str, total: int, first: int) -> str | None:
    if first >= total:
        return None
    params = urlencode({"q": query, "first": first, "count": BATCH, "mmasync": 1})
    return f"/s/{total}/images/async?{params}".replace("&", "&amp;")


# -- the server -------------------------------------------------------------------------------

_TOTAL_PREFIX = re.compile(r"^/s/(\d+)(/.*)$")


#: A route's answer: status, content type, body and extra headers.
Reply = tuple[int, str, bytes, dict[str, str]]
#: Extra engines and hosts played by other test modules: path prefix -> handler(request handler,
#: path, query) returning a Reply (or the first three of it), or None when it answered on the
#: socket itself (tests/mockserver/faults.py). See tests/mockserver/*.py.
ROUTES: dict[str, Callable[[Handler, str, dict[str, list[str]]], tuple]] = {}
#: POST routes (an OAuth token endpoint...): path prefix -> handler(request handler, path, form
#: fields of an ``application/x-www-form-urlencoded`` body) returning a Reply.
POST_ROUTES: dict[str, Callable[[Handler, str, dict[str, list[str]]], tuple]] = {}


class Handler(BaseHTTPRequestHandler):
    server: MockHTTPServer

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass

    def do_GET(self) -> None:  # noqa: N802
        self.server.log_request_url(self.path)
        parts = urlsplit(self.path)
        path, total = parts.path, DEFAULT_TOTAL
        match = _TOTAL_PREFIX.match(path)
        if match:
            total, path = int(match.group(1)), match.group(2)
        query = parse_qs(parts.query)
        base = f"http://{self.headers.get('Host')}"
        for prefix, route in ROUTES.items():
            if path.startswith(prefix):
                reply = route(self, path, query)
                if reply is not None:  # None: the route wrote (or refused) its answer itself
                    self._send(*reply)
                return
        if path == "/images/search":
            self._send(200, "text/html; charset=utf-8", bing_page(base, query.get("q", [""])[0], total).encode())
        elif path == "/images/async":
            time.sleep(ASYNC_DELAY)  # results arrive late, as they do from Bing
            q, first = query.get("q", [""])[0], int(query.get("first", ["0"])[0])
            count = int(query.get("count", [str(BATCH)])[0])
            payload = {"html": bing_rows(base, q, total, first, count)}
            next_url = _next_async(q, total, first + count)
            payload["next"] = next_url.replace("&amp;", "&") if next_url else None
            self._send(200, "application/json", json.dumps(payload).encode())
        elif path.startswith("/img/"):
            _, _, q, name = path.split("/", 3)
            from urllib.parse import unquote  # noqa: PLC0415

            status, content_type, body = image_response(unquote(q), int(name.split(".")[0]), total)
            self._send(status, content_type, body)
        elif path == "/robots.txt":
            self._send(200, "text/plain", b"User-agent: *\nDisallow: /private/\n")
        elif path.startswith("/page/"):
            self._send(200, "text/html", b"<!doctype html><title>source page</title><p>an article</p>")
        else:
            self._send(404, "text/plain", b"not found")

    def do_POST(self) -> None:  # noqa: N802
        self.server.log_request_url("POST " + self.path)
        length = int(self.headers.get("Content-Length") or 0)
        form = parse_qs(self.rfile.read(length).decode("utf-8", "replace"))
        path = urlsplit(self.path).path
        for prefix, route in POST_ROUTES.items():
            if path.startswith(prefix):
                self._send(*route(self, path, form))
                return
        self._send(405, "text/plain", b"method not allowed")

    def _send(self, status: int, content_type: str, body: bytes, headers: dict[str, str] | None = None) -> None:
        send(self, status, content_type, body, headers)


def send(
    handler: BaseHTTPRequestHandler, status: int, content_type: str, body: bytes, headers: dict[str, str] | None = None
) -> None:
    """One whole reply: status, content type, any other headers, length, body."""
    handler.send_response(status)
    handler.send_header("Content-Type", content_type)
    for name, value in (headers or {}).items():
        handler.send_header(name, value)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


class LoggingServer(ThreadingHTTPServer):
    """A threaded HTTP server on loopback that keeps the path of every request it was asked,
    for the mock engines here and the extra hosts of tests/mockserver/ (sites, IPv6, a proxy)."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler]) -> None:
        super().__init__(address, handler)
        self.requests: list[str] = []
        self._lock = threading.Lock()

    def log_request_url(self, path: str) -> None:
        with self._lock:
            self.requests.append(path)

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    @property
    def base(self) -> str:
        host = "[::1]" if self.address_family == socket.AF_INET6 else "127.0.0.1"
        return f"http://{host}:{self.port}"


S = TypeVar("S", bound=ThreadingHTTPServer)


@contextmanager
def serving_in_thread(server: S) -> Iterator[S]:
    """Serve ``server`` from a daemon thread until the block ends, then close it."""
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


class MockHTTPServer(LoggingServer):
    def __init__(self, port: int = 0) -> None:
        super().__init__(("127.0.0.1", port), Handler)


@contextmanager
def serving(port: int = 0) -> Iterator[MockHTTPServer]:
    with serving_in_thread(MockHTTPServer(port)) as server:
        yield server


def numbered_images(engine: str, broken_every: int) -> Callable[..., Reply]:
    """The route of an API mock's images, ``/<prefix>/<query>/<index>.jpg``: a JPEG drawn for the
    engine, query and index, whose size follows the index; every ``broken_every``-th is a 404."""

    def image(handler: object, path: str, query: dict[str, list[str]]) -> Reply:
        _, _, q, name = path.split("/", 3)
        index = int(name.split(".")[0])
        if index % broken_every == broken_every - 1:
            return 404, "text/html", b"<h1>404</h1>", {}
        width, height = 160 + (index * 37) % 200, 120 + (index * 53) % 180
        return 200, "image/jpeg", render_image(f"{engine}/{unquote(q)}", index, "JPEG", width, height), {}

    return image


#: Each engine's endpoint setting and its path on this server (tests/crawl/conftest.py uses the same).
ENGINE_ENDPOINTS: dict[str, tuple[str, str]] = {
    "bing": ("BING_SEARCH_URL", "/images/search"),
    "google": ("GOOGLE_SEARCH_URL", "/search"),
    "flickr": ("FLICKR_API_URL", "/services/rest/"),
    "openverse": ("OPENVERSE_API_URL", ""),
    "commons": ("COMMONS_API_URL", "/w/api.php"),
}
#: A Flickr key the mock accepts (any key not starting with ``bad``).
DEMO_FLICKR_KEY = "demo-key"


def demo_lines(base: str) -> list[str]:
    """What ``python -m tests.mockserver`` prints: a command per engine with the ``-s`` settings to paste
    (the images are served from 127.0.0.1, which a crawl refuses unless ALLOW_PRIVATE_ADDRESSES)."""
    lines = [f"imagespider's mock engines on {base} (Ctrl-C to stop); in another terminal, from the project folder:"]
    for engine, (setting, path) in ENGINE_ENDPOINTS.items():
        extra = f" -s FLICKR_API_KEY={DEMO_FLICKR_KEY}" if engine == "flickr" else ""
        lines.append(
            f"  .venv/bin/scrapy crawl {engine} -a q=cat -a limit=10 -a license=any -s IMAGES_STORE=data-demo "
            f"-s {setting}={base}{path}{extra} -s ALLOW_PRIVATE_ADDRESSES=True"
        )
    return lines


def main() -> None:
    """Serve every engine the tests play, for trying a crawl by hand."""
    import importlib  # noqa: PLC0415

    parser = argparse.ArgumentParser(description="imagespider's mock engines, on 127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    port = parser.parse_args().port
    # Run as `python -m tests.mockserver`, this file is __main__; the route modules register on
    # tests.mockserver, so serve from that module.
    served = importlib.import_module("tests.mockserver")
    for name in ("tests.mockserver.google", "tests.mockserver.flickr", "tests.mockserver.rights",
                 "tests.mockserver.openverse", "tests.mockserver.commons", "tests.mockserver.pages"):
        importlib.import_module(name)
    with served.serving(port) as running:
        print("\n".join(demo_lines(running.base)), flush=True)
        threading.Event().wait()


if __name__ == "__main__":
    main()
