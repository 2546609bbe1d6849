"""Which Chromium the engine spiders drive, and how it is started.

Playwright's own build is used when ``playwright install chromium`` has run; on machines where
that download is impossible, a system Chromium (Debian's ``chromium``) found on PATH is used.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from scrapy.settings import BaseSettings

from imagespider.engines import ENGINES

#: Flags a root user on a closed network needs: no sandbox (root), and no background
#: connections to Google's services that would fail or hang on start.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--no-first-run",
    "--no-default-browser-check",
    "--metrics-recording-only",
    "--mute-audio",
]
SYSTEM_CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
#: Engine pages are read as markup: these resource types are never fetched.
ABORTED_RESOURCE_TYPES = frozenset({"image", "media", "font"})

MISSING_BROWSER_MESSAGE = (
    "no Chromium found: install one with `apt-get install chromium` (Debian/Ubuntu) or "
    "`playwright install chromium`, or name one with "
    "-s PLAYWRIGHT_LAUNCH_OPTIONS='{\"executable_path\": \"/path/to/chrome\"}'"
)


#: DOWNLOAD_HANDLERS for a spider that renders no page (flickr, urls): Scrapy's own HTTP/1.1
#: handler, so no Playwright driver process is started for nothing.
PLAIN_HTTP_HANDLERS = {
    "http": "scrapy.core.downloader.handlers.http11.HTTP11DownloadHandler",
    "https": "scrapy.core.downloader.handlers.http11.HTTP11DownloadHandler",
}


#: scrapy-playwright's download handler: renders a request marked ``playwright``, hands any
#: other to Scrapy's own HTTP client.
PLAYWRIGHT_HANDLER = "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler"


def page_download_handlers(page_urls: Iterable[str]) -> dict[str, str]:
    """DOWNLOAD_HANDLERS for a spider that renders engine pages at ``page_urls``: scrapy-playwright
    for their schemes only, Scrapy's own handler for the other.

    Every scrapy-playwright handler starts a Playwright driver (a Node process, about 0.8 s of CPU
    and 50 MB) when the crawl starts, rendered page or not; the real engines are all https, so a
    crawl starts one instead of two. The other scheme loses nothing: scrapy-playwright would have
    handed its requests (images, source pages) to the same Scrapy handler. A URL of no http(s)
    scheme changes nothing (both stay with scrapy-playwright, as before)."""
    schemes = {urlsplit(str(url)).scheme.lower() for url in page_urls} & set(PLAIN_HTTP_HANDLERS)
    if not schemes:
        return {scheme: PLAYWRIGHT_HANDLER for scheme in PLAIN_HTTP_HANDLERS}
    return {scheme: PLAYWRIGHT_HANDLER if scheme in schemes else plain for scheme, plain in PLAIN_HTTP_HANDLERS.items()}


def use_page_download_handlers(settings: BaseSettings, engines: Iterable[str]) -> None:
    """Set :func:`page_download_handlers` for these engines' page URLs (their endpoint settings,
    -s included), at the spider's priority: a DOWNLOAD_HANDLERS given with -s still wins."""
    urls = [
        str(settings.get(name) or "")
        for engine in engines
        if engine in ENGINES and ENGINES[engine].browser
        for name in ENGINES[engine].endpoint_settings
    ]
    if urls:
        settings.set("DOWNLOAD_HANDLERS", page_download_handlers(urls), priority="spider")


def playwright_chromium_installed() -> bool:
    """True when ``playwright install chromium`` left a browser where Playwright looks."""
    try:
        import playwright  # noqa: PLC0415
    except ImportError:
        return False
    browsers_json = Path(playwright.__file__).parent / "driver" / "package" / "browsers.json"
    try:
        browsers = {b["name"]: b["revision"] for b in json.loads(browsers_json.read_text())["browsers"]}
    except (OSError, ValueError, KeyError):
        return False
    root = Path(os.environ.get("PLAYWRIGHT_BROWSERS_PATH") or Path.home() / ".cache" / "ms-playwright")
    wanted = ("chromium-headless-shell", "chromium")
    return any(
        (root / f"{name.replace('-', '_')}-{browsers[name]}").is_dir()
        for name in wanted
        if name in browsers
    )


def system_chromium() -> str | None:
    for name in SYSTEM_CHROMIUM_NAMES:
        path = shutil.which(name)
        if path:
            return path
    return None


def default_launch_options() -> dict[str, Any]:
    """Launch options for scrapy-playwright: Playwright's Chromium, else the system one."""
    options: dict[str, Any] = {"headless": True, "args": list(CHROMIUM_ARGS)}
    if not playwright_chromium_installed():
        executable = system_chromium()
        if executable:
            options["executable_path"] = executable
    return options


def browser_problem(launch_options: dict[str, Any]) -> str | None:
    """One line saying why no browser can start with these options, or None if one can."""
    executable = launch_options.get("executable_path")
    if executable:
        if not (os.path.isfile(executable) and os.access(executable, os.X_OK)):
            return (
                f"the browser named in PLAYWRIGHT_LAUNCH_OPTIONS does not exist: {executable}; "
                + MISSING_BROWSER_MESSAGE
            )
        return None
    if playwright_chromium_installed():
        return None
    return MISSING_BROWSER_MESSAGE


def abort_request(request: Any) -> bool:
    """PLAYWRIGHT_ABORT_REQUEST predicate: skip pixels, keep markup and scripts."""
    return request.resource_type in ABORTED_RESOURCE_TYPES
