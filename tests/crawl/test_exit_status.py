"""Exit status tells the truth (issue 28): a crawl that failed in part exits non-zero, with one
line per kind of failure and no traceback (imagespider/failures.py, imagespider/commands/crawl.py)."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.crawl.conftest import Crawl, read_jsonl
from tests.servers import _wait_for, free_port


def _list_of(tmp_path: Path, *urls: str) -> Path:
    path = tmp_path / "urls.txt"
    path.write_text("".join(f"{url}\n" for url in urls))
    return path


def test_a_crawl_whose_record_cannot_be_written_exits_1_with_one_line(crawl: Crawl, tmp_path: Path) -> None:
    store = tmp_path / "store"
    (store / "crawls.jsonl").mkdir(parents=True)  # a folder where the crawl's record goes
    base = f"{crawl.mockserver.base}/faults/record"
    result = crawl("urls", "-a", f"path={_list_of(tmp_path, f'{base}/good-jpeg')}", "-a", "license=any", store=store)
    assert result.returncode == 1, result.output[-3000:]
    assert len(result.rows) == 1  # the crawl itself went through
    (line,) = [line for line in result.errors if "could not record the crawl in" in line]
    assert "Is a directory" in line
    assert "summary: failed in part: crawl_record 1" in result.output
    assert "Traceback" not in result.output


@contextmanager
def redis_refusing_scripts(folder: Path) -> Iterator[str]:
    """A redis-server whose user may read and write keys (the crawl command's check and the worker's
    first write pass) but not run scripts: the job's query list is seeded by one, in the spider's
    start, which then raises (a Redis user whose ACL leaves out ``@scripting``, as managed Redis
    plans sometimes do)."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail("redis-server is not installed: apt-get install -y redis-server (setup.sh does it)")
    port = free_port()
    process = subprocess.Popen(
        [binary, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no",
         "--dir", str(folder)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for(port, process, "redis-server")
        import redis as redis_py

        admin = redis_py.Redis(host="127.0.0.1", port=port)
        admin.execute_command("ACL", "SETUSER", "noscript", "on", ">noscript-pass", "~*", "&*", "+@all", "-@scripting")
        admin.close()
        yield f"redis://noscript:noscript-pass@127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(10)


def test_a_start_that_raises_exits_1_with_one_line(crawl: Crawl, tmp_path: Path) -> None:
    # Scrapy logged "Error while reading start items and requests" with a traceback and closed
    # the spider with start_error: exit 0 for a distributed job that seeded nothing.
    with redis_refusing_scripts(tmp_path) as url:
        result = crawl("bing", "-a", "q=cat", "-a", "limit=3", settings={"REDIS_URL": url})
    assert result.returncode == 1, result.output[-3000:]
    assert "finish reason failed_start" in result.output
    assert "Error while reading start items" not in result.output
    starts = [line for line in result.errors if "could not start" in line]
    assert len(starts) == 1 and "NoPermissionError" in starts[0], result.errors
    assert "noscript-pass" not in result.output


def test_scrapys_own_start_error_exits_1_too(crawl: Crawl, tmp_path: Path) -> None:
    # A project that leaves our start middleware out still hears of a start that raised.
    with redis_refusing_scripts(tmp_path) as url:
        result = crawl(
            "bing", "-a", "q=cat", "-a", "limit=3",
            settings={"REDIS_URL": url, "SPIDER_MIDDLEWARES": {"imagespider.spidermiddlewares.start.StartFailureMiddleware": None}},
        )
    assert "finish reason start_error" in result.output, result.output[-3000:]
    assert result.returncode == 1


def test_an_unreachable_api_is_one_error_line(crawl: Crawl) -> None:
    # Scrapy's retry middleware said "Gave up retrying <GET full URL>" at ERROR before our line.
    result = crawl(
        "openverse", "-a", "q=cat", "-a", "limit=3", endpoint="",
        settings={"OPENVERSE_API_URL": f"http://127.0.0.1:{free_port()}", "RETRY_TIMES": 1},
    )
    assert result.returncode == 1, result.output[-3000:]
    (line,) = result.errors
    assert "openverse: search for 'cat' failed" in line
    assert "a proxy is needed (HTTPS_PROXY); is OPENVERSE_API_URL=http://127.0.0.1:" in line
    assert "Traceback" not in result.output


def test_a_429_storm_that_keeps_nothing_exits_1(crawl: Crawl) -> None:
    result = crawl(
        "openverse", "-a", "q=SearchPage429error", "-a", "limit=5", settings={"OPENVERSE_MAX_WAIT": 5},
    )
    assert result.returncode == 1, result.output[-3000:]
    assert "finish reason failed_rate_limited" in result.output
    (line,) = result.errors
    assert "kept nothing: the API rate-limited this crawl" in line
    assert "Traceback" not in result.output


def test_documents_not_written_at_the_crawls_end_exit_1(crawl: Crawl, tmp_path: Path) -> None:
    store = tmp_path / "store"
    (store / "ATTRIBUTION.md").mkdir(parents=True)  # a folder where a document goes
    base = f"{crawl.mockserver.base}/faults/documents"
    result = crawl("urls", "-a", f"path={_list_of(tmp_path, f'{base}/good-jpeg')}", "-a", "license=any", store=store)
    assert result.returncode == 1, result.output[-3000:]
    assert len(result.rows) == 1
    (line,) = result.errors
    assert "could not write ATTRIBUTION.md" in line
    assert "summary: failed in part: documents 1" in result.output
    assert (store / "report.html").is_file()  # the others are still written
    assert "Traceback" not in result.output
    # The finish reason agrees with the exit status (issue 29): it said "finished" with exit 1.
    assert "finish reason failed_documents" in result.output
    (row,) = read_jsonl(store / "crawls.jsonl")
    assert row["finish_reason"] == "failed_documents" == row["stats"]["finish_reason"]


def test_a_clean_crawl_finishes_with_exit_0(crawl: Crawl, tmp_path: Path) -> None:
    store = tmp_path / "store"
    base = f"{crawl.mockserver.base}/faults/clean"
    result = crawl("urls", "-a", f"path={_list_of(tmp_path, f'{base}/good-jpeg')}", "-a", "license=any", store=store)
    assert result.returncode == 0, result.output[-3000:]
    assert "finish reason finished" in result.output and "failed in part" not in result.output
    (row,) = read_jsonl(store / "crawls.jsonl")
    assert row["finish_reason"] == "finished"


# -- a bucket that starts answering 403 mid-crawl ----------------------------------------------

ACCESS_DENIED = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code><Message>Access Denied</Message>'
    b"<RequestId>4442587FB7D0A2F9</RequestId><HostId>denied</HostId></Error>"
)


@contextmanager
def bucket_that_turns_read_only(endpoint: str) -> Iterator[str]:
    """A proxy before the S3 server that answers every PUT with 403 AccessDenied once the first
    sidecar row was put (as a bucket whose policy or credentials change mid-crawl); yields its URL."""
    import http.client
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
    from urllib.parse import urlsplit

    target = urlsplit(endpoint)
    state = {"denying": False}

    class Proxy(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            pass

        def _forward(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            path = self.path
            if self.command == "PUT" and state["denying"]:
                self.send_response(403)
                self.send_header("Content-Type", "application/xml")
                self.send_header("Content-Length", str(len(ACCESS_DENIED)))
                self.end_headers()
                self.wfile.write(ACCESS_DENIED)
                return
            connection = http.client.HTTPConnection(target.hostname, target.port, timeout=30)
            headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "expect")}
            connection.request(self.command, path, body=body or None, headers=headers)
            answer = connection.getresponse()
            data = answer.read()
            self.send_response(answer.status)
            for key, value in answer.getheaders():
                if key.lower() not in ("transfer-encoding", "connection", "content-length"):
                    self.send_header(key, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)
            connection.close()
            if self.command == "PUT" and path.split("?")[0].endswith(".json") and "/.rejected/" not in path:
                state["denying"] = True  # the first image and its row are in: from now on, 403

        do_GET = do_PUT = do_HEAD = do_POST = do_DELETE = _forward  # noqa: N815

    server = ThreadingHTTPServer(("127.0.0.1", 0), Proxy)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_a_bucket_that_starts_refusing_writes_mid_crawl_exits_1(crawl: Crawl, tmp_path: Path) -> None:
    # It ended "finished", exit 0, with 38 ERROR lines and 37 tracebacks ("Error caught on signal
    # handler: item_dropped ... AccessDenied"), its drops labelled download_error though the
    # downloads went through, and the rejected rows never stored.
    from tests.servers import AWS, s3_client, s3_server

    base = f"{crawl.mockserver.base}/faults/bucket403"
    urls = _list_of(tmp_path, *(f"{base}/good-{kind}" for kind in ("jpeg", "png", "webp")), f"{base}/not-found-404")
    with s3_server() as endpoint:
        s3_client(endpoint).create_bucket(Bucket="datasets")
        with bucket_that_turns_read_only(endpoint) as proxy:
            result = crawl(
                "urls", "-a", f"path={urls}", "-a", "license=any",
                settings={"IMAGES_STORE": "s3://datasets/denied", "AWS_ENDPOINT_URL": proxy, **AWS,
                          "CONCURRENT_REQUESTS": 1},
            )
    output = result.output
    assert result.returncode == 1, output[-3000:]
    assert "Traceback" not in output and "Error caught on signal handler" not in output
    store_lines = [line for line in result.errors if "the store refused to write" in line]
    assert len(store_lines) == 1 and "AccessDenied" in store_lines[0], result.errors
    assert len([line for line in result.errors if "could not publish" in line]) == 1, result.errors
    # The images the store refused: two, or one when a loaded machine began the second image's put
    # before the first sidecar's ended (puts run off the reactor).
    refused = re.search(r"'imagespider/dropped/store_error': (\d+)", output)
    assert refused and refused.group(1) in ("1", "2"), output[-3000:]
    assert "summary: failed in part: store_write " in output
    assert "download_error" not in output  # ...not downloads that failed
    assert ", publish 1" in output
    # The finish reason names the failure (issue 29): Scrapy's own line and the summary said "finished".
    assert "Spider closed (failed_store_write)" in output
    assert "finish reason failed_store_write" in output and "(finished)" not in output
