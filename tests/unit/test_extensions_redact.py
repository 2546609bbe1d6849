"""The secret filter: API keys masked in every log line, whoever writes it."""

from __future__ import annotations

import logging
import sys

from imagespider.extensions.redact import SecretFilter


def test_secret_filter_cleans_messages_and_tracebacks() -> None:
    secret = "0123456789abcdef"
    redactor = SecretFilter([secret])
    url = f"http://h/?api_key={secret}&a=1"
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "Crawled <GET %s>", (url,), None)
    try:
        raise ValueError(f"boom {secret}")
    except ValueError:
        record.exc_info = sys.exc_info()
    assert redactor.filter(record)
    assert record.getMessage() == "Crawled <GET http://h/?api_key=***&a=1>"
    assert secret not in (record.exc_text or "") and "boom ***" in (record.exc_text or "")
    # A short key is hidden in URLs only, so ordinary words are not mangled.
    assert SecretFilter(["k"]).redact("kept api_key=k&x") == "kept api_key=***&x"
