"""IPTC-IIM blocks wherever a file keeps them, and the digest that says whether XMP is in sync.

IIM (the "legacy" IPTC) lives in a Photoshop image resource 0x0404: in a JPEG's APP13, a PSD's
resource section, a TIFF's tag 33723 (bare) or 34377 (Photoshop resources), and in PNG text
chunks that ImageMagick and exiftool write as ``Raw profile type iptc`` / ``Raw profile type 8bim``
(hex inside a zTXt/tEXt chunk). Photoshop also stores an MD5 of the IIM block it last synchronised
with XMP (resource 0x0425, "IPTCDigest"); the Metadata Working Group's reconciliation
(imagespider/rights/embedded.py) compares it with the MD5 of the block as it is now.

Pure: an opened Pillow image in, bytes and dicts out. Nothing here trusts its input.
"""

from __future__ import annotations

import binascii
import hashlib
from dataclasses import dataclass

from PIL import Image

__all__ = ["IimBlock", "find_iim", "parse_iim", "photoshop_resources"]

IPTC_NAA = 0x0404
IPTC_DIGEST = 0x0425
TIFF_IPTC_TAG = 33723
TIFF_PHOTOSHOP_TAG = 34377
PNG_RAW_PROFILES = ("Raw profile type iptc", "Raw profile type 8bim", "Raw profile type APP13")


class IimError(ValueError):
    """An IIM block is present but cannot be read."""


@dataclass(frozen=True, slots=True)
class IimBlock:
    """One file's IIM datasets and whether XMP was synchronised with them.

    ``digest_matches`` is None when no IPTCDigest was stored (most non-Adobe writers), True when
    the stored digest is the MD5 of the block as it is now, False when the IIM changed since.
    """

    datasets: dict[tuple[int, int], list[bytes]]
    digest_matches: bool | None


def find_iim(im: Image.Image) -> IimBlock | None:
    """The file's IIM block, or None when it has none; raises IimError for an unreadable one."""
    resources: dict[int, bytes] = {}
    raw: bytes | None = None
    photoshop = im.info.get("photoshop")
    if isinstance(photoshop, dict):  # JPEG APP13 (and MPO), already split by Pillow
        resources.update({k: v for k, v in photoshop.items() if isinstance(v, bytes)})
    for rid, _name, data in getattr(im, "resources", None) or ():  # PSD
        if isinstance(rid, int) and isinstance(data, bytes):
            resources[rid] = data
    tagdata = getattr(getattr(im, "tag_v2", None), "_tagdata", None)  # TIFF, raw tag bytes
    if isinstance(tagdata, dict):
        if isinstance(tagdata.get(TIFF_PHOTOSHOP_TAG), bytes):
            resources.update(photoshop_resources(tagdata[TIFF_PHOTOSHOP_TAG]))
        if isinstance(tagdata.get(TIFF_IPTC_TAG), bytes):
            raw = tagdata[TIFF_IPTC_TAG]
    for key in PNG_RAW_PROFILES:
        text = im.info.get(key)
        if isinstance(text, str):
            profile = _raw_profile_bytes(text)
            if profile.startswith(b"8BIM"):
                resources.update(photoshop_resources(profile))
            elif profile:
                raw = profile
    if raw is None:
        raw = resources.get(IPTC_NAA)
    if raw is None:
        return None
    stored = resources.get(IPTC_DIGEST)
    matches = None if not stored else stored[:16] == hashlib.md5(raw).digest()  # noqa: S324 (Adobe's own checksum)
    return IimBlock(parse_iim(raw), matches)


def parse_iim(data: bytes) -> dict[tuple[int, int], list[bytes]]:
    """IIM datasets by (record, dataset), repeatable ones in file order.

    Each dataset is tag marker 0x1C, record, dataset number, a 2-byte length (or, with the top bit
    set, the number of bytes of an "extended" length). Padding after the last dataset is allowed;
    a block that does not start with a dataset, or whose last dataset is cut short, is an error.
    """
    out: dict[tuple[int, int], list[bytes]] = {}
    pos, end = 0, len(data)
    while pos < end:
        if data[pos] != 0x1C:
            if pos == 0:
                raise IimError("not an IIM block")
            break
        if pos + 5 > end:
            raise IimError("truncated dataset header")
        key = (data[pos + 1], data[pos + 2])
        size = int.from_bytes(data[pos + 3 : pos + 5], "big")
        pos += 5
        if size & 0x8000:
            width = size & 0x7FFF
            if width > 4 or pos + width > end:
                raise IimError("bad extended length")
            size = int.from_bytes(data[pos : pos + width], "big")
            pos += width
        if pos + size > end:
            raise IimError("truncated dataset")
        out.setdefault(key, []).append(data[pos : pos + size])
        pos += size
    return out


def photoshop_resources(data: bytes) -> dict[int, bytes]:
    """Split a Photoshop image-resource block ("8BIM", id, padded Pascal name, size, data)."""
    out: dict[int, bytes] = {}
    pos = 0
    while pos + 12 <= len(data) and data[pos : pos + 4] == b"8BIM":
        rid = int.from_bytes(data[pos + 4 : pos + 6], "big")
        name_len = data[pos + 6]
        pos += 6 + 1 + name_len + ((1 + name_len) % 2)
        if pos + 4 > len(data):
            break
        size = int.from_bytes(data[pos : pos + 4], "big")
        pos += 4
        out[rid] = data[pos : pos + size]
        pos += size + (size % 2)
    return out


def _raw_profile_bytes(text: str) -> bytes:
    """ImageMagick's raw profile text: a blank line, the profile name, its length, then hex."""
    lines = text.strip().split("\n", 2)
    if len(lines) < 3:
        return b""
    try:
        length = int(lines[1].strip())
        data = binascii.unhexlify("".join(lines[2].split()))
    except (ValueError, binascii.Error):
        raise IimError("unreadable raw profile") from None
    return data[:length]
