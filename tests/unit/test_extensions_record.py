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
from imagespider.failures import failures_of
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


@pytest.mark.parametrize("reason", ["shutdown", "finished"])
def test_nothing_is_written_into_a_store_another_crawl_holds(tmp_path: Path, reason: str) -> None:
    # The refused store alone must stop the row, whatever the finish reason: the test set both the
    # locked reason and a refused store, so it could not tell which guard worked. A crawl stopped
    # by Ctrl-C (shutdown) before it closed with its failed_store_locked reason still holds none.
    holder = opened(tmp_path)
    try:
        crawler = crawler_for(tmp_path)
        assert crawler.get_extension(DatasetExtension).refused is not None  # type: ignore[attr-defined]
        record = crawler.get_extension(CrawlRecordExtension)  # type: ignore[attr-defined]
        spider = Spider(name="bing")
        record.spider_opened(spider)
        record.spider_closed(spider, reason)
        assert not (tmp_path / "crawls.jsonl").exists()
    finally:
        holder.close()


def test_a_failed_crawl_on_its_own_store_is_recorded(tmp_path: Path) -> None:
    # Only a store that is not ours is left alone: a crawl that failed (a failed_* reason) is recorded.
    crawler = crawler_for(tmp_path)
    record = crawler.get_extension(CrawlRecordExtension)  # type: ignore[attr-defined]
    spider = Spider(name="bing")
    record.spider_opened(spider)
    record.spider_closed(spider, STORE_LOCKED_REASON)
    crawler.get_extension(DatasetExtension).dataset.close()  # type: ignore[attr-defined]
    (row,) = [json.loads(line) for line in (tmp_path / "crawls.jsonl").read_text().splitlines()]
    assert row["finish_reason"] == STORE_LOCKED_REASON


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
    # ...and a crawl that failed in part: scrapy crawl exits 1 (imagespider/failures.py).
    assert [(f.kind, f.count) for f in failures_of(crawler)] == [("crawl_record", 1)]
    assert crawler.stats.get_value("imagespider/failed/crawl_record") == 1  # type: ignore[attr-defined]


def test_a_crawl_that_failed_in_part_is_not_recorded_as_finished(tmp_path: Path) -> None:
    # Issue 29: crawls.jsonl said "finished" for a crawl that exited 1 (rows the store refused mid-crawl).
    from imagespider.failures import failed_part

    crawler = crawler_for(tmp_path)
    record = crawler.get_extension(CrawlRecordExtension)  # type: ignore[attr-defined]
    spider = Spider(name="urls")
    record.spider_opened(spider)
    failed_part(crawler, "store_write", "the store refused to write a rejected row: No space left on device")
    record.spider_closed(spider, "finished")
    crawler.get_extension(DatasetExtension).dataset.close()  # type: ignore[attr-defined]
    (row,) = [json.loads(line) for line in (tmp_path / "crawls.jsonl").read_text().splitlines()]
    assert row["finish_reason"] == "failed_store_write" == row["stats"]["finish_reason"]
