"""``scrapy describe`` shows exactly the arguments each spider's parser accepts."""

from __future__ import annotations

import argparse

import pytest
from scrapy.exceptions import UsageError
from scrapy.settings import Settings
from scrapy.spiderloader import SpiderLoader

from imagespider.commands.describe import Command, describe
from imagespider.spiders.params import SHARED_ARGUMENTS
from imagespider.spiders.urls import UrlsSpider

SETTINGS = Settings({"SPIDER_MODULES": ["imagespider.spiders"], "LICENSE_POLICY": "share"})


def test_every_search_spider_describes_exactly_what_it_accepts() -> None:
    loader = SpiderLoader.from_settings(SETTINGS)
    for name in loader.list():
        spidercls = loader.load(name)
        if spidercls is UrlsSpider:
            continue
        names = [argument.name for argument in spidercls.argument_help(SETTINGS)]
        own = set(getattr(spidercls, "own_arguments", ()))  # the search spider's engines=
        assert set(names) == set(SHARED_ARGUMENTS) | set(spidercls.filters) | own, name
        text = describe(spidercls, SETTINGS)
        for argument in spidercls.argument_help(SETTINGS):
            assert f"  {argument.name} " in text
            for choice in argument.choices:
                assert choice in text


def test_urls_spider_is_described() -> None:
    text = describe(UrlsSpider, SETTINGS)
    assert "path" in text and "Default: images" in text and "Default: share" in text


def test_a_bad_license_policy_setting_is_an_error_not_a_default(capsys: pytest.CaptureFixture[str]) -> None:
    # It was printed as "Default: foo", a default every crawl then refuses.
    command = Command()
    command.settings = Settings({"SPIDER_MODULES": ["imagespider.spiders"], "LICENSE_POLICY": "foo"})
    with pytest.raises(UsageError, match="^unknown license policy word 'foo' in -s LICENSE_POLICY=foo; use "):
        command.run(["search"], argparse.Namespace())
    assert capsys.readouterr().out == ""
