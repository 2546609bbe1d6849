"""imagespider/sitesignals/config.py: every bound of a site-signal fetch read once from the
settings a user sets (their names unchanged), with the project's defaults."""

from __future__ import annotations

import pytest
from scrapy.settings import Settings

from imagespider.sitesignals.config import AI_TXT_MAXSIZE, RSL_MAXSIZE, PageConfig, SiteSignalsConfig
from tests.settings import project_settings


def test_the_projects_defaults() -> None:
    config = SiteSignalsConfig.from_settings(project_settings())
    assert config.user_agent == project_settings()["USER_AGENT"] and config.token == "imagespider"
    assert config.robots_parser == "imagespider.sitesignals.robotparser.AiAwareRobotParser"
    assert config.page == PageConfig(True, 2 * 1024 * 1024, "imagespider")
    assert (config.tdmrep_maxsize, config.robots_maxsize, config.ai_txt_maxsize, config.rsl_maxsize) == (
        64 * 1024, 500 * 1024, AI_TXT_MAXSIZE, RSL_MAXSIZE,
    )  # fmt: skip
    assert (config.timeout, config.cache_hosts, config.cache_weight) == (10.0, 4096, 200_000)


def test_the_settings_users_set_are_read() -> None:
    config = SiteSignalsConfig.from_settings(project_settings({
        "TDMREP_MAXSIZE": "1000", "PAGE_MAXSIZE": "5000", "PAGE_EVIDENCE": "False", "BOT_NAME": "mybot",
        "ROBOTSTXT_USER_AGENT": "mybot/1.0",
    }))  # fmt: skip
    assert (config.tdmrep_maxsize, config.page.maxsize, config.page.enabled) == (1000, 5000, False)
    assert (config.token, config.page.user_agent_token, config.user_agent) == ("mybot", "mybot", "mybot/1.0")


def test_a_crawler_without_the_projects_settings_gets_its_defaults() -> None:
    config = SiteSignalsConfig.from_settings(Settings())
    assert (config.tdmrep_maxsize, config.page.maxsize) == (64 * 1024, 2 * 1024 * 1024)


@pytest.mark.parametrize(("name", "value"), [("TDMREP_MAXSIZE", "-1"), ("PAGE_MAXSIZE", "0")])
def test_a_bound_that_makes_no_sense_is_refused_with_its_name(name: str, value: str) -> None:
    with pytest.raises(ValueError, match=name):
        SiteSignalsConfig.from_settings(project_settings({name: value}))
