"""The Bing parser on the two real 2026 captures (see tests/fixtures/README.md)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from parsel import Selector

from imagespider.engines import bing, google
from imagespider.rights.model import License, Permissions

FIXTURES = Path(__file__).parents[1] / "fixtures"
GOPHER = FIXTURES / "bing_images_search_golang_gopher_2026.html"
PAST_YEAR = FIXTURES / "bing_images_search_filter_age_year_2026.html"


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("path", "expected", "with_page"),
    # The gopher page's 12 "related" carousel results carry an empty purl, turl and t.
    [(GOPHER, 47, 35), (PAST_YEAR, 27, 27)],
)
def test_every_result_on_the_page_is_parsed(path: Path, expected: int, with_page: int) -> None:
    results = bing.parse_results(_read(path))
    assert len(results) == expected
    assert all(r.image_url.startswith(("http://", "https://")) for r in results)
    assert all(r.width and r.height for r in results)
    described = [r for r in results if r.page_url]
    assert len(described) == with_page
    for result in described:
        assert result.page_url.startswith(("http://", "https://"))
        assert result.thumbnail_url and ".bing.net/th?id=" in result.thumbnail_url
        assert "&amp;" not in result.thumbnail_url
        assert result.title and "\ue000" not in result.title


def test_fields_of_the_first_result_match_the_capture() -> None:
    first = bing.parse_results(_read(GOPHER))[0]
    assert first.image_url == (
        "https://vectorseek.com/wp-content/uploads/2023/03/Golang-Gopher-Logo-Vector.jpg"
    )
    assert first.page_url == "https://vectorseek.com/vector_logo/golang-gopher-logo-vector/"
    assert first.thumbnail_url == (
        "https://ts4.mm.bing.net/th?id=OIP.LQQi0et0FFshviPhL18q9QHaHa&pid=15.1"
    )
    assert first.title == "Golang Gopher Logo PNG (Transparent) SVG AI – Free Download"
    assert (first.width, first.height) == (1000, 1000)
    assert first.site == "vectorseek.com"
    assert first.engine_id == "2d0422d1eb74145b21be23e12f5f2af5"


def test_title_with_escaped_quotes_survives() -> None:
    titles = [r.title for r in bing.parse_results(_read(GOPHER))]
    assert '"Gopher - Golang Mascot in a black hoodie" Photographic Print for Sale ...' in titles


@pytest.mark.parametrize("path", [GOPHER, PAST_YEAR])
def test_results_agree_with_the_m_attribute_and_size_caption(path: Path) -> None:
    """Checked against the page independently of the parser's own code path."""
    html = _read(path)
    links = Selector(text=html).css("a.iusc[m]")
    results = bing.parse_results(html)
    for link, result in zip(links, results, strict=True):
        meta = json.loads(link.attrib["m"])
        assert result.image_url == meta["murl"]
        assert result.page_url == (meta["purl"] or None)
        caption = link.xpath("ancestor::li[1]").css(".img_info span.nowrap::text").get()
        if caption:  # 12 results on the gopher page sit in a carousel with no caption
            assert caption == f"{result.width}×{result.height}"


def test_async_fragment_parses_like_the_page() -> None:
    """No async capture exists: the fragment is the page's own result lists, unwrapped."""
    page = Selector(text=_read(GOPHER))
    outermost = "//ul[contains(@class, 'dgControl_list')][not(ancestor::ul[contains(@class, 'dgControl_list')])]"
    fragment = "".join(page.xpath(outermost).getall())
    assert "<html" not in fragment
    assert bing.parse_results(fragment) == bing.parse_results(_read(GOPHER))


@pytest.mark.parametrize(
    "html",
    [
        "",
        "<html><body>no results</body></html>",
        '<a class="iusc" m="not json">x</a>',
        '<a class="iusc" m="[1,2]">x</a>',
        '<a class="iusc" m="{&quot;purl&quot;:&quot;https://a.example/&quot;}">no murl</a>',
    ],
)
def test_unusable_markup_gives_no_result_and_no_error(html: str) -> None:
    assert bing.parse_results(html) == []


def test_build_qft_joins_codes_literally() -> None:
    assert (
        bing.build_qft(["imagesize-large", "license-L2_L3"])
        == "+filterui:imagesize-large+filterui:license-L2_L3"
    )
    assert bing.build_qft([]) is None


def test_skipped_links_are_counted() -> None:
    page = _read(PAST_YEAR)
    broken = '<ul class="dgControl_list"><li><a class="iusc" m="not json">x</a><a class="iusc">y</a></li></ul>'
    results, skipped = bing.parse_results_counted(page.replace("</body>", broken + "</body>", 1))
    assert (len(results), skipped) == (27, 2)
    assert bing.parse_results_counted(page) == (bing.parse_results(page), 0)


def test_thumbnail_count_sees_results_in_any_markup() -> None:
    """The "markup changed" check counts Bing's thumbnails wherever they are."""
    fixtures = Path(__file__).parents[1] / "fixtures"
    html = (fixtures / "bing_images_search_golang_gopher_2026.html").read_text(encoding="utf-8")
    assert bing.thumbnail_count(html) >= 35
    changed = html.replace('class="iusc"', 'class="img-tile"')
    assert bing.parse_results(changed) == []
    assert bing.thumbnail_count(changed) == bing.thumbnail_count(html)
    assert bing.thumbnail_count("<html><body><p>There are no results for xyzzy</p></body></html>") == 0


T, F, N = True, False, None


def engine_claim(code: str) -> License:
    """The claim of a Bing (``license-*``) or Google (``il:*``) usage-rights filter code."""
    return google.license_claim(code) if code.startswith("il:") else bing.license_claim(code)


# ------------------------------------------------------------------------------------------
# Engine filters
# ------------------------------------------------------------------------------------------

ENGINE_FILTERS = [
    ("licenseType-Any", "cc-unspecified", (T, N, N, N, N)),
    ("license-L1", "pdm", (T, T, T, F, F)),
    ("license-L2_L3_L4_L5_L6_L7", "cc-unspecified", (T, N, N, N, N)),
    ("license-L2_L3_L4", "cc-unspecified", (T, T, N, N, N)),
    ("license-L2_L3_L5_L6", "cc-unspecified", (T, N, T, N, N)),
    ("license-L2_L3", "cc-unspecified", (T, T, T, N, N)),
    ("+filterui:license-L2_L3", "cc-unspecified", (T, T, T, N, N)),
    ("il:cl", "cc-unspecified", (T, N, N, N, N)),
    ("il:ol", "unknown", (N, N, N, N, N)),
]


@pytest.mark.parametrize(("name", "license_id", "perms"), ENGINE_FILTERS)
def test_from_engine_filter(name: str, license_id: str, perms: tuple) -> None:
    lic = engine_claim(name)
    assert (lic.id, lic.source, lic.version, lic.url) == (license_id, "engine-filter", None, None)
    assert lic.permissions == Permissions(*perms)


def test_from_engine_filter_rejects_unknown_name() -> None:
    with pytest.raises(ValueError):
        engine_claim("license-L9")
