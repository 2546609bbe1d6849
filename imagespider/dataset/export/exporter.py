"""Training-ready shards from a store: WebDataset tar files and Parquet files, with a manifest.

img2dataset's users (and most large-scale training code) read images in shards rather than one
file each: a WebDataset shard is a plain tar holding ``<key>.<ext>`` and ``<key>.json`` per
sample, read with the ``webdataset`` package; a Parquet shard holds the image bytes beside typed
metadata columns, read with pyarrow, pandas or Hugging Face ``datasets`` (the schema carries the
``datasets`` features, so ``image`` loads as an Image and ``label`` as a ClassLabel).

The key of a sample is its ``sha256``: unique in a store (the store keeps no bytes twice), stable
across exports, and free of the dots WebDataset splits keys on. Each sample's JSON carries what
a trainer must keep with an image: label, license, attribution, sha256, source URLs.

Resizing follows img2dataset's modes: ``keep_ratio`` scales the shorter side to ``size``;
``center_crop`` scales the shorter side to ``size`` and crops the centre square. Without a resize
and without ``encode``, the original bytes are written unchanged (their sha256 is the key).

The store is read through a :class:`Source` (imagespider/dataset/objectstore/source.py has the object-
store one), so this module never cares where the images live; the shard files are written by
imagespider/dataset/export/shards.py. Pure of Scrapy.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import itertools
import json
import logging
import os
import re
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, Any, Protocol

from PIL import Image, ImageOps

from imagespider.dataset.export.card import CARD, ExportedSet, is_export_card, render_export_card
from imagespider.dataset.export.folder import export_lock, move_into_place, scratch_folder
from imagespider.dataset.export.order import OrderedRows
from imagespider.dataset.export.shards import Sample, Sharder, ShardInfo
from imagespider.dataset.store.credit import license_of
from imagespider.dataset.store.files import MANIFEST, read_regular_file
from imagespider.dataset.store.jsonl import read_jsonl
from imagespider.rights.policy import Policy, PolicyError
from imagespider.text import clean_text, clean_value

logger = logging.getLogger(__name__)

FORMATS = ("webdataset", "parquet")
RESIZE_MODES = ("keep_ratio", "center_crop")
#: ``--encode`` values: ``keep`` writes the original format (re-encoded only when resized).
ENCODINGS = ("keep", "jpeg", "png", "webp")
#: The shard manifest's file name, at the output folder's root.
SHARDS_MANIFEST = "shards.json"

_EXT = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif", "BMP": "bmp", "TIFF": "tif"}
_PIL_FORMAT = {"jpeg": "JPEG", "png": "PNG", "webp": "WEBP"}
#: Pillow formats that are another one: MPO is a camera JPEG with more frames, which the crawl
#: keeps as ``.jpg`` (imagespider/pipelines/imagecheck.py FORMAT_ALIASES; not imported: it brings Scrapy).
_ALIASES = {"MPO": "JPEG"}
#: Sample JSON keys copied from the manifest row (what a trainer must keep beside the image).
SAMPLE_FIELDS = (
    "label", "license", "license_version", "license_url", "attribution", "author", "title",
    "image_url", "page_url", "engine", "query", "sha256", "file_name",
)  # fmt: skip
#: A sample's key: the sha256 the store names its file by, as 64 hex digits (a key is a tar
#: member name: ``../../x`` from a damaged row would write outside whoever extracts the shard).
_SHA256 = re.compile(r"[0-9a-f]{64}")
#: The largest --resize: WebP holds at most 16,383 px a side, and a shorter side past this is no
#: training input but an allocation of gigabytes (a 640 px image scaled up).
MAX_RESIZE = 16384
#: The most --workers: each holds up to four images decoded at once.
MAX_WORKERS = 64


class Source(Protocol):
    """A store to export from: its manifest rows and the bytes each row names."""

    def rows(self) -> Iterator[dict[str, Any]]: ...

    def read(self, file_name: str) -> bytes | None:
        """The file's bytes, or None when the store does not hold it."""
        ...


class LocalSource:
    """A store folder on disk (``metadata.jsonl`` and ``<label>/<sha256>.<ext>``)."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)

    def rows(self) -> Iterator[dict[str, Any]]:
        return read_jsonl(self.root / MANIFEST)

    def read(self, file_name: str) -> bytes | None:
        """Raises :class:`~imagespider.dataset.store.files.NotARegularFile` (an ``OSError``) for a link,
        a FIFO or a device in the store: never followed, never waited on."""
        return read_regular_file(self.root / file_name)


@dataclass(frozen=True)
class ExportConfig:
    """What ``scrapy export`` was asked for (imagespider/commands/export.py), checked on creation."""

    formats: tuple[str, ...] = FORMATS
    #: Samples per shard at most.
    shard_size: int = 1000
    #: Bytes of image data per shard at most (a shard holds at least one sample).
    shard_bytes: int = 1 << 30
    #: Target size of the shorter side in pixels, or None to keep the size.
    resize: int | None = None
    resize_mode: str = "keep_ratio"
    encode: str = "keep"
    #: JPEG/WebP quality when encoding.
    quality: int = 95
    #: Images decoded and encoded at once (Pillow releases the GIL).
    workers: int = 2
    #: The license policy rows must meet (``-a license=`` values): crawl once with ``any``, export what may be shared.
    license: str = "any"

    def __post_init__(self) -> None:
        problems = [
            f"unknown format {name!r} (choose from {', '.join(FORMATS)})"
            for name in self.formats
            if name not in FORMATS
        ]
        if not self.formats:
            problems.append("name at least one format")
        if self.shard_size < 1 or self.shard_bytes < 1:
            problems.append("shard sizes must be positive")
        if self.resize is not None and not 1 <= self.resize <= MAX_RESIZE:
            problems.append(f"--resize must be a number of pixels from 1 to {MAX_RESIZE}")
        if self.resize_mode not in RESIZE_MODES:
            problems.append(f"--resize-mode must be one of {', '.join(RESIZE_MODES)}")
        if self.encode not in ENCODINGS:
            problems.append(f"--encode must be one of {', '.join(ENCODINGS)}")
        if not 1 <= self.quality <= 100:
            problems.append("--quality must be between 1 and 100")
        if not 1 <= self.workers <= MAX_WORKERS:
            problems.append(f"--workers must be between 1 and {MAX_WORKERS}")
        try:
            Policy.parse(self.license)
        except PolicyError as error:
            problems.append(str(error).replace("-a license=", "--license "))
        if problems:
            raise ValueError("; ".join(problems))


#: Rows left out of each kind held in memory (the log names the first); shards.json lists them all,
#: from a scratch file, so a store of a million missing files does not hold a million names.
HELD = 1000
#: The kinds of rows left out, as ExportResult's fields and shards.json's keys.
LEFT_OUT = ("missing", "unreadable", "invalid")


@dataclass
class ExportResult:
    samples: int = 0
    #: The first :data:`HELD` rows of each kind left out (file names); ``counts`` counts them all.
    missing: list[str] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)
    #: Rows left out as damaged (no file in the store, no 64-hex sha256, a sha256 already exported):
    #: "row N: why".
    invalid: list[str] = field(default_factory=list)
    shards: list[ShardInfo] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(LEFT_OUT, 0))
    #: Rows the license policy does not keep, by reason (``license_unnamed``...): chosen, not damage.
    policy_left_out: Counter[str] = field(default_factory=Counter)
    #: Where every row left out is written, one JSON string a line, per kind (set by :func:`export`).
    spill: dict[str, IO[str]] = field(default_factory=dict, repr=False)
    #: What was shipped, for the export's card (imagespider/dataset/export/card.py).
    exported: ExportedSet = field(default_factory=ExportedSet)
    #: False when the folder holds a README.md of its own (not an export's card): it is left as it is.
    card_written: bool = False

    def leave_out(self, kind: str, what: str) -> None:
        self.counts[kind] += 1
        held: list[str] = getattr(self, kind)
        if len(held) < HELD:
            held.append(what)
        if kind in self.spill:
            self.spill[kind].write(json.dumps(what, ensure_ascii=False) + "\n")


def transform(data: bytes, config: ExportConfig) -> tuple[bytes, str, int, int]:
    """The bytes to ship for one image, with their extension and size: the original when
    nothing is asked of it, else resized and/or re-encoded (orientation applied first, as a
    viewer shows the image)."""
    with Image.open(io.BytesIO(data)) as image:
        # MPO (a camera JPEG with more frames) is the JPEG the crawl kept as .jpg.
        source_format = _ALIASES.get(image.format or "JPEG", image.format or "JPEG")
        if config.resize is None and config.encode == "keep":
            return data, _EXT.get(source_format, "img"), image.width, image.height
        image.seek(0)  # an animation ships its first frame
        picture = ImageOps.exif_transpose(image)
        if config.resize is not None:
            picture = _resized(picture, config.resize, config.resize_mode)
        same = source_format if source_format in ("JPEG", "PNG", "WEBP") else "PNG"
        target = _PIL_FORMAT.get(config.encode) or same
        if target == "JPEG" and picture.mode not in ("RGB", "L"):
            picture = picture.convert("RGB")
        elif picture.mode == "P":
            picture = picture.convert("RGBA")
        out = io.BytesIO()
        options: dict[str, Any] = {"quality": config.quality} if target in ("JPEG", "WEBP") else {}
        picture.save(out, format=target, **options)
        return out.getvalue(), _EXT[target], picture.width, picture.height


def _resized(image: Image.Image, size: int, mode: str) -> Image.Image:
    width, height = image.size
    scale = size / min(width, height)
    scaled = (max(1, round(width * scale)), max(1, round(height * scale)))
    if mode == "center_crop":
        return ImageOps.fit(image, (size, size), method=Image.Resampling.LANCZOS)
    return image.resize(scaled, Image.Resampling.LANCZOS)


def sample_of(row: Mapping[str, Any], data: bytes, config: ExportConfig, classes: Sequence[str]) -> Sample:
    shipped, ext, width, height = transform(data, config)
    meta: dict[str, Any] = {name: _text(row.get(name)) for name in SAMPLE_FIELDS}
    meta["label_id"] = classes.index(row["label"]) if row.get("label") in classes else None
    meta["width"], meta["height"] = width, height
    meta["original_width"], meta["original_height"] = _count(row.get("width")), _count(row.get("height"))
    meta["sample_sha256"] = hashlib.sha256(shipped).hexdigest()
    meta["permissions"] = row.get("permissions")
    return Sample(str(row["sha256"]), ext, shipped, width, height, meta)


def _text(value: Any) -> str | None:
    """A row's text field as a string column takes it: a damaged row's number is written as
    text, a list or object is left out (Arrow refuses both in a string column)."""
    if isinstance(value, str) or value is None:
        return value
    return str(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _count(value: Any) -> int | None:
    """A row's pixel count as an int64 column takes it, or None."""
    return value if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 1 << 62 else None


def _valid_rows(rows: Iterator[dict[str, Any]], result: ExportResult, ordered: OrderedRows) -> None:
    """Hold in ``ordered`` the rows that name a file in the store and a sha256 (64 hex digits),
    each sha256 once, their text made safe to write (a lone surrogate, a control character in a
    damaged row: imagespider/text.py); the others are left out as ``invalid`` (row number and why)."""
    for number, row in enumerate(rows, 1):
        name = row.get("file_name")
        if not isinstance(name, str) or not name:
            # None: no file_name, or one outside the store or naming no file (read_jsonl makes
            # ``../x``, ``/x`` and a name with a NUL None)
            result.leave_out("invalid", f"row {number}: file_name names no file in the store")
            continue
        sha = row.get("sha256")
        sha = sha.strip().lower() if isinstance(sha, str) else ""
        if not _SHA256.fullmatch(sha):
            result.leave_out("invalid", f"row {number} ({clean_text(name)}): sha256 is not 64 hex digits")
            continue
        row = clean_value({**row, "sha256": sha})
        row["file_name"] = name  # checked above; cleaning must not make it name another file
        if not ordered.add(str(row.get("label")), sha, row):
            result.leave_out("invalid", f"row {number} ({row['file_name']}): sha256 {sha} is already exported")


def kept_by_policy(rows: Iterator[dict[str, Any]], policy: Policy, result: ExportResult) -> Iterator[dict[str, Any]]:
    """The rows whose license the policy keeps, as the crawl's license pipeline would have; the others
    counted by reason in ``result.policy_left_out``."""
    for row in rows:
        reason = None if policy.is_any else policy.check(license_of(row))
        if reason is None:
            yield row
        else:
            result.policy_left_out[reason] += 1


def export(source: Source, out: str | os.PathLike[str], config: ExportConfig, *, origin: str = "") -> ExportResult:
    """Write ``source``'s images as shards under ``out`` (``webdataset/``, ``parquet/``) and
    ``shards.json``. Rows whose file is missing, does not decode or is not the bytes its sha256
    names are listed, not shipped.

    One export at a time per folder (:func:`export_lock`, :class:`ExportBusy` for a second), and
    the folder changes only once this export is whole (imagespider/dataset/export/folder.py): an
    error (a full disk: ``OSError``) leaves the previous export as it was. Memory does not grow
    with the store: rows are ordered on disk (imagespider/dataset/export/order.py) and a few
    images are in flight at once."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    with export_lock(out), scratch_folder(out) as scratch:
        result = ExportResult()
        ordered = OrderedRows(scratch / "rows.sqlite")
        with contextlib.ExitStack() as files:
            result.spill = {
                kind: files.enter_context((scratch / f"{kind}.jsonl").open("w", encoding="utf-8")) for kind in LEFT_OUT
            }
            try:
                _valid_rows(kept_by_policy(source.rows(), Policy.parse(config.license), result), result, ordered)
                classes = ordered.labels()
                _write_shards(source, scratch, config, classes, ordered, result)
            finally:
                ordered.close()
        result.spill = {}
        head = {"source": origin, "samples": result.samples, "classes": classes, "options": asdict(config)}
        _write_shards_manifest(scratch / SHARDS_MANIFEST, head, {kind: scratch / f"{kind}.jsonl" for kind in LEFT_OUT},
                               [asdict(shard) for shard in result.shards])
        result.card_written = _write_card(scratch, out, result, config, origin)
        documents = (CARD,) if result.card_written else ()
        move_into_place(scratch, out, [shard.path for shard in result.shards], SHARDS_MANIFEST, documents)
    return result


def _write_card(scratch: Path, out: Path, result: ExportResult, config: ExportConfig, origin: str) -> bool:
    """The set's card, ``README.md``, in ``scratch`` (moved into place with the shards); False, and
    none written, when ``out`` holds a README.md that is not an export's card (the user's own)."""
    existing = out / CARD
    if existing.is_symlink() or existing.exists():
        try:
            if existing.is_symlink() or not is_export_card(existing.read_text(encoding="utf-8", errors="replace")):
                return False
        except OSError:  # a folder of that name, no permission: not ours to replace
            return False
    exported = result.exported
    exported.source, exported.policy, exported.formats = origin, config.license, config.formats
    exported.options = asdict(config)
    exported.shards, exported.policy_left_out, exported.damaged = result.shards, result.policy_left_out, result.counts
    (scratch / CARD).write_text(render_export_card(exported), encoding="utf-8")
    return True


def _write_shards_manifest(path: Path, head: dict[str, Any], lists: dict[str, Path], shards: list[Any]) -> None:
    """shards.json: ``head``'s keys, each list of rows left out streamed from its scratch file
    (one JSON string a line), then the shards."""
    with path.open("w", encoding="utf-8") as out:
        out.write("{\n")
        for key, value in head.items():
            out.write(f"  {json.dumps(key)}: {json.dumps(value, ensure_ascii=False)},\n")
        for key, source in lists.items():
            out.write(f"  {json.dumps(key)}: [")
            with source.open(encoding="utf-8") as lines:
                for number, line in enumerate(lines):
                    out.write(("" if number == 0 else ", ") + line.rstrip("\n"))
            out.write("],\n")
        out.write(f'  "shards": {json.dumps(shards, indent=2, ensure_ascii=False)}\n}}\n')


def _write_shards(
    source: Source, folder: Path, config: ExportConfig, classes: list[str], rows: OrderedRows, result: ExportResult
) -> None:
    """Read, check and transform each row's image (a few at once) and hand them to the sharder."""
    sharder = Sharder(folder, config, classes)

    def prepare(row: dict[str, Any]) -> tuple[dict[str, Any], Sample | None, str]:
        try:
            data = source.read(row["file_name"])
        except OSError as error:  # a folder where the file should be, no permission, a FIFO, a link...
            logger.warning("cannot export %s: %s", row["file_name"], error.strerror or error)
            return row, None, "unreadable"
        if data is None:
            return row, None, "missing"
        if hashlib.sha256(data).hexdigest() != row["sha256"]:  # the key and the JSON would vouch for other bytes
            logger.warning("cannot export %s: its bytes are not the sha256 its row names (changed since kept)",
                           row["file_name"])
            return row, None, "unreadable"
        try:
            return row, sample_of(row, data, config, classes), ""
        except Exception as error:  # a file that no longer decodes
            logger.warning("cannot export %s: %s", row["file_name"], error)
            return row, None, "unreadable"

    workers = max(1, config.workers)
    with ThreadPoolExecutor(workers) as pool:
        for window in _windows(iter(rows), workers * 4):
            for row, sample, problem in pool.map(prepare, window):
                if sample is None:
                    result.leave_out(problem, row["file_name"])
                    continue
                sharder.add(sample)
                result.samples += 1
                result.exported.labels[str(sample.meta.get("label"))] += 1
                result.exported.licenses[str(sample.meta.get("license") or "unknown")] += 1
                result.exported.extensions[sample.ext] += 1
    sharder.flush()
    result.shards = sharder.shards


def _windows(rows: Iterator[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    while window := list(itertools.islice(rows, size)):
        yield window
