"""Keep secrets (API keys) out of every log line, whoever writes it, and out of every file.

Flickr wants its key in the query string, and Scrapy writes request URLs into its own log lines
("Crawled (200) <GET ...>", retry and timeout messages, referers). Redacting in our LogFormatter
would miss those written elsewhere, so this filter sits on the log *handlers* instead: every
record that reaches a file or the console passes through it, at any level and from any logger,
tracebacks included. The same :meth:`SecretFilter.redact` cleans every row the store writes
(imagespider/dataset/store.py: metadata.jsonl, rejected.jsonl, and so the documents built from
them): an API may echo its key in a URL or a title.

A secret is masked at any length: one of :data:`MIN_LITERAL` characters or more wherever it
appears, a shorter one where it stands as a word of its own (``abc`` in ``?k=abc&``, not in
``abcde``), so a short key is hidden without mangling ordinary words.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Any
from urllib.parse import unquote, urlsplit

from scrapy.settings import SETTINGS_PRIORITIES

from imagespider.engines import secret_setting_names

MASK = "***"
#: ``api_key=<value>`` in a URL or form body, whatever the value is.
_API_KEY_PARAM = re.compile(r"(api_key=)[^&\s'\"<>)]+", re.IGNORECASE)
#: A literal secret shorter than this is masked only where it stands as a word of its own: masked
#: everywhere, it would mangle ordinary words (real Flickr keys are 32 hex digits).
MIN_LITERAL = 6


@lru_cache(maxsize=64)
def _as_word(secret: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![0-9A-Za-z]){re.escape(secret)}(?![0-9A-Za-z])")


class SecretFilter(logging.Filter):
    """A handler filter that replaces the given secrets, and any ``api_key=`` value, with ``***``."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self.secrets = sorted({s for s in secrets if s and s != MASK}, key=len, reverse=True)

    def redact(self, text: str) -> str:
        if "=" in text:  # ``api_key=...`` needs one; most strings of a row have none
            text = _API_KEY_PARAM.sub(r"\g<1>" + MASK, text)
        for secret in self.secrets:
            text = text.replace(secret, MASK) if len(secret) >= MIN_LITERAL else _as_word(secret).sub(MASK, text)
        return text

    def scrub(self, value: Any) -> Any:
        """``value`` (a row: dicts, lists, strings) with every string redacted."""
        if isinstance(value, str):
            return self.redact(value)
        if isinstance(value, dict):
            return {key: self.scrub(item) for key, item in value.items()}
        if isinstance(value, list | tuple):
            return [self.scrub(item) for item in value]
        return value

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = self.redact(message)
        if clean != message:
            record.msg, record.args = clean, None
        if record.exc_info and not record.exc_text:
            # Render the traceback now, so its text can be cleaned too (Formatter reuses exc_text).
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True

    def install(self) -> None:
        """Attach to every handler of the root logger (where Scrapy's own handler lives)."""
        for handler in logging.root.handlers:
            if self not in handler.filters:
                handler.addFilter(self)

    def uninstall(self) -> None:
        for handler in logging.root.handlers:
            handler.removeFilter(self)



#: Setting names whose value is a credential (FLICKR_API_KEY, AWS_SECRET_ACCESS_KEY, ...).
SECRET_SETTING = re.compile(r"(KEY|SECRET|TOKEN|PASSWORD|PASSWD|CREDENTIALS?)(_ID)?$")


def setting_secrets(settings: Any) -> list[str]:
    """The values of every credential-like setting (by name, see :data:`SECRET_SETTING`) that is
    not left at Scrapy's default (FTP_PASSWORD's "guest" is no secret, and masking it would
    mangle the word), and of every registered engine's secret settings
    (imagespider/engines/__init__.py), given as settings or as environment variables."""
    default = SETTINGS_PRIORITIES["default"]
    secrets = [
        str(settings.get(name)) for name in settings
        if SECRET_SETTING.search(name) and settings.get(name) and _priority(settings, name) > default
    ]
    for name in secret_setting_names():
        if settings.get(name):
            secrets.append(str(settings.get(name)))
        if os.environ.get(name):
            secrets.append(os.environ[name])
    # A distributed crawl's REDIS_URL may carry a password (redis://:secret@host:6379/0).
    # redis-py also takes it as a query argument (redis://host:6379/0?password=secret).
    parts = urlsplit(str(settings.get("REDIS_URL") or ""))
    for password in (parts.password, *re.findall(r"(?:^|&)password=([^&]*)", parts.query)):
        if password:
            secrets += {password, unquote(password)}
    return secrets


def _priority(settings: Any, name: str) -> int:
    getpriority = getattr(settings, "getpriority", None)
    return (getpriority(name) or 0) if getpriority else SETTINGS_PRIORITIES["cmdline"]


class RedactSecretsExtension:
    """Masks credential settings in every log line, from before the crawl's first line about them.

    Scrapy logs "Overridden settings" (its own defaults a user changed, AWS_SECRET_ACCESS_KEY
    among them) right after building the extensions, so as an extension this filter is already
    on the log handlers then. It stays for the process's life: the final stats come later.
    """

    def __init__(self, secrets: Iterable[str]) -> None:
        self.filter = SecretFilter(secrets)
        self.filter.install()

    @classmethod
    def from_crawler(cls, crawler: Any) -> RedactSecretsExtension:
        return cls(setting_secrets(crawler.settings))
