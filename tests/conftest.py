"""Shared test fixtures: one mock engine server per session, and a way to run a crawl as a user does.

Tests under tests/crawl/ run ``scrapy`` in child processes (real Chromium, real Scrapyd); they
carry the ``crawl`` marker, so ``pytest -m "not crawl"`` is the fast loop over tests/unit/.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import tests.mockserver.changed  # noqa: F401  (registers engine pages in changed markup)
import tests.mockserver.commons  # noqa: F401  (registers the Wikimedia Commons API routes)
import tests.mockserver.faults  # noqa: F401  (registers the misbehaving hosts)
import tests.mockserver.flickr  # noqa: F401  (registers the Flickr API routes on the mock server)
import tests.mockserver.google  # noqa: F401  (registers the Google routes on the mock server)
import tests.mockserver.hostile  # noqa: F401  (registers the hostile files and slow images, issue 13)
import tests.mockserver.neardup  # noqa: F401  (registers Bing copies of Flickr photos, near-duplicates)
import tests.mockserver.openverse  # noqa: F401  (registers the Openverse API routes)
import tests.mockserver.pages  # noqa: F401  (registers source pages and the results pointing at them)
import tests.mockserver.rights  # noqa: F401  (registers the rights and opt-out routes)
from tests.mockserver import MockHTTPServer, serving

PROJECT = Path(__file__).resolve().parent.parent


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    crawl_dir = Path(__file__).resolve().parent / "crawl"
    for item in items:
        if crawl_dir in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.crawl)


@pytest.fixture(scope="session")
def mockserver() -> Iterator[MockHTTPServer]:
    with serving() as server:
        yield server


def scrapy_command(*args: str, allow_private: bool = True, stats_dump: bool = True) -> list[str]:
    """The command line for ``scrapy <args>``. A crawl may reach loopback unless
    ``allow_private`` is False: every mock server lives on 127.0.0.1, which a default crawl refuses.
    With ``stats_dump`` a crawl logs Scrapy's stats dump at INFO (off by default in the project,
    which logs it at DEBUG), so tests can read counters from stderr."""
    extra: list[str] = []
    if args[:1] == ("crawl",):
        extra += ["-s", "ALLOW_PRIVATE_ADDRESSES=True"] if allow_private else []
        extra += ["-s", "STATS_DUMP=True"] if stats_dump else []
    return [sys.executable, "-m", "scrapy", *args, *extra]


def scrapy_env(env: dict[str, str] | None = None) -> dict[str, str]:
    return {**os.environ, **(env or {}), "PYTHONPATH": str(PROJECT)}


def run_scrapy(
    *args: str, cwd: Path = PROJECT, timeout: float = 300, env: dict[str, str] | None = None,
    allow_private: bool = True, stats_dump: bool = True,
) -> subprocess.CompletedProcess[str]:
    """``scrapy <args>`` in a child process, from the project folder, as a user runs it;
    ``env`` adds to (or, with "" values, blanks) the inherited environment."""
    env = scrapy_env(env)
    return subprocess.run(
        scrapy_command(*args, allow_private=allow_private, stats_dump=stats_dump),
        cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False,
    )


def class_files(folder: Path) -> list[Path]:
    """The images of one class folder: its files, not the report's hidden ``.thumbs`` folder
    (imagespider/dataset/documents/thumbnails.py), which loaders skip too."""
    return [path for path in folder.iterdir() if not path.name.startswith(".")]
