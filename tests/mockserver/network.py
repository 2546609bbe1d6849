"""Servers for the network paths of issue 13: an image host on IPv6 loopback ([::1]), and a tiny
forwarding HTTP proxy on 127.0.0.1 that sends every request, whatever its host, to one server.
"""

from __future__ import annotations

import socket
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler
from urllib.parse import urlsplit

from tests.mockserver import LoggingServer, send, serving_in_thread
from tests.mockserver.hostile import small_png


class _ImageHandler(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass

    def do_GET(self) -> None:  # noqa: N802
        self.server.log_request_url(self.path)  # type: ignore[attr-defined]
        if self.path.startswith("/ok/"):
            send(self, 200, "image/png", small_png(2000 + int(self.path[4:].split(".")[0])))
        else:
            send(self, 404, "text/plain", b"not here")


class _V6Server(LoggingServer):
    address_family = socket.AF_INET6


@contextmanager
def ipv6_image_server() -> Iterator[tuple[str, list[str]]]:
    """An image host on [::1]: ``/ok/<n>.png``; yields its base URL and the paths it was asked."""
    with serving_in_thread(_V6Server(("::1", 0), _ImageHandler)) as server:
        yield server.base, server.requests


class _ProxyHandler(BaseHTTPRequestHandler):
    """A forward proxy: ``GET http://any-host/path`` is fetched from the upstream server."""

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass

    def do_GET(self) -> None:  # noqa: N802
        self.server.log_request_url(self.path)  # type: ignore[attr-defined]
        parts = urlsplit(self.path)
        upstream = self.server.upstream + parts.path + (f"?{parts.query}" if parts.query else "")  # type: ignore[attr-defined]
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        try:
            with opener.open(upstream, timeout=10) as reply:
                status, body, content_type = reply.status, reply.read(), reply.headers.get("Content-Type", "")
        except urllib.error.HTTPError as error:
            status, body, content_type = error.code, error.read(), error.headers.get("Content-Type", "")
        send(self, status, content_type, body)


@contextmanager
def forwarding_proxy(upstream: str) -> Iterator[tuple[str, list[str]]]:
    """A proxy on 127.0.0.1 forwarding every request to ``upstream``; yields its URL and the
    absolute URLs it was asked for."""
    server = LoggingServer(("127.0.0.1", 0), _ProxyHandler)
    server.upstream = upstream  # type: ignore[attr-defined]
    with serving_in_thread(server):
        yield server.base, server.requests
