"""OpenverseConfig: the OPENVERSE_* settings, read and checked once."""

from __future__ import annotations

import pytest

from imagespider.errors import ArgumentError
from imagespider.spiders.openverse import OpenverseConfig
from tests.settings import project_settings


def test_defaults_are_anonymous_use() -> None:
    config = OpenverseConfig.from_settings(project_settings(), {})
    assert (config.api_url, config.page_size, config.max_wait, config.registered) == (
        "https://api.openverse.org", 20, 60.0, False,
    )


def test_credentials_come_from_settings_or_the_environment_and_stay_out_of_repr() -> None:
    config = OpenverseConfig.from_settings(
        project_settings({"OPENVERSE_CLIENT_ID": "id", "OPENVERSE_PAGE_SIZE": "500"}),
        {"OPENVERSE_CLIENT_SECRET": "secret-value"},
    )
    assert config.registered and config.page_size == 500
    assert "secret-value" not in repr(config)


@pytest.mark.parametrize(
    "values",
    [{"OPENVERSE_CLIENT_ID": "only-one"}, {"OPENVERSE_PAGE_SIZE": "21"}, {"OPENVERSE_PAGE_SIZE": "x"},
     {"OPENVERSE_MAX_WAIT": "-1"}],
)
def test_bad_values_are_one_line_errors(values: dict[str, str]) -> None:
    with pytest.raises(ArgumentError):
        OpenverseConfig.from_settings(project_settings(values), {})
