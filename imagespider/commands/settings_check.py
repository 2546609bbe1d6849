"""The numeric and yes/no settings checked before a crawl starts.

Components read these with ``settings.getint`` / ``getfloat`` / ``getbool`` deep inside the
crawler's start-up, where a ``-s IMAGES_MIN_WIDTH=abc`` surfaces as a traceback from an asyncio
task. Checked here first, a bad value is one line naming the setting, as a bad ``-a`` is.
"""

from __future__ import annotations

from scrapy.settings import BaseSettings

from imagespider.errors import ArgumentError, shown

#: name -> (type, smallest allowed, largest allowed or None)
NUMBERS: dict[str, tuple[type, float, float | None]] = {
    "IMAGES_MIN_WIDTH": (int, 0, None),
    "IMAGES_MIN_HEIGHT": (int, 0, None),
    "IMAGES_MAX_PIXELS": (int, 1, None),
    "IMAGES_WORKERS": (int, 1, 256),
    "IMAGES_CHECK_MEMORY": (int, 0, None),
    "IMAGES_CHECK_TIMEOUT": (float, 0.1, None),
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
        if value < low or (high is not None and value > high):
            bounds = f"at least {low:g}" if high is None else f"from {low:g} to {high:g}"
            raise ArgumentError(f"{name} must be {bounds}, got -s {name}={shown(raw)}")
    for name in FLAGS:
        try:
            settings.getbool(name)
        except ValueError:
            raise ArgumentError(
                f"{name} must be True or False, got -s {name}={shown(settings.get(name))}"
            ) from None
