"""imagespider/extensions/record.py in-process: a crawl's id set at its start, its row appended to
crawls.jsonl at its end (spider, arguments, the settings that change what it keeps, stats, finish
reason), and nothing written into a store another crawl holds."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from scrapy import Spider
from scrapy.utils.test import get_crawler

from imagespider.extensions.dataset import STORE_LOCKED_REASON, DatasetExtension
from imagespider.extensions.record import CrawlRecordExtension
from tests.stores import opened

EXTENSIONS = {"imagespider.extensions.record.CrawlRecordExtension": 0,
              "imagespider.extensions.dataset.DatasetExtension": 1}


def crawler_for(store: Path) -> object:
    crawler = get_crawler(settings_dict={"IMAGES_STORE": str(store), "EXTENSIONS": EXTENSIONS, "DEDUP": True})
    crawler.stats.open_spider()  # type: ignore[union-attr, call-arg]
    return crawler


def test_the_crawl_is_recorded_with_its_id_arguments_settings_and_stats(tmp_path: Path) -> None:
    crawler = crawler_for(tmp_path)
    record = crawler.get_extension(CrawlRecordExtension)  # type: ignore[attr-defined]
    spider = Spider(name="bing")
    spider.arguments = {"q": "cat", "limit": "5"}  # type: ignore[attr-defined]
    record.spider_opened(spider)
    crawl_id = crawler.stats.get_value("imagespider/crawl_id")  # type: ignore[attr-defined]
    assert crawl_id and crawl_id == record.crawl_id and "bing" in crawl_id
    crawler.stats.set_value("imagespider/kept", 5)  # type: ignore[attr-defined]
    crawler.stats.set_value("imagespider/dropped/too_small", 2)  # type: ignore[attr-defined]
    record.spider_closed(spider, "finished")
    crawler.get_extension(DatasetExtension).dataset.close()  # type: ignore[attr-defined]
    (row,) = [json.loads(line) for line in (tmp_path / "crawls.jsonl").read_text().splitlines()]
    assert (row["id"], row["spider"], row["finish_reason"], row["kept"]) == (crawl_id, "bing", "finished", 5)
    assert row["arguments"] == {"q": "cat", "limit": "5"}
    assert row["settings"]["IMAGES_STORE"] == str(tmp_path) and row["settings"]["DEDUP"] is True
    assert row["dropped"] == {"too_small": 2}
    assert row["stats"]["finish_reason"] == "finished" and row["start"] <= row["end"]


def test_nothing_is_written_into_a_store_another_crawl_holds(tmp_path: Path) -> None:
    holder = opened(tmp_path)
    try:
        crawler = crawler_for(tmp_path)
        record = crawler.get_extension(CrawlRecordExtension)  # type: ignore[attr-defined]
        spider = Spider(name="bing")
        record.spider_opened(spider)
        record.spider_closed(spider, STORE_LOCKED_REASON)
        assert not (tmp_path / "crawls.jsonl").exists()
    finally:
        holder.close()


def test_the_row_is_cleaned_of_secrets_as_every_row_of_the_store(tmp_path: Path) -> None:
    # A key in a recorded setting (an endpoint behind a proxy that takes api_key=) or pasted into
    # an argument: the object store's row was cleaned, the local crawls.jsonl was not.
    crawler = get_crawler(settings_dict={
        "IMAGES_STORE": str(tmp_path), "EXTENSIONS": EXTENSIONS,
        "FLICKR_API_KEY": "f1ickr-s3cret-key", "FLICKR_API_URL": "https://proxy.example/rest/?api_key=pr0xy-s3cret",
    })
    crawler.stats.open_spider()  # type: ignore[union-attr, call-arg]
    record = crawler.get_extension(CrawlRecordExtension)
    spider = Spider(name="flickr")
    spider.arguments = {"q": "cat f1ickr-s3cret-key"}  # type: ignore[attr-defined]
    record.spider_opened(spider)
    record.spider_closed(spider, "finished")
    crawler.get_extension(DatasetExtension).dataset.close()
    text = (tmp_path / "crawls.jsonl").read_text()
    assert "s3cret" not in text
    row = json.loads(text)
    assert row["settings"]["FLICKR_API_URL"] == "https://proxy.example/rest/?api_key=***"


def test_a_row_that_cannot_be_written_is_one_error_line(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    # A folder where crawls.jsonl should be: the crawl still closes, its documents still rebuilt.
    (tmp_path / "crawls.jsonl").mkdir()
    crawler = crawler_for(tmp_path)
    record = crawler.get_extension(CrawlRecordExtension)  # type: ignore[attr-defined]
    spider = Spider(name="bing")
    record.spider_opened(spider)
    with caplog.at_level(logging.ERROR):
        record.spider_closed(spider, "finished")
    crawler.get_extension(DatasetExtension).dataset.close()  # type: ignore[attr-defined]
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors == [f"could not record the crawl in {tmp_path}: [Errno 21] Is a directory: '{tmp_path / 'crawls.jsonl'}'"]
