"""IMAGES_STORE=s3://bucket/prefix end to end against a real S3-compatible server (moto's, on
loopback): images through Scrapy's S3FilesStore, a sidecar row per image, published at the
crawl's end, then ``scrapy publish`` again (idempotent) and ``scrapy export`` from the bucket."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import run_scrapy
from tests.mockserver import MockHTTPServer
from tests.servers import s3_client, s3_server, s3_settings


@pytest.fixture(scope="module")
def s3() -> Iterator[str]:
    with s3_server() as endpoint:
        s3_client(endpoint).create_bucket(Bucket="datasets")
        yield endpoint


def objects(endpoint: str, prefix: str) -> dict[str, bytes]:
    client = s3_client(endpoint)
    found = {}
    for page in client.get_paginator("list_objects_v2").paginate(Bucket="datasets", Prefix=prefix):
        for entry in page.get("Contents", ()):
            key = entry["Key"]
            found[key[len(prefix):]] = client.get_object(Bucket="datasets", Key=key)["Body"].read()
    return found


def crawl(mockserver: MockHTTPServer, s3: str, store: str, *args: str) -> Any:
    return run_scrapy(
        "crawl", "openverse", *args, "-a", "license=any",
        "-s", f"OPENVERSE_API_URL={mockserver.base}", "-s", f"IMAGES_STORE={store}",
        "-s", 'DOWNLOAD_SLOTS={"openverse-api": {"delay": 0}}', *s3_settings(s3),
        env={"OPENVERSE_CLIENT_ID": "", "OPENVERSE_CLIENT_SECRET": ""},
    )


def test_crawl_into_a_bucket_then_publish_and_export(mockserver: MockHTTPServer, s3: str, tmp_path: Path) -> None:
    result = crawl(mockserver, s3, "s3://datasets/animals", "-a", "q=cat", "-a", "limit=5")
    assert result.returncode == 0, result.stderr[-3000:]
    found = objects(s3, "animals/")
    images = {k: v for k, v in found.items() if k.startswith("cat/") and not k.endswith(".json")}
    sidecars = {k: json.loads(v) for k, v in found.items() if k.startswith("cat/") and k.endswith(".json")}
    assert len(images) == 5 and len(sidecars) == 5
    for key, data in images.items():
        sha = hashlib.sha256(data).hexdigest()
        assert key.startswith(f"cat/{sha}.")
        assert sidecars[f"cat/{sha}.json"]["file_name"] == key
        head = s3_client(s3).head_object(Bucket="datasets", Key=f"animals/{key}")
        assert head["CacheControl"] == "max-age=172800", "put with Scrapy's S3FilesStore's Cache-Control"
    # published at the crawl's end: the same files a local store has
    manifest = [json.loads(line) for line in found["metadata.jsonl"].decode().splitlines()]
    assert sorted(row["file_name"] for row in manifest) == sorted(images)
    for name in ("ATTRIBUTION.md", "report.html", "README.md", "rejected.jsonl", "crawls.jsonl"):
        assert name in found, name
    crawls = [json.loads(line) for line in found["crawls.jsonl"].decode().splitlines()]
    assert [(c["spider"], c["kept"]) for c in crawls] == [("openverse", 5)], "the crawl's row, as a local store has"

    again = run_scrapy("publish", "s3://datasets/animals", *s3_settings(s3))
    assert again.returncode == 0, again.stderr[-3000:]
    assert "published s3://datasets/animals: 5 images" in again.stderr
    assert objects(s3, "animals/")["metadata.jsonl"] == found["metadata.jsonl"], "publishing is idempotent"

    out = tmp_path / "shards"
    exported = run_scrapy("export", str(out), "--store", "s3://datasets/animals", "--format", "parquet",
                          *s3_settings(s3))
    assert exported.returncode == 0, exported.stderr[-3000:]
    assert json.loads((out / "shards.json").read_text())["samples"] == 5


def test_publish_sets_orphans_aside_and_a_second_crawl_skips_what_is_kept(
    mockserver: MockHTTPServer, s3: str
) -> None:
    store = "s3://datasets/resumed"
    first = crawl(mockserver, s3, store, "-a", "q=cat", "-a", "limit=3")
    assert first.returncode == 0, first.stderr[-3000:]
    client = s3_client(s3)
    # a worker killed between the image and its row leaves an image with no sidecar
    orphan = "resumed/cat/" + "0" * 64 + ".jpg"
    client.put_object(Bucket="datasets", Key=orphan, Body=b"\xff\xd8 not really")
    # and a row whose image is gone
    client.put_object(Bucket="datasets", Key="resumed/cat/" + "1" * 64 + ".json", Body=b'{"file_name": "x"}')
    # (PUBLISH_ORPHAN_GRACE=0: the image just put stands for one a killed worker left long ago)
    second = crawl(mockserver, s3, store, "-a", "q=cat", "-a", "limit=6", "-a", "mode=top-up",
                   "-s", "PUBLISH_ORPHAN_GRACE=0")
    assert second.returncode == 0, second.stderr[-3000:]
    found = objects(s3, "resumed/")
    images = sorted(k for k in found if k.startswith("cat/") and not k.endswith(".json"))
    sidecars = sorted(k for k in found if k.startswith("cat/") and k.endswith(".json"))
    assert len(images) == 6, "a top-up fills the class to its limit from the bucket's rows"
    assert [k.rsplit(".", 1)[0] for k in images] == [k.rsplit(".", 1)[0] for k in sidecars]
    assert ".orphans/cat/" + "0" * 64 + ".jpg" in found and ".orphans/cat/" + "1" * 64 + ".json" in found
    rows = [json.loads(line) for line in found["metadata.jsonl"].decode().splitlines()]
    assert sorted(row["file_name"] for row in rows) == images
    assert len({row["sha256"] for row in rows}) == 6


def test_publish_leaves_an_image_whose_row_is_being_written_in_place(s3: str) -> None:
    """Issue 28 item 3: an object store has no lock, and a publish moved to .orphans/ the image a
    crawl had just put and was about to write the row of."""
    client = s3_client(s3)
    image = "inflight/cat/" + "2" * 64 + ".jpg"
    client.put_object(Bucket="datasets", Key=image, Body=b"\xff\xd8 its row comes next")
    result = run_scrapy("publish", "s3://datasets/inflight", *s3_settings(s3))
    assert result.returncode == 0, result.stderr[-3000:]
    assert "left 1 images with no row yet in place" in result.stderr
    found = objects(s3, "inflight/")
    assert "cat/" + "2" * 64 + ".jpg" in found and not [key for key in found if key.startswith(".orphans/")]
    later = run_scrapy("publish", "s3://datasets/inflight", "-s", "PUBLISH_ORPHAN_GRACE=0", *s3_settings(s3))
    assert later.returncode == 0, later.stderr[-3000:]
    assert ".orphans/cat/" + "2" * 64 + ".jpg" in objects(s3, "inflight/")


def test_gs_stores_go_through_the_s3_api_named_by_aws_endpoint_url(
    mockserver: MockHTTPServer, s3: str, tmp_path: Path
) -> None:
    """gs://bucket/prefix is the same store through GCS's S3-compatible XML API (here moto plays it)."""
    result = crawl(mockserver, s3, "gs://datasets/gcs", "-a", "q=cat", "-a", "limit=2")
    assert result.returncode == 0, result.stderr[-3000:]
    found = objects(s3, "gcs/")
    assert len([k for k in found if k.startswith("cat/") and not k.endswith(".json")]) == 2
    assert "metadata.jsonl" in found
    for command in (["crawl", "openverse", "-a", "q=cat"], ["publish"], ["export", str(tmp_path / "out")]):
        refused = run_scrapy(*command, "-s", "IMAGES_STORE=gs://datasets/gcs")
        assert refused.returncode == 2, (command, refused.stderr[-2000:])
        assert "Traceback" not in refused.stderr
        assert "set AWS_ENDPOINT_URL=https://storage.googleapis.com" in refused.stderr, command


def test_publish_the_share_part_of_a_bucket_crawled_with_any(mockserver: MockHTTPServer, s3: str, tmp_path: Path) -> None:
    """Issue 29: `scrapy publish s3://... --license P --to FOLDER` was refused ("publishes from a local store")."""
    from imagespider.dataset.documents.attribution import license_of
    from imagespider.rights.policy import Policy

    result = crawl(mockserver, s3, "s3://datasets/shareable", "-a", "q=cat", "-a", "limit=8")
    assert result.returncode == 0, result.stderr[-3000:]
    rows = [json.loads(line) for line in objects(s3, "shareable/")["metadata.jsonl"].decode().splitlines()]
    keeps = [row for row in rows if Policy.parse("share,commercial").check(license_of(row)) is None]
    assert 0 < len(keeps) < len(rows)  # the Openverse tapes hold NC licenses too
    out = tmp_path / "shared"
    published = run_scrapy("publish", "s3://datasets/shareable", "--license", "share,commercial", "--to", str(out),
                           *s3_settings(s3))
    assert published.returncode == 0, published.stderr[-3000:]
    assert (f"published {len(keeps)} images the license policy share,commercial keeps into {out}; "
            f"left out {len(rows) - len(keeps)} (") in published.stderr
    manifest = [json.loads(line) for line in (out / "metadata.jsonl").read_text().splitlines()]
    assert sorted(row["sha256"] for row in manifest) == sorted(row["sha256"] for row in keeps)
    for row in manifest:  # the images themselves, fetched from the bucket
        assert hashlib.sha256((out / row["file_name"]).read_bytes()).hexdigest() == row["sha256"]
    card = (out / "README.md").read_text(encoding="utf-8")
    assert "This set was published with the license policy `share,commercial`" in card
    assert f"{len(keeps)} images in 1 class" in card
    (crawl_row,) = [json.loads(line) for line in (out / "crawls.jsonl").read_text().splitlines()]
    assert crawl_row["spider"] == "openverse" and crawl_row["finish_reason"] == "finished"
    # A bucket that is not there: one line, exit 1, nothing written.
    missing = tmp_path / "none"
    refused = run_scrapy("publish", "s3://nosuchbucket/x", "--license", "share", "--to", str(missing), *s3_settings(s3))
    assert refused.returncode == 1 and "Traceback" not in refused.stderr, refused.stderr[-3000:]
    assert "nothing was written into" in refused.stderr and not missing.exists()
