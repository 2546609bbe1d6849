"""The private Scrapy API imagespider relies on (imagespider/scrapy_compat.py) still behaves as assumed.

Scrapy is pinned (requirements.txt). A failure here after an upgrade names what changed and what
to look at; fix imagespider/scrapy_compat.py, nothing else should need to change.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

import pytest
from scrapy import Request, Spider
from scrapy.core.engine import ExecutionEngine
from scrapy.pipelines.media import MediaPipeline
from scrapy.utils.misc import build_from_crawler
from scrapy.utils.test import get_crawler

from imagespider.errors import Rejected
from imagespider.scrapy_compat import (
    QuietRejection,
    items_in_pipelines,
    set_url_in_place,
    wake_engine,
)

UPGRADE = "Scrapy changed a private API imagespider/scrapy_compat.py relies on: "


class _RaisingPipeline(MediaPipeline):
    """A media pipeline whose one request ends, before download, with ``error``."""

    error: Exception = ValueError("boom")

    def media_to_download(self, request: Request, info: Any, *, item: Any = None) -> Any:
        raise self.error

    def get_media_requests(self, item: Any, info: Any) -> list[Request]:
        return [Request("http://127.0.0.1:9/x.jpg")]

    def media_downloaded(self, *args: Any, **kwargs: Any) -> Any:
        raise AssertionError("not reached")

    def media_failed(self, *args: Any, **kwargs: Any) -> Any:
        raise AssertionError("not reached")

    def file_path(self, *args: Any, **kwargs: Any) -> str:
        return "x"

    def item_completed(self, results: Any, item: Any, info: Any) -> Any:
        return results


def _errors_logged(error: Exception, caplog: pytest.LogCaptureFixture) -> tuple[list[str], Any]:
    crawler = get_crawler(Spider)
    crawler.spider = Spider.from_crawler(crawler, name="compat")
    pipeline = build_from_crawler(_RaisingPipeline, crawler)
    pipeline.error = error
    pipeline.open_spider()
    caplog.clear()
    with caplog.at_level(logging.DEBUG, logger="scrapy.pipelines.media"):
        ((ok, failure),) = asyncio.run(pipeline.process_item({}))
    assert not ok
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR], failure


def test_a_quiet_rejection_passes_the_media_pipeline_unlogged_and_whole(caplog: pytest.LogCaptureFixture) -> None:
    rejected = Rejected("corrupt_image", "truncated")
    errors, failure = _errors_logged(QuietRejection(rejected), caplog)
    assert not errors, UPGRADE + (
        "MediaPipeline._process_request now logs scrapy.pipelines.media._MediaRequestFiltered; "
        "look at how media pipelines tell an expected refusal from an error, and make QuietRejection that."
    )
    assert isinstance(failure.value, QuietRejection) and failure.value.rejected is rejected, UPGRADE + (
        "the media pipeline no longer hands a download step's exception to item_completed as it was raised"
    )


def test_any_other_exception_is_still_logged(caplog: pytest.LogCaptureFixture) -> None:
    """The control: the quiet test above can fail, since an ordinary error is logged."""
    errors, _ = _errors_logged(ValueError("boom"), caplog)
    assert errors


def test_the_engine_keeps_its_next_call_in_its_slot() -> None:
    engine = ExecutionEngine(get_crawler(Spider), lambda _: None)
    assert hasattr(engine, "_slot"), UPGRADE + "ExecutionEngine has no _slot; find how the engine schedules its next loop"
    assert not wake_engine(engine)  # no spider open: nothing to wake
    scheduled: list[bool] = []

    class Slot:
        class nextcall:  # noqa: N801  (stands in for CallLaterOnce)
            @staticmethod
            def schedule() -> None:
                scheduled.append(True)

    engine._slot = Slot()  # type: ignore[assignment]
    assert wake_engine(engine) and scheduled
    from scrapy.core.engine import _Slot

    assert "nextcall" in _Slot.__init__.__code__.co_varnames, UPGRADE + (
        "scrapy.core.engine._Slot no longer takes nextcall; find how the engine schedules its next loop"
    )


def test_the_scraper_counts_items_in_its_pipelines() -> None:
    from scrapy.core.scraper import Slot

    slot = Slot()
    assert slot.itemproc_size == 0, UPGRADE + "scrapy.core.scraper.Slot no longer counts itemproc_size"

    class Engine:
        class scraper:  # noqa: N801
            pass

    Engine.scraper.slot = slot  # type: ignore[attr-defined]
    assert items_in_pipelines(Engine()) == 0
    assert items_in_pipelines(object()) is None


def test_no_other_module_reaches_into_scrapys_private_api() -> None:
    # spiders/base.py called spider._set_crawler itself: an upgrade would break it where nobody looks.
    private = ("._set_crawler(", "_MediaRequestFiltered", "engine._slot", ".itemproc_size")
    package = Path(__file__).resolve().parents[2] / "imagespider"
    found = [
        f"{path.relative_to(package)}: {name}"
        for path in package.rglob("*.py") if path.name != "scrapy_compat.py"
        for name in private if name in path.read_text(encoding="utf-8")
    ]
    assert found == []


def test_a_requests_url_changes_in_place() -> None:
    request = Request("https://api.example/photos?q=red fox")
    set_url_in_place(request, "https://api.example/photos?q=red fox&api_key=k")
    assert request.url == "https://api.example/photos?q=red%20fox&api_key=k", UPGRADE + (
        "Request._set_url no longer sets an escaped URL; look at how Request.__init__ sets request.url"
    )
