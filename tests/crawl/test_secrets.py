"""Secrets never at rest (issue 13): the Flickr key is added to each API call as it is sent
(imagespider/downloadermiddlewares/apikey.py), so no request in JOBDIR holds it; the API echoes
it in titles and image URLs (tests/mockserver/flickr.py, keys starting with ``echo``), and it
is still in no file of the store, no file of JOBDIR and no line of the log, short or long.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.crawl.conftest import Crawl


def files_holding(root: Path, key: str) -> list[str]:
    return [str(p) for p in root.rglob("*") if p.is_file() and key.encode() in p.read_bytes()]


@pytest.mark.parametrize("key", ["echo1", "echo-5f0d8e2b9c1a4e7f"], ids=["short", "long"])
def test_the_key_is_in_no_file_at_rest_and_no_log_line(crawl: Crawl, tmp_path: Path, key: str) -> None:
    store, jobdir = tmp_path / "store", tmp_path / "job"
    result = crawl(
        "flickr", "-a", "q=cat", "-a", "limit=6", store=store,
        settings={"JOBDIR": jobdir, "LOG_LEVEL": "DEBUG"}, env={"FLICKR_API_KEY": key},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    calls = [parse_qs(urlsplit(p).query) for p in result.requests if p.startswith("/services/rest/")]
    assert calls and all(call["api_key"] == [key] for call in calls)  # the key was sent...
    rows = result.rows
    assert len(rows) == 6 and all("(key ***)" in row["title"] for row in rows)  # ...and echoed back
    assert key not in result.stderr + result.stdout
    assert files_holding(store, key) == []
    assert jobdir.exists() and files_holding(jobdir, key) == []


# -- issue 28: one filter for the whole process, rows cleaned of tokens obtained while crawling --


def _list_of(tmp_path: Path, *urls: str) -> Path:
    path = tmp_path / "urls.txt"
    path.write_text("".join(f"{url}\n" for url in urls))
    return path


@pytest.mark.parametrize("level", ["INFO", "DEBUG"])
def test_a_settings_secret_in_a_url_scrapy_logs_is_masked_at_every_level(
    crawl: Crawl, tmp_path: Path, level: str
) -> None:
    # Scrapy's root log handler is replaced after the extensions are built: a filter on the
    # handlers was dropped, and Scrapy's own "Crawled (503) <GET ...?key=...>" and "Gave up
    # retrying <GET ...?key=...>" carried the key.
    secret = "zzSecret-4f1e9a7c2b"
    base = f"{crawl.mockserver.base}/faults/secret-{level.lower()}"
    urls = _list_of(tmp_path, f"{base}/server-error-503?key={secret}", f"{base}/good-jpeg?key={secret}")
    result = crawl(
        "urls", "-a", f"path={urls}", "-a", "license=any", store=tmp_path / "store",
        settings={"LOG_LEVEL": level, "IMAGEHOST_API_KEY": secret, "RETRY_TIMES": 1},
    )
    assert result.returncode == 0, result.output[-3000:]
    assert len(result.rows) == 1
    assert secret not in result.output
    if level == "DEBUG":  # Scrapy did log the URLs: masked
        assert "server-error-503?key=***" in result.output and "good-jpeg?key=***" in result.output
    assert files_holding(result.store, secret) == []


def test_environment_credentials_of_an_object_store_are_masked_at_debug(
    crawl: Crawl, tmp_path: Path
) -> None:
    # botocore logs the access key id (in the Authorization header) and x-amz-security-token at DEBUG.
    from tests.servers import s3_client, s3_server

    key_id, token = "AKIAENVKEYID7Q2W3E4R", "envSessionToken-9a8b7c6d5e4f"
    with s3_server() as endpoint:
        s3_client(endpoint).create_bucket(Bucket="datasets")
        base = f"{crawl.mockserver.base}/faults/secret-s3"
        urls = _list_of(tmp_path, f"{base}/good-jpeg", f"{base}/good-png")
        result = crawl(
            "urls", "-a", f"path={urls}", "-a", "license=any",
            settings={"LOG_LEVEL": "DEBUG", "IMAGES_STORE": "s3://datasets/env", "AWS_ENDPOINT_URL": endpoint,
                      "AWS_REGION_NAME": "us-east-1"},
            env={"AWS_ACCESS_KEY_ID": key_id, "AWS_SECRET_ACCESS_KEY": "envSecretAccessKey-0123456789",
                 "AWS_SESSION_TOKEN": token},
        )
    assert result.returncode == 0, result.output[-3000:]
    assert "X-Amz-Security-Token" in result.output or "x-amz-security-token" in result.output  # it was logged...
    assert key_id not in result.output and token not in result.output  # ...masked


def test_a_token_obtained_during_the_crawl_is_in_no_file_of_the_store(crawl: Crawl, tmp_path: Path) -> None:
    # An API that echoes the Openverse bearer token: rows were scrubbed of settings secrets only.
    from tests.mockserver import openverse as mock

    before = len(mock.ISSUED)
    store = tmp_path / "store"
    result = crawl(
        "openverse", "-a", "q=echotoken", "-a", "limit=4", "-a", "license=any", store=store,
        settings={"LOG_LEVEL": "DEBUG"},
        env={"OPENVERSE_CLIENT_ID": "good-echo-client", "OPENVERSE_CLIENT_SECRET": "echo-secret-5d4c3b2a"},
    )
    assert result.returncode == 0, result.output[-3000:]
    (token,) = mock.ISSUED[before:]
    rows = result.rows
    assert len(rows) == 4 and all("(token ***)" in row["title"] for row in rows)  # echoed, and masked
    assert all(row["page_url"].endswith("access_token=***") for row in rows)
    assert [p.name for p in store.iterdir() if p.name in ("ATTRIBUTION.md", "report.html")]
    assert files_holding(store, token) == []  # metadata.jsonl, ATTRIBUTION.md, report.html, the index
    assert token not in result.output


def test_a_redis_password_with_colons_and_at_signs_is_masked_whole(crawl: Crawl, tmp_path: Path) -> None:
    # redis-py takes both in a password; the exit-2 line printed redis://:pw:with:***@...
    from tests.servers import free_port

    password = "pw:with@both:s1gns"
    result = crawl(
        "bing", "-a", "q=cat", settings={"REDIS_URL": f"redis://:{password}@127.0.0.1:{free_port()}/0"},
    )
    assert result.returncode == 2, result.output[-3000:]
    (line,) = result.errors
    assert "REDIS_URL=redis://:***@127.0.0.1:" in line
    for part in ("pw:", "with", "both", "s1gns"):
        assert part not in result.output


def test_a_redis_password_is_masked_in_a_distributed_crawl_at_debug(crawl: Crawl, tmp_path: Path) -> None:
    # A guard beside the exit-2 line's test above: a whole distributed crawl at DEBUG (Scrapy,
    # scrapy-redis, redis-py and our worker all log) holds no part of a password with ':' and '@'.
    import shutil
    import subprocess

    from tests.servers import _wait_for, free_port

    password = "redis:pw@with-s1gns"
    port = free_port()
    binary = shutil.which("redis-server")
    assert binary is not None, "redis-server is not installed (setup.sh installs it)"
    server = subprocess.Popen(
        [binary, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no",
         "--dir", str(tmp_path), "--requirepass", password],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for(port, server, "redis-server")
        result = crawl(
            "openverse", "-a", "q=cat", "-a", "limit=3", "-a", "license=any",
            settings={"LOG_LEVEL": "DEBUG", "REDIS_URL": f"redis://:{password}@127.0.0.1:{port}/0"},
        )
    finally:
        server.terminate()
        server.wait(10)
    assert result.returncode == 0, result.output[-3000:]
    assert len(result.rows) == 3
    assert "distributed crawl: job imagespider:openverse-" in result.output  # a worker of a job...
    for part in ("redis:pw", "pw@with", "s1gns"):  # ...whose log holds no part of its password
        assert part not in result.output
