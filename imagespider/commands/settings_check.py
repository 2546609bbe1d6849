"""The numeric and yes/no settings checked before a crawl starts.

Components read these with ``settings.getint`` / ``getfloat`` / ``getbool`` deep inside the
crawler's start-up, where a ``-s IMAGES_MIN_WIDTH=abc`` surfaces as a traceback from an asyncio
task. Checked here first, a bad value is one line naming the setting, as a bad ``-a`` is.
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from urllib.parse import urlsplit

from scrapy.settings import BaseSettings

from imagespider.engines import endpoint_setting_names
from imagespider.errors import ArgumentError, shown

#: name -> (type, smallest allowed, largest allowed or None)
NUMBERS: dict[str, tuple[type, float, float | None]] = {
    "IMAGES_MIN_WIDTH": (int, 0, None),
    "IMAGES_MIN_HEIGHT": (int, 0, None),
    "IMAGES_MAX_PIXELS": (int, 1, None),
    "IMAGES_WORKERS": (int, 1, 256),
    "IMAGES_CHECK_MEMORY": (int, 0, None),
    "IMAGES_CHECK_TIMEOUT": (float, 0.1, None),
    "PUBLISH_ORPHAN_GRACE": (float, 0, None),
    "IMAGES_MAX_FRAMES": (int, 1, None),
    "SCROLL_WAIT_TIMEOUT": (float, 0.1, None),
    "SCROLL_MAX_STALLS": (int, 1, None),
    "SCROLL_STEP_PAUSE": (float, 0, None),
    "PROGRESS_INTERVAL": (float, 0, None),
    "DOWNLOAD_TIMEOUT": (float, 0.1, None),
    "DOWNLOAD_MAXSIZE": (int, 0, None),
    "CONCURRENT_REQUESTS": (int, 1, None),
    "CONCURRENT_REQUESTS_PER_DOMAIN": (int, 1, None),
    "RETRY_TIMES": (int, 0, None),
    "REDIRECT_MAX_TIMES": (int, 0, None),
    "TDMREP_MAXSIZE": (int, 0, None),
    "PAGE_MAXSIZE": (int, 1, None),
    "ROBOTSTXT_CRAWL_DELAY_MAX": (float, 0, None),
}
FLAGS = ("DEDUP", "ALLOW_PRIVATE_ADDRESSES", "ROBOTSTXT_OBEY", "IMAGES_CHECK_PROCESSES", "EXCLUDE_AI_GENERATED",
         "PAGE_EVIDENCE")


def check_settings(settings: BaseSettings) -> None:
    """Raise ArgumentError (one line) for the first setting that is not a number or flag in range."""
    for name, (kind, low, high) in NUMBERS.items():
        raw = settings.get(name)
        if raw is None:
            continue
        try:
            value = settings.getint(name) if kind is int else settings.getfloat(name)
        except (TypeError, ValueError):
            what = "a whole number" if kind is int else "a number"
            raise ArgumentError(f"{name} must be {what}, got -s {name}={shown(raw)}") from None
        if not math.isfinite(value) or value < low or (high is not None and value > high):  # nan, inf
            bounds = f"at least {low:g}" if high is None else f"from {low:g} to {high:g}"
            raise ArgumentError(f"{name} must be {bounds}, got -s {name}={shown(raw)}")
    for name in FLAGS:
        try:
            settings.getbool(name)
        except ValueError:
            raise ArgumentError(
                f"{name} must be True or False, got -s {name}={shown(settings.get(name))}"
            ) from None


#: Settings holding a dict, given with -s as JSON (Scrapy's getdict parses it, with a traceback).
DICTS = ("PLAYWRIGHT_LAUNCH_OPTIONS", "DOWNLOAD_SLOTS", "PLAYWRIGHT_CONTEXTS")
#: Where a store can never be: the kernel's own file systems.
_SYSTEM_ROOTS = ("/proc", "/sys", "/dev")


def check_shapes(settings: BaseSettings) -> None:
    """Raise ArgumentError (one line) for a dict setting that is not JSON, or an engine endpoint
    (imagespider/engines/__init__.py) that is not an http(s) URL: both used to end in a
    traceback deep in the crawl, and a bad endpoint in exit status 0."""
    for name in DICTS:
        try:
            settings.getdict(name)
        except (TypeError, ValueError):
            raise ArgumentError(
                f"{name} must be a JSON object such as {{\"key\": \"value\"}}, "
                f"got -s {name}={shown(settings.get(name))}"
            ) from None
    for name in endpoint_setting_names():
        value = settings.get(name)
        if value is None or value == "":
            continue
        try:
            parts = urlsplit(str(value)) if isinstance(value, str) else None
        except ValueError:  # "http://[x/": an IPv6 bracket never closed
            parts = None
        if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
            raise ArgumentError(
                f"{name} must be an http(s) URL such as https://host/path, got -s {name}={shown(value)}"
            )


def check_store_path(store: str, setting: str = "IMAGES_STORE", holds: str = "the dataset") -> None:
    """``setting`` (IMAGES_STORE, or JOBDIR, which Scrapy creates deep in its start-up) must be a
    folder we can create and write: not a file, not under /proc."""
    given = f"{setting}={shown(store)}"
    try:
        path = Path(store).expanduser()
        resolved = path.resolve()
    except (RuntimeError, ValueError, OSError) as error:  # ~nosuchuser, a NUL byte, a loop of links
        raise ArgumentError(f"{given} is not a usable folder name ({error})") from None
    if any(resolved == Path(root) or Path(root) in resolved.parents for root in _SYSTEM_ROOTS):
        system = f"/{resolved.parts[1]}"
        raise ArgumentError(f"{given} is under {system}; give a folder for {holds}")
    if path.exists() and not path.is_dir():
        raise ArgumentError(f"{given} is a file, not a folder; give a folder for {holds}")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ArgumentError(f"{given} cannot be created: {error.strerror}") from None
    if not os.access(path, os.W_OK | os.X_OK):
        raise ArgumentError(f"{given} is not writable by this user")


#: The levels ``-L`` / ``LOG_LEVEL`` take (logging's names; a number works too).
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def checked_log_level(value: object) -> int | str:
    """LOG_LEVEL as Scrapy must hand it to logging, which takes only an upper-case name or an
    int: ``-L info`` or ``-s LOG_LEVEL=10`` ended in a ValueError traceback before any of our
    code ran. Raises ArgumentError (one line) for anything else."""
    text = str(value).strip()
    if text.isascii() and text.isdigit():  # not "²": a digit to isdigit(), not to int()
        return int(text)
    if text.upper() in (*LOG_LEVELS, "WARN", "FATAL", "NOTSET"):
        return text.upper()
    raise ArgumentError(f"LOG_LEVEL must be {', '.join(LOG_LEVELS[:-1])} or {LOG_LEVELS[-1]}, got {shown(value)}")
