"""imagespider/commands/publish.py in-process: a store that cannot be published is refused with one
line and a non-zero exit, never a traceback (an object store with no bucket, a bad endpoint, a
bucket that does not exist; a folder that is not a store, whose README.md would be overwritten)."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

import pytest

from imagespider.commands.publish import Command
from tests.servers import AWS, in_memory_store
from tests.settings import project_settings


def run(store: str, caplog: pytest.LogCaptureFixture, **settings: str) -> Command:
    command = Command()
    command.settings = project_settings({**AWS, **settings})
    with caplog.at_level(logging.ERROR, logger="imagespider"):
        command.run([store], argparse.Namespace())
    return command


@pytest.mark.parametrize(
    ("store", "settings", "message"),
    [
        ("s3://", {}, "names no bucket"),
        ("s3:///cats", {}, "names no bucket"),
        ("s3://bucket/cats", {"AWS_ENDPOINT_URL": "minio.local:9000"}, "AWS_ENDPOINT_URL 'minio.local:9000' is not"),
        ("s3://bucket/cats", {"PUBLISH_ORPHAN_GRACE": "soon"}, "PUBLISH_ORPHAN_GRACE must be a number"),
        ("s3://bucket/cats", {"PUBLISH_ORPHAN_GRACE": "-1"}, "PUBLISH_ORPHAN_GRACE must be at least 0"),
    ],
)
def test_a_store_that_names_no_bucket_or_a_bad_endpoint_is_a_usage_error(
    store: str, settings: dict[str, str], message: str, caplog: pytest.LogCaptureFixture
) -> None:
    assert run(store, caplog, **settings).exitcode == 2
    assert message in caplog.text


def test_a_bucket_that_does_not_exist_is_one_line_and_exit_1(caplog: pytest.LogCaptureFixture) -> None:
    with in_memory_store():
        command = run("s3://no-such-bucket/cats", caplog)
    assert command.exitcode == 1
    assert "cannot use the object store s3://no-such-bucket/cats: " in caplog.text
    assert "NoSuchBucket" in caplog.text and "Traceback" not in caplog.text


@pytest.mark.parametrize("exists", [True, False])
def test_a_folder_that_is_not_a_store_is_refused_and_left_alone(
    exists: bool, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # `scrapy publish .` in a project: the dataset card would overwrite the project's README.md.
    folder = tmp_path / "project"
    if exists:
        folder.mkdir()
        (folder / "README.md").write_text("# my project\n")
    assert run(str(folder), caplog).exitcode == 1
    assert f"{folder} is not a store: it holds no metadata.jsonl" in caplog.text
    assert sorted(path.name for path in folder.iterdir()) == ["README.md"] if exists else not folder.exists()
    if exists:
        assert (folder / "README.md").read_text() == "# my project\n"
