"""imagespider/dataset/export/card.py: the card of an exported set describes that set (issue 29)."""

from __future__ import annotations

from collections import Counter

from imagespider.dataset.export.card import ExportedSet, is_export_card, render_export_card, shard_pattern
from imagespider.dataset.export.shards import ShardInfo


def _shard(path: str, fmt: str, samples: int) -> ShardInfo:
    return ShardInfo(path, fmt, samples, 10, "0" * 64, "a", "b")


def _set(**changes: object) -> ExportedSet:
    exported = ExportedSet(
        source="data", policy="share", formats=("webdataset", "parquet"),
        options={"resize": None, "resize_mode": "keep_ratio", "encode": "keep"},
        labels=Counter({"cat": 3, "dog": 1}), licenses=Counter({"cc-by": 3, "cc0": 1}),
        extensions=Counter({"png": 3, "webp": 1}),
        shards=[_shard("webdataset/shard-000000.tar", "webdataset", 2), _shard("parquet/shard-000000.parquet", "parquet", 2),
                _shard("webdataset/shard-000001.tar", "webdataset", 2), _shard("parquet/shard-000001.parquet", "parquet", 2)],
        policy_left_out=Counter({"license_unnamed": 5, "license_noncommercial": 1}),
        damaged={"missing": 2, "unreadable": 0, "invalid": 0},
    )
    for name, value in changes.items():
        setattr(exported, name, value)
    return exported


def test_the_card_counts_this_set_and_says_what_was_left_out_and_why() -> None:
    card = render_export_card(_set())
    assert "4 images in 2 classes, exported from `data` with `scrapy export`." in card
    assert "| cat | 3 |" in card and "| cc0 | 1 |" in card
    assert ("Exported with the license policy `share` (`scrapy export --license share`): this set holds only the "
            "images the policy keeps; 6 rows of the store were left out (license_unnamed 5, license_noncommercial 1)"
            ) in card
    assert "2 rows of the store could not be exported (file missing 2): `shards.json` lists them." in card
    assert "| webdataset | 2 | 4 | `webdataset/shard-{000000..000001}.tar` |" in card
    assert "Image types: png, webp; the very bytes the crawl kept." in card


def test_the_header_is_hugging_faces_and_names_the_parquet_shards() -> None:
    card = render_export_card(_set())
    header = card.split("\n---\n", 1)[0]
    assert "- cc-by-4.0\n- cc0-1.0\n" in header and "- imagespider-export" in header
    assert '- config_name: default\n  data_files:\n  - split: train\n    path: "parquet/*.parquet"' in header
    # Hugging Face reads WebDataset tars only when every sample has the same members: one image type.
    assert "webdataset/*.tar" not in header
    only_jpeg = render_export_card(_set(extensions=Counter({"jpg": 4}), options={"encode": "jpeg"}))
    assert '- config_name: webdataset\n  data_files:\n  - split: train\n    path: "webdataset/*.tar"' in only_jpeg
    assert "Image types: jpg; `--encode jpeg`." in only_jpeg
    assert is_export_card(card) and not is_export_card("# My project\n- imagespider-export\n")


def test_the_loader_snippet_fits_the_shards() -> None:
    card = render_export_card(_set())
    # every image type the tars hold, most frequent first: "jpg" alone read no sample of a PNG export
    assert '.decode("pil").to_tuple("png;webp", "json")' in card
    assert 'wds.WebDataset("path/to/this/folder/webdataset/shard-{000000..000001}.tar", shardshuffle=False)' in card
    assert 'load_dataset("path/to/this/folder", split="train")' in card
    tars_only = render_export_card(_set(formats=("webdataset",), shards=[_shard("webdataset/shard-000000.tar",
                                                                                "webdataset", 4)]))
    assert "load_dataset" not in tars_only and '"path/to/this/folder/webdataset/shard-000000.tar"' in tars_only
    assert "configs:" not in tars_only  # two image types: no config Hugging Face could read


def test_an_export_with_every_license_says_how_much_may_be_shared() -> None:
    card = render_export_card(_set(policy="any", policy_left_out=Counter(), licenses=Counter({"cc-by": 3, "unknown": 1})))
    assert "(`--license any`, the default): 3 of the 4 images may be shared" in card
    assert "and 1 is for in-house training only." in card
    assert "left out" not in card


def test_shard_patterns() -> None:
    assert shard_pattern(["p/shard-000000.parquet"]) == "p/shard-000000.parquet"
    assert shard_pattern(["w/shard-000002.tar", "w/shard-000000.tar", "w/shard-000001.tar"]) == "w/shard-{000000..000002}.tar"
