"""What ``scrapy export`` and ``scrapy publish`` share (imagespider/commands/storecommand.py).

What is proven here:
- both are project commands with no crawler process, logging at INFO, and Scrapy takes neither
  the mixin nor its module for a command of its own;
- the store is the one named on the command line, or else IMAGES_STORE; one that names no folder
  (the working directory, whose README.md publish would overwrite) or has another scheme is refused.
"""

from __future__ import annotations

import pytest
from scrapy.commands import ScrapyCommand

from imagespider.commands import storecommand
from imagespider.commands.export import Command as ExportCommand
from imagespider.commands.publish import Command as PublishCommand
from imagespider.commands.storecommand import StoreCommand
from imagespider.errors import ArgumentError
from tests.settings import project_settings


def test_export_and_publish_are_store_commands() -> None:
    for command in (ExportCommand, PublishCommand):
        assert issubclass(command, StoreCommand)
        assert command.requires_project and not command.requires_crawler_process
        assert command.default_settings == {"LOG_LEVEL": "INFO"}
    # Scrapy makes a command of each ScrapyCommand subclass defined in a module of the package.
    assert not [
        value for value in vars(storecommand).values()
        if isinstance(value, type) and issubclass(value, ScrapyCommand) and value.__module__ == storecommand.__name__
    ]


def test_the_store_is_the_named_one_or_images_store() -> None:
    command = PublishCommand()
    command.settings = project_settings({"IMAGES_STORE": "/tmp/somewhere"})
    assert command.store_uri(None) == "/tmp/somewhere"
    assert command.store_uri("s3://bucket/prefix") == "s3://bucket/prefix"
    assert command.store_uri("file:///srv/data") == "file:///srv/data"


@pytest.mark.parametrize(
    ("named", "images_store", "message"),
    [
        (None, "", "IMAGES_STORE '' names no folder"),
        (None, "file://", "IMAGES_STORE 'file://' names no folder"),
        ("", "data", "the store '' names no folder"),
        ("file:// ", "data", "the store 'file:// ' names no folder"),
        ("ftp://host/data", "data", "the store 'ftp://host/data' is neither a folder nor s3://bucket/prefix"),
    ],
)
def test_a_store_that_names_no_folder_is_refused(named: str | None, images_store: str, message: str) -> None:
    command = PublishCommand()
    command.settings = project_settings({"IMAGES_STORE": images_store})
    with pytest.raises(ArgumentError, match=message.replace("/", ".")):
        command.store_uri(named)
