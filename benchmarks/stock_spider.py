"""Scrapy's stock ImagesPipeline over a URL list: the baseline every Scrapy user has (issue 8).

Run by ``benchmarks/throughput.py`` as
``scrapy runspider benchmarks/stock_spider.py -a path=urls.txt -s IMAGES_STORE=DIR`` from a folder
with no ``scrapy.cfg``, so none of imagespider's settings apply: only what is set here and on the
command line (the same concurrency as the imagespider run).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import scrapy


class StockImagesSpider(scrapy.Spider):
    name = "stock_images"
    custom_settings = {"ITEM_PIPELINES": {"scrapy.pipelines.images.ImagesPipeline": 1}}

    def __init__(self, path: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.path = path

    async def start(self) -> AsyncIterator[dict[str, list[str]]]:
        """One item per URL, as a user feeding the stock pipeline a list would write it."""
        for line in Path(self.path).read_text(encoding="utf-8").splitlines():
            if line.strip():
                yield {"image_urls": [line.strip()]}
