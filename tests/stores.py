"""A store on disk built in unit tests: rows numbered ``n`` with files named like ours, opened and read back."""

from __future__ import annotations

import contextlib
import hashlib
import json
import resource
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from imagespider.dataset.store.local import Dataset


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


@contextlib.contextmanager
def file_size_limit(size: int) -> Iterator[None]:
    """A real "disk full" for files growing past ``size`` bytes in this process: RLIMIT_FSIZE
    (Python ignores SIGXFSZ, so a write past it fails with EFBIG, and one across it is short)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (size, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
