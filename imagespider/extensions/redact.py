"""Keep secrets (API keys, tokens, passwords) out of every log line, whoever writes it, and out of every file.

Flickr wants its key in the query string, and Scrapy writes request URLs into its own log lines
("Crawled (200) <GET ...>", "Gave up retrying <GET ...>", referers), botocore its access key id
and session token at DEBUG. Redacting in our LogFormatter would miss those written elsewhere, and
a filter on the log *handlers* is dropped whenever Scrapy replaces its root handler (it does so
once more after the extensions are built, in ``Crawler.crawl_async``). So the redaction sits
where no handler change reaches it: :func:`install_log_redaction` makes every log record of the
process one whose message, traceback and stack are cleaned when they are rendered, at any level
and from any logger, with the secrets of every crawl of the process (:func:`crawl_secrets`).

Each crawl has one :class:`SecretFilter` (:func:`crawl_secrets`): its settings' and environment's
credentials, to which an engine adds what it obtains while crawling (the Openverse bearer
token). The same filter cleans every row the store writes (imagespider/dataset/store/local.py:
metadata.jsonl, rejected.jsonl, crawls.jsonl, and so the documents and index built from them):
an API may echo a key or a token in a URL or a title.

A secret is masked at any length: one of :data:`MIN_LITERAL` characters or more wherever it
appears, a shorter one where it stands as a word of its own (``abc`` in ``?k=abc&``, not in
``abcde``), so a short key is hidden without mangling ordinary words.
"""

from __future__ import annotations

import logging
import os
import re
import weakref
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

    def add(self, *secrets: str) -> None:
        """More secrets to mask from now on (a token an engine just obtained)."""
        if all(secret in self.secrets or not secret or secret == MASK for secret in secrets):
            return
        self.secrets = sorted({*self.secrets, *(s for s in secrets if s and s != MASK)}, key=len, reverse=True)

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
        """Mask these secrets in every log line of the process from now on (see the module's docstring)."""
        install_log_redaction()
        if self not in _LOGGED:
            _LOGGED.append(self)

    def uninstall(self) -> None:
        if self in _LOGGED:
            _LOGGED.remove(self)


#: The filters every log record of the process is cleaned with (:func:`install_log_redaction`).
_LOGGED: list[SecretFilter] = []


def redact_logged(text: str) -> str:
    """``text`` cleaned of the secrets of every installed filter."""
    for secret_filter in tuple(_LOGGED):
        text = secret_filter.redact(text)
    return text


class RedactedLogRecord(logging.LogRecord):
    """A log record whose message, traceback text and stack are cleaned as they are rendered
    (a handler's Formatter calls :meth:`getMessage` and sets :attr:`exc_text`), so a record is
    cleaned whichever handler writes it, and costs nothing when no handler does."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.stack_info:
            self.stack_info = redact_logged(self.stack_info)

    def getMessage(self) -> str:  # noqa: N802 (logging's name)
        return redact_logged(super().getMessage())

    @property  # type: ignore[override]
    def exc_text(self) -> str | None:
        return self.__dict__.get("_exc_text")

    @exc_text.setter
    def exc_text(self, value: str | None) -> None:
        self.__dict__["_exc_text"] = redact_logged(value) if value else value


def install_log_redaction() -> None:
    """Make every log record of the process a :class:`RedactedLogRecord` (once). A record factory
    is process-wide: unlike a handler's filter, no handler Scrapy installs later can drop it."""
    factory = logging.getLogRecordFactory()
    if factory is RedactedLogRecord or getattr(factory, "redacts", False):
        return
    if factory is logging.LogRecord:
        logging.setLogRecordFactory(RedactedLogRecord)
        return

    def redacting(*args: Any, **kwargs: Any) -> logging.LogRecord:  # someone else's factory: clean eagerly
        record = factory(*args, **kwargs)
        for secret_filter in tuple(_LOGGED):
            secret_filter.filter(record)
        return record

    redacting.redacts = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(redacting)


#: Each crawl's one filter (:func:`crawl_secrets`).
_CRAWL_FILTERS: weakref.WeakKeyDictionary[Any, SecretFilter] = weakref.WeakKeyDictionary()


def crawl_secrets(crawler: Any) -> SecretFilter:
    """The crawl's one :class:`SecretFilter`: its credential settings and environment variables
    (:func:`setting_secrets`) and whatever an engine adds while crawling (a token it obtained).
    It cleans every row the crawl writes and, installed, every log line of the process."""
    found = _CRAWL_FILTERS.get(crawler)
    if found is None:
        found = _CRAWL_FILTERS[crawler] = SecretFilter(setting_secrets(crawler.settings))
    return found



#: Setting names whose value is a credential (FLICKR_API_KEY, AWS_SECRET_ACCESS_KEY, ...).
SECRET_SETTING = re.compile(r"(KEY|SECRET|TOKEN|PASSWORD|PASSWD|CREDENTIALS?)(_ID)?$")
#: Credentials an object store's client (botocore) takes from the environment when the settings
#: give none; botocore logs the key id and the session token at DEBUG.
ENVIRONMENT_SECRETS = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN")


def setting_secrets(settings: Any) -> list[str]:
    """The values of every credential-like setting (by name, see :data:`SECRET_SETTING`) that is
    not left at Scrapy's default (FTP_PASSWORD's "guest" is no secret, and masking it would
    mangle the word), of every registered engine's secret settings
    (imagespider/engines/__init__.py), given as settings or as environment variables, and of the
    object store credentials botocore reads from the environment (:data:`ENVIRONMENT_SECRETS`)."""
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
    secrets += [os.environ[name] for name in ENVIRONMENT_SECRETS if os.environ.get(name)]
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
    """Masks the crawl's secrets (:func:`crawl_secrets`) in every log line of the process, from
    before the crawl's first line about them: Scrapy logs "Overridden settings" (its own
    defaults a user changed, AWS_SECRET_ACCESS_KEY among them) right after building the
    extensions. It stays for the process's life: the final stats and the summary come later."""

    def __init__(self, secret_filter: SecretFilter) -> None:
        self.filter = secret_filter
        self.filter.install()

    @classmethod
    def from_crawler(cls, crawler: Any) -> RedactSecretsExtension:
        return cls(crawl_secrets(crawler))
