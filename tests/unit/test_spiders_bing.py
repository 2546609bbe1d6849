"""imagespider/spiders/bing.py in-process: the search URL its filters and license policy make
(``qft`` codes with literal ``:`` and ``+``), the results it reads from the real captured page
(tests/fixtures/bing_images_search_golang_gopher_2026.html), and the license it declares (the
filter's claim, or unknown). The crawls against the Bing-playing mock are in tests/crawl/test_bing.py."""

from __future__ import annotations

from pathlib import Path

from scrapy.utils.test import get_crawler

from imagespider.engines import EngineResult
from imagespider.spiders.bing import BingRunner, BingSpider
from tests.settings import project_values

CAPTURE = Path(__file__).parents[1] / "fixtures" / "bing_images_search_golang_gopher_2026.html"


def spider(**kwargs: str) -> BingRunner:
    crawler = get_crawler(BingSpider, project_values({"BING_SEARCH_URL": "https://www.bing.com/images/search"}))
    crawler.stats.open_spider()  # type: ignore[union-attr, call-arg]
    return BingSpider.from_crawler(crawler, q="red fox", **kwargs).runners["bing"]


def test_search_url_joins_filters_and_license_in_one_qft() -> None:
    made = spider(size="large", color="red", license="commercial,modify", safe="moderate")
    assert made.search_url(made.args.queries[0]) == (
        "https://www.bing.com/images/search?q=red+fox&form=HDRSC3&first=1&adlt=moderate"
        "&qft=+filterui:imagesize-large+filterui:color2-FGcls_RED+filterui:license-L2_L3"
    )


def test_search_url_without_filters_has_no_qft_and_is_strict() -> None:
    made = spider(license="any")
    assert made.search_url(made.args.queries[0]) == (
        "https://www.bing.com/images/search?q=red+fox&form=HDRSC3&first=1&adlt=strict"
    )


def test_the_real_page_gives_its_results() -> None:
    made = spider(license="any")
    html = CAPTURE.read_text(encoding="utf-8")
    results = made.parse_page(html)
    # The capture's first page: 47 results, 35 of them naming their page, 37 thumbnails shown.
    assert len(results) == 47 and all(r.image_url.startswith(("https://", "http://")) for r in results)
    assert sum(1 for r in results if r.page_url) == 35
    assert made.result_evidence(html) == 37


def test_declared_license_is_the_filter_claim_or_unknown() -> None:
    result = EngineResult(image_url="https://example.org/a.jpg")
    claim = spider(license="share").declared_license(result)
    assert claim.id == "cc-unspecified" and claim.source == "engine-filter"
    assert spider(license="any").declared_license(result).id == "unknown"
