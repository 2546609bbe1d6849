"""What is where in a store: the files at its root and the image files in its label folders.

``metadata.jsonl`` sits at the store's root with ``file_name`` relative to it (Hugging Face's
``imagefolder`` loader reads it; the label folders make the store a torchvision ``ImageFolder``
too). Our image files are named ``<label>/<sha256>.<ext>``; folders whose name starts with a dot
(``.orphans``, the thumbnails) are not label folders, and loaders skip them.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

MANIFEST = "metadata.jsonl"
REJECTED = "rejected.jsonl"
#: Held (flock) by the crawl writing the store; holds that crawl's pid, for the message.
LOCK = ".lock"
#: Where image files with no manifest row are moved (``<store>/.orphans/<label>/<file>``).
ORPHANS = ".orphans"
#: Where manifest lines that are not rows are kept (under ORPHANS), so the manifest loads again.
UNREADABLE_ROWS = "metadata.unreadable.jsonl"
_OUR_FILE = re.compile(r"^[0-9a-f]{64}\.[a-z0-9]{2,4}$")


def image_files(root: Path) -> list[Path]:
    """The files named like ours directly in a label folder (``.orphans`` and other dot folders
    are not label folders)."""
    return list(iter_image_files(root))


def iter_image_files(root: Path) -> Iterator[Path]:
    """:func:`image_files`, one at a time (a store may hold millions)."""
    return (root / name for name in iter_image_names(root))


def iter_image_names(root: Path) -> Iterator[str]:
    """:func:`image_files` as ``label/name`` strings, one at a time."""
    match = _OUR_FILE.match
    with os.scandir(root) as folders:
        for folder in folders:
            if folder.name.startswith(".") or not folder.is_dir():
                continue
            prefix = folder.name + "/"
            with os.scandir(folder.path) as entries:
                for entry in entries:
                    if match(entry.name) and entry.is_file():
                        yield prefix + entry.name
