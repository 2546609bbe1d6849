"""CommonsConfig: the COMMONS_* settings, read and checked once."""

from __future__ import annotations

import pytest

from imagespider.errors import ArgumentError
from imagespider.spiders.commons import CommonsConfig
from tests.settings import project_settings


def test_defaults_come_from_the_project_settings() -> None:
    config = CommonsConfig.from_settings(project_settings())
    assert (config.api_url, config.page_size, config.thumb_width, config.maxlag) == (
        "https://commons.wikimedia.org/w/api.php", 50, 0, 5,
    )
    assert "(https://github.com/imagespider/imagespider)" in config.user_agent


@pytest.mark.parametrize(
    "values",
    [{"COMMONS_CONTACT": " "}, {"COMMONS_PAGE_SIZE": "51"}, {"COMMONS_MAXLAG": "0"}, {"COMMONS_THUMB_WIDTH": "x"}],
)
def test_bad_values_are_one_line_errors(values: dict[str, str]) -> None:
    with pytest.raises(ArgumentError):
        CommonsConfig.from_settings(project_settings(values))
