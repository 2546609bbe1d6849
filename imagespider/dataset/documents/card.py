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
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from imagespider.dataset.documents.reporthtml import plural
from imagespider.dataset.documents.summary import StoreSummary
from imagespider.dataset.store.indexrow import KIND_BOOL, KIND_FLOAT, KIND_INT, KIND_LIST_STR, KIND_NULL, KIND_STR
from imagespider.dataset.store.manifest import MANIFEST_FIELDS
from imagespider.rights.model import License
from imagespider.rights.policy import Policy

CARD = "README.md"

#: Image file patterns of the default config: the label folders' files, one level deep.
IMAGE_PATTERNS = tuple(f"*/*.{ext}" for ext in ("jpg", "jpeg", "png", "webp", "gif", "bmp", "tif", "tiff"))

#: Manifest columns with a fixed type; a column not named here (added later, or an extra key) is
#: typed from its values, JSON when they are mixed.
_TYPES: dict[str, str] = {
    "width": "int64", "height": "int64", "bytes": "int64",
    "permissions": "permissions", "tags": "list_string", "rights": "json", "engine_rights": "json",
    "is_thumbnail": "bool",
}  # fmt: skip
_PERMISSIONS = ("share", "commercial", "modify", "attribution", "share_alike")

#: Our license ids as Hugging Face Hub license ids.
_HUB_LICENSES = {
    "cc0": "cc0-1.0", "pdm": "other", "cc-by": "cc-by-4.0", "cc-by-sa": "cc-by-sa-4.0",
    "cc-by-nd": "cc-by-nd-4.0", "cc-by-nc": "cc-by-nc-4.0", "cc-by-nc-sa": "cc-by-nc-sa-4.0",
    "cc-by-nc-nd": "cc-by-nc-nd-4.0",
}  # fmt: skip


_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _q(text: object) -> str:
    """A YAML scalar, double-quoted (JSON strings are valid YAML)."""
    return json.dumps(str(text), ensure_ascii=False)


def _name(name: str) -> str:
    """A column name in the YAML header: plain when it is an identifier (as Hugging Face writes
    them), quoted otherwise (a hand-edited manifest's key may hold ``:``, ``#`` or a newline)."""
    return name if _IDENTIFIER.fullmatch(name) else _q(name)


def column_names(summary: StoreSummary) -> list[str]:
    """The metadata columns (not ``file_name``): the manifest's, then any other key, sorted."""
    extra = sorted(set(summary.kinds) - set(MANIFEST_FIELDS))
    return [name for name in (*MANIFEST_FIELDS, *extra) if name != "file_name"]


def column_type(name: str, summary: StoreSummary) -> str:
    """``string``, ``int64``, ``float64``, ``bool``, ``list_string``, ``permissions`` or ``json``,
    from the kinds of value the column holds in every row (imagespider/dataset/store/index.py)."""
    if name in _TYPES:
        return _TYPES[name]
    kinds = summary.kinds.get(name, 0) & ~KIND_NULL
    if not kinds & ~KIND_STR:
        return "string"
    if kinds == KIND_BOOL:
        return "bool"
    if kinds == KIND_INT:
        return "int64"
    if not kinds & ~(KIND_INT | KIND_FLOAT):
        return "float64"
    if kinds == KIND_LIST_STR:
        return "list_string"
    return "json"


def _feature(name: str, kind: str, indent: str) -> list[str]:
    if kind == "permissions":
        lines = [f"{indent}- name: {_name(name)}", f"{indent}  struct:"]
        for key in _PERMISSIONS:
            lines += [f"{indent}  - name: {key}", f"{indent}    dtype: bool"]
        return lines
    if kind == "list_string":
        return [f"{indent}- name: {_name(name)}", f"{indent}  list: string"]
    return [f"{indent}- name: {_name(name)}", f"{indent}  dtype: {kind}"]


def features_yaml(summary: StoreSummary, indent: str) -> list[str]:
    """The features as Hugging Face writes them in YAML (a list of name + dtype/struct/list)."""
    lines = [f"{indent}- name: image", f"{indent}  dtype: image", f"{indent}- name: label", f"{indent}  dtype:",
             f"{indent}    class_label:", f"{indent}      names:"]
    lines += [f"{indent}        {_q(i)}: {_q(name)}" for i, name in enumerate(class_names(summary))]
    for name in column_names(summary):
        if name != "label":
            lines += _feature(name, column_type(name, summary), indent)
    return lines


def class_names(summary: StoreSummary) -> list[str]:
    """Every label in the store, sorted (torchvision's ImageFolder numbers classes the same way)."""
    return sorted(name for name in summary.labels if name != "?")


def hub_licenses(license_ids: Iterable[str]) -> list[str]:
    """Our license ids as the Hub's, sorted (``other`` for one the Hub does not name, or none)."""
    return sorted({_HUB_LICENSES.get(lic, "other") for lic in license_ids}) or ["other"]


def yaml_header(summary: StoreSummary) -> str:
    licenses = hub_licenses(summary.license_ids)
    lines = ["---", "license:"] + [f"- {lic}" for lic in licenses]
    if licenses == ["other"] or "other" in licenses:
        lines += ["license_name: mixed", "license_link: ATTRIBUTION.md"]
    lines += ["task_categories:", "- image-classification", "tags:", "- imagespider", "configs:",
              "- config_name: default", "  drop_labels: true", "  data_files:", "  - split: train", "    path:"]
    lines += [f"    - {_q(pattern)}" for pattern in (*IMAGE_PATTERNS, "metadata.jsonl")]
    # The config's own features are what the loader casts to (dataset_info.features alone is
    # informational for a folder loaded from disk); both say the same.
    lines += ["  features:", *features_yaml(summary, "  ")]
    lines += ["dataset_info:", "  features:", *features_yaml(summary, "  "), "---"]
    return "\n".join(lines) + "\n"


def count_table(counts: Counter[str], heading: str) -> str:
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    body = "".join(f"| {name} | {count:,} |\n" for name, count in ranked)
    return f"| {heading} | images |\n|---|---:|\n{body}"


def crawl_policy(crawl: Mapping[str, Any]) -> str:
    """The license policy a crawls.jsonl row ran with (``share`` when neither was given)."""
    return str((crawl.get("arguments") or {}).get("license") or (crawl.get("settings") or {}).get("LICENSE_POLICY")
               or "share")


def kept_policies(crawls: Sequence[Mapping[str, Any]]) -> list[str]:
    """The policies of the crawls that kept something: a ``share`` run that kept nothing does not
    describe any image of the store (the card said "`any`, `share`" of a store all `any`)."""
    kept = {crawl_policy(c) for c in crawls if isinstance(c.get("kept"), int) and c["kept"] > 0}
    return sorted(kept or {crawl_policy(c) for c in crawls})


def shareable_lines(summary: StoreSummary, policies: Sequence[str]) -> list[str]:
    """For a store with images kept under ``any``: how many the ``share`` policy keeps (by license id, as
    the crawl's license pipeline decides), so its user knows what ``scrapy export --license share`` gives."""
    if "any" not in policies or not summary.kept:
        return []
    shared = shareable(summary.license_ids)
    in_house = summary.kept - shared
    return [
        "",
        f"Of the {plural(summary.kept, 'image')}, {shared:,} may be shared (`share`: a license known by name that "
        f"allows redistribution; `scrapy export --license share`) and {in_house:,} "
        f"{'is' if in_house == 1 else 'are'} for in-house training only.",
    ]


def shareable(license_ids: Mapping[str, int]) -> int:
    """How many of the images counted by license id the ``share`` policy keeps (as the crawl's
    license pipeline decides)."""
    share = Policy.parse("share")
    return sum(count for lic_id, count in license_ids.items()
               if share.check(License.from_dict({"license": lic_id})) is None)


def published_lines(policy: str | None, left_out: int) -> list[str]:
    """A set published from a store with ``scrapy publish --license``: the card describes this set."""
    if policy is None:
        return []
    return [
        "",
        f"This set was published with the license policy `{policy}` (`scrapy publish --license {policy}`) "
        f"from that store: it holds only the images the policy keeps; {plural(left_out, 'image')} of the store "
        f"{'was' if left_out == 1 else 'were'} left out.",
    ]


def render_card(rows: Sequence[Mapping[str, Any]], crawls: Sequence[Mapping[str, Any]] = (),
                summary: StoreSummary | None = None, *, published_with: str | None = None, left_out: int = 0) -> str:
    """The whole README.md for a store's manifest rows (or, for a large store, ``summary`` of
    them all, from its index: then ``rows`` is not read) and its crawls.jsonl rows."""
    if summary is None:
        summary = StoreSummary.from_rows(rows)
    engines, licenses, labels = summary.engines, summary.license_ids, summary.labels
    policies = kept_policies(crawls)
    spiders = sorted({str(c.get("spider")) for c in crawls if c.get("spider")})
    human = [
        "# Image dataset built with imagespider",
        "",
        f"{plural(summary.kept, 'image')} in {plural(len(labels), 'class', 'classes')}, from "
        f"{', '.join(sorted(engines)) or 'no engine yet'}"
        f" ({plural(len(crawls), 'crawl')} with {', '.join(spiders) or 'unknown spiders'}).",
        "",
        "Each image keeps its original bytes in `<label>/<sha256>.<ext>`; `metadata.jsonl` holds one row per",
        "image: where it came from (`image_url`, `page_url`, `engine`, `query`), who made it (`author`),",
        "its license and the evidence for it (`license`, `license_url`, `license_source`, `permissions`,",
        "`rights`). `rejected.jsonl` lists what was dropped and why; `crawls.jsonl` each crawl's",
        "arguments and counts; `report.html` shows it all.",
        "",
        "## Policy",
        "",
        f"Crawled with the license {'policy' if len(policies) < 2 else 'policies'} "
        f"{', '.join(f'`{p}`' for p in policies) or '`share`'} (imagespider's",
        "`-a license=`). An owner's opt-out from text and data mining (robots.txt and its Content-Signal,",
        "Content-Usage and RSL License lines, `noai`/`noml`, TDMRep, ai.txt, embedded data-mining or",
        "C2PA statements) always won: such images were never kept.",
        # A published subset says what it is; the whole store, how much of it may be shared.
        *(published_lines(published_with, left_out) or shareable_lines(summary, policies)),
        "",
        "## Counts",
        "",
        count_table(labels, "class"),
        count_table(licenses, "license"),
        count_table(engines, "engine"),
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
    return yaml_header(summary) + "\n" + "\n".join(human)
