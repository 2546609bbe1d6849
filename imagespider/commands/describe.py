"""``scrapy describe <spider>``: what a spider does and every ``-a`` it takes, with defaults and choices.

``scrapy crawl -h`` lists Scrapy's options, not a spider's arguments (argparse knows nothing of
them), and a wrong guess costs a browser start. The spiders describe their own arguments
(``argument_help``, built from the same tables their parsers check against, see
imagespider/spiders/params.py), so this help cannot drift from what a crawl accepts.
"""

from __future__ import annotations

import argparse
import textwrap
from typing import Any

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError
from scrapy.spiderloader import get_spider_loader

from imagespider.commands.crawl import spider_not_found
from imagespider.errors import ArgumentError
from imagespider.spiders.params import ArgumentHelp, parse_policy


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False
    default_settings = {"LOG_ENABLED": False}  # noqa: RUF012 (Scrapy's own attribute)

    def syntax(self) -> str:
        return "<spider>"

    def short_desc(self) -> str:
        return "Show a spider's arguments (-a NAME=VALUE), their defaults and choices"

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.settings is not None
        loader = get_spider_loader(self.settings)
        if len(args) != 1:
            raise UsageError(f"name one spider: {', '.join(sorted(loader.list()))}")
        try:
            spidercls = loader.load(args[0])
        except KeyError:
            raise UsageError(spider_not_found(args[0], self.settings)) from None
        try:
            # Shown as every argument's default: a bad one would read as a choice the crawl takes.
            parse_policy(str(self.settings["LICENSE_POLICY"]), given_as="-s LICENSE_POLICY")
        except ArgumentError as error:
            raise UsageError(str(error)) from None
        print(describe(spidercls, self.settings))


def describe(spidercls: Any, settings: Any) -> str:
    """The text ``scrapy describe`` prints for one spider class."""
    module = __import__(spidercls.__module__, fromlist=["_"])
    summary = ((module.__doc__ or spidercls.__doc__ or "").strip().splitlines() or [spidercls.name])[0]
    helper = getattr(spidercls, "argument_help", None)
    arguments: list[ArgumentHelp] = helper(settings) if helper is not None else []
    lines = [summary, "", f"scrapy crawl {spidercls.name} -a NAME=VALUE ...", ""]
    if not arguments:
        lines.append("This spider takes no arguments.")
    width = max((len(argument.name) for argument in arguments), default=0) + 2
    for argument in arguments:
        text = f"{argument.meaning}. Default: {argument.default}."
        if argument.choices:
            text += f" Choices: {', '.join(argument.choices)}."
        wrapped = textwrap.wrap(text, 100 - width - 2, break_on_hyphens=False) or [""]
        lines.append(f"  {argument.name.ljust(width)}{wrapped[0]}")
        lines.extend(" " * (width + 2) + rest for rest in wrapped[1:])
    return "\n".join(lines)
