"""The real saved pages of tests/fixtures/pages/real/ at their own addresses, served on 127.0.0.1.

A crawl reaches them through :func:`real_web`, a forward proxy on loopback that is every host of
that set itself (``http_proxy`` / ``https_proxy`` in the crawl's environment): ``GET http://host/path``
is answered directly, and ``CONNECT host:443`` is answered with TLS under a throwaway self-signed
certificate (Scrapy verifies no certificate by default, as a crawl of the open web must not), then
the requests in the tunnel. So each page is served byte for byte as it was saved, at the address
it was saved from, and every URL in it means what it meant there: nothing is rewritten. Each
page's principal image (``image_url`` in truth.json) is a photo-like JPEG of its own
(tests/photos.py, no metadata: the file adds no rights evidence); anything else, robots.txt and
``/.well-known/tdmrep.json`` included, is a 404 (robots.txt allows everything, no TDM rule).

``/realpages/images/search`` on the main mock server is Bing (the real capture's markup,
:func:`tests.mockserver.bing_page_of`) listing every page of the set: image, page, title.
"""

from __future__ import annotations

import datetime
import json
import ssl
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from tests import mockserver
from tests.mockserver import LoggingServer, send, serving_in_thread
from tests.photos import render_photo

REAL = Path(__file__).parents[1] / "fixtures" / "pages" / "real"


@dataclass(frozen=True)
class RealPage:
    """One row of truth.json: a saved page and its principal image, as judged by reading it."""

    nn: str
    file: str
    site: str
    page_url: str
    image_url: str
    license: str
    version: str | None
    author: str | None
    opt_out: list[dict[str, Any]] | None

    @property
    def name(self) -> str:
        return self.file.removesuffix(".html")


@lru_cache(maxsize=1)
def real_pages() -> tuple[RealPage, ...]:
    rows = json.loads((REAL / "truth.json").read_text(encoding="utf-8"))
    fields = RealPage.__dataclass_fields__
    return tuple(RealPage(**{key: value for key, value in row.items() if key in fields}) for row in rows)


def url_key(url: str) -> tuple[str, str, str, str]:
    """A URL as compared here: scheme, host, and path and query with percent-escapes decoded (a
    client may escape what the page left bare, or the other way round)."""
    parts = urlsplit(url)
    return parts.scheme.lower(), (parts.hostname or "").lower(), unquote(parts.path) or "/", unquote(parts.query)


@lru_cache(maxsize=1)
def _served() -> dict[tuple[str, str, str, str], tuple[str, Path | str]]:
    """What is served at each URL: ("page", file) or ("image", nn)."""
    served: dict[tuple[str, str, str, str], tuple[str, Path | str]] = {}
    for page in real_pages():
        served[url_key(page.page_url)] = ("page", REAL / page.file)
        served[url_key(page.image_url)] = ("image", page.nn)
    return served


def image_bytes(nn: str) -> bytes:
    return render_photo("realpages", int(nn), "JPEG", 320, 240)


def reply(url: str) -> tuple[int, str, bytes]:
    found = _served().get(url_key(url))
    if found is None:
        return 404, "text/html", b"<!doctype html><title>Not found</title><h1>404</h1>"
    kind, what = found
    if kind == "page":
        # No charset in the header: the page says its own, as the saved file is read in the unit cases.
        return 200, "text/html", Path(what).read_bytes()
    return 200, "image/jpeg", image_bytes(str(what))


class _Handler(BaseHTTPRequestHandler):
    """Answers ``GET absolute-URL`` and ``CONNECT host:port``; in a tunnel, ``GET /path``."""

    server: _RealWeb
    #: ``https://host[:port]`` inside a CONNECT tunnel, else None.
    origin: str | None = None

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass

    def do_GET(self) -> None:  # noqa: N802
        url = self.path if self.origin is None else self.origin + self.path
        self.server.log_request_url(url)
        send(self, *reply(url))

    def do_CONNECT(self) -> None:  # noqa: N802
        host, _, port = self.path.rpartition(":")
        self.send_response(200, "Connection established")
        self.end_headers()
        try:
            tunnel = self.server.tls.wrap_socket(self.connection, server_side=True)
        except (ssl.SSLError, OSError):
            self.close_connection = True
            return
        origin = f"https://{host}" + ("" if port == "443" else f":{port}")
        try:
            _Tunnel(tunnel, self.client_address, self.server, origin)
        except (ssl.SSLError, OSError):
            pass
        finally:
            tunnel.close()
            self.close_connection = True


class _Tunnel(_Handler):
    def __init__(self, request: Any, client_address: Any, server: _RealWeb, origin: str) -> None:
        self.origin = origin
        super().__init__(request, client_address, server)


class _RealWeb(LoggingServer):
    tls: ssl.SSLContext


def _tls_context(folder: Path) -> ssl.SSLContext:
    """A server context with a fresh self-signed certificate naming every host of the set (the
    cryptography package, which Scrapy's TLS stack already needs), so a crawl's TLS log stays as
    quiet as on the real sites."""
    from cryptography import x509  # noqa: PLC0415
    from cryptography.hazmat.primitives import hashes, serialization  # noqa: PLC0415
    from cryptography.hazmat.primitives.asymmetric import ec  # noqa: PLC0415
    from cryptography.x509.oid import NameOID  # noqa: PLC0415

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "imagespider real-pages proxy")])
    now = datetime.datetime.now(datetime.UTC)
    hosts = sorted({url_key(url)[1] for page in real_pages() for url in (page.page_url, page.image_url)})
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(host) for host in hosts]), critical=False)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=7))
        .sign(key, hashes.SHA256())
    )  # fmt: skip
    (folder / "cert.pem").write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    (folder / "key.pem").write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(folder / "cert.pem", folder / "key.pem")
    return context


@contextmanager
def real_web() -> Iterator[_RealWeb]:
    """The proxy (see the module docstring); ``.base`` is its URL, ``.requests`` the absolute URLs asked."""
    server = _RealWeb(("127.0.0.1", 0), _Handler)
    with tempfile.TemporaryDirectory(prefix="imagespider-realweb-") as folder:
        server.tls = _tls_context(Path(folder))
    with serving_in_thread(server):
        yield server


def proxy_env(proxy: str) -> dict[str, str]:
    """A crawl's environment sending every request but those to loopback through ``proxy``."""
    loopback = "127.0.0.1,localhost,::1"
    return {
        "http_proxy": proxy, "HTTP_PROXY": proxy, "https_proxy": proxy, "HTTPS_PROXY": proxy,
        "no_proxy": loopback, "NO_PROXY": loopback,
    }  # fmt: skip


def route(handler: mockserver.Handler, path: str, query: dict[str, list[str]]) -> mockserver.Reply:
    if path == "/realpages/images/search":
        results = [(page.image_url, page.page_url, f"{page.site} ({page.nn})") for page in real_pages()]
        return 200, "text/html; charset=utf-8", mockserver.bing_page_of(results).encode(), {}
    return 404, "text/plain", b"not found", {}


mockserver.ROUTES["/realpages/"] = route
