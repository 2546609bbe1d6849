"""Real servers the crawl tests start on free loopback ports: moto's S3 server, redis-server, and
Scrapyd (with the project copied as it ships, for ``scrapyd-deploy``)."""

from __future__ import annotations

import base64
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_for(port: int, process: subprocess.Popen[bytes], what: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with {process.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{what} did not listen on {port}")


@contextmanager
def s3_server() -> Iterator[str]:
    """moto's S3-compatible server (``moto[server]``); yields its endpoint URL."""
    with s3_server_process() as (endpoint, _):
        yield endpoint


@contextmanager
def s3_server_process() -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """:func:`s3_server`, and its process (a test stalls it with SIGSTOP)."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for(port, process, "moto_server")
        yield f"http://127.0.0.1:{port}", process
    finally:
        process.send_signal(signal.SIGCONT)  # a test may have left it stopped
        process.terminate()
        process.wait(10)


@contextmanager
def redis_server(folder: Path) -> Iterator[str]:
    """A real ``redis-server`` (Debian package redis-server); yields its redis:// URL."""
    with redis_server_process(folder) as (url, _):
        yield url


@contextmanager
def redis_server_process(folder: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """:func:`redis_server`, and its process (a test stalls it with SIGSTOP)."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail("redis-server is not installed: apt-get install -y redis-server (setup.sh does it)")
    port = free_port()
    process = subprocess.Popen(
        [binary, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no", "--dir", str(folder)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for(port, process, "redis-server")
        yield f"redis://127.0.0.1:{port}/0", process
    finally:
        process.send_signal(signal.SIGCONT)  # a test may have left it stopped
        process.terminate()
        process.wait(10)


AWS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_REGION_NAME": "us-east-1"}


#: Four distinct sha256 values, for object names like a crawl's.
SHA = [f"{n:x}" * 64 for n in range(1, 6)]


@contextmanager
def in_memory_store(uri: str = "s3://datasets/animals") -> Iterator[Any]:
    """An :class:`imagespider.dataset.objectstore.client.ObjectStore` on moto's in-process S3
    (``moto.mock_aws``: botocore answered in this process, no server), its bucket made, and one
    object outside its prefix that is not the store's."""
    from moto import mock_aws

    from imagespider.dataset.objectstore.client import ObjectStore
    from imagespider.dataset.objectstore.config import ObjectStoreConfig

    with mock_aws():
        store = ObjectStore(ObjectStoreConfig.from_settings(uri, AWS))
        store.client.create_bucket(Bucket=store.config.bucket)
        store.client.put_object(Bucket=store.config.bucket, Key="elsewhere/cat/x.jpg", Body=b"not ours")
        yield store


def put_image(store: Any, n: int, label: str = "cat", sidecar: bool = True, image: bool = True) -> None:
    """Image ``n`` of ``label`` and its sidecar row, as a crawl writes them into an object store."""
    stem = f"{label}/{SHA[n]}"
    if image:
        store.put(f"{stem}.jpg", b"\xff\xd8 image " + SHA[n].encode(), "image/jpeg")
    if sidecar:
        row = {"file_name": f"{stem}.jpg", "label": label, "sha256": SHA[n], "license": "cc0"}
        store.put(f"{stem}.json", json.dumps(row).encode())


def s3_settings(endpoint: str) -> list[str]:
    """``-s`` options pointing a crawl or command at the test S3 server."""
    options = ["-s", f"AWS_ENDPOINT_URL={endpoint}"]
    for name, value in AWS.items():
        options += ["-s", f"{name}={value}"]
    return options


def s3_client(endpoint: str):  # type: ignore[no-untyped-def]
    import botocore.session

    return botocore.session.get_session().create_client(
        "s3", endpoint_url=endpoint, aws_access_key_id="testing", aws_secret_access_key="testing",
        region_name="us-east-1",
    )


# -- Scrapyd ----------------------------------------------------------------------------------

PROJECT = Path(__file__).resolve().parent.parent
PROJECT_NAME = "imagespider"
#: What the egg is built from: the package and the packaging files, nothing else of the tree.
SHIPPED = ("imagespider", "setup.py", "pyproject.toml", "scrapy.cfg", "requirements.txt")


@dataclass
class Scrapyd:
    url: str
    home: Path  # Scrapyd's working directory: relative paths in jobs resolve against it
    logs_dir: Path
    items_dir: Path
    #: The username and password of its scrapyd.conf, sent with every call unless ``auth=False``.
    credentials: tuple[str, str]

    def call(
        self, endpoint: str, data: list[tuple[str, str]] | None = None, auth: bool = True,
        credentials: tuple[str, str] | None = None,
    ) -> dict[str, Any]:
        """GET (no data) or POST a form to the JSON API; repeated keys such as ``setting`` allowed."""
        request = urllib.request.Request(
            self.url + endpoint,
            data=urllib.parse.urlencode(data).encode() if data is not None else None,
        )
        if auth:
            token = base64.b64encode(":".join(credentials or self.credentials).encode()).decode()
            request.add_header("Authorization", f"Basic {token}")
        # Generous: listspiders.json and addversion.json run ``scrapy list`` in a subprocess, whose
        # start-up took over 10 s on a 2-core machine under a parallel test run.
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 (loopback only)
            return json.loads(response.read())

    def job_log(self, spider: str, job: str) -> str:
        return (self.logs_dir / PROJECT_NAME / spider / f"{job}.log").read_text(encoding="utf-8")


def without_project_path() -> dict[str, str]:
    """Our environment minus PYTHONPATH and Scrapy's project variables: the egg must suffice."""
    drop = {"PYTHONPATH", "SCRAPY_SETTINGS_MODULE", "SCRAPY_PROJECT"}
    return {key: value for key, value in os.environ.items() if key not in drop}


@contextmanager
def scrapyd_server(home: Path, conf: str, port: int, credentials: tuple[str, str]) -> Iterator[Scrapyd]:
    """``scrapyd`` started in ``home`` with ``conf`` as its scrapyd.conf (listening on ``port``),
    without our PYTHONPATH, as on a server; yields once its daemonstatus answers ok."""
    (home / "scrapyd.conf").write_text(conf, encoding="utf-8")
    output = (home / "scrapyd.out").open("wb")
    process = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "scrapyd", "--pidfile", str(home / "scrapyd.pid")],
        cwd=home, env=without_project_path(), stdout=output, stderr=subprocess.STDOUT,
    )
    server = Scrapyd(f"http://127.0.0.1:{port}/", home, home / "logs", home / "items", credentials)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if server.call("daemonstatus.json")["status"] == "ok":
                    break
            except (OSError, ValueError):
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"scrapyd did not start with {home / 'scrapyd.conf'}:\n"
                            + (home / "scrapyd.out").read_text()[-3000:])
            time.sleep(0.2)
        yield server
    finally:
        process.send_signal(signal.SIGCONT)  # a test may have left it stopped
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        output.close()


def copy_of_project(destination: Path) -> Path:
    """The files the egg is built from, copied to ``destination`` (``setup.py bdist_egg`` writes
    build folders beside setup.py, and the repository must stay clean)."""
    for name in SHIPPED:
        source = PROJECT / name
        if source.is_dir():
            shutil.copytree(source, destination / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, destination / name)
    return destination
