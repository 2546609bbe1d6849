"""The store's dataset card (README.md) makes ``datasets.load_dataset(<store>)`` type every column:
``label`` as a ClassLabel of the store's classes, and a store whose first 10 MB of rows have a null
``author`` loads (without the card, Hugging Face infers ``null`` for it and fails at the first
author). The store is written synthetically: 11 MB of rows cost nothing to write and a crawl of that
size is not needed to show the loader's limit. A real crawl's store loads the same way."""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import sys
from pathlib import Path

import yaml
from PIL import Image

from imagespider.dataset.documents.card import CARD, render_card
from imagespider.dataset.store.manifest import MANIFEST_FIELDS, RIGHTS_FIELDS
from tests.conftest import PROJECT, run_scrapy
from tests.mockserver import MockHTTPServer

LOAD = """
import json, sys, datasets
ds = datasets.load_dataset(sys.argv[1], split="train")
last = ds[-1]
print(json.dumps({"label": repr(ds.features["label"]), "author": repr(ds.features["author"]), "rows": len(ds),
                  "last_author": last["author"], "last_label": ds.features["label"].int2str(last["label"]),
                  "permissions": last["permissions"], "width": repr(ds.features["width"])}))
"""


def load(store: Path, tmp_path: Path) -> dict:
    env = {"HF_HOME": str(tmp_path / "hf"), "HF_DATASETS_OFFLINE": "1", "HF_HUB_OFFLINE": "1", "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [sys.executable, "-c", LOAD, str(store)], cwd=PROJECT, env=env, capture_output=True, text=True,
        timeout=600, check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def synthetic_store(root: Path, null_bytes: int = 11 * 1024 * 1024) -> list[dict]:
    files = []
    for label in ("cat", "dog"):
        (root / label).mkdir(parents=True)
        for i in range(3):
            buffer = io.BytesIO()
            Image.new("RGB", (64, 64), (i * 60, 90, 200 if label == "dog" else 10)).save(buffer, "JPEG")
            sha = hashlib.sha256(buffer.getvalue()).hexdigest()
            (root / label / f"{sha}.jpg").write_bytes(buffer.getvalue())
            files.append((label, f"{label}/{sha}.jpg", sha))
    rows: list[dict] = []

    def row(author: str | None) -> dict:
        label, file_name, sha = files[len(rows) % len(files)]
        return {name: None for name in MANIFEST_FIELDS} | {
            "file_name": file_name, "label": label, "query": label, "engine": "flickr", "title": "a cat " * 300,
            "image_url": f"https://img.example/{len(rows)}.jpg", "author": author, "license": "cc-by",
            "license_version": "2.0", "license_source": "api", "width": 64, "height": 64, "format": "JPEG",
            "bytes": 900, "sha256": sha, "phash": "0" * 16, "retrieved_at": "2026-11-30T00:00:00+00:00",
            "permissions": {"share": True, "commercial": True, "modify": True, "attribution": True, "share_alike": False},
            "rights": {name: None for name in RIGHTS_FIELDS}, "tags": [], "engine_rights": {},
        }

    written = 0
    while written < null_bytes:
        rows.append(row(None))
        written += len(json.dumps(rows[-1])) + 1
    for _ in range(3):
        rows.append(row("Ann Author") | {"tags": ["cat"], "rights": {"creator": "Ann"}, "engine_rights": {"provider": "x"}})
    with (root / "metadata.jsonl").open("w", encoding="utf-8") as handle:
        handle.writelines(json.dumps(r) + "\n" for r in rows)
    (root / CARD).write_text(render_card(rows), encoding="utf-8")
    return rows


def test_a_store_whose_first_10_mb_have_no_author_loads_typed(tmp_path: Path) -> None:
    store = tmp_path / "store"
    rows = synthetic_store(store)
    loaded = load(store, tmp_path)
    assert loaded["label"] == "ClassLabel(names=['cat', 'dog'])"
    assert loaded["author"] == "Value('string')" and loaded["width"] == "Value('int64')"
    assert loaded["rows"] == len(rows)
    assert loaded["last_author"] == "Ann Author" and loaded["last_label"] == rows[-1]["label"]
    assert loaded["permissions"]["share"] is True


def test_without_the_card_the_same_store_fails_to_load(tmp_path: Path) -> None:
    """The limit the card works around is real (so the test above can fail)."""
    store = tmp_path / "store"
    synthetic_store(store)
    (store / CARD).unlink()
    result = subprocess.run(
        [sys.executable, "-c", LOAD, str(store)], cwd=PROJECT, capture_output=True, text=True, timeout=600, check=False,
        env={"HF_HOME": str(tmp_path / "hf"), "HF_DATASETS_OFFLINE": "1", "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode != 0
    assert "author" in result.stderr


def test_a_crawled_store_carries_a_card_and_loads_with_class_labels(mockserver: MockHTTPServer, tmp_path: Path) -> None:
    store = tmp_path / "data"
    queries = tmp_path / "queries.txt"
    queries.write_text("cat\ndog\n", encoding="utf-8")
    result = run_scrapy(
        "crawl", "bing", "-a", f"queries={queries}", "-a", "limit=3", "-a", "license=any",
        "-s", f"BING_SEARCH_URL={mockserver.base}/s/20/images/search", "-s", f"IMAGES_STORE={store}",
        "-s", "SCROLL_WAIT_TIMEOUT=1", "-s", "SCROLL_MAX_STALLS=1", "-s", "SCROLL_STEP_PAUSE=0.05",
    )
    assert result.returncode == 0, result.stderr[-3000:]
    card = (store / CARD).read_text(encoding="utf-8")
    header = yaml.safe_load(card.split("---\n")[1])
    assert header["configs"][0]["config_name"] == "default"
    label = next(f for f in header["dataset_info"]["features"] if f["name"] == "label")
    assert label["dtype"]["class_label"]["names"] == {"0": "cat", "1": "dog"}
    assert "# Image dataset built with imagespider" in card and "| cat | 3 |" in card
    loaded = load(store, tmp_path)
    assert loaded["label"] == "ClassLabel(names=['cat', 'dog'])" and loaded["rows"] == 6
