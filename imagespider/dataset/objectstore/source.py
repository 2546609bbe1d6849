"""An object store as ``scrapy export``'s source: its rows, then each image's bytes."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

from imagespider.dataset.objectstore.client import ObjectStore
from imagespider.dataset.objectstore.config import ObjectStoreConfig

logger = logging.getLogger(__name__)


class ObjectSource:
    """An object store as ``scrapy export``'s source (imagespider/dataset/export/exporter.py)."""

    def __init__(self, store: ObjectStore) -> None:
        self.store = store

    @classmethod
    def from_settings(cls, uri: str, settings: Any) -> ObjectSource:
        return cls(ObjectStore(ObjectStoreConfig.from_settings(uri, settings)))

    def rows(self) -> Iterator[dict[str, Any]]:
        unreadable: list[tuple[str, str]] = []
        for row in self.store.rows(unreadable):
            yield row
            self._warn(unreadable)
        self._warn(unreadable)

    @staticmethod
    def _warn(unreadable: list[tuple[str, str]]) -> None:
        while unreadable:  # as read_jsonl warns of a damaged manifest line
            sidecar, image = unreadable.pop(0)
            logger.warning("skipping %s: its sidecar %s is not a row (not a JSON object, or too large)", image, sidecar)

    def read(self, file_name: str) -> bytes | None:
        return self.store.get(file_name)
