"""One way to run a crawl in the crawl tests: the ``crawl`` fixture.

``crawl("bing", "-a", "q=cat", settings={...})`` runs ``scrapy crawl bing`` in a child process
(tests/conftest.py's ``run_scrapy``) with the spider's endpoint pointed at the session's mock
server, the store in a fresh folder unless one is given, and API pacing off; it returns a
``CrawlResult``: the store, exit code, log, the mock-server requests made while it ran, and the
manifest and rejected rows read back from disk. The fixture is session-scoped so a module-scoped
fixture can run one crawl that several tests assert on.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from tests.conftest import run_scrapy
from tests.mockserver import MockHTTPServer

#: Each spider's endpoint setting and its default path on the mock server (tests/mockserver/).
ENDPOINTS: dict[str, tuple[str, str]] = {
    "bing": ("BING_SEARCH_URL", "/images/search"),
    "google": ("GOOGLE_SEARCH_URL", "/search"),
    "flickr": ("FLICKR_API_URL", "/services/rest/"),
    "openverse": ("OPENVERSE_API_URL", ""),
    "commons": ("COMMONS_API_URL", "/w/api.php"),
}
#: Spiders that call APIs: their pacing slots get no delay (the mock answers at once).
API_SLOTS = {"flickr": "flickr-api", "openverse": "openverse-api", "commons": "commons-api"}
#: Short scroll waits for the browser spiders: the mock appends results within 0.4 s.
FAST_SCROLL = {"SCROLL_WAIT_TIMEOUT": 1, "SCROLL_MAX_STALLS": 1, "SCROLL_STEP_PAUSE": 0.05}
#: Blank engine credentials, so a key in the developer's environment never reaches a test crawl.
NO_CREDENTIALS = {"FLICKR_API_KEY": "", "OPENVERSE_CLIENT_ID": "", "OPENVERSE_CLIENT_SECRET": ""}


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """The rows of a JSONL file; none when it does not exist."""
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def assert_manifest_matches_files(store: Path) -> list[dict[str, Any]]:
    """Every row names a file whose bytes hash to its sha256; every image file has a row."""
    rows = read_jsonl(store / "metadata.jsonl")
    names = {row["file_name"] for row in rows}
    on_disk = {p.relative_to(store).as_posix() for p in store.glob("*/*") if p.is_file()}
    assert names == on_disk
    for row in rows:
        data = (store / row["file_name"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == row["sha256"]
        assert len(data) == row["bytes"]
        with Image.open(store / row["file_name"]) as image:
            image.load()
            assert image.size == (row["width"], row["height"])
            assert image.format == row["format"]
    return rows


def error_lines(log: str) -> list[str]:
    """The log's ERROR records."""
    return [line for line in log.splitlines() if "] ERROR:" in line]


@dataclass
class CrawlResult:
    """What one ``scrapy crawl`` left: its exit, its log, its store, and what it asked the mock."""

    store: Path
    returncode: int
    stdout: str
    stderr: str
    seconds: float
    #: Paths (with query) the mock server was asked for while this crawl ran.
    requests: list[str]

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    @property
    def rows(self) -> list[dict[str, Any]]:
        """metadata.jsonl as it is on disk now."""
        return read_jsonl(self.store / "metadata.jsonl")

    @property
    def rejected(self) -> list[dict[str, Any]]:
        """rejected.jsonl as it is on disk now."""
        return read_jsonl(self.store / "rejected.jsonl")

    @property
    def errors(self) -> list[str]:
        return error_lines(self.output)

    def assert_ok(self) -> None:
        """Exit 0 and no traceback, with the log's end as the message when not."""
        assert self.returncode == 0, self.output[-3000:]
        assert "Traceback" not in self.output, self.output[-3000:]


def _option(value: object) -> str:
    return json.dumps(value) if isinstance(value, dict | list) else str(value)


class Crawl:
    """Runs ``scrapy crawl`` against the session's mock server; see the module docstring."""

    def __init__(self, mockserver: MockHTTPServer, tmp_path_factory: pytest.TempPathFactory) -> None:
        self.mockserver = mockserver
        self.tmp_path_factory = tmp_path_factory

    def __call__(
        self, spider: str, *args: str, store: Path | None = None, endpoint: str | None = None,
        settings: Mapping[str, object] | None = None, env: dict[str, str] | None = None,
        allow_private: bool = True, stats_dump: bool = True, timeout: float = 300,
    ) -> CrawlResult:
        """``endpoint`` is the path on the mock server of ``spider``'s endpoint (ENDPOINTS gives
        the default); the ``search`` spider gets every engine's default endpoint (``settings`` can
        point one elsewhere). ``args`` come
        after the fixture's own options and ``settings`` after both, so either overrides them."""
        if store is None:
            store = self.tmp_path_factory.mktemp(spider) / "store"
        options = ["-s", f"IMAGES_STORE={store}"]
        for engine, (name, path) in ENDPOINTS.items():
            if engine == spider:
                options += ["-s", f"{name}={self.mockserver.base}{path if endpoint is None else endpoint}"]
            elif spider == "search":
                options += ["-s", f"{name}={self.mockserver.base}{path}"]
        slots = {slot: {"delay": 0} for engine, slot in API_SLOTS.items() if spider in (engine, "search")}
        if slots:
            options += ["-s", f"DOWNLOAD_SLOTS={json.dumps(slots)}"]
        overrides: list[str] = []
        for name, value in (settings or {}).items():
            overrides += ["-s", f"{name}={_option(value)}"]
        before = len(self.mockserver.requests)
        started = time.monotonic()
        done = run_scrapy(
            "crawl", spider, *options, *args, *overrides, env={**NO_CREDENTIALS, **(env or {})},
            allow_private=allow_private, stats_dump=stats_dump, timeout=timeout,
        )
        return CrawlResult(
            store=store, returncode=done.returncode, stdout=done.stdout, stderr=done.stderr,
            seconds=time.monotonic() - started, requests=self.mockserver.requests[before:],
        )


@pytest.fixture(scope="session")
def crawl(mockserver: MockHTTPServer, tmp_path_factory: pytest.TempPathFactory) -> Crawl:
    return Crawl(mockserver, tmp_path_factory)
