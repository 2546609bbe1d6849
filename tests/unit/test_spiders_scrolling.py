"""ScrollConfig: the SCROLL_* settings of the browser spiders, read once."""

from __future__ import annotations

from imagespider.spiders.scrolling import ScrollConfig
from tests.settings import project_settings


def test_defaults_come_from_the_project_settings() -> None:
    assert ScrollConfig.from_settings(project_settings()) == ScrollConfig(8000.0, 2, 0.15)


def test_command_line_strings_are_read_as_numbers() -> None:
    settings = project_settings({"SCROLL_WAIT_TIMEOUT": "0.5", "SCROLL_MAX_STALLS": "4", "SCROLL_STEP_PAUSE": "0"})
    assert ScrollConfig.from_settings(settings) == ScrollConfig(500.0, 4, 0.0)
