"""imagespider/errors.py: a user's value shown on one line; a rejection carries its reason and
detail and is a Scrapy drop; failure finish reasons share one prefix."""

from __future__ import annotations

import pytest
from scrapy.exceptions import DropItem

from imagespider.errors import FAILURE_PREFIX, ArgumentError, Rejected, shown


@pytest.mark.parametrize(
    ("value", "expected"),
    [("cat", "cat"), ("кошка 猫", "кошка 猫"), ("two\nlines", "'two\\nlines'"), ("tab\there", "'tab\\there'"), (42, "42")],
)
def test_shown_keeps_a_value_on_one_line(value: object, expected: str) -> None:
    assert shown(value) == expected
    assert "\n" not in shown(value)


def test_a_rejection_is_a_drop_with_its_reason_and_detail() -> None:
    rejected = Rejected("too_small", "12x12 is under 64x64")
    assert isinstance(rejected, DropItem)
    assert (rejected.reason, rejected.detail, str(rejected)) == ("too_small", "12x12 is under 64x64",
                                                                 "too_small: 12x12 is under 64x64")
    assert str(Rejected("duplicate")) == "duplicate"


def test_an_argument_error_is_a_value_error_and_failures_share_a_prefix() -> None:
    assert issubclass(ArgumentError, ValueError)
    assert "failed_nothing_kept".startswith(FAILURE_PREFIX) and not "finished".startswith(FAILURE_PREFIX)
