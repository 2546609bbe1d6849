"""imagespider/rights/aipref.py: Content-Usage (IETF AI Preferences) and Content-Signal (Cloudflare)
values read as "may this be used to train a model?", with the term that says no."""

from __future__ import annotations

import pytest

from imagespider.rights.aipref import parse_preferences, signal_reservation, usage_reservation


@pytest.mark.parametrize(
    ("value", "term"),
    [
        ("train-ai=n", "train-ai=n"),
        ("train-ai=n, search=y", "train-ai=n"),  # draft-ietf-aipref-attach's example shape
        ("Train-AI=N", "train-ai=n"),
        ("train-genai=n", "train-genai=n"),  # generative training is training
        ("bots=n", "bots=n"),  # automated processing includes training
        ("bots=n, train-ai=y", None),  # the narrower category's own yes counts
        ("bots=n, train-ai=y, train-genai=n", "train-genai=n"),
        ("train-ai=y", None),
        ("search=n", None),
        ("ai-use=n", None),  # use as input to an AI system is not training
        ("train-ai=?1", None),  # not y or n: says nothing
        ("train-ai", None),
        ("train-ai=n;note=1", "train-ai=n"),  # parameters dropped
        ("train-ai=y, train-ai=n", "train-ai=n"),  # a repeated key keeps the last, as a dictionary does
        ("", None),
        ("=,=,,", None),
    ],
)
def test_content_usage(value: str, term: str | None) -> None:
    assert usage_reservation(value) == term


@pytest.mark.parametrize(
    ("value", "term"),
    [
        ("search=yes, ai-train=no", "ai-train=no"),  # Cloudflare's managed robots.txt
        ("ai-input=no, ai-train=no, search=yes", "ai-train=no"),  # lobste.rs
        ("search=yes,ai-train=no", "ai-train=no"),  # davidguetta.com
        ("ai-train=yes, search=yes, ai-input=yes", None),
        ("ai-input=no", None),
        ("ai-train=n", None),  # Content-Signal says yes/no
    ],
)
def test_content_signal(value: str, term: str | None) -> None:
    assert signal_reservation(value) == term


def test_a_huge_value_is_read_to_its_cap() -> None:
    value = "x=y, " * 500_000 + "train-ai=n"
    assert usage_reservation(value) is None
    assert len(parse_preferences(value, "y", "n")) <= 1
