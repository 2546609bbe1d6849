"""Keep secrets (API keys) out of every log line, whoever writes it.

Flickr wants its key in the query string, and Scrapy writes request URLs into its own log lines
("Crawled (200) <GET ...>", retry and timeout messages, referers). Redacting in our LogFormatter
would miss those written elsewhere, so this filter sits on the log *handlers* instead: every
record that reaches a file or the console passes through it, at any level and from any logger,
tracebacks included.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterable
from typing import Any

from imagespider.engines import secret_setting_names

MASK = "***"
#: ``api_key=<value>`` in a URL or form body, whatever the value is.
_API_KEY_PARAM = re.compile(r"(api_key=)[^&\s'\"<>)]+", re.IGNORECASE)
#: A literal secret shorter than this is not searched for on its own: it would mangle ordinary
#: words (real Flickr keys are 32 hex digits); the ``api_key=`` pattern still hides it in URLs.
MIN_LITERAL = 6


class SecretFilter(logging.Filter):
    """A handler filter that replaces the given secrets, and any ``api_key=`` value, with ``***``."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self.secrets = sorted({s for s in secrets if s and len(s) >= MIN_LITERAL}, key=len, reverse=True)

    def redact(self, text: str) -> str:
        text = _API_KEY_PARAM.sub(r"\g<1>" + MASK, text)
        for secret in self.secrets:
            text = text.replace(secret, MASK)
        return text

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
    """The values of every credential-like setting (by name, see :data:`SECRET_SETTING`), and of
    every registered engine's secret settings (imagespider/engines/__init__.py), given as
    settings or as environment variables of the same name."""
    secrets = [str(settings.get(name)) for name in settings if SECRET_SETTING.search(name) and settings.get(name)]
    for name in secret_setting_names():
        if settings.get(name):
            secrets.append(str(settings.get(name)))
        if os.environ.get(name):
            secrets.append(os.environ[name])
    return secrets


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
