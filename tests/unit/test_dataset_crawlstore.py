"""imagespider/dataset/crawlstore.py: the store the dataset extension opens is the one every writer
finds from the crawler; without the extension a writer refuses to start, naming it."""

from __future__ import annotations

from pathlib import Path

import pytest
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler

from imagespider.dataset.crawlstore import store_of
from imagespider.extensions.dataset import DatasetExtension
from imagespider.pipelines.metadata import MetadataExportPipeline


def test_the_writers_find_the_store_the_extension_opened(tmp_path: Path) -> None:
    crawler = get_crawler(settings_dict={
        "IMAGES_STORE": str(tmp_path), "EXTENSIONS": {"imagespider.extensions.dataset.DatasetExtension": 0},
    })
    extension = crawler.get_extension(DatasetExtension)
    assert extension is not None
    try:
        assert store_of(crawler) is extension.dataset
        assert MetadataExportPipeline.from_crawler(crawler).dataset is extension.dataset
    finally:
        extension.dataset.close()


def test_without_the_extension_a_writer_names_it(tmp_path: Path) -> None:
    crawler = get_crawler(settings_dict={"IMAGES_STORE": str(tmp_path)})
    with pytest.raises(NotConfigured, match=r"imagespider\.extensions\.dataset\.DatasetExtension in EXTENSIONS"):
        MetadataExportPipeline.from_crawler(crawler)
    with pytest.raises(NotConfigured):
        store_of(crawler)
