"""``scrapy export`` end to end: a real crawl's store (Openverse mock) becomes WebDataset and
Parquet shards, loaded back with the ``webdataset`` package, pyarrow and Hugging Face ``datasets``."""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from tests.conftest import PROJECT, run_scrapy
from tests.crawl.conftest import Crawl
from tests.mockserver import MockHTTPServer, bing_plan, image_path


@pytest.fixture(scope="module")
def store(crawl: Crawl, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("store")
    queries = root.parent / "queries.txt"
    queries.write_text("cat: cat\ndog: dog\n")
    result = crawl("openverse", "-a", f"queries={queries}", "-a", "limit=6", "-a", "license=any", store=root)
    assert result.returncode == 0, result.stderr[-3000:]
    return root


def manifest(store: Path) -> dict[str, dict[str, Any]]:
    rows = [json.loads(line) for line in (store / "metadata.jsonl").read_text().splitlines()]
    return {row["sha256"]: row for row in rows}


def test_original_bytes_in_webdataset_and_parquet_shards(store: Path, tmp_path: Path) -> None:
    import pyarrow.parquet as pq
    import webdataset as wds

    rows = manifest(store)
    assert len(rows) == 12
    out = tmp_path / "shards"
    result = run_scrapy("export", str(out), "--store", str(store), "--shard-size", "5")
    assert result.returncode == 0, result.stderr[-3000:]
    index = json.loads((out / "shards.json").read_text())
    assert index["samples"] == 12 and index["classes"] == ["cat", "dog"]
    tars = sorted(out.glob("webdataset/*.tar"))
    assert [s["samples"] for s in index["shards"] if s["format"] == "webdataset"] == [5, 5, 2]
    for shard in index["shards"]:
        assert hashlib.sha256((out / shard["path"]).read_bytes()).hexdigest() == shard["sha256"]

    seen = {}
    for sample in wds.WebDataset([str(t) for t in tars], shardshuffle=False):
        meta = json.loads(sample["json"])
        image = next(sample[ext] for ext in ("jpg", "png", "webp", "gif") if ext in sample)
        # unresized, unencoded: the very bytes the crawl kept, keyed by their sha256
        assert hashlib.sha256(image).hexdigest() == sample["__key__"] == meta["sha256"]
        row = rows[meta["sha256"]]
        assert (meta["label"], meta["license"], meta["attribution"]) == (row["label"], row["license"], row["attribution"])
        assert meta["label_id"] == ["cat", "dog"].index(row["label"])
        seen[meta["sha256"]] = meta
    assert seen.keys() == rows.keys()

    table = pq.read_table(str(out / "parquet"))
    assert table.num_rows == 12
    assert {r["key"] for r in table.select(["key"]).to_pylist()} == rows.keys()
    for record in table.to_pylist():
        assert hashlib.sha256(record["image"]["bytes"]).hexdigest() == record["sha256"]


def test_resized_center_crop_jpeg_loads_in_datasets(store: Path, tmp_path: Path) -> None:
    import datasets
    import webdataset as wds

    out = tmp_path / "shards"
    result = run_scrapy(
        "export", str(out), "--store", str(store), "--resize", "64", "--resize-mode", "center_crop",
        "--encode", "jpeg", "--quality", "80", "--shard-bytes", "20K",
    )
    assert result.returncode == 0, result.stderr[-3000:]
    index = json.loads((out / "shards.json").read_text())
    assert index["options"]["resize"] == 64
    last = len(list((out / "webdataset").glob("*.tar"))) - 1
    brace = f"{out}/webdataset/shard-{{000000..{last:06d}}}.tar"  # webdataset's own shard notation
    for sample in wds.WebDataset(brace, shardshuffle=False):
        with Image.open(io.BytesIO(sample["jpg"])) as image:
            assert image.format == "JPEG" and image.size == (64, 64)
    parquet = sorted(str(p) for p in (out / "parquet").glob("*.parquet"))
    assert len(parquet) > 1, "20K of images per shard cuts 12 thumbnails into several shards"
    ds = datasets.load_dataset("parquet", data_files=parquet, split="train", cache_dir=str(tmp_path / "cache"))
    assert len(ds) == 12
    assert isinstance(ds.features["image"], datasets.Image)
    assert ds.features["label_id"].names == ["cat", "dog"]
    first = ds[0]
    assert first["image"].size == (64, 64)
    assert first["license"] and first["attribution"]


def test_keep_ratio_scales_the_shorter_side(store: Path, tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    out = tmp_path / "shards"
    result = run_scrapy("export", str(out), "--store", str(store), "--format", "parquet", "--resize", "40")
    assert result.returncode == 0, result.stderr[-3000:]
    assert not (out / "webdataset").exists()
    for record in pq.read_table(str(out / "parquet")).to_pylist():
        assert min(record["width"], record["height"]) == 40
        ratio = record["original_width"] / record["original_height"]
        assert abs(record["width"] / record["height"] - ratio) < 0.05


def test_bad_options_and_empty_store(store: Path, tmp_path: Path) -> None:
    bad = run_scrapy("export", str(tmp_path / "o"), "--store", str(store), "--format", "zip")
    assert bad.returncode == 2 and "unknown format 'zip'" in bad.stderr
    empty = run_scrapy("export", str(tmp_path / "o"), "--store", str(tmp_path / "nothing"))
    assert empty.returncode == 1 and "holds no exportable image" in empty.stderr
    # file:// is the working directory (the project's, here): one line, and its README.md untouched.
    readme = (PROJECT / "README.md").read_bytes()
    for command in (["publish", "file://"], ["export", str(tmp_path / "o"), "--store", "file://"]):
        refused = run_scrapy(*command)
        assert refused.returncode == 2 and "'file://' names no folder" in refused.stderr, refused.stderr[-2000:]
        assert "Traceback" not in refused.stderr
    assert (PROJECT / "README.md").read_bytes() == readme


def test_publish_rebuilds_a_local_stores_documents_idempotently(store: Path) -> None:
    attribution = (store / "ATTRIBUTION.md").read_text()
    (store / "ATTRIBUTION.md").unlink()
    (store / "README.md").unlink()
    for _ in range(2):
        result = run_scrapy("publish", str(store))
        assert result.returncode == 0, result.stderr[-3000:]
        assert f"published {store}: 12 images" in result.stderr
        assert (store / "ATTRIBUTION.md").read_text() == attribution
        assert (store / "README.md").exists()


def test_export_with_a_license_policy_writes_only_what_it_keeps(store: Path, tmp_path: Path) -> None:
    """Crawled with `any`, exported for sharing: the rows `share,commercial` does not keep are left out, said in a line."""
    from imagespider.dataset.store.credit import license_of
    from imagespider.rights.policy import Policy

    policy = Policy.parse("share,commercial")
    rows = manifest(store)
    keeps = sum(policy.check(license_of(row)) is None for row in rows.values())
    assert 0 < keeps < len(rows)  # the Openverse tapes hold NC licenses too
    out = tmp_path / "shared"
    result = run_scrapy("export", str(out), "--store", str(store), "--license", "share,commercial")
    assert result.returncode == 0, result.stderr[-3000:]
    assert json.loads((out / "shards.json").read_text())["samples"] == keeps
    (line,) = [line for line in result.stderr.splitlines() if "does not keep" in line]
    assert f"left out {len(rows) - keeps} rows the license policy share,commercial does not keep (" in line
    bad = run_scrapy("export", str(tmp_path / "o"), "--store", str(store), "--license", "shar")
    assert bad.returncode == 2 and "unknown license policy word 'shar' in --license shar" in bad.stderr


def test_publish_a_share_only_subset_of_a_store_crawled_with_any(store: Path, tmp_path: Path) -> None:
    from imagespider.dataset.store.credit import license_of
    from imagespider.rights.policy import Policy

    rows = manifest(store)
    keeps = [row for row in rows.values() if Policy.parse("share,commercial").check(license_of(row)) is None]
    assert 0 < len(keeps) < len(rows)
    before = (store / "metadata.jsonl").read_bytes()
    out = tmp_path / "shared"
    result = run_scrapy("publish", str(store), "--license", "share,commercial", "--to", str(out))
    assert result.returncode == 0, result.stderr[-3000:]
    assert f"published {len(keeps)} images the license policy share,commercial keeps into {out}; left out " in result.stderr
    published = manifest(out)
    assert set(published) == {row["sha256"] for row in keeps}
    assert all((out / row["file_name"]).is_file() for row in published.values())
    card = (out / "README.md").read_text(encoding="utf-8")
    assert "This set was published with the license policy `share,commercial`" in card
    assert f"{len(rows) - len(keeps)} images of the store were left out" in card
    assert f"{len(keeps)} images in " in card
    assert (store / "metadata.jsonl").read_bytes() == before  # the store is left as it was
    again = run_scrapy("publish", str(store), "--license", "share", "--to", str(out))
    assert again.returncode == 2 and "is not an empty folder" in again.stderr
    alone = run_scrapy("publish", str(store), "--license", "share")
    assert alone.returncode == 2 and "--license and --to go together" in alone.stderr


def test_the_export_has_a_card_describing_this_set(store: Path, tmp_path: Path) -> None:
    """Issue 29: an export wrote no card; shared without its store, nothing said what it held or how to load it.
    The card describes the exported set (not the store), and its loader snippets read every sample."""
    import re
    import subprocess
    import sys

    from imagespider.dataset.documents.attribution import license_of
    from imagespider.rights.policy import Policy

    rows = manifest(store)
    keeps = [row for row in rows.values() if Policy.parse("share,commercial").check(license_of(row)) is None]
    out = tmp_path / "shared"
    result = run_scrapy("export", str(out), "--store", str(store), "--license", "share,commercial", "--shard-size", "2")
    assert result.returncode == 0, result.stderr[-3000:]
    card = (out / "README.md").read_text(encoding="utf-8")
    classes = {row["label"] for row in keeps}
    assert f"{len(keeps)} images in {len(classes)} class" in card
    assert "Exported with the license policy `share,commercial`" in card
    assert f"{len(rows) - len(keeps)} rows of the store were left out (" in card
    for label in classes:
        assert f"| {label} | {sum(row['label'] == label for row in keeps)} |" in card
    tars = len(list(out.glob("webdataset/*.tar")))
    assert f"| webdataset | {tars} | {len(keeps)} | `webdataset/shard-{{000000..{tars - 1:06d}}}.tar` |" in card
    assert 'path: "parquet/*.parquet"' in card  # load_dataset(OUT) reads the Parquet shards
    # The card's loader snippet, run as a user would paste it, reads every sample of this set.
    (snippet,) = re.findall(r"```python\n(.*?)```", card, re.DOTALL)
    webdataset_part, datasets_part = snippet.replace("path/to/this/folder", str(out)).split("from datasets ")
    code = (f"{webdataset_part}n = sum(1 for image, meta in ds)\nfrom datasets {datasets_part}"
            "print(n, len(ds), ds.features['label_id'].names)\n")
    ran = subprocess.run([sys.executable, "-c", code], cwd=PROJECT, capture_output=True, text=True, timeout=300,
                         check=False)
    assert ran.returncode == 0, ran.stderr[-3000:]
    assert ran.stdout.split("\n")[-2] == f"{len(keeps)} {len(keeps)} {sorted(classes)}"
    # The store's own card is not the set's: it still describes the whole store.
    assert f"{len(rows)} images in " in (store / "README.md").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def mixed_store(crawl: Crawl, mockserver: MockHTTPServer, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store of JPEG, PNG and WebP images in two classes, a third of them with no license named:
    a ``urls`` crawl of the mock's images, with ``license=any``."""
    root = tmp_path_factory.mktemp("mixed")
    usable = [result for result in bing_plan() if result.usable][:12]
    lines = ["url,label,license"]
    for n, result in enumerate(usable):
        url = mockserver.base + image_path("docs", result.index, result.format)
        lines.append(f"{url},{('cat', 'dog')[n % 2]},{'cc-by' if n % 3 else ''}")
    (root / "list.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = crawl("urls", "-a", f"path={root / 'list.csv'}", "-a", "license=any", store=root / "store")
    assert result.returncode == 0, result.stderr[-3000:]
    return root / "store"


def test_the_documented_export_and_loaders_run_as_written(mixed_store: Path, tmp_path: Path) -> None:
    """docs/export.md's export commands, then its WebDataset and Parquet snippets, and docs/output.md's
    load-the-store snippet, pasted as written into a folder holding a project's scrapy.cfg and a crawl's
    store as ``data/`` (IMAGES_STORE's default). The store keeps PNG and WebP as they are: a snippet
    asking WebDataset for "jpg" alone read no sample (issue 29 item 1)."""
    import shutil
    import subprocess
    import sys

    from tests import docs
    from tests.conftest import scrapy_env

    rows = manifest(mixed_store)
    assert {row["format"] for row in rows.values()} == {"JPEG", "PNG", "WEBP"}
    work = tmp_path / "project"
    shutil.copytree(mixed_store, work / "data")
    shutil.copy(PROJECT / "scrapy.cfg", work / "scrapy.cfg")
    for line in docs.commands(docs.block("export")):
        words = line.split()
        assert words[:2] == ["scrapy", "export"], line
        result = run_scrapy(*words[1:], cwd=work)
        assert result.returncode == 0, line + "\n" + result.stderr[-3000:]
    shared = json.loads((work / "shared" / "shards.json").read_text())
    assert shared["options"]["license"] == "share" and shared["samples"] < len(rows)

    env = {**scrapy_env(), "HF_DATASETS_CACHE": str(tmp_path / "hf"), "HF_HUB_OFFLINE": "1"}

    def python(snippet: str) -> list[str]:
        done = subprocess.run([sys.executable, "-c", snippet], cwd=work, env=env, capture_output=True,
                              text=True, timeout=300, check=False)
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout.splitlines()

    samples = python(docs.block("load-webdataset"))
    assert len(samples) == len(rows), samples
    assert {line.split(") ")[1].split()[0] for line in samples} == {"cat", "dog"}
    (parquet,) = python(docs.block("load-parquet"))
    assert parquet.startswith(f"{len(rows)} ['cat', 'dog'] (")
    hugging_face, image_folder = python(docs.block("load-store"))
    assert hugging_face == f"{len(rows)} ['cat', 'dog']"
    assert image_folder == f"{len(rows)} ['cat', 'dog']"
