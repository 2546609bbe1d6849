"""Small thumbnails for report.html, made when the documents are written (at the end of a crawl).

A report of thousands of images cannot show the originals (550 images made a page that loaded
hundreds of megabytes). Each kept image gets a JPEG of at most :data:`SIZE` pixels a side, made
once and kept: ``<label>/.thumbs/<sha256>.jfif``. Where, and why that name:

* inside the label folder, in a hidden folder: Hugging Face skips hidden folders (and the dataset
  card's patterns read one level deep only); a hidden folder at the store's root would be a class
  to torchvision's ``ImageFolder``, which lists every folder there;
* ``.jfif``, a JPEG file extension browsers know, but not one of torchvision's image extensions,
  so ``ImageFolder`` walking into ``cat/.thumbs/`` takes none of them for a ``cat`` image.

The crawl makes each kept image's thumbnail in its check worker, from the pixels the check has
just decoded (:func:`thumbnail_jpeg`, imagespider/pipelines/imagecheck.py), and writes it beside
the file; the documents at the end then only make those that are missing (a store from an older
crawl). Making them all at the end decoded every PNG and WebP a second time, in the crawl process,
one after the other: a third of a 700-image crawl's CPU (benchmarks/throughput.py).

A thumbnail that cannot be made (a file gone, an image Pillow cannot reduce) is simply absent:
the report then shows the original.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping, Sequence
from io import BytesIO
from pathlib import Path
from typing import Any

from PIL import Image

from imagespider.dataset.documents.report import CLASS_PAGE_SAMPLE, GALLERY_SAMPLE
from imagespider.dataset.neardup.phash import REDUCIBLE_MODES
from imagespider.dataset.store.files import THUMBS

logger = logging.getLogger(__name__)

SIZE = 240
QUALITY = 72
#: Bilinear (with Pillow's antialiasing when reducing) and no Huffman optimisation: a 240 px
#: preview in a report looks the same, at 1.7 ms and 0.3 ms instead of 2.7 ms (bicubic) and 0.5 ms
#: (``optimize``) per image (benchmarks/checkprofile.py); the thumbnails grow about 7%.
RESAMPLE = Image.Resampling.BILINEAR
#: The check's thumbnail is a box reduction by a whole factor when that leaves its long side at
#: least this (the report's gallery cells are 160 x 140 px): from the 250-500 px copy the check has
#: decoded, 0.9 ms instead of 2.3 ms with a bilinear resize to exactly SIZE (benchmarks/checkprofile.py).
MIN_REDUCED = 160


#: The most images of one class a report shows, each with a thumbnail.
SAMPLE = max(GALLERY_SAMPLE, CLASS_PAGE_SAMPLE)


def sample_cutoff(last_shown: str | None) -> str | None:
    """The largest sha256 a newly kept image of a class may have and still be shown by the report,
    given the last file name its sample shows now (``IndexQueries.sample_last``, in the store's
    indexqueries.py);
    None while the class has fewer than :data:`SAMPLE` images (every new one is shown).

    The report shows a class's first images by file name, ``<label>/<sha256>.<ext>``, so by
    sha256: a uniform random sample that stays put as the store grows. An image whose sha256
    sorts after the sample's last never appears in it, and the check need not make its thumbnail
    (0.9 ms of the check and a file creation each; of 2,000 images in one class, about 770 are made,
    of a million about 2,200). The cutoff only falls as images are kept, so one read before a check
    never leaves out an image the final sample shows; one that is shown anyway gets its thumbnail
    from :func:`ensure_thumbnails` when the documents are written.
    """
    if last_shown is None:
        return None
    return last_shown.rpartition("/")[2].partition(".")[0]


def thumbnail_name(row: Mapping[str, Any]) -> str | None:
    """``cat/.thumbs/<sha256>.jfif`` for a manifest row, or None when the row cannot have one."""
    file_name, sha = str(row.get("file_name") or ""), str(row.get("sha256") or "")
    label, _, base = file_name.rpartition("/")
    if not label or "/" in label or label.startswith(".") or ".." in file_name or not base:
        return None
    if not sha or not sha.isalnum():
        return None
    return f"{label}/{THUMBS}/{sha}.jfif"


def thumbnail_jpeg(image: Image.Image) -> bytes | None:
    """The thumbnail of an image already loaded, as JPEG bytes, at most SIZE px a side (and at
    least MIN_REDUCED on its long side, when it was larger); None if it cannot be made. ``image``
    may be reduced in place (the check is done with it)."""
    try:
        factor = -(-max(image.size) // SIZE)
        if factor >= 2 and max(image.size) // factor >= MIN_REDUCED and image.mode in REDUCIBLE_MODES:
            image = image.reduce(factor)
        else:
            image.thumbnail((SIZE, SIZE), RESAMPLE)
        small = image.convert("RGB")
        buffer = BytesIO()
        small.save(buffer, "JPEG", quality=QUALITY)
        return buffer.getvalue()
    except (OSError, ValueError) as error:
        logger.debug("no thumbnail: %s", error)
        return None


def write_thumbnail(target: Path, data: bytes) -> None:
    """Write thumbnail bytes to ``target`` atomically (a reader never sees half a file)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.tmp")
    partial.write_bytes(data)
    os.replace(partial, target)


def make_thumbnail(source: Path, target: Path) -> bool:
    """Write a reduced JPEG of ``source`` to ``target`` (atomically); False if it cannot."""
    try:
        with Image.open(source) as image:
            image.draft("RGB", (SIZE * 2, SIZE * 2))  # JPEG: decode at a reduced scale
            image.thumbnail((SIZE, SIZE), RESAMPLE)
            small = image.convert("RGB")
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f".{target.name}.tmp")
        small.save(partial, "JPEG", quality=QUALITY)
        os.replace(partial, target)
        return True
    except (OSError, ValueError, Image.DecompressionBombError) as error:
        logger.debug("no thumbnail for %s: %s", source, error)
        return False


def ensure_thumbnails(root: Path, rows: Sequence[Mapping[str, Any]]) -> dict[str, str]:
    """``{file_name: thumbnail path}`` for every row that has (or now gets) a thumbnail."""
    made: dict[str, str] = {}
    for row in rows:
        name = thumbnail_name(row)
        if name is None:
            continue
        target = root / name
        if target.exists() or make_thumbnail(root / str(row["file_name"]), target):
            made[str(row["file_name"])] = name
    return made
