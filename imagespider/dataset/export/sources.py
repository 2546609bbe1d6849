"""A store named by a URI (a folder, ``file://``, or ``s3://bucket/prefix``) as an export source."""

from __future__ import annotations

from typing import Any

from imagespider.dataset.export.exporter import LocalSource, Source
from imagespider.dataset.objectstore.config import is_object_store

__all__ = ["is_object_store", "open_source"]


def open_source(uri: str, settings: Any) -> Source:
    """The store at ``uri``, read with the crawl's settings (AWS_* for an object store)."""
    if is_object_store(uri):
        from imagespider.dataset.objectstore.source import ObjectSource

        return ObjectSource.from_settings(uri, settings)
    return LocalSource(uri.removeprefix("file://"))
