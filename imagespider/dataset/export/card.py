"""The card of an exported set, ``OUT/README.md``: what ``scrapy export`` wrote, not the store it came from.

An export is what gets shared or trained on, often without the store beside it: a ``--license
share`` export is a different set from the store (fewer images, other licenses), and a card copied
from the store would describe images that are not there. So the export writes its own card, in the
Hugging Face format the store's card uses (imagespider/dataset/documents/card.py): a YAML header whose
``configs`` point at the Parquet shards (``load_dataset("OUT")`` reads them; their schema carries
the features, ``label_id`` a ClassLabel), and for people: the counts of this set, the policy it was
exported with, how many rows of the store were left out and why, the shards' layout, and the
loader snippets that fit these shards (the WebDataset one names the image types the shards hold:
a store keeps PNG and WebP as they are, and ``to_tuple("jpg", ...)`` alone reads no sample).

Hugging Face reads WebDataset tars only when every sample has the same members, so the tars are
a config of their own only when the export holds one image type (``--encode jpeg``). Pure
functions; the export writes the card beside ``shards.json`` (imagespider/dataset/export/exporter.py).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from imagespider.dataset.documents.card import CARD, count_table, hub_licenses, shareable
from imagespider.dataset.documents.reporthtml import plural
from imagespider.dataset.export.shards import ShardInfo

#: The tag that marks a README.md as an export's card: an export replaces only its own card.
EXPORT_TAG = "imagespider-export"
#: What the card's loader snippets name the folder (the card travels with it; a test runs them on a real export).
FOLDER = "path/to/this/folder"
#: Why the store's rows that the export left out as damaged were left out (shards.json lists them).
DAMAGE = {
    "missing": "file missing",
    "unreadable": "file unreadable, changed since kept, or does not decode",
    "invalid": "damaged row",
}

_SHARD_NUMBER = re.compile(r"^(.*shard-)([0-9]+)(\.[a-z]+)$")


@dataclass
class ExportedSet:
    """What one export wrote: filled by imagespider/dataset/export/exporter.py as samples are shipped."""

    source: str = ""
    policy: str = "any"
    formats: tuple[str, ...] = ()
    options: Mapping[str, object] = field(default_factory=dict)
    labels: Counter[str] = field(default_factory=Counter)
    licenses: Counter[str] = field(default_factory=Counter)
    #: The image types shipped (``png``, ``jpg``...), by count.
    extensions: Counter[str] = field(default_factory=Counter)
    shards: Sequence[ShardInfo] = ()
    policy_left_out: Counter[str] = field(default_factory=Counter)
    damaged: Mapping[str, int] = field(default_factory=dict)

    @property
    def samples(self) -> int:
        return self.labels.total()


def is_export_card(text: str) -> bool:
    """Whether a README.md is an export's card (which the next export may replace), not the user's."""
    header = text.split("\n---", 1)[0] if text.startswith("---") else ""
    return f"- {EXPORT_TAG}" in header.splitlines()


def shard_pattern(paths: Sequence[str]) -> str:
    """The shards as one brace pattern (``webdataset/shard-{000000..000002}.tar``), as WebDataset
    reads them; the one name when there is one."""
    ordered = sorted(paths)
    if len(ordered) == 1:
        return ordered[0]
    first, last = _SHARD_NUMBER.match(ordered[0]), _SHARD_NUMBER.match(ordered[-1])
    if first is None or last is None:
        return ordered[0]
    return f"{first[1]}{{{first[2]}..{last[2]}}}{first[3]}"


def _yaml(exported: ExportedSet) -> list[str]:
    licenses = hub_licenses(exported.licenses)
    lines = ["---", "license:", *(f"- {lic}" for lic in licenses)]
    if "other" in licenses:
        lines.append("license_name: mixed")
    lines += ["task_categories:", "- image-classification", "tags:", "- imagespider", f"- {EXPORT_TAG}"]
    configs = []
    if "parquet" in exported.formats:
        configs.append(("default", "parquet/*.parquet"))
    if "webdataset" in exported.formats and len(exported.extensions) <= 1:
        configs.append(("webdataset" if configs else "default", "webdataset/*.tar"))
    if configs:
        lines.append("configs:")
        for name, path in configs:
            lines += [f"- config_name: {name}", "  data_files:", "  - split: train", f'    path: "{path}"']
    return [*lines, "---"]


def _policy_lines(exported: ExportedSet) -> list[str]:
    if exported.policy == "any":
        shared = shareable(exported.licenses)
        in_house = exported.samples - shared
        return [
            "Exported with every license the store holds (`--license any`, the default): "
            f"{shared:,} of the {plural(exported.samples, 'image')} may be shared (`share`: a license known by name "
            f"that allows redistribution; `scrapy export --license share`) and {in_house:,} "
            f"{'is' if in_house == 1 else 'are'} for in-house training only.",
        ]
    left = exported.policy_left_out
    why = f" ({', '.join(f'{reason} {count:,}' for reason, count in left.most_common())})" if left else ""
    return [
        f"Exported with the license policy `{exported.policy}` (`scrapy export --license {exported.policy}`): "
        f"this set holds only the images the policy keeps; {plural(left.total(), 'row')} of the store "
        f"{'was' if left.total() == 1 else 'were'} left out{why} and stay in the store.",
    ]


def _damage_lines(exported: ExportedSet) -> list[str]:
    damaged = {kind: count for kind, count in exported.damaged.items() if count}
    if not damaged:
        return []
    named = ", ".join(f"{DAMAGE.get(kind, kind)} {count:,}" for kind, count in damaged.items())
    total = sum(damaged.values())
    return ["", f"{plural(total, 'row')} of the store could not be exported ({named}): `shards.json` lists them."]


def _shards_lines(exported: ExportedSet) -> list[str]:
    lines = ["| format | files | images | pattern |", "|---|---:|---:|---|"]
    for fmt in exported.formats:
        shards = [shard for shard in exported.shards if shard.format == fmt]
        if shards:
            count = sum(shard.samples for shard in shards)
            lines.append(f"| {fmt} | {len(shards):,} | {count:,} | `{shard_pattern([s.path for s in shards])}` |")
    options = ", ".join(
        f"`--{name.replace('_', '-')} {value}`" for name, value in exported.options.items()
        if name in ("resize", "resize_mode", "encode") and value not in (None, "keep")
        and not (name == "resize_mode" and exported.options.get("resize") is None)
    )
    images = ", ".join(_types(exported)) or "none"
    return [
        *lines,
        "",
        "A WebDataset tar holds `<sha256>.<ext>` and `<sha256>.json` per image (label, label_id, license,",
        "attribution, author, title, URLs, sizes); a Parquet file the same as columns, the image as bytes.",
        f"Image types: {images}; {options or 'the very bytes the crawl kept'}. `shards.json` lists every shard",
        "with its sha256.",
    ]


def _types(exported: ExportedSet) -> list[str]:
    """The image types shipped, most frequent first."""
    return [ext for ext, _ in exported.extensions.most_common()]


def _load_lines(exported: ExportedSet) -> list[str]:
    lines: list[str] = []
    tars = [shard.path for shard in exported.shards if shard.format == "webdataset"]
    if tars:
        # Every image type the tars hold, most frequent first: to_tuple takes the first a sample has.
        types = ";".join(_types(exported)) or "jpg"
        lines += [
            "import webdataset as wds",
            f'ds = wds.WebDataset("{FOLDER}/{shard_pattern(tars)}", shardshuffle=False)'
            f'.decode("pil").to_tuple("{types}", "json")',
        ]
    if any(shard.format == "parquet" for shard in exported.shards):
        lines += [
            "from datasets import load_dataset",
            f'ds = load_dataset("{FOLDER}", split="train")   # the Parquet shards; label_id is a ClassLabel',
        ]
    return ["```python", *lines, "```"] if lines else ["This export holds no shard."]


def render_export_card(exported: ExportedSet) -> str:
    """The whole ``README.md`` of an export folder."""
    source = f" from `{exported.source}`" if exported.source else ""
    human = [
        "",
        "# Image set exported by imagespider",
        "",
        f"{plural(exported.samples, 'image')} in {plural(len(exported.labels), 'class', 'classes')}, exported"
        f"{source} with `scrapy export`.",
        "",
        "## Policy",
        "",
        *_policy_lines(exported),
        "An owner's opt-out from text and data mining always won at crawl time: such images were never kept.",
        *_damage_lines(exported),
        "",
        "## Counts",
        "",
        count_table(exported.labels, "class"),
        count_table(exported.licenses, "license"),
        "## Shards",
        "",
        *_shards_lines(exported),
        "",
        "## How to credit",
        "",
        "Every image's credit line (title, author, source, license) is in its `attribution` field: keep it",
        "with the image. Images under `cc-by*` licenses must be credited; `cc-unspecified` and `unknown`",
        "carry no license known by name and must not be redistributed.",
        "",
        "## Load",
        "",
        *_load_lines(exported),
        "",
    ]
    return "\n".join(_yaml(exported)) + "\n" + "\n".join(human)


__all__ = ["CARD", "EXPORT_TAG", "ExportedSet", "is_export_card", "render_export_card", "shard_pattern"]
