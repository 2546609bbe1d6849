"""imagespider/rights/headers.py: the opt-outs an image's HTTP response states (X-Robots-Tag
noai/noimageai for us or for every agent, tdm-reservation), from any header shape Scrapy hands over."""

from __future__ import annotations

import pytest

from imagespider.rights.headers import HeaderSignals, read_headers


@pytest.mark.parametrize(
    ("value", "noai"),
    [
        ("noai", True),
        ("noimageai", True),
        ("NoAI, noindex", True),
        ("googlebot: noai", False),
        ("imagespider: noimageai", True),
        ("ImageSpider: NOAI", True),
        ("*: noai", True),
        ("googlebot: noindex, noai", False),  # both directives bind googlebot only
        ("googlebot: noindex, imagespider: noai", True),
        ("noindex", False),
        ("none", False),
        ("noindex, nofollow, noarchive", False),
        ("max-image-preview: large, noai", True),
        ("unavailable_after: 2030-01-01", False),
        ("noaiplease", False),
    ],
)
def test_x_robots_tag(value: str, noai: bool) -> None:
    signals = read_headers({"X-Robots-Tag": [value]})
    assert signals.noai is noai
    assert signals.x_robots_tag == value


def test_x_robots_tag_custom_user_agent_token() -> None:
    headers = {"x-robots-tag": ["mybot: noai"]}
    assert read_headers(headers, user_agent_token="MyBot").noai
    assert not read_headers(headers).noai


def test_multiple_x_robots_tag_values() -> None:
    signals = read_headers({"x-robots-tag": ["noindex", "googlebot: nofollow", "noimageai"]})
    assert signals.noai
    assert signals.x_robots_tag == "noindex, googlebot: nofollow, noimageai"


def test_user_agent_scope_does_not_leak_between_values() -> None:
    assert read_headers({"x-robots-tag": ["googlebot: nofollow", "noai"]}).noai


def test_header_names_case_insensitive_and_merged() -> None:
    signals = read_headers({"X-ROBOTS-TAG": ["noindex"], "x-robots-tag": ["noai"]})
    assert signals.noai
    assert signals.x_robots_tag == "noindex, noai"


@pytest.mark.parametrize(("value", "reserved"), [("1", True), ("0", False), (" 1 ", True)])
def test_tdm_reservation(value: str, reserved: bool) -> None:
    signals = read_headers(
        {"TDM-Reservation": [value], "TDM-Policy": ["https://example.org/tdm-policy.json"]}
    )
    assert signals.tdm_reservation is reserved
    assert signals.tdm_policy == "https://example.org/tdm-policy.json"


def test_bytes_keys_and_values() -> None:
    headers = {
        b"X-Robots-Tag": [b"imagespider: noai"],
        b"Tdm-Reservation": [b"1"],
        b"Content-Type": [b"image/jpeg"],
    }
    assert read_headers(headers) == HeaderSignals(
        x_robots_tag="imagespider: noai", noai=True, tdm_reservation=True, tdm_policy=None
    )


def test_bare_string_value_and_mixed_types() -> None:
    signals = read_headers({"x-robots-tag": "noai", "tdm-reservation": [b"0"]})  # type: ignore[dict-item]
    assert signals.noai
    assert not signals.tdm_reservation


def test_no_signals() -> None:
    signals = read_headers({"content-type": ["image/png"]})
    assert signals == HeaderSignals(
        x_robots_tag=None, noai=False, tdm_reservation=False, tdm_policy=None
    )
    assert signals.to_dict() == {"noai": False, "tdm_reservation": False}


def test_header_signals_to_dict() -> None:
    signals = read_headers(
        {"x-robots-tag": ["noai"], "tdm-reservation": ["1"], "tdm-policy": ["https://e.org/p"]}
    )
    assert signals.to_dict() == {
        "noai": True,
        "tdm_reservation": True,
        "x_robots_tag": "noai",
        "tdm_policy": "https://e.org/p",
    }


@pytest.mark.parametrize(("value", "noai"), [("noml", True), ("imagespider: noml", True), ("googlebot: noml", False)])
def test_noml_is_an_ai_opt_out(value: str, noai: bool) -> None:
    assert read_headers({"X-Robots-Tag": [value]}).noai is noai


def test_content_usage_header() -> None:
    """IETF AI Preferences (draft-ietf-aipref-attach): repeated fields join into one dictionary."""
    signals = read_headers({b"Content-Usage": [b"search=y", b"train-ai=n"]})
    assert signals.content_usage == "search=y, train-ai=n"
    assert signals.usage_reserved == "train-ai=n"
    assert signals.to_dict()["content_usage"] == "search=y, train-ai=n"
    assert read_headers({"content-usage": "train-ai=y"}).usage_reserved is None
    assert read_headers({}).usage_reserved is None
