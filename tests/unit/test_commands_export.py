"""imagespider/commands/export.py in-process: ``--shard-size`` read as a size in bytes, a bad one
refused by argparse with an example. The command end to end (shards loaded back) is
tests/crawl/test_export.py."""

from __future__ import annotations

import argparse

import pytest

from imagespider.commands.export import byte_size


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
