"""Small stores of real JPEGs for the review tests (imagespider/dataset/store/reviewapply.py, the review
page): rows as a crawl writes them, thumbnails beside them, and a snapshot of every file's bytes."""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path
from typing import Any

from PIL import Image

from imagespider.dataset.documents.thumbnails import THUMBS, thumbnail_jpeg
from imagespider.dataset.neardup.phash import phash_of
from imagespider.dataset.store.files import MANIFEST, REJECTED

#: Files a review or an open changes besides the data: the journal, the lock, the derived index.
NOT_DATA = ("reviews.jsonl", ".lock", ".index.sqlite")


def jpeg(seed: int, size: tuple[int, int] = (64, 48)) -> bytes:
    buffer = io.BytesIO()
    colour = ((seed * 37) % 255, (seed * 91) % 255, (seed * 53) % 255)
    image = Image.new("RGB", size, colour)
    for x in range(0, size[0], 8):  # a pattern per seed, so perceptual hashes differ
        for y in range(0, size[1], 8):
            if (x * 7 + y * 3 + seed) % (seed % 5 + 2) == 0:
                image.paste((255 - colour[0], colour[1], 255 - colour[2]), (x, y, x + 8, y + 8))
    image.save(buffer, "JPEG", quality=90, comment=f"test image {seed}".encode())  # unique bytes
    return buffer.getvalue()


def kept_row(
    root: Path, label: str, n: int, data: bytes | None = None, size: tuple[int, int] = (64, 48), **extra: Any
) -> dict[str, Any]:
    """Write image ``n`` of ``label`` (and its thumbnail) into ``root``; return its manifest row."""
    data = data if data is not None else jpeg(n, size)
    sha = hashlib.sha256(data).hexdigest()
    (root / label / THUMBS).mkdir(parents=True, exist_ok=True)
    (root / label / f"{sha}.jpg").write_bytes(data)
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        width, height = image.size
        phash = phash_of(image)
        thumb = thumbnail_jpeg(image)
    assert thumb is not None
    (root / label / THUMBS / f"{sha}.jfif").write_bytes(thumb)
    row = {
        "file_name": f"{label}/{sha}.jpg", "label": label, "query": label, "engine": ("bing", "flickr")[n % 2],
        "image_url": f"https://img.example/{label}/{n}.jpg", "page_url": f"https://photos.example/{label}/{n}",
        "title": f"{label} {n}", "author": f"Author {n}", "author_url": f"https://photos.example/people/{n}",
        "license": "cc-by", "license_version": "2.0", "license_url": "https://creativecommons.org/licenses/by/2.0/",
        "license_source": "api", "width": width, "height": height, "format": "JPEG", "bytes": len(data),
        "sha256": sha, "phash": phash, "rights": {"copyright": None},
    }
    return row | extra


def write_store(root: Path, rows: list[dict[str, Any]], rejected: list[dict[str, Any]] | None = None) -> None:
    root.mkdir(parents=True, exist_ok=True)
    (root / MANIFEST).write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    (root / REJECTED).write_text(
        "".join(json.dumps(r) + "\n" for r in rejected or [{"url": "https://x.example/a.jpg", "label": "cat",
                                                              "reason": "http_error", "detail": "HTTP 404"}]),
        encoding="utf-8",
    )


def snapshot(root: Path) -> dict[str, bytes]:
    """Every data file of the store (not the journal, lock or index) by path, with its bytes."""
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and not path.name.startswith(NOT_DATA) and ".index.sqlite" not in path.name
    }


def folders(root: Path) -> list[str]:
    return sorted(path.relative_to(root).as_posix() for path in root.rglob("*") if path.is_dir())


def in_step(root: Path) -> list[dict[str, Any]]:
    """Assert every row names a file on disk and every image file in a class folder has a row."""
    rows = [json.loads(line) for line in (root / MANIFEST).read_text(encoding="utf-8").splitlines()]
    named = {row["file_name"] for row in rows}
    on_disk = {path.relative_to(root).as_posix() for path in root.glob("*/*.jpg")}
    assert named == on_disk, (named ^ on_disk)
    return rows
