"""The review page's server refuses what does not come from the page it opened: no token, another
Host or Origin, a cross-site POST, ``../`` and anything that is not a row's file
(imagespider/review/server.py); and text from the web is escaped as report.html escapes it."""

from __future__ import annotations

import http.client
import json
import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from imagespider.review.server import ReviewServer
from imagespider.review.session import ReviewSession
from tests.manifest_rows import EVIL_TITLE
from tests.review_stores import kept_row, write_store


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ReviewServer]:
    root = tmp_path / "data"
    rows = [kept_row(root, "cat", n) for n in range(5)] + [kept_row(root, "dog", 9, title=EVIL_TITLE,
                                                                     page_url="javascript:alert(1)")]
    write_store(root, rows)
    (tmp_path / "secret.txt").write_text("not the store's")
    os.symlink(tmp_path / "secret.txt", root / "cat" / f"{'e' * 64}.jpg")
    session = ReviewSession(root)
    session.open()
    review = ReviewServer(session)
    thread = threading.Thread(target=review.serve_forever, daemon=True)
    thread.start()
    yield review
    review.shutdown()
    review.server_close()
    session.close()


def ask(server: ReviewServer, path: str, method: str = "GET", token: bool = True, body: bytes | None = None,
        **headers: str) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    sep = "&" if "?" in path else "?"
    target = f"{path}{sep}token={server.token}" if token else path
    connection.putrequest(method, target, skip_host="Host" in headers)
    for name, value in headers.items():
        connection.putheader(name.replace("_", "-"), value)
    if body is not None:
        connection.putheader("Content-Length", str(len(body)))
    connection.endheaders(body)
    response = connection.getresponse()
    data = response.read()
    connection.close()
    return response.status, data


def first_file(server: ReviewServer) -> str:
    return str(json.loads(ask(server, "/api/items?label=cat")[1])["items"][0]["file"])


def test_the_page_and_its_data_need_the_token(server: ReviewServer) -> None:
    assert ask(server, "/")[0] == 200
    for path in ("/", "/page.js", "/api/classes", f"/file/{first_file(server)}", f"/thumb/{first_file(server)}"):
        assert ask(server, path, token=False)[0] == 403, path
        assert ask(server, path + "?token=wrong", token=False)[0] == 403, path
    status, data = ask(server, "/api/classes", token=False, X_Review_Token=server.token)
    assert status == 200 and json.loads(data)["classes"] == [{"label": "cat", "count": 5}, {"label": "dog", "count": 1}]


def test_another_host_or_origin_is_refused(server: ReviewServer) -> None:
    assert ask(server, "/api/classes", Host="evil.example")[0] == 403  # DNS rebinding
    assert ask(server, "/api/classes", Host=f"localhost:{server.port}")[0] == 200
    assert ask(server, "/api/classes", Origin="https://evil.example")[0] == 403
    assert ask(server, "/api/classes", Sec_Fetch_Site="cross-site")[0] == 403
    body = json.dumps({"marks": [{"file_name": first_file(server), "action": "remove"}]}).encode()
    json_type = {"Content_Type": "application/json"}
    assert ask(server, "/api/apply", "POST", body=body, **json_type)[0] == 403  # no Origin
    assert ask(server, "/api/apply", "POST", body=body, Origin="http://evil.example", **json_type)[0] == 403
    origin = f"http://127.0.0.1:{server.port}"
    assert ask(server, "/api/apply", "POST", body=body, Origin=origin, Content_Type="text/plain")[0] == 415
    assert len(server.session.classes()) == 2 and server.session.classes()[0]["count"] == 5  # nothing applied
    status, data = ask(server, "/api/apply", "POST", body=body, Origin=origin, **json_type)
    assert status == 200 and json.loads(data)["removed"] == 1


@pytest.mark.parametrize("path", [
    "/file/../metadata.jsonl", "/file/cat/../../secret.txt", "/file/cat/..%2f..%2fsecret.txt",
    "/file/%2e%2e/metadata.jsonl", "/file/metadata.jsonl", "/file/.index.sqlite", "/file//etc/passwd",
    "/thumb/../metadata.jsonl", "/file/cat/.thumbs/x.jfif", "/file/cat", f"/file/cat/{'e' * 64}.jpg",
])
def test_only_files_of_rows_inside_the_store_are_served(server: ReviewServer, path: str) -> None:
    status, data = ask(server, path)
    assert status == 404 and b"not the store's" not in data and b"file_name" not in data


def test_a_row_file_and_its_thumbnail_are_served(server: ReviewServer) -> None:
    name = first_file(server)
    status, data = ask(server, f"/file/{name}")
    assert status == 200 and data == (server.session.root / name).read_bytes()
    status, data = ask(server, f"/thumb/{name}")
    assert status == 200 and data[:2] == b"\xff\xd8"


def test_web_text_is_escaped_as_the_report_escapes_it(server: ReviewServer) -> None:
    status, data = ask(server, "/api/items?label=dog")
    evil = json.loads(data)["items"][0]
    assert evil["title"] == EVIL_TITLE  # data, put into text nodes by the page
    status, data = ask(server, f"/api/detail?file={evil['file']}")
    html = json.loads(data)["html"]
    assert "<script>" not in html and "&lt;script&gt;alert(2)&lt;/script&gt;" in html
    assert "javascript:" not in html.split("<table")[0].replace("[x](javascript:alert(1))", "")
    assert 'href="javascript' not in html


def test_the_large_view_shows_the_rights_evidence_found() -> None:
    from imagespider.review.detail import detail_html

    html = detail_html({"title": "t", "license": "cc-by", "rights": {"copyright": "(c) <b>Someone</b>",
                                                                     "web_statement": "https://example.org/rights"}})
    assert "Rights evidence" in html and "(c) &lt;b&gt;Someone&lt;/b&gt;" in html
    assert 'href="https://example.org/rights"' in html
    assert "No rights statement" in detail_html({"title": "t", "rights": {"copyright": None}})
