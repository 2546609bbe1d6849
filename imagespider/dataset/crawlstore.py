"""The store a crawl writes into, found from its crawler by every component that writes.

:class:`~imagespider.extensions.dataset.DatasetExtension` opens the store (``IMAGES_STORE``) and
attaches it here as it is built; the image and metadata pipelines, the spiders and the distributed
worker read it with :func:`store_of`. Scrapy builds the extensions before the engine, so before
the spider's engine callbacks and the item pipelines ask.

Why here and not ``crawler.get_extension(DatasetExtension)``: that made every writer import the
extension, a component beside them (the worker did it inside a function to dodge a cycle). The
store layer holds the one place instead, so readers import down (docs/development.md, "Layers"); as
the crawl's robots.txt cache and its worker do, the place is a map keyed by the crawler, which
dies with it.
"""

from __future__ import annotations

import weakref

from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from imagespider.dataset.objectstore.dataset import ObjectDataset
from imagespider.dataset.store.local import Dataset

_STORES: weakref.WeakKeyDictionary[Crawler, Dataset | ObjectDataset] = weakref.WeakKeyDictionary()


def attach_store(crawler: Crawler, store: Dataset | ObjectDataset) -> None:
    """Make ``store`` the crawl's store (the dataset extension, as it opens it)."""
    _STORES[crawler] = store


def store_of(crawler: Crawler) -> Dataset | ObjectDataset:
    """The crawl's store, for the components that write into it."""
    store = _STORES.get(crawler)
    if store is None:
        raise NotConfigured(
            "imagespider's pipelines need imagespider.extensions.dataset.DatasetExtension in EXTENSIONS"
        )
    return store
