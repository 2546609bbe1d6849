"""FlickrConfig: the FLICKR_* settings read once, the key from the setting or the environment."""

from __future__ import annotations

import pytest

from imagespider.errors import ArgumentError
from imagespider.spiders.flickr import FlickrConfig
from tests.settings import project_settings


def test_defaults_come_from_the_project_settings() -> None:
    config = FlickrConfig.from_settings(project_settings(), {})
    assert (config.api_url, config.size, config.per_page, config.sort, config.safe_search) == (
        "https://api.flickr.com/services/rest/", "", 100, "relevance", "1",
    )


def test_config_reads_key_from_setting_then_environment() -> None:
    assert FlickrConfig.from_settings(project_settings({"FLICKR_API_KEY": "s"}), {"FLICKR_API_KEY": "e"}).api_key == "s"
    assert FlickrConfig.from_settings(project_settings(), {"FLICKR_API_KEY": "e"}).api_key == "e"
    assert FlickrConfig.from_settings(project_settings(), {}).api_key == ""
    assert "secret-value" not in repr(FlickrConfig.from_settings(project_settings({"FLICKR_API_KEY": "secret-value"}), {}))


@pytest.mark.parametrize(
    "settings",
    [{"FLICKR_SIZE": "x"}, {"FLICKR_PER_PAGE": "0"}, {"FLICKR_PER_PAGE": "many"}, {"FLICKR_SORT": "best"},
     {"FLICKR_SAFE_SEARCH": "4"}],
)
def test_config_rejects_bad_settings(settings: dict[str, str]) -> None:
    with pytest.raises(ArgumentError):
        FlickrConfig.from_settings(project_settings(settings), {})
