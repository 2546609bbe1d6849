"""imagespider/commands/export.py in-process: ``--shard-size`` read as a size in bytes, a bad one
refused by argparse with an example; a store or an output folder that cannot be used is one line
and a non-zero exit, not a traceback. The command end to end (shards loaded back) is
tests/crawl/test_export.py."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

import pytest
from scrapy.exceptions import UsageError

from imagespider.commands.export import Command as ExportCommand
from imagespider.commands.export import byte_size
from tests.servers import AWS, in_memory_store
from tests.settings import project_settings


@pytest.mark.parametrize(
    ("text", "size"),
    [("4096", 4096), ("500M", 500 << 20), ("1g", 1 << 30), ("1.5k", 1536), (" 2MB ", 2 << 20), ("10b", 10)],
)
def test_sizes_in_bytes(text: str, size: int) -> None:
    assert byte_size(text) == size


@pytest.mark.parametrize("text", ["", "M", "lots", "inf", "1e400"])
def test_a_bad_size_is_an_argparse_error_with_an_example(text: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError, match=r"not a size: .* \(e\.g\. 500M, 1G\)"):
        byte_size(text)


def run_export(args: list[str], caplog: pytest.LogCaptureFixture, **settings: str) -> ExportCommand:
    """The command in-process, with its own option defaults."""
    command = ExportCommand()
    command.settings = project_settings({**AWS, **settings})
    parser = argparse.ArgumentParser()
    command.add_options(parser)
    opts, rest = parser.parse_known_args(args)
    with caplog.at_level(logging.INFO, logger="imagespider"):
        command.run(rest, opts)
    return command


@pytest.mark.parametrize(
    ("store", "message"),
    [("s3://", "s3:// names no bucket"), ("s3:///cats", "names no bucket")],
)
def test_an_object_store_with_no_bucket_is_a_usage_error(
    store: str, message: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    assert run_export([str(tmp_path / "out"), "--store", store], caplog).exitcode == 2
    assert message in caplog.text


def test_a_bucket_that_does_not_exist_is_one_line_and_exit_1(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with in_memory_store():
        command = run_export([str(tmp_path / "out"), "--store", "s3://no-such-bucket/cats"], caplog)
    assert command.exitcode == 1
    assert "cannot use the object store s3://no-such-bucket/cats: " in caplog.text and "NoSuchBucket" in caplog.text


def test_an_output_folder_that_cannot_be_made_is_one_line_and_exit_1(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "a-file").write_text("not a folder")
    command = run_export([str(tmp_path / "a-file"), "--store", str(tmp_path / "data")], caplog)
    assert command.exitcode == 1
    assert f"cannot write the shards in {tmp_path / 'a-file'}: " in caplog.text
    assert (tmp_path / "a-file").read_text() == "not a folder"


@pytest.mark.parametrize("inside", [".", "shards", "cat/shards"])
def test_an_output_folder_inside_the_store_is_refused(
    inside: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Shards written into a local store make folders of it that are no class (webdataset/,
    parquet/, shards/): torchvision's ImageFolder takes each for a class and fails on it."""
    store = tmp_path / "data"
    (store / "cat").mkdir(parents=True)
    (store / "metadata.jsonl").write_text("")
    before = sorted(path.relative_to(store).as_posix() for path in store.rglob("*"))
    command = run_export([str(store / inside), "--store", str(store)], caplog)
    assert command.exitcode == 2
    assert "is inside the store" in caplog.text
    assert sorted(path.relative_to(store).as_posix() for path in store.rglob("*")) == before


@pytest.mark.parametrize("out", ["", "  "])
def test_an_empty_output_folder_is_a_usage_error(out: str, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """"" would be the working directory: the shards among a project's files."""
    with pytest.raises(UsageError, match="name one output folder, such as shards"):
        run_export([out, "--store", str(tmp_path / "data")], caplog)
