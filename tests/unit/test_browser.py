"""Browser start-up choices (``imagespider.browser``), proven without starting a browser.

What is proven here:
- the default launch options are headless, run as root on a closed network (``--no-sandbox``,
  ``--disable-background-networking``), and name only an executable that exists;
- ``browser_problem`` gives one line telling how to install Chromium when the named executable is
  missing or not executable, and None for an executable that exists;
- ``abort_request`` skips pixels (image, font, media) but lets markup and scripts load;
- an engine spider's crawl gives scrapy-playwright only the scheme(s) of its engines' page URLs
  (one Playwright driver for the real, https engines), and a DOWNLOAD_HANDLERS given with -s wins.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from scrapy.crawler import Crawler
from scrapy.spiderloader import SpiderLoader

from imagespider.browser import (
    CHROMIUM_ARGS,
    abort_request,
    browser_problem,
    default_launch_options,
    page_download_handlers,
)
from tests.settings import project_settings


def test_default_launch_options() -> None:
    options = default_launch_options()
    assert options["headless"] is True
    assert "--no-sandbox" in options["args"]
    assert "--disable-background-networking" in options["args"]
    executable = options.get("executable_path")
    if executable is not None:
        assert os.path.isfile(executable) and os.access(executable, os.X_OK)
        assert browser_problem(options) is None


def test_default_launch_options_are_a_fresh_copy() -> None:
    options = default_launch_options()
    options["args"].append("--kiosk")
    assert "--kiosk" not in CHROMIUM_ARGS
    assert "--kiosk" not in default_launch_options()["args"]


@pytest.mark.parametrize("where", ["/nonexistent/chrome", "relative/missing/chrome", "a directory"])
def test_missing_executable(where: str, tmp_path: Path) -> None:
    executable = str(tmp_path) if where == "a directory" else where
    problem = browser_problem({"executable_path": executable, "headless": True})
    assert problem is not None
    assert "\n" not in problem
    assert "chromium" in problem.lower()
    assert "install" in problem


def test_executable_that_is_not_executable(tmp_path: Path) -> None:
    fake = tmp_path / "chrome"
    fake.write_text("#!/bin/sh\n")
    fake.chmod(0o644)
    problem = browser_problem({"executable_path": str(fake)})
    assert problem is not None and str(fake) in problem and "\n" not in problem


def test_existing_executable_is_no_problem() -> None:
    assert browser_problem({"executable_path": sys.executable}) is None


@pytest.mark.parametrize(
    ("resource_type", "aborted"),
    [
        ("image", True),
        ("font", True),
        ("media", True),
        ("document", False),
        ("script", False),
        ("xhr", False),
        ("fetch", False),
    ],
)
def test_abort_request(resource_type: str, aborted: bool) -> None:
    request = SimpleNamespace(resource_type=resource_type, url="https://www.bing.com/x")
    assert abort_request(request) is aborted


PLAYWRIGHT = "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler"
PLAIN = "scrapy.core.downloader.handlers.http11.HTTP11DownloadHandler"


@pytest.mark.parametrize(
    ("urls", "http", "https"),
    [
        (["https://www.bing.com/images/search"], PLAIN, PLAYWRIGHT),  # the real engines: one driver
        (["http://127.0.0.1:8000/images/search"], PLAYWRIGHT, PLAIN),  # a local mock
        (["https://a.example/", "HTTP://b.example/"], PLAYWRIGHT, PLAYWRIGHT),
        (["", "ftp://x/"], PLAYWRIGHT, PLAYWRIGHT),  # nothing usable: both, as before
    ],
)
def test_page_download_handlers_render_only_the_schemes_of_engine_pages(urls: list[str], http: str, https: str) -> None:
    assert page_download_handlers(urls) == {"http": http, "https": https}


@pytest.mark.parametrize(
    ("spider", "extra", "http", "https"),
    [
        ("bing", {}, PLAIN, PLAYWRIGHT),
        ("bing", {"BING_SEARCH_URL": "http://127.0.0.1:1/images/search"}, PLAYWRIGHT, PLAIN),
        ("google", {"GOOGLE_SEARCH_URL": "http://127.0.0.1:1/search"}, PLAYWRIGHT, PLAIN),
        ("search", {"GOOGLE_SEARCH_URL": "http://127.0.0.1:1/search"}, PLAYWRIGHT, PLAYWRIGHT),
        ("bing", {"DOWNLOAD_HANDLERS": {"http": PLAIN, "https": PLAIN}}, PLAIN, PLAIN),  # -s wins
    ],
)
def test_a_crawl_starts_scrapy_playwright_for_its_engines_page_schemes(
    spider: str, extra: dict[str, object], http: str, https: str
) -> None:
    settings = project_settings()
    for name, value in extra.items():
        settings.set(name, value, priority="cmdline")
    spidercls = SpiderLoader.from_settings(settings).load(spider)
    handlers = Crawler(spidercls, settings).settings.getdict("DOWNLOAD_HANDLERS")
    assert (handlers["http"], handlers["https"]) == (http, https)
