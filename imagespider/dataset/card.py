"""The store's dataset card, ``README.md``: a Hugging Face YAML header, then a summary for people.

Hugging Face ``datasets`` reads a folder's ``README.md`` header when loading it
(``load_dataset("data")``). Without one, ``imagefolder`` guesses every column's type from the
first 10 MB of ``metadata.jsonl``: ``label`` arrives as a plain string, and a large store whose
early rows all have a null ``author`` fails to load with a cast error once a later row has one.
The header states the types instead:

* ``configs``: the files of the default config (the images one folder deep, ``metadata.jsonl``),
  so hidden folders such as the report's thumbnails are never read;
* ``dataset_info.features``: ``image``, ``label`` as a ``ClassLabel`` naming every class in the
  store, and every manifest column typed (strings, integers, ``permissions`` as a struct of
  booleans, ``tags`` as a list of strings, the open-ended ``rights`` and ``engine_rights`` as JSON);
* ``license``: the licenses of the kept images (Hub ids where one exists, else ``other``).

Then the human part: where the images came from, the policy they passed, counts per class and
license, and how to credit the authors (ATTRIBUTION.md). Pure functions; YAML written by hand
(the crawler does not depend on a YAML library or on ``datasets``).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from imagespider.dataset.manifest import MANIFEST_FIELDS

CARD = "README.md"

#: Image file patterns of the default config: the label folders' files, one level deep.
IMAGE_PATTERNS = tuple(f"*/*.{ext}" for ext in ("jpg", "jpeg", "png", "webp", "gif", "bmp", "tif", "tiff"))

#: Manifest columns with a fixed type; a column not named here (added later, or an extra key) is
#: typed from its values, JSON when they are mixed.
_TYPES: dict[str, str] = {
    "width": "int64", "height": "int64", "bytes": "int64",
    "permissions": "permissions", "tags": "list_string", "rights": "json", "engine_rights": "json",
}  # fmt: skip
_PERMISSIONS = ("share", "commercial", "modify", "attribution", "share_alike")

#: Our license ids as Hugging Face Hub license ids.
_HUB_LICENSES = {
    "cc0": "cc0-1.0", "pdm": "other", "cc-by": "cc-by-4.0", "cc-by-sa": "cc-by-sa-4.0",
    "cc-by-nd": "cc-by-nd-4.0", "cc-by-nc": "cc-by-nc-4.0", "cc-by-nc-sa": "cc-by-nc-sa-4.0",
    "cc-by-nc-nd": "cc-by-nc-nd-4.0",
}  # fmt: skip


def _q(text: object) -> str:
    """A YAML scalar, double-quoted (JSON strings are valid YAML)."""
    return json.dumps(str(text), ensure_ascii=False)


def column_names(rows: Sequence[Mapping[str, Any]]) -> list[str]:
    """The metadata columns (not ``file_name``): the manifest's, then any other key, sorted."""
    seen = {key for row in rows for key in row}
    extra = sorted(seen - set(MANIFEST_FIELDS))
    return [name for name in (*MANIFEST_FIELDS, *extra) if name != "file_name"]


def column_type(name: str, rows: Sequence[Mapping[str, Any]]) -> str:
    """``string``, ``int64``, ``float64``, ``bool``, ``list_string``, ``permissions`` or ``json``."""
    if name in _TYPES:
        return _TYPES[name]
    values = [row.get(name) for row in rows if row.get(name) is not None]
    if all(isinstance(v, str) for v in values):
        return "string"
    if all(isinstance(v, bool) for v in values):
        return "bool"
    if all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        return "int64"
    if all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
        return "float64"
    if all(isinstance(v, list) and all(isinstance(x, str) for x in v) for v in values):
        return "list_string"
    return "json"


def _feature(name: str, kind: str, indent: str) -> list[str]:
    if kind == "permissions":
        lines = [f"{indent}- name: {name}", f"{indent}  struct:"]
        for key in _PERMISSIONS:
            lines += [f"{indent}  - name: {key}", f"{indent}    dtype: bool"]
        return lines
    if kind == "list_string":
        return [f"{indent}- name: {name}", f"{indent}  list: string"]
    return [f"{indent}- name: {name}", f"{indent}  dtype: {kind}"]


def features_yaml(rows: Sequence[Mapping[str, Any]], indent: str) -> list[str]:
    """The features as Hugging Face writes them in YAML (a list of name + dtype/struct/list)."""
    lines = [f"{indent}- name: image", f"{indent}  dtype: image", f"{indent}- name: label", f"{indent}  dtype:",
             f"{indent}    class_label:", f"{indent}      names:"]
    lines += [f"{indent}        {_q(i)}: {_q(name)}" for i, name in enumerate(class_names(rows))]
    for name in column_names(rows):
        if name != "label":
            lines += _feature(name, column_type(name, rows), indent)
    return lines


def class_names(rows: Sequence[Mapping[str, Any]]) -> list[str]:
    """Every label in the store, sorted (torchvision's ImageFolder numbers classes the same way)."""
    return sorted({str(row.get("label")) for row in rows if row.get("label")})


def yaml_header(rows: Sequence[Mapping[str, Any]]) -> str:
    licenses = sorted({_HUB_LICENSES.get(str(row.get("license")), "other") for row in rows}) or ["other"]
    lines = ["---", "license:"] + [f"- {lic}" for lic in licenses]
    if licenses == ["other"] or "other" in licenses:
        lines += ["license_name: mixed", "license_link: ATTRIBUTION.md"]
    lines += ["task_categories:", "- image-classification", "tags:", "- imagespider", "configs:",
              "- config_name: default", "  drop_labels: true", "  data_files:", "  - split: train", "    path:"]
    lines += [f"    - {_q(pattern)}" for pattern in (*IMAGE_PATTERNS, "metadata.jsonl")]
    # The config's own features are what the loader casts to (dataset_info.features alone is
    # informational for a folder loaded from disk); both say the same.
    lines += ["  features:", *features_yaml(rows, "  ")]
    lines += ["dataset_info:", "  features:", *features_yaml(rows, "  "), "---"]
    return "\n".join(lines) + "\n"


def _table(counts: Counter[str], heading: str) -> str:
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    body = "".join(f"| {name} | {count:,} |\n" for name, count in ranked)
    return f"| {heading} | images |\n|---|---:|\n{body}"


def render_card(rows: Sequence[Mapping[str, Any]], crawls: Sequence[Mapping[str, Any]] = ()) -> str:
    """The whole README.md for a store's manifest rows and its crawls.jsonl rows."""
    engines = Counter(str(row.get("engine") or "?") for row in rows)
    licenses = Counter(str(row.get("license") or "unknown") for row in rows)
    labels = Counter(str(row.get("label") or "?") for row in rows)
    policies = sorted({str((c.get("arguments") or {}).get("license") or (c.get("settings") or {}).get("LICENSE_POLICY")
                           or "share") for c in crawls})
    spiders = sorted({str(c.get("spider")) for c in crawls if c.get("spider")})
    human = [
        "# Image dataset built with imagespider",
        "",
        f"{len(rows):,} images in {len(labels):,} classes, from {', '.join(sorted(engines)) or 'no engine yet'}"
        f" ({len(crawls):,} crawls with {', '.join(spiders) or 'unknown spiders'}).",
        "",
        "Each image keeps its original bytes in `<label>/<sha256>.<ext>`; `metadata.jsonl` holds one row per",
        "image: where it came from (`image_url`, `page_url`, `engine`, `query`), who made it (`author`),",
        "its license and the evidence for it (`license`, `license_url`, `license_source`, `permissions`,",
        "`rights`). `rejected.jsonl` lists what was dropped and why; `crawls.jsonl` each crawl's",
        "arguments and counts; `report.html` shows it all.",
        "",
        "## Policy",
        "",
        f"Crawled with the license policy {', '.join(f'`{p}`' for p in policies) or '`share`'} (imagespider's",
        "`-a license=`). An owner's opt-out from text and data mining (robots.txt, `noai`, TDMRep,",
        "embedded data-mining or C2PA statements) always won: such images were never kept.",
        "",
        "## Counts",
        "",
        _table(labels, "class"),
        _table(licenses, "license"),
        _table(engines, "engine"),
        "## How to credit",
        "",
        "Every image's credit line (title, author, source, license) is in its `attribution` column and,",
        "grouped by license, in `ATTRIBUTION.md`: publish that file with the images. Images under",
        "`cc-by*` licenses must be credited; `cc-unspecified` and `unknown` carry no license known by name",
        "and must not be redistributed.",
        "",
        "## Load",
        "",
        "```python",
        "from datasets import load_dataset",
        "ds = load_dataset(\"path/to/this/folder\", split=\"train\")   # label is a ClassLabel",
        "```",
        "",
    ]
    return yaml_header(rows) + "\n" + "\n".join(human)
