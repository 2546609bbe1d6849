"""The review page's web server: the standard library's ``ThreadingHTTPServer`` on 127.0.0.1 only.

Anyone on the machine can reach a loopback port, and any web page the user has open can send
requests to it, so every request must prove it comes from the page this command opened:

* the session's random token (``?token=`` in the URL the command prints, or the ``X-Review-Token``
  header the page's script sends), compared in constant time;
* a ``Host`` of ``127.0.0.1:<port>`` or ``localhost:<port>`` (a DNS-rebinding page has its own name);
* no ``Origin`` but ours, and a POST must carry ours with a JSON body (a form of another site
  cannot); ``Sec-Fetch-Site`` other than same-origin or none is refused too.

Only files a manifest row names, and their thumbnails, are served (imagespider/review/session.py),
by their real path inside the store. Responses forbid framing, sniffing, referrers and any script
or style but the page's own (Content-Security-Policy).
"""

from __future__ import annotations

import hmac
import json
import logging
import mimetypes
import secrets
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from imagespider.dataset.store.reviewapply import ReviewError
from imagespider.review.detail import detail_html
from imagespider.review.pagefiles import page_css, page_html, page_js
from imagespider.review.session import Filters, ReviewSession

logger = logging.getLogger(__name__)

#: The largest request body (a review's marks): 16 MiB is some 100,000 marks.
MAX_BODY = 16 << 20
_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)


class ReviewServer(ThreadingHTTPServer):
    """Serves one :class:`ReviewSession` on ``127.0.0.1:port`` (0: a free port)."""

    daemon_threads = True

    def __init__(self, session: ReviewSession, port: int = 0, token: str | None = None) -> None:
        super().__init__(("127.0.0.1", port), ReviewHandler)
        self.session = session
        self.token = token or secrets.token_urlsafe(24)

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/?token={self.token}"

    def origins(self) -> set[str]:
        return {f"http://127.0.0.1:{self.port}", f"http://localhost:{self.port}"}


class ReviewHandler(BaseHTTPRequestHandler):
    server: ReviewServer
    server_version = "imagespider-review"
    sys_version = ""

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (the base class's name)
        logger.debug("review: " + format, *args)

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        self._handle("GET")

    def do_POST(self) -> None:  # noqa: N802
        self._handle("POST")

    def do_HEAD(self) -> None:  # noqa: N802
        self._send(HTTPStatus.METHOD_NOT_ALLOWED, b"GET or POST\n", "text/plain")

    do_PUT = do_DELETE = do_OPTIONS = do_PATCH = do_HEAD  # noqa: N815

    # -- refusing --------------------------------------------------------------------------

    def _refusal(self, method: str, params: dict[str, str]) -> str | None:
        server = self.server
        host = self.headers.get("Host", "")
        if host not in {origin.removeprefix("http://") for origin in server.origins()}:
            return "wrong Host"
        origin = self.headers.get("Origin")
        if origin is not None and origin not in server.origins():
            return "wrong Origin"
        if method == "POST" and origin is None:
            return "no Origin"
        site = self.headers.get("Sec-Fetch-Site")
        if site is not None and site not in ("same-origin", "none"):
            return "cross-site request"
        token = params.get("token") or self.headers.get("X-Review-Token") or ""
        if not hmac.compare_digest(token.encode("utf-8", "replace"), server.token.encode("ascii")):
            return "no or wrong token"
        return None

    # -- routing ---------------------------------------------------------------------------

    def _handle(self, method: str) -> None:
        url = urlsplit(self.path)
        params = dict(parse_qsl(url.query, keep_blank_values=True))
        problem = self._refusal(method, params)
        if problem is not None:
            logger.warning("review: refused %s %s: %s", method, url.path[:100], problem)
            self._send(HTTPStatus.FORBIDDEN, f"refused: {problem}\n".encode(), "text/plain")
            return
        try:
            if method == "POST":
                self._post(url.path)
            else:
                self._get(url.path, params)
        except ReviewError as error:
            self._json({"error": str(error)}, HTTPStatus.CONFLICT)
        except (BrokenPipeError, ConnectionResetError):
            pass
        except Exception as error:
            logger.exception("review: %s %s failed", method, url.path[:100])
            self._json({"error": f"{type(error).__name__}: {error}"[:300]}, HTTPStatus.INTERNAL_SERVER_ERROR)

    def _get(self, path: str, params: dict[str, str]) -> None:
        session = self.server.session
        if path == "/":
            self._send(HTTPStatus.OK, page_html(self.server.token).encode(), "text/html; charset=utf-8")
        elif path == "/page.js":
            self._send(HTTPStatus.OK, page_js().encode(), "text/javascript; charset=utf-8")
        elif path == "/page.css":
            self._send(HTTPStatus.OK, page_css().encode(), "text/css; charset=utf-8")
        elif path == "/api/classes":
            self._json({"classes": session.classes(), "root": str(session.root)})
        elif path == "/api/facets":
            self._json(session.facets(params.get("label", "")))
        elif path == "/api/items":
            self._json(session.items(
                params.get("label", ""), _int(params.get("offset"), 0), _int(params.get("limit"), 200),
                Filters.from_query(params),
            ))
        elif path == "/api/groups":
            self._json({"groups": session.groups(params.get("label", ""))})
        elif path == "/api/detail":
            row = session.row(params.get("file", ""))
            if row is None:
                self._json({"error": "no such image"}, HTTPStatus.NOT_FOUND)
            else:
                self._json({"file": row.get("file_name"), "html": detail_html(row)})
        elif path.startswith(("/file/", "/thumb/")):
            kind, _, name = path[1:].partition("/")
            name = unquote(name)
            found = session.image_path(name) if kind == "file" else session.thumbnail_path(name)
            if found is None:
                self._send(HTTPStatus.NOT_FOUND, b"not a file of this store\n", "text/plain")
            else:
                self._file(found)
        else:
            self._send(HTTPStatus.NOT_FOUND, b"not found\n", "text/plain")

    def _post(self, path: str) -> None:
        if path != "/api/apply":
            self._send(HTTPStatus.NOT_FOUND, b"not found\n", "text/plain")
            return
        if self.headers.get_content_type() != "application/json":
            self._send(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, b"JSON only\n", "text/plain")
            return
        length = _int(self.headers.get("Content-Length"), -1)
        if not 0 <= length <= MAX_BODY:
            self._send(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, b"body too large or of no length\n", "text/plain")
            return
        try:
            body = json.loads(self.rfile.read(length))
            marks = body["marks"]
            if not isinstance(marks, list) or not all(isinstance(mark, dict) for mark in marks):
                raise TypeError
        except (ValueError, KeyError, TypeError):
            self._json({"error": 'the body must be {"marks": [{"file_name", "action", "label"}, ...]}'},
                       HTTPStatus.BAD_REQUEST)
            return
        result = self.server.session.apply(marks)
        logger.info("review %s applied: %d removed, %d moved (undo: scrapy review --undo %s)",
                    result["review_id"], result["removed"], result["moved"], result["review_id"])
        self._json(result)

    # -- answering -------------------------------------------------------------------------

    def _json(self, value: Any, status: HTTPStatus = HTTPStatus.OK) -> None:
        self._send(status, json.dumps(value, ensure_ascii=False).encode("utf-8"), "application/json")

    def _file(self, path: Path) -> None:
        kind = "image/jpeg" if path.suffix == ".jfif" else mimetypes.guess_type(path.name)[0]
        if kind is None or not kind.startswith("image/"):
            kind = "application/octet-stream"
        self._send(HTTPStatus.OK, path.read_bytes(), kind, cache=False)

    def _send(self, status: HTTPStatus, body: bytes, kind: str, cache: bool = False) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Content-Security-Policy", _CSP)
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("X-Frame-Options", "DENY")
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header("Cross-Origin-Resource-Policy", "same-origin")
        self.send_header("Cache-Control", "private, max-age=3600" if cache else "no-store")
        self.end_headers()
        self.wfile.write(body)


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default
