"""Fuzz the engine parsers with mutated real captures: a results page an engine changed, cut
short or garbled gives results or nothing, never an exception (Flickr: results or FlickrApiError,
which the spider reports as an API error; Openverse and Commons: results, or their shape/API error,
which the spiders report as a changed API)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from imagespider.engines import bing, commons, flickr, google, openverse

FIXTURES = Path(__file__).parents[1] / "fixtures"


def fuzz(examples: int) -> settings:
    """Few enough examples to stay within seconds; no deadline (a big page parses slowly)."""
    return settings(max_examples=examples, deadline=None, suppress_health_check=list(HealthCheck), database=None)


@cache
def capture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


@st.composite
def mutated(draw: st.DrawFn, names: tuple[str, ...]) -> bytes:
    """A real capture with byte edits, a truncation and a splice from another capture."""
    data = bytearray(capture(draw(st.sampled_from(names))))
    for _ in range(draw(st.integers(0, 8))):
        at = draw(st.integers(0, len(data) - 1))
        choice = draw(st.integers(0, 3))
        if choice == 0:
            data[at] = draw(st.integers(0, 255))
        elif choice == 1:
            del data[at : at + draw(st.integers(1, 4096))]
        elif choice == 2:
            data[at:at] = draw(st.sampled_from([b"<", b">", b'"', b"'", b"&", b"\x00", b"\xff", b"{", b"]", b"\\u"]))
        else:
            other = capture(draw(st.sampled_from(names)))
            start = draw(st.integers(0, len(other) - 1))
            data[at:at] = other[start : start + draw(st.integers(1, 8192))]
    if draw(st.booleans()):
        data = data[: draw(st.integers(0, len(data)))]
    return bytes(data)


def text_of(data: bytes, encoding: str) -> str:
    return data.decode(encoding, errors="replace" if encoding == "utf-8" else "surrogateescape")


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=10,
)


def _paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    found = [prefix]
    if isinstance(node, dict):
        for key, value in list(node.items())[:30]:
            found += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node[:5]):
            found += _paths(value, (*prefix, index))
    return found


@st.composite
def retyped_flickr(draw: st.DrawFn) -> Any:
    """The real Flickr response with one to three values replaced by JSON of any other type."""
    data = json.loads(capture("flickr_photos_search_extras_openverse_catalog.json"))
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(_paths(data)))
        if not path:
            return draw(json_values)
        parent = data
        for step in path[:-1]:
            parent = parent[step]
        parent[path[-1]] = draw(json_values)
    return data


BING = ("bing_images_search_golang_gopher_2026.html", "bing_images_search_filter_age_year_2026.html")


@fuzz(40)
@given(mutated(BING), st.sampled_from(["utf-8", "latin-1"]))
def test_bing_parser_never_raises(data: bytes, encoding: str) -> None:
    results = bing.parse_results(text_of(data, encoding))
    assert all(result.image_url for result in results)


@fuzz(150)
@given(mutated(("google_images_udm2_reconstructed.html",)))
def test_google_parser_never_raises(data: bytes) -> None:
    page = google.parse_results(data.decode("utf-8", errors="replace"), "https://www.google.com/search?q=x")
    assert all(result.image_url for result in page.results)


GOOGLE_REAL = (
    "google_udm2_rendered_no_scripts_chateau-chalon_2025-06-14.html",
    "google_isch_basic_nojs_papaya_2026-02.html",
)


@fuzz(40)
@given(mutated(GOOGLE_REAL))
def test_google_parser_never_raises_on_real_tile_pages(data: bytes) -> None:
    """The real rendered and basic pages, garbled: results with an image URL, tiles without one."""
    page = google.parse_results(data.decode("utf-8", errors="replace"))
    assert all(result.image_url for result in page.results)
    assert all(result.image_url == "" and not result.is_thumbnail for result in page.without_image)
    assert page.tiles >= len(page.without_image)


@fuzz(300)
@given(mutated(("flickr_photos_search_extras_openverse_catalog.json",)), st.booleans())
def test_flickr_parser_gives_results_or_an_api_error(data: bytes, as_text: bool) -> None:
    try:
        page = flickr.parse_search(data.decode("utf-8", errors="replace") if as_text else data)
    except flickr.FlickrApiError:
        return
    assert all(result.image_url for result in page.results)


@fuzz(300)
@given(retyped_flickr())
def test_flickr_parser_survives_values_of_the_wrong_type(data: Any) -> None:
    try:
        page = flickr.parse_search(data)
    except flickr.FlickrApiError:
        return
    assert all(result.image_url for result in page.results)


@cache
def openverse_answer() -> bytes:
    """The 2023 recorded answer's body (tests/fixtures/openverse/), as the API sends it: JSON."""
    import json5  # noqa: PLC0415

    tape = (FIXTURES / "openverse" / "openverse_images_q_birds_license_type_commercial.json5").read_text("utf-8")
    return json.dumps(json5.loads(tape)["res"]["body"]).encode()


@st.composite
def retyped(draw: st.DrawFn, original: bytes) -> Any:
    """A real answer with one to three values replaced by JSON of any other type."""
    data = json.loads(original)
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(_paths(data)))
        if not path:
            return draw(json_values)
        parent = data
        for step in path[:-1]:
            parent = parent[step]
        parent[path[-1]] = draw(json_values)
    return data


@st.composite
def mutated_bytes(draw: st.DrawFn, original: bytes) -> bytes:
    data = bytearray(original)
    for _ in range(draw(st.integers(1, 8))):
        at = draw(st.integers(0, len(data) - 1))
        if draw(st.booleans()):
            data[at] = draw(st.integers(0, 255))
        else:
            del data[at : at + draw(st.integers(1, 512))]
    return bytes(data)


@fuzz(200)
@given(st.one_of(retyped(openverse_answer()), mutated_bytes(openverse_answer())))
def test_openverse_parser_gives_results_or_a_shape_error(data: Any) -> None:
    try:
        page = openverse.parse_search(data)
    except openverse.OpenverseShapeError:
        return
    assert all(result.image_url.startswith("http") for result in page.results)
    for result in page.results:
        openverse.license_of(result.license_code or "", result.license_version, result.license_url)


COMMONS = "commons_query_allimages_imageinfo_extmetadata_openverse_catalog.json"


@fuzz(200)
@given(st.one_of(retyped(capture(COMMONS)), mutated_bytes(capture(COMMONS))))
def test_commons_parser_gives_results_or_an_error(data: Any) -> None:
    try:
        page = commons.parse_query(data)
    except (commons.CommonsShapeError, commons.CommonsApiError):
        return
    assert all(result.image_url.startswith("http") for result in page.results)
    for result in page.results:
        commons.declared(result)
