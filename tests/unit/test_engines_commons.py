"""The Commons parser on the real captured answer (tests/fixtures/commons_*.json, tests/fixtures/README.md
"Wikimedia Commons"): 9 File pages with full extmetadata, a continue block, and one single page."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from imagespider.engines import commons
from imagespider.engines.commons import CommonsApiError, CommonsShapeError, artist_url, html_text, parse_query

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
