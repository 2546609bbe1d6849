"""imagespider/spiders/base.py, on the bing spider in-process: one quota per query, found again for
each item; an item built from an engine's result carries what the engine said; results are handed
out once each and only while the query's quota has room."""

from __future__ import annotations

import asyncio
from pathlib import Path

from scrapy.utils.test import get_crawler

from imagespider.engines import EngineResult
from imagespider.items import ImageItem
from imagespider.spiders.bing import BingSpider
from imagespider.spiders.params import Query
from tests.settings import project_values


def spider(tmp_path: Path, **kwargs: str) -> BingSpider:
    crawler = get_crawler(BingSpider, project_values({"IMAGES_STORE": str(tmp_path)}))
    crawler.stats.open_spider()  # type: ignore[union-attr, call-arg]
    return BingSpider.from_crawler(crawler, **kwargs)


def result(n: int) -> EngineResult:
    return EngineResult(image_url=f"https://h/{n}.jpg", page_url=f"https://p/{n}", title=f"Fox {n}",
                        author="Ada", tags=("red",), rights={"provider": "x"})


def test_one_quota_per_query_and_each_item_finds_its_own(tmp_path: Path) -> None:
    queries = tmp_path / "queries.txt"
    queries.write_text("red fox\nkitten: small cat\n", encoding="utf-8")
    made = spider(tmp_path, queries=str(queries), limit="3", license="any")
    assert {(q.text, q.label): quota.limit for q, quota in made.quotas.items()} == {
        ("red fox", "red-fox"): 3, ("small cat", "kitten"): 3,
    }
    item = made.runners["bing"].build_item(Query("small cat", "kitten"), result(1))
    assert made.quota_for(item) is made.quotas[Query("small cat", "kitten")]
    assert made.quota_for({"not": "an item"}) is None
    assert made.arguments == {"queries": str(queries), "limit": "3", "license": "any"}


def test_an_item_carries_what_the_engine_said(tmp_path: Path) -> None:
    made = spider(tmp_path, q="red fox", license="share")
    item = made.runners["bing"].build_item(Query("red fox", "red-fox"), result(7))
    assert (item.image_url, item.label, item.query, item.engine) == ("https://h/7.jpg", "red-fox", "red fox", "bing")
    assert (item.page_url, item.title, item.author, item.tags) == ("https://p/7", "Fox 7", "Ada", ["red"])
    assert item.engine_rights == {"provider": "x"} and item.license.source == "engine-filter"


def test_results_are_handed_out_once_and_only_while_the_quota_has_room(tmp_path: Path) -> None:
    made = spider(tmp_path, q="red fox", limit="3", license="any")
    query = made.args.queries[0]
    seen: set[str] = set()

    async def hand_out(numbers: list[int]) -> list[ImageItem]:
        return [item async for item in made.runners["bing"].hand_out(query, [result(n) for n in numbers], seen)]

    quota = made.quotas[query]
    first = asyncio.run(hand_out([1, 2, 1]))
    assert [i.image_url for i in first] == ["https://h/1.jpg", "https://h/2.jpg"]  # 1 only once
    quota.settle(kept=True)
    quota.settle(kept=False)  # a dropped result frees its place
    second = asyncio.run(hand_out([1, 3, 4]))
    assert [i.image_url for i in second] == ["https://h/3.jpg", "https://h/4.jpg"]
    quota.settle(kept=True)
    quota.settle(kept=True)
    assert quota.full and asyncio.run(hand_out([5])) == []  # the limit of 3 is kept: nothing more
