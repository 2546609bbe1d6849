"""imagespider/dataset/export/publish.py: a store assembled from its rows. A local store: its documents
rewritten (under its lock, with the repairs an open makes), counted. An object store filled by
several workers (moto's in-process S3, tests/servers.py): images without a row and rows without an
image set aside under .orphans/, the manifest, rejected rows and crawls gathered, the documents
written; publishing again changes nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from imagespider.dataset.export.publish import publish_local, publish_objects
from imagespider.dataset.objectstore.client import CRAWLS_PREFIX, ORPHANS_PREFIX, REJECTED_PREFIX
from imagespider.dataset.store.lock import StoreLocked
from tests.servers import SHA, in_memory_store, put_image
from tests.stores import opened, row, store_file


def test_a_local_store_gets_its_documents_and_counts(tmp_path: Path) -> None:
    dataset = opened(tmp_path)
    for n in (1, 2):
        dataset.add(row(n, title=f"Cat {n}", license="cc0"))
        store_file(tmp_path, row(n)["file_name"])
    dataset.reject({"url": "https://h/9.jpg", "reason": "too_small"})
    dataset.close()
    (tmp_path / "ATTRIBUTION.md").unlink(missing_ok=True)
    published = publish_local(tmp_path)
    assert (published.images, published.rejected, published.orphans) == (2, 1, [])
    attribution = (tmp_path / "ATTRIBUTION.md").read_text(encoding="utf-8")
    assert "Cat 1" in attribution and "Cat 2" in attribution
    assert (tmp_path / "report.html").exists() and (tmp_path / "README.md").exists()


def test_a_local_store_being_written_is_refused(tmp_path: Path) -> None:
    holder = opened(tmp_path)
    try:
        with pytest.raises(StoreLocked):
            publish_local(tmp_path)
    finally:
        holder.close()


def test_an_object_store_is_assembled_and_orphans_set_aside() -> None:
    with in_memory_store() as store:
        put_image(store, 0)
        put_image(store, 3, label="dog")
        put_image(store, 1, sidecar=False)
        put_image(store, 2, image=False)
        put_image(store, 4)
        store.put(f"cat/{SHA[4]}.json", b"\x00 damaged, not a row")
        store.put(f"{REJECTED_PREFIX}0002.json", b'{"url": "https://h/2.jpg", "reason": "duplicate"}')
        store.put(f"{REJECTED_PREFIX}0001.json", b"torn")
        store.put(f"{CRAWLS_PREFIX}20261130T100000-bing.json", b'{"id": "20261130T100000-bing", "kept": 2}')
        published = publish_objects(store, grace=0)  # the image with no sidecar is not a crawl's in flight
        assert (published.images, published.rejected) == (2, 1)
        # An image whose sidecar is not a row goes aside with it: no image is left without its row.
        aside = [f"cat/{SHA[1]}.jpg", f"cat/{SHA[2]}.json", f"cat/{SHA[4]}.jpg", f"cat/{SHA[4]}.json"]
        assert sorted(published.orphans) == aside
        assert set(store.keys(ORPHANS_PREFIX)) == {ORPHANS_PREFIX + key for key in aside}
        assert store.get(f"{ORPHANS_PREFIX}cat/{SHA[4]}.json") == b"\x00 damaged, not a row"
        manifest = [json.loads(line) for line in (store.get("metadata.jsonl") or b"").splitlines()]
        assert [row["file_name"] for row in manifest] == [f"cat/{SHA[0]}.jpg", f"dog/{SHA[3]}.jpg"]
        assert json.loads(store.get("rejected.jsonl") or b"")["reason"] == "duplicate"
        assert json.loads(store.get("crawls.jsonl") or b"")["kept"] == 2
        assert {"ATTRIBUTION.md", "report.html", "README.md"} <= set(store.keys())
        again = publish_objects(store, grace=0)  # idempotent: nothing more to set aside, the same documents
        assert (again.images, again.orphans) == (2, [])


def test_a_row_whose_license_fields_are_lists_or_objects_is_published_not_a_traceback() -> None:
    """A sidecar (or manifest line) edited by hand with ``"license": {...}``: the index keyed its
    license-label cache by those values, and a dict is no key (TypeError: publish died, and a
    local store's every open with it)."""
    with in_memory_store() as store:
        put_image(store, 0)
        put_image(store, 1)
        damaged = {"label": "cat", "license": {"id": "cc0"}, "license_version": ["1.0"], "license_url": None}
        store.put(f"cat/{SHA[1]}.json", json.dumps(damaged).encode())
        published = publish_objects(store)
        assert (published.images, published.orphans) == (2, [])
        assert {"metadata.jsonl", "ATTRIBUTION.md", "README.md"} <= set(store.keys())


def test_a_local_store_with_such_a_row_opens_and_publishes(tmp_path: Path) -> None:
    dataset = opened(tmp_path)
    dataset.add(row(1, license="cc0"))
    store_file(tmp_path, row(1)["file_name"])
    dataset.close()
    damaged = {**row(2), "license": {"id": "cc0"}, "license_url": ["https://x"]}
    store_file(tmp_path, damaged["file_name"])
    with (tmp_path / "metadata.jsonl").open("a", encoding="utf-8") as manifest:
        manifest.write(json.dumps(damaged) + "\n")
    (tmp_path / ".index.sqlite").unlink(missing_ok=True)
    assert publish_local(tmp_path).images == 2


def test_an_image_whose_sidecar_is_not_written_yet_is_left_in_place() -> None:
    """Issue 28 item 3: a publish while a worker was between its image's put and its sidecar's
    moved the image to .orphans/, and the worker's row then named an image the store did not hold."""
    with in_memory_store() as store:
        put_image(store, 0)
        put_image(store, 1, sidecar=False)  # just put: its worker is building the row
        published = publish_objects(store)
        assert (published.images, published.orphans, published.young) == (1, [], 1)
        assert store.get(f"cat/{SHA[1]}.jpg") is not None and not list(store.keys(ORPHANS_PREFIX))
        put_image(store, 1, image=False)  # the sidecar arrives
        assert publish_objects(store).images == 2


def test_rejected_rows_of_several_workers_are_merged_in_the_order_written() -> None:
    with in_memory_store() as store:
        put_image(store, 0)
        for worker, stamps in (("a", (1, 4, 5)), ("b", (2, 3, 6))):
            for stamp in stamps:
                key = f"{REJECTED_PREFIX}{worker}/{1765000000000000000 + stamp}-{stamp}.json"
                store.put(key, json.dumps({"n": stamp}).encode())
        assert publish_objects(store).rejected == 6
        assert [json.loads(line)["n"] for line in (store.get("rejected.jsonl") or b"").splitlines()] == [1, 2, 3, 4, 5, 6]
