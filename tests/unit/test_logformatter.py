"""imagespider/logformatter.py: a dropped or kept result is one short DEBUG line naming the image,
never a dump of the item."""

from __future__ import annotations

import logging

from imagespider.errors import Rejected
from imagespider.items import ImageItem
from imagespider.logformatter import ImageSpiderLogFormatter


def test_dropped_and_kept_are_one_debug_line_each() -> None:
    item = ImageItem(image_url="https://h/cat.jpg", label="cat", query="cat", engine="bing", title="x" * 500)
    item.file_name = "cat/ab.jpg"
    formatter = ImageSpiderLogFormatter()
    dropped = formatter.dropped(item, Rejected("too_small", "12x12"), None, None)
    assert dropped["level"] == logging.DEBUG
    assert dropped["msg"] % dropped["args"] == "Dropped https://h/cat.jpg: too_small: 12x12"
    kept = formatter.scraped(item, None, None)
    assert kept["level"] == logging.DEBUG
    assert kept["msg"] % kept["args"] == "Kept cat/ab.jpg from https://h/cat.jpg"


def test_something_that_is_not_an_image_item_is_still_one_line() -> None:
    line = ImageSpiderLogFormatter().dropped({"a": 1}, Rejected("bad_row"), None, None)
    assert line["msg"] % line["args"] == "Dropped ?: bad_row"
