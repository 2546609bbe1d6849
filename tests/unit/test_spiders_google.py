"""imagespider/spiders/google.py in-process: the search URL its filters and license policy make,
and the license it declares for a result (the filter's claim, or unknown). The crawls against the
Google-playing mock are in tests/crawl/test_google.py."""

from __future__ import annotations

from pathlib import Path

import pytest
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from imagespider.engines import EngineResult
from imagespider.spiders.google import GoogleRunner, GoogleSpider
from tests.settings import project_values


def _spider(**kwargs: str) -> GoogleRunner:
    crawler = get_crawler(GoogleSpider, project_values({"GOOGLE_SEARCH_URL": "https://www.google.com/search"}))
    return GoogleSpider.from_crawler(crawler, q="cat", **kwargs).runners["google"]


def test_search_url_joins_filters_and_license_in_one_tbs() -> None:
    spider = _spider(size="large", type="photo", color="red", time="week", aspect="wide", license="share")
    assert spider.search_url(spider.args.queries[0]) == (
        "https://www.google.com/search?q=cat&udm=2"
        "&tbs=isz:l,itp:photo,ic:specific,isc:red,qdr:w,iar:w,il:cl&safe=active"
    )


def test_search_url_without_filters_has_no_tbs_and_honours_safe_off() -> None:
    spider = _spider(license="any", safe="off")
    assert spider.search_url(spider.args.queries[0]) == "https://www.google.com/search?q=cat&udm=2&safe=off"


def test_declared_license_is_the_filter_claim_or_unknown() -> None:
    result = EngineResult(image_url="https://example.org/a.jpg")
    assert _spider(license="share").declared_license(result).id == "cc-unspecified"
    assert _spider(license="any").declared_license(result).id == "unknown"


FIXTURES = Path(__file__).parents[1] / "fixtures"


@pytest.mark.parametrize(
    "name", ["google_isch_basic_nojs_papaya_2026-02.html", "google_udm2_rendered_no_scripts_chateau-chalon_2025-06-14.html"]
)
def test_real_tile_pages_are_not_refusals(name: str) -> None:
    """The basic page was refused as `no_results_markup`: it holds 20 results."""
    body = (FIXTURES / name).read_bytes()
    response = HtmlResponse("https://www.google.com/search?q=x&udm=2", body=body, encoding="utf-8")
    assert _spider().refusal(response) is None


def test_parse_page_gives_tiles_without_an_image_last_for_their_previews() -> None:
    spider = _spider()
    text = (FIXTURES / "google_udm2_rendered_no_scripts_chateau-chalon_2025-06-14.html").read_text(encoding="utf-8")
    results = spider.parse_page(text)
    assert len(results) == 200 and all(r.image_url == "" and r.engine_id for r in results)
    assert spider.result_evidence(text) >= 200


def test_parse_page_keeps_tiles_in_page_order_after_the_records() -> None:
    """Tiles with a thumbnail and tiles with nothing stay in page order (each is opened in turn),
    after the results whose full-size image the script data names."""
    html = (
        '<div data-docid="Tile00000001"><div role="button"><img src="data:image/gif;base64,R0"></div></div>'
        '<div data-docid="Tile00000002"><div role="button"><img src="https://t.example/2.jpg"></div></div>'
        '<div data-docid="Tile00000003"><div role="button"><img src="data:image/gif;base64,R0"></div></div>'
        '<script>"x1":[1,[0,"Record000001",["https://encrypted-tbn0.gstatic.com/images?q\\u003dtbn:X\\u0026s",1,1],'
        '["https://img.example/a.jpg",20,10],null,0,"rgb(0,0,0)",null,0,{}]]</script>'
    )
    results = _spider().parse_page(html)
    assert [(r.engine_id, r.image_url, r.is_thumbnail) for r in results] == [
        ("Record000001", "https://img.example/a.jpg", False),
        ("Tile00000001", "", False),
        ("Tile00000002", "https://t.example/2.jpg", True),
        ("Tile00000003", "", False),
    ]
