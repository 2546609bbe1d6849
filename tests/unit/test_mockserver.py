"""``python -m tests.mockserver``, the demo engines README points users at: it runs with the runtime packages only
(no json5, no pytest), serves every engine, Openverse and Commons included, and prints the settings to paste."""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import json5

from tests.conftest import PROJECT
from tests.mockserver import ENGINE_ENDPOINTS

TAPES = PROJECT / "tests" / "fixtures" / "openverse"
#: Installed only by requirements-test.txt: blocked in the demo's process.
TEST_ONLY = ("json5", "pytest", "hypothesis", "datasets", "torch", "torchvision", "moto", "boto3")


def test_the_plain_json_tapes_equal_the_recorded_json5() -> None:
    for recorded in sorted(TAPES.glob("*.json5")):
        plain = recorded.with_suffix(".json")
        assert json.loads(plain.read_text(encoding="utf-8")) == json5.loads(recorded.read_text(encoding="utf-8")), plain


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_the_demo_runs_without_test_packages_and_serves_every_engine(tmp_path: Path) -> None:
    port = free_port()
    blocker = "; ".join(f"sys.modules[{name!r}] = None" for name in TEST_ONLY)
    code = (f"import runpy, sys; {blocker}; sys.argv = ['mockserver', '--port', '{port}']; "
            "runpy.run_module('tests.mockserver', run_name='__main__')")
    demo = subprocess.Popen([sys.executable, "-c", code], cwd=PROJECT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    try:
        assert demo.stdout is not None
        lines = [demo.stdout.readline() for _ in range(1 + len(ENGINE_ENDPOINTS))]
        assert demo.poll() is None, demo.stderr.read() if demo.stderr else ""
        base = f"http://127.0.0.1:{port}"
        for engine, (setting, path) in ENGINE_ENDPOINTS.items():
            line = next(line for line in lines if f"scrapy crawl {engine} " in line)
            assert f"-s {setting}={base}{path}" in line and "-s ALLOW_PRIVATE_ADDRESSES=True" in line
        deadline = time.monotonic() + 10
        while True:
            try:
                with urllib.request.urlopen(f"{base}/v1/images/?q=cat", timeout=5) as answer:  # noqa: S310
                    assert json.loads(answer.read())["results"]
                break
            except OSError:
                assert time.monotonic() < deadline
                time.sleep(0.2)
        with urllib.request.urlopen(  # noqa: S310
            f"{base}/w/api.php?action=query&format=json&generator=search&gsrsearch=cat&gsrnamespace=6", timeout=5
        ) as answer:
            assert answer.status == 200
        assert re.search(r"FLICKR_API_KEY=\S+", "".join(lines))
    finally:
        demo.terminate()
        demo.wait(timeout=10)
