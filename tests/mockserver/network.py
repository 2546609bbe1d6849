"""Servers for the network paths of issue 13: an image host on IPv6 loopback ([::1]), and a tiny
forwarding HTTP proxy on 127.0.0.1 that sends every request, whatever its host, to one server.
"""

from __future__ import annotations

import socket
import threading
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from tests.mockserver.hostile import small_png


class _ImageHandler(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass

    def do_GET(self) -> None:  # noqa: N802
        self.server.requests.append(self.path)  # type: ignore[attr-defined]
        if self.path.startswith("/ok/"):
            body = small_png(2000 + int(self.path[4:].split(".")[0]))
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
        else:
            body = b"not here"
            self.send_response(404)
            self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class _V6Server(ThreadingHTTPServer):
    address_family = socket.AF_INET6


@contextmanager
def _serve(server: ThreadingHTTPServer) -> Iterator[ThreadingHTTPServer]:
    server.requests = []  # type: ignore[attr-defined]
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def ipv6_image_server() -> Iterator[tuple[str, list[str]]]:
    """An image host on [::1]: ``/ok/<n>.png``; yields its base URL and the paths it was asked."""
    with _serve(_V6Server(("::1", 0), _ImageHandler)) as server:
        yield f"http://[::1]:{server.server_address[1]}", server.requests  # type: ignore[attr-defined]


class _ProxyHandler(BaseHTTPRequestHandler):
    """A forward proxy: ``GET http://any-host/path`` is fetched from the upstream server."""

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass

    def do_GET(self) -> None:  # noqa: N802
        self.server.requests.append(self.path)  # type: ignore[attr-defined]
        parts = urlsplit(self.path)
        upstream = self.server.upstream + parts.path + (f"?{parts.query}" if parts.query else "")  # type: ignore[attr-defined]
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        try:
            with opener.open(upstream, timeout=10) as reply:
                status, body, content_type = reply.status, reply.read(), reply.headers.get("Content-Type", "")
        except urllib.error.HTTPError as error:
            status, body, content_type = error.code, error.read(), error.headers.get("Content-Type", "")
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@contextmanager
def forwarding_proxy(upstream: str) -> Iterator[tuple[str, list[str]]]:
    """A proxy on 127.0.0.1 forwarding every request to ``upstream``; yields its URL and the
    absolute URLs it was asked for."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _ProxyHandler)
    server.upstream = upstream  # type: ignore[attr-defined]
    with _serve(server):
        yield f"http://127.0.0.1:{server.server_address[1]}", server.requests  # type: ignore[attr-defined]
