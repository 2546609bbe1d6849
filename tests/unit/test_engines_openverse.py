"""The Openverse parser on its real recorded answers (tests/fixtures/openverse/, tests/fixtures/README.md
"Openverse"): three result shapes (2022-03, 2022-09, 2023-01), the empty answer, the 429 tape."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import json5
import pytest

from imagespider.engines import openverse
from imagespider.engines.openverse import (
    OpenverseShapeError,
    error_detail,
    filters_for,
    pace,
    parse_search,
    parse_token,
    rate_limits,
    retry_after,
)
from imagespider.rights.policy import Policy

TAPES = Path(__file__).parents[1] / "fixtures" / "openverse"


def tape(name: str) -> dict[str, Any]:
    return json5.loads((TAPES / f"openverse_images_q_{name}.json5").read_text(encoding="utf-8"))


def body(name: str) -> bytes:
    return json.dumps(tape(name)["res"]["body"]).encode()


def headers(name: str) -> dict[str, str]:
    return {k: v[-1] for k, v in tape(name)["res"]["headers"].items()}


def test_2023_shape_every_field() -> None:
    page = parse_search(body("birds_license_type_commercial"))
    assert (page.page, page.page_count, page.result_count, page.skipped) == (1, 20, 10000, 0)
    assert len(page.results) == 20
    first = page.results[0]
    assert first.image_url == "https://live.staticflickr.com/224/525739466_c4c510624e_b.jpg"
    assert first.page_url == "https://www.flickr.com/photos/8259942@N04/525739466"
    assert first.title == "A bird in UCD campus"
    assert first.author == "asinensis"
    assert first.author_url == "https://www.flickr.com/photos/8259942@N04"
    assert (first.license_code, first.license_version) == ("by", "2.0")
    assert first.license_url == "https://creativecommons.org/licenses/by/2.0/"
    assert first.engine_id == "d3a2d9fd-14c0-4120-b875-a210c80fa601"
    assert "bird" in first.tags
    assert first.rights["provider"] == "flickr" and first.rights["provider_source"] == "flickr"
    assert first.rights["attribution"].startswith('"A bird in UCD campus" by asinensis is licensed under CC BY 2.0')
    assert first.rights["mature"] is False
    assert all(r.width and r.height and r.rights["attribution"] for r in page.results)
    assert {r.license_code for r in page.results} == {"by", "by-sa", "cc0", "by-nd"}
    assert any(r.author == "熊.陈美芬.Phan Ly Photography.On/Off" for r in page.results)


def test_2022_shapes_without_attribution_or_size() -> None:
    old = parse_search(body("cat"))
    assert len(old.results) == 20 and (old.page_count, old.result_count) == (250, 10000)
    assert all(r.width is None and r.rights["attribution"] is None and r.rights["mature"] is None for r in old.results)
    nulls = parse_search(body("cat_page_2"))
    assert nulls.page == 2 and len(nulls.results) == 20
    assert all(r.width is None and r.rights["attribution"] is None for r in nulls.results)
    assert any("길고양이" in r.tags for r in nulls.results)


@pytest.mark.parametrize("name", ["birds_license_type_commercial", "cat", "cat_page_2"])
def test_declared_licenses_are_known(name: str) -> None:
    for result in parse_search(body(name)).results:
        lic = openverse.license_of(result.license_code or "", result.license_version, result.license_url)
        assert lic.id != "unknown" and lic.source == "api" and lic.url, result


def test_empty_answer_is_no_results_not_an_error() -> None:
    page = parse_search(body("querywithnoresults"))
    assert page.results == [] and page.page_count == 0


def test_unknown_shapes_raise() -> None:
    with pytest.raises(OpenverseShapeError, match="no 'results' list"):
        parse_search(body("SearchPage429error"))
    with pytest.raises(OpenverseShapeError, match="not JSON"):
        parse_search(b"<html>maintenance</html>")
    with pytest.raises(OpenverseShapeError, match="JSON list"):
        parse_search(b"[]")


def test_result_without_url_is_skipped() -> None:
    data = tape("birds_license_type_commercial")["res"]["body"]
    data["results"][0]["url"] = None
    data["results"][1] = "garbage"
    page = parse_search(data)
    assert page.skipped == 2 and len(page.results) == 18


def test_429_detail_and_wait() -> None:
    detail = error_detail(body("SearchPage429error"))
    assert detail == "Request was throttled. Expected available in 3600 seconds."
    assert retry_after(headers("SearchPage429error"), detail) == 3600
    assert retry_after({"Retry-After": "12"}, detail) == 12
    assert retry_after({}, None) is None


def test_rate_limit_headers() -> None:
    limits = {limit.scope: limit for limit in rate_limits(headers("querywithnoresults"))}
    assert limits["anon_burst"].limit == 20 and limits["anon_burst"].period == 60
    assert limits["anon_burst"].available == 19
    assert limits["anon_sustained"].period == 86400 and limits["anon_sustained"].available == 199
    assert pace(headers("querywithnoresults")) == 0
    assert pace({**headers("querywithnoresults"), "x-ratelimit-available-anon_burst": "0"}) == 60
    # The thumbnail limit does not pace searches.
    assert pace({**headers("SearchPage429error"), "x-ratelimit-available-anon_thumbnail": "0"}) == 0
    assert pace({}) == 0


@pytest.mark.parametrize(
    ("policy", "expected"),
    [
        ("any", {}),
        ("commercial", {"license": "by,by-sa,by-nd,cc0,pdm", "license_type": "commercial"}),
        ("commercial,modify", {"license": "by,by-sa,cc0,pdm", "license_type": "commercial,modification"}),
        ("cc0,cc-by", {"license": "by,cc0"}),
    ],
)
def test_policy_becomes_server_side_filters(policy: str, expected: dict[str, str]) -> None:
    assert filters_for(Policy.parse(policy)) == expected


def test_token_answer() -> None:
    assert parse_token(b'{"access_token": "abc", "expires_in": 36000}') == ("abc", 36000.0)
    assert parse_token(b'{"error": "invalid_client"}') == (None, None)
    assert parse_token(b"nope") == (None, None)


T, F, N = True, False, None


# ------------------------------------------------------------------------------------------
# Openverse
# ------------------------------------------------------------------------------------------

OPENVERSE_CASES = [
    ("by", "2.0", None, "cc-by", "2.0", "https://creativecommons.org/licenses/by/2.0/"),
    ("by-sa", "4.0", None, "cc-by-sa", "4.0", "https://creativecommons.org/licenses/by-sa/4.0/"),
    ("by-nd", "4.0", None, "cc-by-nd", "4.0", "https://creativecommons.org/licenses/by-nd/4.0/"),
    ("by-nc", "3.0", None, "cc-by-nc", "3.0", "https://creativecommons.org/licenses/by-nc/3.0/"),
    ("by-nc-sa", "2.0", None, "cc-by-nc-sa", "2.0", "https://creativecommons.org/licenses/by-nc-sa/2.0/"),
    ("by-nc-nd", "2.0", None, "cc-by-nc-nd", "2.0", "https://creativecommons.org/licenses/by-nc-nd/2.0/"),
    ("BY-NC-ND", "2.0", None, "cc-by-nc-nd", "2.0", "https://creativecommons.org/licenses/by-nc-nd/2.0/"),
    ("cc0", "1.0", None, "cc0", "1.0", "https://creativecommons.org/publicdomain/zero/1.0/"),
    ("cc0", None, None, "cc0", "1.0", "https://creativecommons.org/publicdomain/zero/1.0/"),
    ("pdm", "1.0", None, "pdm", "1.0", "https://creativecommons.org/publicdomain/mark/1.0/"),
    # the real tape's first result (tests/fixtures/README.md section 4)
    ("by", "2.0", "https://creativecommons.org/licenses/by/2.0/", "cc-by", "2.0", "https://creativecommons.org/licenses/by/2.0/"),
    # a URL naming the same license keeps its jurisdiction
    ("by-sa", "3.0", "https://creativecommons.org/licenses/by-sa/3.0/de/deed.en", "cc-by-sa", "3.0", "https://creativecommons.org/licenses/by-sa/3.0/de/"),
    # a URL that disagrees loses to the structured code
    ("by-nc", "4.0", "https://creativecommons.org/licenses/by/4.0/", "cc-by-nc", "4.0", "https://creativecommons.org/licenses/by-nc/4.0/"),
    ("sampling+", "1.0", None, "cc-unspecified", "1.0", "https://creativecommons.org/licenses/sampling+/1.0/"),
    ("nc-sampling+", "1.0", None, "cc-unspecified", "1.0", "https://creativecommons.org/licenses/nc-sampling+/1.0/"),
    ("gfdl", None, None, "unknown", None, None),
    ("", None, None, "unknown", None, None),
]


@pytest.mark.parametrize(("code", "version", "url", "license_id", "exp_version", "exp_url"), OPENVERSE_CASES)
def test_from_openverse(
    code: str, version: str | None, url: str | None, license_id: str, exp_version: str | None, exp_url: str | None
) -> None:
    lic = openverse.license_of(code, version, url)
    assert (lic.id, lic.version, lic.url, lic.source) == (license_id, exp_version, exp_url, "api")


def test_openverse_sampling_permissions() -> None:
    perms = openverse.license_of("sampling+", "1.0").permissions
    assert (perms.share, perms.commercial, perms.modify, perms.attribution) == (T, F, T, T)


@pytest.mark.parametrize(
    "body",
    [
        b'{"results": [], "page": 1e400}',
        b'{"results": [{"url": "https://h/a.jpg", "width": 1e400, "height": "9' + b"9" * 5000 + b'"}]}',
    ],
    ids=["infinite-page", "infinite-width"],
)
def test_numbers_out_of_range_are_absent_not_an_error(body: bytes) -> None:
    """1e400 is valid JSON that Python reads as infinity; int() of it raised OverflowError."""
    page = openverse.parse_search(body)
    assert page.page == 1 and all(r.width is None and r.height is None for r in page.results)


@pytest.mark.parametrize("body", [b'{"results": [], "page": Infinity}', b"[" * 100_000 + b"]" * 100_000])
def test_non_json_constants_and_absurd_nesting_are_a_shape_error(body: bytes) -> None:
    with pytest.raises(openverse.OpenverseShapeError):
        openverse.parse_search(body)


def test_a_retry_after_of_unicode_digits_is_not_a_number() -> None:
    """"²".isdigit() is True; float("²") raised ValueError out of the 429 handler."""
    assert openverse.retry_after({"Retry-After": "²"}, None) is None


@pytest.mark.parametrize("expires", ["-5", "0", "1e400"])
def test_a_token_lifetime_that_is_no_lifetime_is_not_given(expires: str) -> None:
    """expires_in -5 made the spider renew its token before every call."""
    token, lifetime = openverse.parse_token('{"access_token": "t", "expires_in": ' + expires + "}")
    assert token == "t" and (lifetime is None or lifetime > 0)
