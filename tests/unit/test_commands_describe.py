"""``scrapy describe`` shows exactly the arguments each spider's parser accepts."""

from __future__ import annotations

from scrapy.settings import Settings
from scrapy.spiderloader import SpiderLoader

from imagespider.commands.describe import describe
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
