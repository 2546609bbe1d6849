"""Shard files: samples cut into WebDataset tars and Parquet files, each whole or absent.

imagespider/dataset/export/exporter.py decides what is shipped (which rows, which bytes, which metadata);
this module only writes the shards it is handed and removes those an earlier export left that
this one did not write. Pure of Scrapy.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import tarfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

#: A shard's file name, per format, as :class:`Sharder` writes it.
SHARD_NAMES = {"webdataset": re.compile(r"shard-[0-9]{6,}\.tar"), "parquet": re.compile(r"shard-[0-9]{6,}\.parquet")}


@dataclass
class Sample:
    key: str
    ext: str
    data: bytes
    width: int
    height: int
    meta: dict[str, Any]


@dataclass
class ShardInfo:
    path: str
    format: str
    samples: int
    bytes: int
    sha256: str
    first_key: str
    last_key: str


class ShardConfig(Protocol):
    """Where a shard ends, and which formats are written (imagespider/dataset/export/exporter.py's ExportConfig)."""

    @property
    def formats(self) -> tuple[str, ...]: ...
    @property
    def shard_size(self) -> int: ...
    @property
    def shard_bytes(self) -> int: ...


class Sharder:
    """Cuts the sample stream into shards by count and bytes, one writer per format."""

    def __init__(self, out: Path, config: ShardConfig, classes: Sequence[str]) -> None:
        self.out, self.config, self.classes = out, config, classes
        self.batch: list[Sample] = []
        self.batch_bytes = 0
        self.number = 0
        self.shards: list[ShardInfo] = []

    def add(self, sample: Sample) -> None:
        if self.batch and (
            len(self.batch) >= self.config.shard_size or self.batch_bytes + len(sample.data) > self.config.shard_bytes
        ):
            self.flush()
        self.batch.append(sample)
        self.batch_bytes += len(sample.data)

    def flush(self) -> None:
        if not self.batch:
            return
        name = f"shard-{self.number:06d}"
        for fmt in self.config.formats:
            writer = _write_tar if fmt == "webdataset" else _write_parquet
            folder = self.out / fmt
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / f"{name}.{'tar' if fmt == 'webdataset' else 'parquet'}"
            partial = path.with_name(f".{path.name}.tmp")
            writer(partial, self.batch, self.classes)
            os.replace(partial, path)  # a shard is whole or absent
            self.shards.append(
                ShardInfo(
                    path=path.relative_to(self.out).as_posix(), format=fmt, samples=len(self.batch),
                    bytes=path.stat().st_size, sha256=_file_sha256(path),
                    first_key=self.batch[0].key, last_key=self.batch[-1].key,
                )
            )
        self.number += 1
        self.batch, self.batch_bytes = [], 0


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _write_tar(path: Path, samples: Sequence[Sample], classes: Sequence[str]) -> None:
    with tarfile.open(path, "w", format=tarfile.USTAR_FORMAT) as tar:
        for sample in samples:
            meta = json.dumps(sample.meta, ensure_ascii=False, sort_keys=True).encode("utf-8")
            for name, data in ((f"{sample.key}.{sample.ext}", sample.data), (f"{sample.key}.json", meta)):
                info = tarfile.TarInfo(name)
                info.size, info.mode, info.mtime = len(data), 0o644, 0  # reproducible shards
                tar.addfile(info, io.BytesIO(data))


#: Parquet columns besides ``key`` and ``image``, with their Arrow types.
_STRING_COLUMNS = (
    "label", "license", "license_version", "license_url", "attribution", "author", "title", "image_url",
    "page_url", "engine", "query", "sha256", "sample_sha256", "file_name",
)  # fmt: skip
_INT_COLUMNS = ("label_id", "width", "height", "original_width", "original_height")


def parquet_schema(classes: Sequence[str]) -> Any:
    """The Arrow schema, carrying Hugging Face ``datasets`` features in its metadata."""
    import pyarrow as pa

    fields = [
        pa.field("key", pa.string()),
        pa.field("image", pa.struct([pa.field("bytes", pa.binary()), pa.field("path", pa.string())])),
        *(pa.field(name, pa.string()) for name in _STRING_COLUMNS),
        *(pa.field(name, pa.int64()) for name in _INT_COLUMNS),
        pa.field("permissions", pa.string()),  # JSON: its keys vary with the license model
    ]
    features: dict[str, Any] = {"key": {"dtype": "string", "_type": "Value"}, "image": {"_type": "Image"}}
    features |= {name: {"dtype": "string", "_type": "Value"} for name in _STRING_COLUMNS}
    features |= {name: {"dtype": "int64", "_type": "Value"} for name in _INT_COLUMNS}
    features["label_id"] = {"names": list(classes), "_type": "ClassLabel"}
    features["permissions"] = {"dtype": "string", "_type": "Value"}
    metadata = {b"huggingface": json.dumps({"info": {"features": features}}).encode("utf-8")}
    return pa.schema(fields, metadata=metadata)


def _write_parquet(path: Path, samples: Sequence[Sample], classes: Sequence[str]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = parquet_schema(classes)
    columns: dict[str, list[Any]] = {
        "key": [s.key for s in samples],
        "image": [{"bytes": s.data, "path": f"{s.key}.{s.ext}"} for s in samples],
    }
    for name in (*_STRING_COLUMNS, *_INT_COLUMNS):
        columns[name] = [s.meta.get(name) for s in samples]
    columns["permissions"] = [json.dumps(s.meta.get("permissions"), sort_keys=True) for s in samples]
    table = pa.Table.from_pydict(columns, schema=schema)
    pq.write_table(table, path, compression="zstd")


def remove_stale_shards(out: Path, written: set[str]) -> None:
    """Delete the shards an earlier export left in ``out`` that this one did not write (it had
    more shards, or another format): shards.json lists every shard, and a loader globbing
    ``parquet/*.parquet`` would read them as this export's. Only files named as this module
    names shards are touched."""
    for fmt in SHARD_NAMES:
        folder = out / fmt
        if not folder.is_dir():
            continue
        for path in folder.iterdir():
            relative = f"{fmt}/{path.name}"
            if SHARD_NAMES[fmt].fullmatch(path.name) and relative not in written and path.is_file():
                path.unlink()
