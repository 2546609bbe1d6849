"""The ``bing`` spider with its results read but not downloaded: the browser path alone (issue 19).

Run by ``benchmarks/browser.py`` as ``scrapy runspider benchmarks/browser_spider.py -a q=.. -a limit=N``
from the project root, so imagespider's settings apply. Everything up to the item is the real
spider (Chromium through scrapy-playwright, scrolling, the "See more" button, reading what the page
appended, the engine's parser, de-duplication, building the item); only the download is left out,
so the figure is the cost of reading results, not of fetching images (benchmarks/throughput.py
measures that). Each result counts as kept at once, so a query ends at its limit.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

from imagespider.engines import EngineResult
from imagespider.items import ImageItem
from imagespider.spiders.bing import BingSpider
from imagespider.spiders.params import Query
from imagespider.spiders.runner import EngineRunner


class ReadOnlyBingSpider(BingSpider):
    name = "bench_bing_read_only"
    results_read = 0

    async def hand_out(
        self, runner: EngineRunner, query: Query, results: list[EngineResult], seen: set[str]
    ) -> AsyncIterator[ImageItem]:
        quota = self.quotas[query]
        for result in results:
            if result.image_url in seen or quota.full:
                continue
            seen.add(result.image_url)
            runner.build_item(query, result)
            quota.take()
            quota.settle(kept=True)
            self.results_read += 1
        return
        yield  # an async generator, as the real hand_out

    def closed(self, reason: str) -> None:
        """The count benchmarks/browser.py reads, on stdout."""
        print(json.dumps({"read": self.results_read}), flush=True)
