"""A store on disk built in unit tests: rows numbered ``n`` with files named like ours, opened and read back."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from imagespider.dataset.store import Dataset


def sha(n: int) -> str:
    return hashlib.sha256(str(n).encode()).hexdigest()


def row(n: int, label: str = "cat", **extra: Any) -> dict[str, Any]:
    digest = sha(n)
    return {
        "file_name": f"{label}/{digest}.jpg",
        "label": label,
        "image_url": f"https://img.example.com/{n}.jpg",
        "sha256": digest,
        **extra,
    }


def opened(root: Path) -> Dataset:
    dataset = Dataset(root)
    dataset.open()
    return dataset


def lines_of(path: Path) -> list[dict[str, Any]]:
    data = path.read_bytes()
    assert data == b"" or data.endswith(b"\n")
    return [json.loads(line) for line in data.split(b"\n")[:-1]]


def store_file(root: Path, file_name: str, content: bytes = b"\xff\xd8\xff fake jpeg") -> Path:
    path = root / file_name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return path
