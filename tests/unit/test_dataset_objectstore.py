"""imagespider/dataset/objectstore/ in-process, against moto's in-memory S3 (``moto.mock_aws``:
botocore's calls answered in this process, no server, no network): store URIs and settings read
into a config; keys listed, read, written and moved under the store's prefix; the layout of
images, their sidecar rows and rejected rows; rows only for images that exist. Publishing such a
store is in test_dataset_publish.py; a crawl into a real S3-compatible server (moto's, in a child
process) in tests/crawl/test_objectstore.py."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from imagespider.dataset.objectstore.client import REJECTED_PREFIX, ObjectStore
from imagespider.dataset.objectstore.config import ObjectStoreConfig, normal_uri, split_uri
from imagespider.dataset.objectstore.dataset import ObjectDataset
from imagespider.dataset.objectstore.source import ObjectSource
from imagespider.dataset.store.lock import StoreRefused
from imagespider.errors import ArgumentError
from tests.servers import AWS, SHA, in_memory_store, put_image


@pytest.mark.parametrize(
    ("uri", "parts", "normal"),
    [
        ("s3://bucket", ("bucket", ""), "s3://bucket/"),
        ("s3://bucket/", ("bucket", ""), "s3://bucket/"),
        ("s3://bucket/a/b", ("bucket", "a/b/"), "s3://bucket/a/b/"),
        ("gs://bucket//a/", ("bucket", "a/"), "s3://bucket/a/"),
    ],
)
def test_a_store_uri_is_a_bucket_and_a_prefix_ending_in_a_slash(uri: str, parts: tuple[str, str], normal: str) -> None:
    assert split_uri(uri) == parts
    assert normal_uri(uri) == normal


def test_the_config_comes_from_the_aws_settings_and_gcs_needs_its_endpoint() -> None:
    config = ObjectStoreConfig.from_settings("s3://data/cats", {**AWS, "AWS_ENDPOINT_URL": ""})
    assert (config.bucket, config.prefix, config.endpoint_url, config.access_key, config.region) == (
        "data", "cats/", None, "testing", "us-east-1",
    )
    assert config.uri == "s3://data/cats/"
    with pytest.raises(ArgumentError, match="AWS_ENDPOINT_URL=https://storage.googleapis.com"):
        ObjectStoreConfig.from_settings("gs://data/cats", {})


def test_aws_use_ssl_and_aws_verify_reach_the_client_as_scrapy_s3_store_passes_them(tmp_path: Path) -> None:
    plain = ObjectStoreConfig.from_settings("s3://data/cats", AWS)
    assert (plain.use_ssl, plain.verify) == (None, None)
    assert plain.client()._endpoint.http_session._verify is not False  # botocore's default: verified
    off = ObjectStoreConfig.from_settings("s3://data/cats", {**AWS, "AWS_USE_SSL": "False", "AWS_VERIFY": "0"})
    assert (off.use_ssl, off.verify) == (False, False)
    assert off.client()._endpoint.http_session._verify is False
    bundle = tmp_path / "ca.pem"
    bundle.write_text("")
    named = ObjectStoreConfig.from_settings("s3://data/cats", {**AWS, "AWS_VERIFY": str(bundle)})
    assert named.verify == str(bundle)
    without_endpoint = ObjectStoreConfig.from_settings(
        "s3://data/cats", {**AWS, "AWS_ENDPOINT_URL": "", "AWS_USE_SSL": False},
    )
    assert without_endpoint.client().meta.endpoint_url.startswith("http://")
    with pytest.raises(ArgumentError, match="AWS_USE_SSL / AWS_VERIFY 'maybe' is not a yes/no value"):
        ObjectStoreConfig.from_settings("s3://data/cats", {**AWS, "AWS_USE_SSL": "maybe"})


@pytest.fixture
def store() -> Iterator[ObjectStore]:
    with in_memory_store() as store:
        yield store


def test_keys_get_put_and_move_stay_under_the_prefix(store: ObjectStore) -> None:
    store.put("a/b.txt", b"one", "text/plain")
    assert list(store.keys()) == ["a/b.txt"]  # the object outside the prefix is not the store's
    assert store.get("a/b.txt") == b"one" and store.get("missing") is None
    store.move("a/b.txt", "c/d.txt")
    assert list(store.keys()) == ["c/d.txt"] and store.get("a/b.txt") is None


def test_layout_pairs_images_with_their_rows_and_rows_need_their_image(store: ObjectStore) -> None:
    put_image(store, 0)
    put_image(store, 1, label="dog", sidecar=False)  # an image whose worker died before its row
    put_image(store, 2, image=False)  # a row whose image never arrived
    store.put(f"{REJECTED_PREFIX}0001.json", b'{"reason": "too_small"}')
    store.put("README.md", b"# not an image")
    images, sidecars, rejected = store.layout()
    assert set(images) == {f"cat/{SHA[0]}", f"dog/{SHA[1]}"}
    assert set(sidecars) == {f"cat/{SHA[0]}", f"cat/{SHA[2]}"}
    assert rejected == [f"{REJECTED_PREFIX}0001.json"]
    assert [row["sha256"] for row in store.rows()] == [SHA[0]]
    assert list(ObjectSource(store).rows()) == list(store.rows())
    assert ObjectSource(store).read(f"cat/{SHA[0]}.jpg") == b"\xff\xd8 image " + SHA[0].encode()


def test_a_sidecar_naming_another_file_is_read_as_the_row_of_its_own_image(store: ObjectStore) -> None:
    """A sidecar copied from another image's (or edited by hand) made the published manifest
    name a file the store does not hold, and the image beside it go unlisted."""
    import json

    put_image(store, 0)
    put_image(store, 1, sidecar=False)
    store.put(f"cat/{SHA[1]}.json", json.dumps({"file_name": "../../etc/passwd", "sha256": "x", "label": "cat"}).encode())
    rows = list(store.rows())
    assert [(row["file_name"], row["sha256"]) for row in rows] == [(f"cat/{SHA[n]}.jpg", SHA[n]) for n in (0, 1)]


def test_a_store_that_cannot_be_read_leaves_no_scratch_folder() -> None:
    """The crawl's scratch index of the bucket is made before the bucket is read; a refused open
    (here: no such bucket) gets no close(), so it removes the folder itself."""
    with in_memory_store():
        dataset = ObjectDataset("s3://no-such-bucket/x", AWS)
        with pytest.raises(StoreRefused, match="^cannot use the object store s3://no-such-bucket/x"):
            dataset.open()
        assert not dataset.root.exists()


def test_the_crawl_reads_the_published_manifest_a_line_at_a_time(store: ObjectStore, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A published metadata.jsonl of a million rows is gigabytes: the crawl's open streams it into
    its scratch manifest (the docstring's "holds no row in memory"), never GETs it whole."""
    import json

    put_image(store, 0)
    put_image(store, 1)
    published = {"file_name": f"cat/{SHA[0]}.jpg", "label": "cat", "sha256": SHA[0], "title": "published"}
    store.put("metadata.jsonl", (json.dumps(published) + "\n" + "torn {").encode())
    whole = ObjectStore.get

    def get(self: ObjectStore, key: str) -> bytes | None:
        assert key != "metadata.jsonl", "the published manifest was read whole"
        return whole(self, key)

    monkeypatch.setattr(ObjectStore, "get", get)
    dataset = ObjectDataset(store.config.uri, AWS)
    dataset.store = store
    dataset.open()
    try:
        titles = {row["file_name"]: row.get("title") for row in dataset.iter_rows()}
    finally:
        dataset.close()
    assert titles == {f"cat/{SHA[0]}.jpg": "published", f"cat/{SHA[1]}.jpg": None}


def test_a_sidecar_too_large_to_be_a_row_is_not_read_into_memory(store: ObjectStore, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A row is a few kilobytes; an object of gigabytes at ``cat/<sha>.json`` (damaged, or put
    there by anyone who can write the bucket) is not a row, and is not read whole to find out."""
    import imagespider.dataset.objectstore.client as objectstore

    monkeypatch.setattr(objectstore, "MAX_ROW_BYTES", 300)
    put_image(store, 0)
    put_image(store, 1)
    store.put(f"cat/{SHA[1]}.json", b'{"title": "' + b"x" * 400 + b'"}')
    unreadable: list[tuple[str, str]] = []
    rows = list(store.rows(unreadable))
    assert [row["file_name"] for row in rows] == [f"cat/{SHA[0]}.jpg"]
    assert unreadable == [(f"cat/{SHA[1]}.json", f"cat/{SHA[1]}.jpg")]
    assert store.row(f"cat/{SHA[1]}.json") is None and store.row(f"cat/{SHA[0]}.json") is not None


def test_export_names_an_image_left_out_because_its_sidecar_is_not_a_row(store: ObjectStore, caplog) -> None:  # type: ignore[no-untyped-def]
    """A local store's damaged manifest line is named in a warning when read; a damaged sidecar
    left its image out of ``scrapy export`` without a word."""
    import logging

    put_image(store, 0)
    put_image(store, 1)
    store.put(f"cat/{SHA[1]}.json", b"{torn")
    with caplog.at_level(logging.WARNING):
        rows = list(ObjectSource(store).rows())
    assert [row["file_name"] for row in rows] == [f"cat/{SHA[0]}.jpg"]
    assert f"skipping cat/{SHA[1]}.jpg: its sidecar cat/{SHA[1]}.json is not a row" in caplog.text


def test_a_crawls_puts_wait_in_threads_and_their_backlog_is_bounded(store: ObjectStore, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Issue 28, item 10: a rejected row's PUT was made on the reactor thread (a stalled store
    stalled every download); now it waits in a thread, the puts waiting are bounded (new images
    wait for room), and the crawl's end waits for them before it publishes."""
    import asyncio
    import threading
    import time

    import imagespider.dataset.objectstore.dataset as objectstore

    monkeypatch.setattr(objectstore, "MAX_PENDING_PUTS", 3)
    dataset = ObjectDataset(store.config.uri, AWS)
    dataset.store = store
    dataset.open()
    answering = threading.Event()
    put = ObjectStore.put

    def stalled_put(self: ObjectStore, key: str, data: bytes, content_type: str = "application/json") -> None:
        answering.wait(10)  # the store does not answer yet
        put(self, key, data, content_type)

    monkeypatch.setattr(ObjectStore, "put", stalled_put)

    async def crawl() -> bool:
        started = time.monotonic()
        for n in range(3):
            dataset.reject({"url": f"http://h/{n}.jpg", "reason": "http_error"})
        assert time.monotonic() - started < 1, "reject() waited for the store"
        room = asyncio.ensure_future(dataset.wait_for_room())
        await asyncio.sleep(0.3)
        full = not room.done()
        answering.set()
        await asyncio.wait_for(room, 5)
        return full

    try:
        assert asyncio.run(crawl()), "a new image did not wait while 3 puts were waiting"
        dataset.flush()
    finally:
        dataset.close()
    assert len(list(store.keys(".rejected/"))) == 3


def test_a_published_manifest_line_longer_than_any_row_is_skipped_not_held(store: ObjectStore, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A published metadata.jsonl holding a whole dataset as one JSON array on one line was read
    whole into memory by botocore's iter_lines when a crawl opened the bucket."""
    from imagespider.dataset.store import jsonl

    monkeypatch.setattr(jsonl, "MAX_LINE_BYTES", 50)
    long = b"[" + b"1," * 100 + b"1]"
    store.put("metadata.jsonl", b'{"a": 1}\n' + long + b'\n{"b": 2}\n{"c": 3}')
    assert list(store.lines("metadata.jsonl")) == [b'{"a": 1}', b'{"b": 2}', b'{"c": 3}']
    assert list(store.lines("absent.jsonl")) == []
