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



# --- the provider (moved from tests/unit/test_spiders_bing.py with the code it tests) ---------------

BING_CAPTURE = GOPHER


def _bing_options(**kwargs: str) -> bing.BingOptions:
    from imagespider.spiders.params import parse_search_args

    args = parse_search_args("bing", {"q": "red fox", **kwargs}, bing.BingProvider.filters, "share")
    return bing.BingOptions("https://www.bing.com/images/search", args.filters, args.policy)


def test_search_url_joins_filters_and_license_in_one_qft() -> None:
    options = _bing_options(size="large", color="red", license="commercial,modify", safe="moderate")
    assert bing.BingProvider().search("red fox", None, options).url == (
        "https://www.bing.com/images/search?q=red+fox&form=HDRSC3&first=1&adlt=moderate"
        "&qft=+filterui:imagesize-large+filterui:color2-FGcls_RED+filterui:license-L2_L3"
    )


def test_search_url_without_filters_has_no_qft_and_is_strict() -> None:
    assert bing.BingProvider().search("red fox", None, _bing_options(license="any")).url == (
        "https://www.bing.com/images/search?q=red+fox&form=HDRSC3&first=1&adlt=strict"
    )


def test_the_real_page_gives_its_results() -> None:
    provider = bing.BingProvider()
    html = BING_CAPTURE.read_text(encoding="utf-8")
    results = provider.parse(html, _bing_options(license="any")).results
    # The capture's first page: 47 results, 35 of them naming their page, 37 thumbnails shown.
    assert len(results) == 47 and all(r.image_url.startswith(("https://", "http://")) for r in results)
    assert sum(1 for r in results if r.page_url) == 35
    assert provider.result_evidence(html) == 37


def test_declared_license_is_the_filter_claim_or_unknown() -> None:
    from imagespider.engines import EngineResult

    result = EngineResult(image_url="https://example.org/a.jpg")
    claim = bing.BingProvider().declared_license(result, _bing_options(license="share"))
    assert claim.id == "cc-unspecified" and claim.source == "engine-filter"
    assert bing.BingProvider().declared_license(result, _bing_options(license="any")).id == "unknown"
