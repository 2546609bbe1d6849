"""What the commands that work on a store outside a crawl share (``scrapy export``, ``scrapy publish``).

Not a command itself: Scrapy takes every :class:`~scrapy.commands.ScrapyCommand` subclass in this
package for one, so :class:`StoreCommand` is a mixin a command puts before ``ScrapyCommand``.
"""

from __future__ import annotations

from typing import Any

from scrapy.settings import Settings
from scrapy.utils.log import configure_logging

from imagespider.dataset.objectstore.config import is_object_store
from imagespider.errors import ArgumentError


class StoreCommand:
    """A command in the project that reads or assembles a store, with no crawler process."""

    requires_project = True
    requires_crawler_process = False
    default_settings: dict[str, Any] = {"LOG_LEVEL": "INFO"}  # noqa: RUF012 (Scrapy's own attribute)
    settings: Settings | None

    def store_settings(self) -> Settings:
        """The project's settings, with logging configured from them: there is no crawler process to
        do it, and ``LOG_LEVEL`` applies."""
        assert self.settings is not None
        configure_logging(self.settings)
        return self.settings

    def store_uri(self, named: str | None) -> str:
        """The store named on the command line, or else ``IMAGES_STORE`` (a folder, ``file://``,
        ``s3://bucket/prefix``). Raises :class:`ArgumentError` for one that names no folder
        (``""``, ``file://``: the working directory, whose README.md ``publish`` would overwrite
        with the dataset card) or has another scheme."""
        assert self.settings is not None
        uri = named if named is not None else str(self.settings.get("IMAGES_STORE") or "")
        if is_object_store(uri):
            return uri
        where = "the store" if named is not None else "IMAGES_STORE"
        if "://" in uri and not uri.startswith("file://"):
            raise ArgumentError(f"{where} {uri[:200]!r} is neither a folder nor s3://bucket/prefix")
        if not uri.removeprefix("file://").strip():
            raise ArgumentError(f"{where} {uri!r} names no folder; name one, such as data")
        return uri
