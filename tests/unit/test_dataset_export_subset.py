"""publish_subset on real files: a hostile row's file name is never followed outside the store."""

from __future__ import annotations

import json
from pathlib import Path

from imagespider.dataset.export.subset import publish_subset
from imagespider.rights.policy import Policy


def test_a_row_naming_a_file_outside_the_store_is_left_out(tmp_path: Path) -> None:
    store, out = tmp_path / "store", tmp_path / "out"
    (store / "cat").mkdir(parents=True)
    (store / "cat" / "a.jpg").write_bytes(b"a")
    (tmp_path / "secret.jpg").write_bytes(b"secret")
    rows = [
        {"file_name": "cat/a.jpg", "label": "cat", "license": "cc0", "sha256": "a" * 64},
        {"file_name": "../secret.jpg", "label": "cat", "license": "cc0", "sha256": "b" * 64},
        {"file_name": "cat/gone.jpg", "label": "cat", "license": "cc0", "sha256": "c" * 64},
        {"file_name": "cat/b.jpg", "label": "cat", "license": "unknown", "sha256": "d" * 64},
    ]
    (store / "metadata.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    subset = publish_subset(store, out, Policy.parse("share"))
    assert subset.images == 1 and dict(subset.left_out) == {"file_missing": 2, "license_unnamed": 1}
    assert not (tmp_path / "secret.jpg").samefile(out / "cat" / "a.jpg")
    assert not list(out.rglob("secret.jpg"))
    assert [json.loads(line)["file_name"] for line in (out / "metadata.jsonl").read_text().splitlines()] == ["cat/a.jpg"]


def _put(store, label: str, data: bytes, license: str, name: str | None = None) -> str:  # type: ignore[no-untyped-def]
    import hashlib

    sha = hashlib.sha256(data).hexdigest()
    stem = name or f"{label}/{sha}"
    store.put(f"{stem}.jpg", data, "image/jpeg")
    store.put(f"{stem}.json", json.dumps({"file_name": f"{stem}.jpg", "label": label, "sha256": sha,
                                          "license": license}).encode())
    return sha


def test_an_object_stores_subset_is_published_into_a_local_folder(tmp_path: Path) -> None:
    """Issue 29: publish --license from an object store was refused; now its images are fetched, checked
    against their sha256, and its crawls' rows gathered."""
    from imagespider.dataset.export.subset import publish_object_subset
    from imagespider.dataset.objectstore.client import CRAWLS_PREFIX
    from tests.servers import in_memory_store, put_image

    out = tmp_path / "out"
    with in_memory_store() as store:
        kept = _put(store, "cat", b"\xff\xd8 a cc0 cat", "cc0")
        _put(store, "cat", b"\xff\xd8 a cat of unknown license", "unknown")
        put_image(store, 3)  # its bytes are not the sha256 its key names
        store.put(f"{CRAWLS_PREFIX}20261207T000000Z-openverse-abc.json", json.dumps({"id": "c1", "kept": 3}).encode())
        subset = publish_object_subset(store, out, Policy.parse("share"))
    assert subset.images == 1 and dict(subset.left_out) == {"license_unnamed": 1, "file_unreadable": 1}
    (row,) = [json.loads(line) for line in (out / "metadata.jsonl").read_text().splitlines()]
    assert row["sha256"] == kept and (out / row["file_name"]).read_bytes() == b"\xff\xd8 a cc0 cat"
    assert json.loads((out / "crawls.jsonl").read_text())["id"] == "c1"
    assert "This set was published with the license policy `share`" in (out / "README.md").read_text()


def test_an_object_store_failing_midway_leaves_no_half_set(tmp_path: Path) -> None:
    import botocore.exceptions
    import pytest

    from imagespider.dataset.export.subset import publish_object_subset
    from tests.servers import in_memory_store

    out = tmp_path / "out"
    out.mkdir()  # an empty folder the user made: it stays, empty
    with in_memory_store() as store:
        for n in range(3):
            _put(store, "cat", b"\xff\xd8 cat %d" % n, "cc0")
        real = store.client.get_object
        calls = []

        def flaky(**kwargs):  # type: ignore[no-untyped-def]
            calls.append(kwargs["Key"])
            if len(calls) > 3:  # the network goes away after the first image
                raise botocore.exceptions.EndpointConnectionError(endpoint_url="http://s3")
            return real(**kwargs)

        store.client.get_object = flaky
        with pytest.raises(botocore.exceptions.EndpointConnectionError):
            publish_object_subset(store, out, Policy.parse("share"))
    assert out.is_dir() and not list(out.iterdir())
