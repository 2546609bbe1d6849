"""imagespider/commands/crawl.py in-process: what is refused before a crawl starts (the store
setting, the spider's arguments), each as one ArgumentError line. Crawls end to end are
tests/crawl/test_arguments.py."""

from __future__ import annotations

from pathlib import Path

import pytest
from scrapy.settings import Settings

from imagespider import settings as project_settings
from imagespider.commands.crawl import Command
from imagespider.errors import ArgumentError


def command(**extra: object) -> Command:
    settings = Settings()
    settings.setmodule(project_settings)
    settings.update(extra)
    found = Command()
    found.settings = settings
    return found


@pytest.mark.parametrize("store", ["", "file://"])
def test_a_store_setting_naming_no_folder_is_refused(store: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # "file://" is the empty path, the working directory: the dataset's README.md would
    # overwrite the one there.
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ArgumentError, match=r'IMAGES_STORE=(""|file://) names no folder; give one such as -s IMAGES_STORE='):
        command(IMAGES_STORE=store)._check("openverse", {"q": "cat"})
    assert not list(tmp_path.iterdir())


def test_a_folder_store_is_checked_and_created(tmp_path: Path) -> None:
    command(IMAGES_STORE=f"file://{tmp_path}/new")._check("openverse", {"q": "cat"})
    assert (tmp_path / "new").is_dir()
