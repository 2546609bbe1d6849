"""imagespider/dataset/export/sources.py: a store URI names a folder (plain or ``file://``) or an object
store (``s3://``, ``gs://``), each opened as an export source."""

from __future__ import annotations

from pathlib import Path

from moto import mock_aws

from imagespider.dataset.export.exporter import LocalSource
from imagespider.dataset.export.sources import is_object_store, open_source
from imagespider.dataset.objectstore.source import ObjectSource
from tests.servers import AWS
from tests.stores import opened, row, store_file


def test_which_uris_are_object_stores() -> None:
    assert is_object_store("s3://bucket/prefix") and is_object_store("gs://bucket")
    assert not is_object_store("data") and not is_object_store("file:///data") and not is_object_store("/s3://x")


def test_a_folder_is_read_as_it_is_on_disk(tmp_path: Path) -> None:
    dataset = opened(tmp_path)
    dataset.add(row(1))
    dataset.close()
    store_file(tmp_path, row(1)["file_name"], b"bytes of 1")
    for uri in (str(tmp_path), f"file://{tmp_path}"):
        source = open_source(uri, {})
        assert isinstance(source, LocalSource) and source.root == tmp_path
        assert [r["sha256"] for r in source.rows()] == [row(1)["sha256"]]
        assert source.read(row(1)["file_name"]) == b"bytes of 1"


def test_an_object_store_is_read_with_the_aws_settings() -> None:
    with mock_aws():
        source = open_source("s3://datasets/animals", AWS)
        assert isinstance(source, ObjectSource)
        assert (source.store.config.bucket, source.store.config.prefix) == ("datasets", "animals/")
        assert source.store.config.access_key == "testing"
