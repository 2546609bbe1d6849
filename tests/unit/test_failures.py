"""imagespider/failures.py: parts of a crawl that failed, said once per kind, counted, and kept for
the crawl command's exit status."""

from __future__ import annotations

import logging
import threading

import pytest
from scrapy import Spider
from scrapy.utils.test import get_crawler

from imagespider.errors import Rejected
from imagespider.failures import (
    failed_part,
    failures_line,
    failures_of,
    finish_reason,
    one_line,
    store_write_failed,
)


def test_each_kind_is_one_error_line_and_every_failure_counts(caplog: pytest.LogCaptureFixture) -> None:
    crawler = get_crawler(Spider)
    crawler.stats.open_spider()  # type: ignore[union-attr, call-arg]
    with caplog.at_level(logging.DEBUG, logger="imagespider"):
        for n in range(3):
            failed_part(crawler, "store_write", f"the store refused row {n}")
        failed_part(crawler, "publish", "could not publish")
        failed_part(crawler, "documents", "documents not written: report.html", said=True)
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors == ["the store refused row 0", "could not publish"]  # said once per kind; documents said before
    assert [(f.kind, f.count, f.message) for f in failures_of(crawler)] == [
        ("store_write", 3, "the store refused row 0"), ("publish", 1, "could not publish"),
        ("documents", 1, "documents not written: report.html"),
    ]
    assert crawler.stats.get_value("imagespider/failed/store_write") == 3  # type: ignore[union-attr]
    assert failures_line(failures_of(crawler)) == "failed in part: store_write 3, publish 1, documents 1"
    assert failures_of(get_crawler(Spider)) == []  # another crawl's are its own


def test_failures_from_put_threads_are_all_counted() -> None:
    # An object store's puts fail in their threads (imagespider/dataset/objectstore/dataset.py).
    crawler = get_crawler(Spider)
    threads = [threading.Thread(target=lambda: [failed_part(crawler, "store_write", "x") for _ in range(200)])
               for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures_of(crawler)[0].count == 800


def test_a_store_write_failure_drops_its_image_as_store_error() -> None:
    crawler = get_crawler(Spider)
    rejected = store_write_failed(crawler, "cat/ab.jpg", PermissionError("An error occurred (AccessDenied)\nmore"))
    assert isinstance(rejected, Rejected) and rejected.reason == "store_error"
    assert rejected.detail == "the store refused to write cat/ab.jpg: An error occurred (AccessDenied)"
    assert [f.kind for f in failures_of(crawler)] == ["store_write"]
    assert one_line(OSError()) == "OSError"


def test_the_finish_reason_of_a_crawl_that_failed_in_part_names_its_first_failure() -> None:
    # A crawl that exits 1 never records "finished" (issue 29).
    crawler = get_crawler(Spider)
    assert finish_reason("finished", failures_of(crawler)) == "finished"
    failed_part(crawler, "store_write", "x")
    failed_part(crawler, "publish", "y")
    failures = failures_of(crawler)
    assert finish_reason("finished", failures) == "failed_store_write"
    assert finish_reason("closespider_timeout", failures) == "failed_store_write"
    assert finish_reason("failed_nothing_kept", failures) == "failed_nothing_kept"  # already names a failure
    assert finish_reason("shutdown", failures) == "shutdown"  # Ctrl-C: exit 130
    assert finish_reason("start_error", failures) == "start_error"
