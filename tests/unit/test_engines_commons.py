"""The Commons parser on the real captured answer (tests/fixtures/commons_*.json, tests/fixtures/README.md
"Wikimedia Commons"): 9 File pages with full extmetadata, a continue block, and one single page."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from imagespider.engines import commons
from imagespider.engines.commons import CommonsApiError, CommonsShapeError, artist_url, html_text, parse_query
from imagespider.rights import model, parse

FIXTURES = Path(__file__).parents[1] / "fixtures"
CAPTURE = FIXTURES / "commons_query_allimages_imageinfo_extmetadata_openverse_catalog.json"
SINGLE = FIXTURES / "commons_single_page_imageinfo_openverse_catalog.json"


@pytest.fixture
def raw() -> dict[str, Any]:
    return json.loads(CAPTURE.read_text(encoding="utf-8"))


def test_capture_every_page(raw: dict[str, Any]) -> None:
    page = parse_query(raw)
    assert len(page.results) == 9 and page.skipped == 0
    assert page.continue_params == {
        "continue": "||imageinfo", "gucontinue": "Edvard_Munch_-_Night_in_Nice_(1891).jpg|nowiki|1281339",
    }
    heidelberg = next(r for r in page.results if "Heidelberg" in (r.title or ""))
    assert heidelberg.title == "2002-04-02 Hauptstraße, Heidelberg IMG 0404"
    assert heidelberg.author == "Eckhard Henkel"
    assert heidelberg.author_url == "https://commons.wikimedia.org/wiki/User:Hasenl%C3%A4ufer"
    assert heidelberg.image_url.startswith("https://upload.wikimedia.org/wikipedia/commons/e/e9/")
    assert heidelberg.page_url and heidelberg.page_url.startswith("https://commons.wikimedia.org/wiki/File:")
    assert heidelberg.rights["attribution"] == "Own work"
    assert heidelberg.rights["attribution_required"] is True and heidelberg.rights["copyrighted"] is True
    assert heidelberg.rights["usage_terms"] == "Creative Commons Attribution-Share Alike 3.0 de"
    assert heidelberg.rights["restrictions"] == [] and heidelberg.rights["non_free"] is None
    lic = commons.declared(heidelberg)
    assert (lic.id, lic.version, lic.label) == ("cc-by-sa", "3.0", "CC BY-SA 3.0 DE")
    assert lic.url == "https://creativecommons.org/licenses/by-sa/3.0/de/"


def test_public_domain_and_hidden_template_text(raw: dict[str, Any]) -> None:
    results = parse_query(raw).results
    munch = next(r for r in results if "Nice" in (r.title or ""))
    assert munch.title == "Night in Nice"  # the display:none "label QS:" is not text
    assert munch.author == "Edvard Munch"
    assert munch.author_url == "https://en.wikipedia.org/wiki/en:Edvard_Munch"
    assert commons.declared(munch).id == "pdm"
    assert munch.rights["copyrighted"] is False and munch.rights["attribution_required"] is False
    volcano = next(r for r in results if "Volcano" in (r.title or ""))
    assert volcano.author == "The original uploader was Elvezio at Italian Wikipedia."
    assert volcano.author_url == "https://en.wikipedia.org/wiki/it:User:Elvezio"


def test_formatversion_2_list_ordered_by_index(raw: dict[str, Any]) -> None:
    pages = list(raw["query"]["pages"].values())
    for n, page in enumerate(reversed(pages)):
        page["index"] = n + 1
    raw["query"]["pages"] = pages
    titles = [r.title for r in parse_query(raw).results]
    assert titles[0] == "Night in Nice" and len(titles) == 9


def test_single_page_shape() -> None:
    page = json.loads(SINGLE.read_text(encoding="utf-8"))
    result = parse_query({"query": {"pages": [page]}}).results[0]
    assert result.author == "PtrQs"
    assert result.author_url == "https://commons.wikimedia.org/wiki/User:PtrQs"


def test_restrictions_nonfree_and_unusable_files(raw: dict[str, Any]) -> None:
    pages = list(raw["query"]["pages"].values())
    meta = pages[1]["imageinfo"][0]["extmetadata"]
    meta["Restrictions"] = {"value": "personality|trademarked", "source": "commons-desc-page", "hidden": ""}
    meta["NonFree"] = {"value": "true", "source": "commons-desc-page", "hidden": ""}
    pages[2]["imageinfo"][0]["mime"] = "image/svg+xml"
    del pages[3]["imageinfo"]
    page = parse_query({"query": {"pages": pages}})
    assert page.skipped == 2 and page.continue_params is None
    marked = next(r for r in page.results if r.rights["restrictions"])
    assert marked.rights["restrictions"] == ["personality", "trademarked"]
    assert marked.rights["non_free"] is True
    assert commons.declared(marked).permissions.share is False


def test_errors_and_shapes() -> None:
    with pytest.raises(CommonsApiError) as lag:
        parse_query(b'{"error": {"code": "maxlag", "info": "Waiting for db: 7 seconds lagged.", "lag": 7}}')
    assert lag.value.code == "maxlag" and lag.value.lag == 7
    assert parse_query(b'{"batchcomplete": true}').results == []
    with pytest.raises(CommonsShapeError, match="no 'query'"):
        parse_query(b'{"items": []}')
    with pytest.raises(CommonsShapeError, match="not JSON"):
        parse_query(b"<html>")


def test_html_helpers() -> None:
    assert html_text("plain   text") == "plain text"
    assert html_text('<a href="//x.org/wiki/User:A">A</a> &amp; B') == "A & B"
    assert artist_url('<a href="https://w.org/wiki/X">X</a>, <a href="//c.org/wiki/User:Y">Y</a>') == (
        "https://c.org/wiki/User:Y"
    )
    assert artist_url("no link") is None
    assert artist_url('<a href="javascript:alert(1)">x</a>') is None


# ------------------------------------------------------------------------------------------
# Wikimedia Commons
# ------------------------------------------------------------------------------------------

COMMONS_CASES = [
    # (LicenseShortName, LicenseUrl, License slug) -> (id, version, url)
    (("CC BY-SA 4.0", None, None), ("cc-by-sa", "4.0", "https://creativecommons.org/licenses/by-sa/4.0/")),
    (("CC BY 2.0 de", None, None), ("cc-by", "2.0", "https://creativecommons.org/licenses/by/2.0/de/")),
    (("CC BY-SA 3.0 de", "https://creativecommons.org/licenses/by-sa/3.0/de/deed.en", "cc-by-sa-3.0-de"), ("cc-by-sa", "3.0", "https://creativecommons.org/licenses/by-sa/3.0/de/")),
    (("CC BY-SA 4.0", "https://creativecommons.org/licenses/by-sa/4.0", "cc-by-sa-4.0"), ("cc-by-sa", "4.0", "https://creativecommons.org/licenses/by-sa/4.0/")),
    (("CC BY-SA 3.0,2.5,2.0,1.0", None, None), ("cc-by-sa", "3.0", "https://creativecommons.org/licenses/by-sa/3.0/")),
    (("CC BY-NC-ND 4.0", None, None), ("cc-by-nc-nd", "4.0", "https://creativecommons.org/licenses/by-nc-nd/4.0/")),
    (("CC BY-SA 3.0 IGO", None, None), ("cc-by-sa", "3.0", "https://creativecommons.org/licenses/by-sa/3.0/igo/")),
    (("CC BY", None, None), ("cc-by", None, "https://creativecommons.org/licenses/by/")),
    (("CC0", None, None), ("cc0", "1.0", "https://creativecommons.org/publicdomain/zero/1.0/")),
    (("CC0 1.0", None, None), ("cc0", "1.0", "https://creativecommons.org/publicdomain/zero/1.0/")),
    ((None, "https://creativecommons.org/publicdomain/zero/1.0/deed.en", "cc-zero"), ("cc0", "1.0", "https://creativecommons.org/publicdomain/zero/1.0/")),
    ((None, None, "cc-zero"), ("cc0", "1.0", "https://creativecommons.org/publicdomain/zero/1.0/")),
    (("Public domain", None, "pd"), ("pdm", None, None)),
    (("Public domain", None, None), ("pdm", None, None)),
    (("PD", None, None), ("pdm", None, None)),
    ((None, None, "pd"), ("pdm", None, None)),
    (("Public Domain Mark 1.0", None, None), ("pdm", "1.0", "https://creativecommons.org/publicdomain/mark/1.0/")),
    ((None, None, "cc-by-sa-4.0"), ("cc-by-sa", "4.0", "https://creativecommons.org/licenses/by-sa/4.0/")),
    ((None, None, "cc-by-2.0-de"), ("cc-by", "2.0", "https://creativecommons.org/licenses/by/2.0/de/")),
    ((None, None, "pd-usgov-nasa"), ("us-gov", None, None)),
    # the URL wins over the name: it is the most precise
    (("CC BY-SA 4.0", "https://creativecommons.org/licenses/by-sa/4.0/deed.en", None), ("cc-by-sa", "4.0", "https://creativecommons.org/licenses/by-sa/4.0/")),
    # a non-CC URL falls back to the name
    (("CC BY 4.0", "https://example.org/license", None), ("cc-by", "4.0", "https://creativecommons.org/licenses/by/4.0/")),
    # deliberately not understood
    (("GFDL", "https://www.gnu.org/copyleft/fdl.html", "gfdl"), ("unknown", None, None)),
    (("Attribution", None, "attribution"), ("unknown", None, None)),
]


@pytest.mark.parametrize(("given", "expected"), COMMONS_CASES)
def test_from_commons(given: tuple, expected: tuple) -> None:
    lic = commons.license_of(*given)
    assert (lic.id, lic.version, lic.url, lic.source) == (*expected, "api")


def test_from_commons_nothing_given() -> None:
    assert commons.license_of(None) == model.unknown()
    assert commons.license_of("", "", "") == model.unknown()


def _commons_pages() -> list[tuple[str, dict]]:
    data = json.loads((FIXTURES / "commons_query_allimages_imageinfo_extmetadata_openverse_catalog.json").read_text())
    pages = data["query"]["pages"]
    pages = pages.values() if isinstance(pages, dict) else pages
    out = []
    for page in pages:
        meta = page["imageinfo"][0]["extmetadata"]
        out.append((page["title"], {key: (meta.get(key) or {}).get("value") for key in ("LicenseShortName", "LicenseUrl", "License")}))
    return out


COMMONS_PAGES = _commons_pages()


def test_commons_fixture_has_pages() -> None:
    # 9 real pages, 6 with a LicenseUrl (tests/fixtures/README.md section 5)
    assert len(COMMONS_PAGES) == 9
    assert sum(1 for _, meta in COMMONS_PAGES if meta["LicenseUrl"]) == 6


@pytest.mark.parametrize(("title", "meta"), COMMONS_PAGES, ids=[title for title, _ in COMMONS_PAGES])
def test_commons_real_pages(title: str, meta: dict) -> None:
    lic = commons.license_of(meta["LicenseShortName"], meta["LicenseUrl"], meta["License"])
    assert lic.id != "unknown"
    assert lic.source == "api"
    # each field alone agrees with the combination
    assert commons.license_of(meta["LicenseShortName"]).id == lic.id
    assert commons.license_of(None, None, meta["License"]).id == lic.id
    if meta["LicenseUrl"]:
        by_url = parse.from_url(meta["LicenseUrl"], "api")
        assert by_url is not None
        assert (by_url.id, by_url.version) == (lic.id, lic.version)
        assert commons.license_of(meta["LicenseShortName"]).version == lic.version


def test_an_infinite_width_is_absent_not_an_error() -> None:
    """1e400 is valid JSON that Python reads as infinity; int() of it raised OverflowError."""
    from imagespider.engines import commons

    body = (
        b'{"query": {"pages": [{"title": "File:A.jpg", "imageinfo": [{"url": '
        b'"https://upload.wikimedia.org/a.jpg", "width": 1e400, "height": "' + b"9" * 5000 + b'"}]}]}}'
    )
    (result,) = commons.parse_query(body).results
    assert (result.width, result.height) == (None, None)


def test_license_fields_that_disagree_are_judged_by_the_most_restrictive_and_recorded() -> None:
    # A short name "CC BY-NC 4.0" with a CC0 URL was kept as cc0 under license=commercial.
    page = {"pageid": 1, "title": "File:x.jpg", "imageinfo": [{
        "url": "https://upload.wikimedia.org/x.jpg", "mime": "image/jpeg",
        "extmetadata": {"LicenseShortName": {"value": "CC BY-NC 4.0"},
                        "LicenseUrl": {"value": "https://creativecommons.org/publicdomain/zero/1.0/"},
                        "License": {"value": "cc0"}},
    }]}  # fmt: skip
    (result,) = commons.parse_query({"query": {"pages": [page]}}).results
    lic = commons.declared(result)
    assert (lic.id, lic.version, lic.source, lic.permissions.commercial) == ("cc-by-nc", "4.0", "api", False)
    assert result.rights["license_disagreement"] == [
        {"field": "LicenseUrl", "value": "https://creativecommons.org/publicdomain/zero/1.0/", "license": "cc0"},
        {"field": "LicenseShortName", "value": "CC BY-NC 4.0", "license": "cc-by-nc"},
        {"field": "License", "value": "cc0", "license": "cc0"},
    ]
    # Fields that agree (versions aside) record nothing; licenses that cannot be ordered are unknown.
    agreeing = commons.license_of("CC BY-SA 3.0", "https://creativecommons.org/licenses/by-sa/4.0", "cc-by-sa-4.0")
    assert (agreeing.id, agreeing.version) == ("cc-by-sa", "4.0")
    assert commons.license_disagreement("CC BY-SA 4.0", "https://creativecommons.org/licenses/by-sa/4.0", None) is None
    assert commons.license_of("CC BY-NC 4.0", "https://creativecommons.org/licenses/by-nd/4.0/").id == "unknown"


def test_an_answers_continue_block_adds_keys_and_never_replaces_ours() -> None:
    from urllib.parse import parse_qsl, urlsplit

    from imagespider.engines.commons import CommonsOptions, CommonsProvider, parse_query

    options = CommonsOptions("https://commons.example/w/api.php", 50, 0, 5, "imagespider/test")
    hostile = {
        "continue": {"gsroffset": 50, "continue": "gsroffset||", "action": "delete", "gsrsearch": "x" * 10_000}
        | {f"k{i}": "v" for i in range(100)},
        "query": {"pages": []},
    }
    page = parse_query(__import__("json").dumps(hostile).encode())
    assert page.continue_params is not None and len(page.continue_params) == 10
    assert len(page.continue_params["gsrsearch"]) == 500
    params = dict(parse_qsl(urlsplit(CommonsProvider().search("red fox", page.continue_params, options).url).query))
    assert params["action"] == "query" and params["gsrsearch"] == "red fox filetype:bitmap"
    assert params["gsroffset"] == "50" and params["continue"] == "gsroffset||"
