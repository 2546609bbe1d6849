"""The Flickr parser on a real ``flickr.photos.search`` response (see tests/fixtures/README.md section 3).

The capture (Openverse's test resource, data from Feb 2020) was requested with url_t/s/m/l extras,
so two of its photos have no ``url_l`` and fall back to ``url_m``. Expected values below were read
from the JSON file by hand.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from imagespider.engines import EngineResult
from imagespider.engines.flickr import (
    EXTRAS,
    SIZE_ORDER,
    FlickrApiError,
    FlickrPage,
    parse_licenses,
    parse_search,
)

CAPTURE = Path(__file__).parents[1] / "fixtures" / "flickr_photos_search_extras_openverse_catalog.json"
PAGE_URL = re.compile(r"^https://www\.flickr\.com/photos/[^/]+/\d+$")
STATIC_HOST = re.compile(r"^(live\.staticflickr\.com|farm\d+\.staticflickr\.com)$")


@pytest.fixture(scope="module")
def raw() -> bytes:
    return CAPTURE.read_bytes()


@pytest.fixture(scope="module")
def page(raw: bytes) -> FlickrPage:
    return parse_search(raw)


def _photo(**fields: Any) -> dict[str, Any]:
    """A search payload holding one photo made of ``fields``."""
    return {
        "photos": {"page": 1, "pages": 1, "perpage": 1, "total": "1", "photo": [fields]},
        "stat": "ok",
    }


def test_every_photo_of_the_capture_is_parsed(page: FlickrPage) -> None:
    assert len(page.results) == 30
    assert page.skipped == 0
    assert (page.page, page.pages, page.total) == (1, 1, 30)  # total is the string "30" in the JSON


def test_first_photo_fields(page: FlickrPage) -> None:
    assert page.results[0] == EngineResult(
        image_url="https://live.staticflickr.com/65535/49514337848_bbdbb5f761_b.jpg",
        page_url="https://www.flickr.com/photos/7478087@N06/49514337848",
        thumbnail_url="https://live.staticflickr.com/65535/49514337848_bbdbb5f761_t.jpg",
        title="Warsy (\u00e9glise) \u2022 7433",
        width=660,
        height=1024,
        site="flickr.com",
        author="markustrois",
        author_url="https://www.flickr.com/photos/7478087@N06/",
        license_code="1",
        date_taken="2011-11-05 15:54:37",
        tags=(),
        engine_id="49514337848",
    )


def test_photo_without_url_l_falls_back_to_url_m(page: FlickrPage) -> None:
    third = page.results[2]
    assert third.engine_id == "49515058172"
    assert third.image_url == "https://live.staticflickr.com/65535/49515058172_e52c8df29f.jpg"
    assert (third.width, third.height) == (480, 360)
    assert third.author == "www.librolasemilla.com"
    assert third.title == "Terapia de Vidas Pasadas: caso real, por Jos\u00e9 Luis Cabouli"
    assert third.tags[:3] == (
        "as\u00edcomoleerlibrosdeautoayuda",
        "enloslinksresaltadosenestep\u00e1rrafo",
        "filosof\u00edaomisterios",
    )
    assert len(third.tags) == 11
    # datetakenunknown is "1": Flickr's datetaken is then the upload time, not a real date.
    assert third.date_taken is None


def test_space_separated_tags(page: FlickrPage) -> None:
    fourth = page.results[3]
    assert fourth.engine_id == "49514824541"
    assert fourth.tags == ("scuba", "nature", "marine", "underwater", "australia", "marineexplorer")


def test_properties_of_every_photo_match_the_json(page: FlickrPage, raw: bytes) -> None:
    photos = json.loads(raw)["photos"]["photo"]
    for photo, result in zip(photos, page.results, strict=True):
        size = "l" if "url_l" in photo else "m"
        assert result.image_url == photo[f"url_{size}"]
        assert STATIC_HOST.match(urlsplit(result.image_url).hostname or "")
        assert isinstance(result.width, int) and result.width > 0
        assert isinstance(result.height, int) and result.height > 0
        assert (result.width, result.height) == (photo[f"width_{size}"], photo[f"height_{size}"])
        assert result.page_url and PAGE_URL.match(result.page_url)
        assert result.page_url == f"https://www.flickr.com/photos/{photo['owner']}/{photo['id']}"
        assert result.author_url == f"https://www.flickr.com/photos/{photo['owner']}/"
        assert result.engine_id == photo["id"]
        assert result.author == photo["ownername"]
        assert result.license_code == "1"
        assert result.site == "flickr.com"
        assert result.thumbnail_url == photo["url_t"]


def test_prefer_size_is_tried_first(raw: bytes) -> None:
    first = parse_search(raw, prefer_size="m").results[0]
    assert first.image_url == "https://live.staticflickr.com/65535/49514337848_bbdbb5f761.jpg"
    assert (first.width, first.height) == (322, 500)


def test_prefer_size_missing_falls_back_to_size_order() -> None:
    payload = _photo(
        id="1", owner="o@N01", server="1", secret="s",
        url_c="https://live.staticflickr.com/1/1_s_c.jpg", width_c="800", height_c="600",
        url_z="https://live.staticflickr.com/1/1_s_z.jpg", width_z=640, height_z=480,
    )  # fmt: skip
    result = parse_search(payload, prefer_size="o").results[0]
    assert result.image_url.endswith("_c.jpg")
    assert (result.width, result.height) == (800, 600)  # strings in the JSON, ints out
    assert parse_search(payload, prefer_size="z").results[0].image_url.endswith("_z.jpg")


def test_unknown_prefer_size_is_a_configuration_error(raw: bytes) -> None:
    with pytest.raises(ValueError, match="prefer_size"):
        parse_search(raw, prefer_size="x")


def test_original_size_wins_when_present() -> None:
    payload = _photo(
        id="2", owner="o@N01",
        url_o="https://live.staticflickr.com/1/2_os_o.jpg", width_o="4000", height_o="3000",
        url_l="https://live.staticflickr.com/1/2_s_b.jpg", width_l=1024, height_l=768,
    )  # fmt: skip
    result = parse_search(payload).results[0]
    assert result.image_url.endswith("_o.jpg")
    assert (result.width, result.height) == (4000, 3000)


def test_photo_without_any_url_gets_a_built_url_without_dimensions() -> None:
    payload = _photo(
        id="49514337848", owner="7478087@N06", secret="bbdbb5f761", server="65535", farm=66
    )
    page = parse_search(payload)
    assert page.skipped == 0
    result = page.results[0]
    assert result.image_url == "https://live.staticflickr.com/65535/49514337848_bbdbb5f761_b.jpg"
    assert result.width is None and result.height is None
    assert result.thumbnail_url is None


def test_photos_with_nothing_to_build_a_url_from_are_skipped_and_counted() -> None:
    payload = _photo(id="3", owner="o@N01", title="no server, no secret")
    payload["photos"]["photo"] += ["junk", None, {"url_l": "not a url"}]
    page = parse_search(payload)
    assert page.results == []
    assert page.skipped == 4


def test_fail_payload_raises_with_flickr_message() -> None:
    fail = {"stat": "fail", "code": 100, "message": "Invalid API Key (Key has invalid format)"}
    for payload in (fail, json.dumps(fail), json.dumps(fail).encode()):
        with pytest.raises(FlickrApiError) as info:
            parse_search(payload)
        assert info.value.code == 100
        assert info.value.message == "Invalid API Key (Key has invalid format)"
        assert str(info.value) == "Flickr API error 100: Invalid API Key (Key has invalid format)"


def test_wrapped_jsonflickrapi_form(raw: bytes) -> None:
    wrapped = b"jsonFlickrApi(" + raw + b")"
    page = parse_search(wrapped)
    assert len(page.results) == 30
    assert page.results[0].engine_id == "49514337848"
    fail = 'jsonFlickrApi({"stat":"fail","code":100,"message":"Invalid API Key (Key has invalid format)"});'
    with pytest.raises(FlickrApiError, match=r"^Flickr API error 100: Invalid API Key"):
        parse_search(fail)


@pytest.mark.parametrize(
    "junk", ["", "<html>502 Bad Gateway</html>", b"\xff\xfe", "[1, 2]", "null", "{}"]
)
def test_junk_raises_flickr_api_error_without_code(junk: str | bytes) -> None:
    with pytest.raises(FlickrApiError) as info:
        parse_search(junk)
    assert info.value.code is None
    assert str(info.value).startswith("Flickr API error: ")


def test_empty_search_result() -> None:
    payload = {
        "photos": {"page": 1, "pages": 0, "perpage": 100, "total": 0, "photo": []},
        "stat": "ok",
    }
    assert parse_search(payload) == FlickrPage(results=[], page=1, pages=0, total=0, skipped=0)


def test_parse_licenses() -> None:
    body = json.dumps(
        {
            "licenses": {
                "license": [
                    {"id": 0, "name": "All Rights Reserved", "url": ""},
                    {
                        "id": 4,
                        "name": "Attribution License",
                        "url": "https://creativecommons.org/licenses/by/2.0/",
                    },
                    {"name": "no id: dropped"},
                ]
            },
            "stat": "ok",
        }
    )
    assert parse_licenses(body) == [
        {"id": "0", "name": "All Rights Reserved", "url": ""},
        {
            "id": "4",
            "name": "Attribution License",
            "url": "https://creativecommons.org/licenses/by/2.0/",
        },
    ]
    assert parse_licenses("jsonFlickrApi(" + body + ")")[1]["id"] == "4"


def test_parse_licenses_fail_and_junk() -> None:
    with pytest.raises(
        FlickrApiError, match=r"^Flickr API error 105: Service currently unavailable$"
    ):
        parse_licenses({"stat": "fail", "code": 105, "message": "Service currently unavailable"})
    with pytest.raises(FlickrApiError):
        parse_licenses("not json")


def test_constants() -> None:
    assert SIZE_ORDER[0] == "o" and SIZE_ORDER[-1] == "m"
    extras = EXTRAS.split(",")
    assert {"license", "owner_name", "o_dims", "date_taken", "tags"} <= set(extras)
    assert [f"url_{size}" for size in SIZE_ORDER if f"url_{size}" in extras] == [
        "url_o", "url_k", "url_h", "url_l", "url_c", "url_z",
    ]  # fmt: skip


@pytest.mark.parametrize("value", ["²", "9" * 5000])
def test_a_count_that_isdigit_but_not_int_is_absent_not_an_error(value: str) -> None:
    """str.isdigit() says yes to "²" and to 5000 digits; int() refuses both with ValueError."""
    from imagespider.engines import flickr

    body = json.dumps({"stat": "ok", "photos": {"page": value, "pages": value, "total": value, "photo": []}})
    page = flickr.parse_search(body)
    assert (page.page, page.pages, page.total) == (1, 0, 0)


def test_absurdly_nested_json_is_an_api_error() -> None:
    from imagespider.engines import flickr

    with pytest.raises(flickr.FlickrApiError):
        flickr.parse_search(b"[" * 100_000 + b"]" * 100_000)
