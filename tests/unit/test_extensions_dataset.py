"""imagespider/extensions/dataset.py in-process: the store opened for the crawl, every drop counted
under its reason and written to rejected.jsonl, a store held by another crawl refused at
spider_opened with one line (and left alone), an IMAGES_STORE that is neither a folder nor
s3:// refused in one line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from scrapy.exceptions import CloseSpider, NotConfigured
from scrapy.utils.misc import build_from_crawler
from scrapy.utils.test import get_crawler

from imagespider.dataset.store.local import Dataset
from imagespider.dataset.store.lock import StoreLocked, check_unlocked
from imagespider.errors import ArgumentError
from imagespider.extensions.dataset import STORE_LOCKED_REASON, DatasetExtension, local_store
from imagespider.items import ImageItem
from imagespider.outcomes import Outcome
from imagespider.rights.model import cc_license


def extension_for(store: Path, **settings: object) -> DatasetExtension:
    crawler = get_crawler(settings_dict={"IMAGES_STORE": str(store), **settings})
    crawler.stats.open_spider()  # type: ignore[union-attr, call-arg]
    return build_from_crawler(DatasetExtension, crawler)


def test_every_drop_is_counted_and_written_with_its_reason(tmp_path: Path) -> None:
    extension = extension_for(tmp_path, FLICKR_API_KEY="k3y-5ecret-value")
    item = ImageItem(image_url="https://h/a.jpg?api_key=k3y-5ecret-value", label="cat", query="cat", engine="flickr",
                     license=cc_license("cc-by-nc", "2.0", "api"))
    extension.item_settled(item, Outcome(kept=False, reason="license_noncommercial", detail="CC BY-NC 2.0"))
    extension.item_settled(item, Outcome(kept=False, reason="too_small", detail="12x12"))
    extension.item_settled(item, Outcome(kept=True))
    stats = extension.crawler.stats.get_stats()  # type: ignore[union-attr]
    assert (stats["imagespider/dropped"], stats["imagespider/dropped/too_small"]) == (2, 1)
    assert stats["imagespider/dropped/license/cc-by-nc"] == 1  # only a license verdict counts the license
    extension.dataset.close()
    rows = [json.loads(line) for line in (tmp_path / "rejected.jsonl").read_text().splitlines()]
    assert [(r["reason"], r["detail"], r["label"], r["engine"]) for r in rows] == [
        ("license_noncommercial", "CC BY-NC 2.0", "cat", "flickr"), ("too_small", "12x12", "cat", "flickr"),
    ]
    assert all("k3y-5ecret-value" not in json.dumps(r) for r in rows)  # scrubbed as written


def test_extension_refuses_a_locked_store_at_spider_opened(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    holder = Dataset(tmp_path)
    holder.open()
    try:
        crawler = get_crawler(settings_dict={"IMAGES_STORE": str(tmp_path)})
        extension = build_from_crawler(DatasetExtension, crawler)  # no traceback at crawler start
        with pytest.raises(CloseSpider) as closed:
            extension.spider_opened()
        assert closed.value.reason == STORE_LOCKED_REASON
        assert [r.getMessage() for r in caplog.records if r.levelname == "ERROR"] == [str(extension.refused)]
        extension.spider_closed()  # closing an unopened dataset leaves the holder's lock alone
        with pytest.raises(StoreLocked):
            check_unlocked(tmp_path)
    finally:
        holder.close()


def test_the_store_setting_is_a_folder_or_an_object_store() -> None:
    assert local_store("file:///data/cats") == "/data/cats"
    assert local_store("data") == "data"
    with pytest.raises(ArgumentError, match="neither a local folder nor s3://bucket/prefix"):
        local_store("ftp://host/data")
    with pytest.raises(NotConfigured):
        DatasetExtension(get_crawler(settings_dict={"IMAGES_STORE": ""}))
