"""Four sites that reserve AI training the 2026 ways (issue 27), and a Bing page pointing at them.

Each site is its own server (its own origin, so its own robots.txt, ai.txt and download slot),
started by the test with :func:`sites_serving`; the Bing results page is a route of the shared
mock server, ``/sitesignals/<port>-<port>-<port>-<port>/images/search``, listing one result per
kind in :data:`KINDS`:

* ``main``: a robots.txt with an RSL ``License:`` line, a group barring LAIONDownloader from
  ``/laion/`` and ``Content-Usage`` rules in draft-ietf-aipref-attach's shape (``/cu/`` no, ``/cu/free/``
  yes); its ``/license.xml`` joins two real RSL contents (commonmeasure.ai's ``prohibits ai-train``
  for ``/rsl-prohibited/``, the RSL Collective's licence server for ``/rsl-licensed/``); an image
  served with ``Content-Usage: train-ai=n``; a page with ``<meta name="robots" content="noml">``;
  the CAWG ``constrained`` C2PA sample (tests/fixtures/c2pa/); an image whose ``Link`` header, and a
  page whose ``<link rel="license" type="application/rsl+xml">``, name commonmeasure.ai's real RSL
  document (``prohibits ai-train`` for ``/``).
* ``cloudflare``: the Cloudflare-managed block of davidguetta.com's real robots.txt
  (``content-signal: search=yes,ai-train=no``).
* ``aitxt``: the ai.robots.txt project's real ``/ai.txt`` (``Disallow: /``).
* ``delay``: www.vatican.va's real robots.txt (``crawl-delay: 2``): every request to it is
  timed (:attr:`SiteServer.times`).
* ``hostile`` (generated): an RSL document in a redirect loop, one over the size cap, an ai.txt
  over its cap; its image is kept.

Pages of the ``cloudflare`` and ``aitxt`` images are on ``main`` (a plain page), so only the image's
own host speaks.
"""

from __future__ import annotations

import io
import random
import tarfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from functools import cache
from http.server import BaseHTTPRequestHandler
from pathlib import Path

from PIL import Image

from tests import mockserver

FIXTURES = Path(__file__).parents[1] / "fixtures"
SITES = ("main", "cloudflare", "aitxt", "delay", "hostile")


@cache
def real_robots(name: str) -> bytes:
    with tarfile.open(FIXTURES / "robots" / "robots_2026-01.tar.xz") as tar:
        member = next(m for m in tar.getmembers() if m.name.endswith("/" + name))
        return tar.extractfile(member).read()  # type: ignore[union-attr]


def cloudflare_block() -> bytes:
    """davidguetta.com's "begin cloudflare managed content" block, lines 26-30, as written."""
    return b"\n".join(real_robots("davidguetta.com.robots.txt").splitlines()[25:30]) + b"\n"


MAIN_ROBOTS = (
    b"License: /license.xml\n\n"
    b"User-agent: LAIONDownloader\nDisallow: /laion/\n\n"
    b"User-Agent: *\nAllow: /\nContent-Usage: /cu/ train-ai=n\nContent-Usage: /cu/free/ train-ai=y\n"
)
RSL = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<rsl xmlns="https://rslstandard.org/rsl">\n'
    b'  <content url="/rsl-prohibited/">\n    <license>\n'
    b'      <permits type="usage">search ai-input ai-index</permits>\n'
    b'      <prohibits type="usage">ai-train</prohibits>\n      <payment type="free"/>\n    </license>\n  </content>\n'
    b'  <content url="/rsl-licensed/" server="https://api.rslcollective.org"><license><permits type="usage">ai-all'
    b'</permits><payment type="use"><standard>https://rslcollective.org/license</standard></payment></license>'
    b"</content>\n</rsl>\n"
)

#: RSL 1.0's Link header, as park.fan writes it (a public repository's RSL module, tests/fixtures/README.md).
LINK = '</commonmeasure-license.xml>; rel="license"; type="application/rsl+xml"'

#: kind -> (site of the image, image path, site of the page, page path).
KINDS: dict[str, tuple[str, str, str, str]] = {
    "plain": ("main", "/img/plain.jpg", "main", "/pages/plain.html"),
    "cu-reserved": ("main", "/cu/cu-reserved.jpg", "main", "/pages/cu-reserved.html"),
    "cu-free": ("main", "/cu/free/cu-free.jpg", "main", "/pages/cu-free.html"),
    "cu-header": ("main", "/img/cu-header.jpg", "main", "/pages/cu-header.html"),
    "rsl-prohibited": ("main", "/rsl-prohibited/rsl-prohibited.jpg", "main", "/pages/rsl-prohibited.html"),
    "rsl-licensed": ("main", "/rsl-licensed/rsl-licensed.jpg", "main", "/pages/rsl-licensed.html"),
    "rsl-free": ("main", "/rsl-free/rsl-free.jpg", "main", "/pages/rsl-free.html"),
    "laion": ("main", "/laion/laion.jpg", "main", "/pages/laion.html"),
    "noml-page": ("main", "/img/noml-page.jpg", "main", "/pages/noml/noml-page.html"),
    "constrained": ("main", "/img/constrained.jpg", "main", "/pages/constrained.html"),
    "rsl-link-header": ("main", "/img/rsl-link-header.jpg", "main", "/pages/rsl-link-header.html"),
    "rsl-link-page": ("main", "/img/rsl-link-page.jpg", "main", "/pages/rsl-link/rsl-link-page.html"),
    "content-signal": ("cloudflare", "/wp-content/uploads/content-signal.jpg", "main", "/pages/content-signal.html"),
    "ai-txt": ("aitxt", "/img/ai-txt.jpg", "main", "/pages/ai-txt.html"),
    "delay-1": ("delay", "/img/delay-1.jpg", "delay", "/pages/delay-1.html"),
    "delay-2": ("delay", "/img/delay-2.jpg", "delay", "/pages/delay-2.html"),
    "hostile": ("hostile", "/img/hostile.jpg", "hostile", "/pages/hostile.html"),
}  # fmt: skip

EXPECTED = {
    "plain": "kept", "cu-free": "kept", "rsl-free": "kept", "delay-1": "kept", "delay-2": "kept", "hostile": "kept",
    "cu-reserved": "content_usage", "cu-header": "content_usage", "rsl-prohibited": "rsl_prohibited",
    "rsl-licensed": "rsl_license_required", "laion": "robots_txt_ai", "noml-page": "noai",
    "constrained": "c2pa_training_not_allowed", "content-signal": "content_signal", "ai-txt": "ai_txt",
    "rsl-link-header": "rsl_prohibited", "rsl-link-page": "rsl_prohibited",
}  # fmt: skip


def kind_of(url: str) -> str:
    return url.rsplit("/", 1)[1].removesuffix(".jpg")


@cache
def image_bytes(kind: str) -> bytes:
    if kind == "constrained":
        return (FIXTURES / "c2pa" / "9a_generated-cawg-training-mining-constrained.jpg").read_bytes()
    rng = random.Random(kind)
    out = io.BytesIO()
    Image.frombytes("RGB", (160, 120), rng.randbytes(160 * 120 * 3)).save(out, "JPEG", quality=85)
    return out.getvalue()


#: The hostile site's RSL documents: one redirects to itself for ever, one is 2 MiB (over
#: RSL_MAXSIZE) and would require a license if it were read; its ai.txt is 600 KiB (over
#: AI_TXT_MAXSIZE) with its Disallow past the cap. None may reserve anything or stall the crawl.
HOSTILE_ROBOTS = b"License: /loop.xml\nLicense: /huge.xml\n\nUser-agent: *\nAllow: /\n"
HUGE_RSL = (b'<rsl xmlns="https://rslstandard.org/rsl"><content url="/" server="https://api.rslcollective.org"/>'
            + b"<!--" + b"a" * (2 * 1024 * 1024) + b"--></rsl>")
HUGE_AI_TXT = b"# padding\n" * 60_000 + b"User-Agent: *\nDisallow: /\n"


def robots_of(site: str) -> bytes:
    if site == "hostile":
        return HOSTILE_ROBOTS
    if site == "main":
        return MAIN_ROBOTS
    if site == "cloudflare":
        return cloudflare_block()
    if site == "delay":
        return real_robots("www.vatican.va.robots.txt")
    return b"User-agent: *\nAllow: /\n"


class SiteHandler(BaseHTTPRequestHandler):
    server: SiteServer

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the stdlib's name
        pass

    def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
        path = self.path.split("?", 1)[0]
        self.server.log_request_url(path)
        with self.server._lock:
            self.server.times.append((time.monotonic(), path))
        site = self.server.site
        images = {spec[1]: kind for kind, spec in KINDS.items() if spec[0] == site}
        if path == "/robots.txt":
            self._send(200, "text/plain", robots_of(site))
        elif path == "/license.xml" and site == "main":
            self._send(200, "application/rsl+xml", RSL)
        elif path == "/commonmeasure-license.xml" and site == "main":
            self._send(200, "application/rsl+xml", (FIXTURES / "rsl" / "commonmeasure.ai__license.xml").read_bytes())
        elif site == "hostile" and path == "/loop.xml":
            mockserver.send(self, 302, "text/plain", b"", {"Location": f"/loop.xml?{time.monotonic_ns()}"})
        elif site == "hostile" and path == "/huge.xml":
            self._send(200, "application/rsl+xml", HUGE_RSL)
        elif site == "hostile" and path == "/ai.txt":
            self._send(200, "text/plain", HUGE_AI_TXT)
        elif path == "/ai.txt" and site == "aitxt":
            self._send(200, "text/plain", (FIXTURES / "aitxt" / "ai-robots-txt__ai.txt").read_bytes())
        elif path in images:
            kind = images[path]
            headers = {"Content-Usage": "train-ai=n, search=y"} if kind == "cu-header" else {}
            if kind == "rsl-link-header":
                headers = {"Link": LINK}
            mockserver.send(self, 200, "image/jpeg", image_bytes(kind), headers)
        elif path.startswith("/pages/rsl-link/"):
            self._send(200, "text/html", b'<!doctype html><link rel="license" type="application/rsl+xml" '
                       b'href="/commonmeasure-license.xml"><p>a photo</p>')
        elif path.startswith("/pages/noml/"):
            self._send(200, "text/html", b'<!doctype html><meta name="robots" content="noml"><p>a photo</p>')
        elif path.endswith(".html"):
            self._send(200, "text/html", b"<!doctype html><title>an article</title><p>a photo</p>")
        else:
            self._send(404, "text/plain", b"not found")

    def _send(self, status: int, content_type: str, body: bytes) -> None:
        mockserver.send(self, status, content_type, body)


class SiteServer(mockserver.LoggingServer):
    def __init__(self, site: str) -> None:
        super().__init__(("127.0.0.1", 0), SiteHandler)
        self.site = site
        #: (time.monotonic(), path) of every request, in arrival order.
        self.times: list[tuple[float, str]] = []


@contextmanager
def sites_serving() -> Iterator[dict[str, SiteServer]]:
    with ExitStack() as stack:
        yield {site: stack.enter_context(mockserver.serving_in_thread(SiteServer(site))) for site in SITES}


def _search(handler: mockserver.Handler, path: str, query: dict[str, list[str]]) -> mockserver.Reply:
    ports = dict(zip(SITES, path.split("/")[2].split("-"), strict=True))
    results = [
        (f"http://127.0.0.1:{ports[image_site]}{image}", f"http://127.0.0.1:{ports[page_site]}{page}", f"{kind} photo")
        for kind, (image_site, image, page_site, page) in KINDS.items()
    ]
    return 200, "text/html; charset=utf-8", mockserver.bing_page_of(results).encode(), {}


mockserver.ROUTES["/sitesignals/"] = _search
