"""The secret filter: credential settings found by name and masked in every log line, whoever writes it."""

from __future__ import annotations

import logging
import sys

import pytest
from scrapy.settings import Settings

from imagespider.extensions.redact import SecretFilter, setting_secrets


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


def test_credential_settings_are_found_by_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FLICKR_API_KEY", raising=False)
    settings = Settings({"FLICKR_API_KEY": "k" * 32, "AWS_SECRET_ACCESS_KEY": "s" * 40, "AWS_ACCESS_KEY_ID": "AKIA",
                         "LOG_LEVEL": "INFO", "OTHER_TOKEN": ""})  # fmt: skip
    secrets = set(setting_secrets(settings))
    assert {"k" * 32, "s" * 40, "AKIA"} <= secrets  # (and Scrapy's default FTP_PASSWORD, "guest")
    assert "INFO" not in secrets


def test_a_redis_url_password_is_a_secret() -> None:
    assert "hunter2-redis" in setting_secrets(Settings({"REDIS_URL": "redis://:hunter2-redis@redis.lan:6379/0"}))
    assert setting_secrets(Settings({"REDIS_URL": "redis://redis.lan:6379/0"})) == setting_secrets(Settings())


def test_a_redis_url_password_given_as_a_query_argument_is_a_secret() -> None:
    # redis-py reads redis://host:6379/0?password=... as the password: it was logged as it was.
    secrets = setting_secrets(Settings({"REDIS_URL": "redis://redis.lan:6379/0?password=hunter3-redis"}))
    assert "hunter3-redis" in secrets


def test_an_installed_filter_masks_lines_of_a_handler_added_after_it(capsys: pytest.CaptureFixture[str]) -> None:
    # Scrapy replaces its root log handler after the extensions are built (Crawler.crawl_async):
    # a filter put on the handlers of the moment was dropped with them.
    secret_filter = SecretFilter(["late-handler-s3cret"])
    secret_filter.install()
    handler = logging.StreamHandler(sys.stdout)
    logging.root.addHandler(handler)
    logger = logging.getLogger("test.redact")
    try:
        logger.warning("Gave up retrying <GET http://h/x.jpg?key=%s>", "late-handler-s3cret")
        try:
            raise ValueError("boom late-handler-s3cret")
        except ValueError:
            logger.exception("failed")
        secret_filter.add("added-later-t0ken")
        logger.warning("echo %s", "added-later-t0ken")
    finally:
        logging.root.removeHandler(handler)
        secret_filter.uninstall()
    out = capsys.readouterr().out
    assert "s3cret" not in out and "t0ken" not in out
    assert "key=***>" in out and "boom ***" in out and "echo ***" in out


def test_environment_credentials_of_an_object_store_are_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAFROMENV123")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "session-token-from-env")
    secrets = set(setting_secrets(Settings()))
    assert {"AKIAFROMENV123", "session-token-from-env"} <= secrets
