"""Rights evidence carried by a downloaded image: its embedded metadata and its HTTP headers.

The license model (docs/licenses.md) treats a search engine's license claim as evidence only; the file
itself may say more. A photographer's XMP ``cc:license`` or ``dc:rights``, an IPTC copyright
notice, or a PLUS Data Mining prohibition travel with the bytes, and an ``X-Robots-Tag: noai`` or a
TDMRep ``tdm-reservation: 1`` travel with the response. This module only *finds* that evidence;
``rights/evidence.py`` and the pipelines decide what it means for an item.

Everything here is pure: bytes in, frozen dataclasses out. No Scrapy, no I/O. The bytes come from
the network, so nothing in them is trusted: Pillow is used only to locate the metadata blocks
(``Image.open`` reads headers, never pixels), XMP is parsed safely (rights/xmp.py) and IIM by a
bounds-checked reader (rights/iim.py).
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import Any

from PIL import Image

from imagespider.rights.contentcredentials import C2paFacts, read_c2pa
from imagespider.rights.iim import IimBlock, find_iim
from imagespider.rights.xmp import XmpError, decode_packet, parse_packet, prop, struct_fields, visible_data_mining

__all__ = [
    "DATA_MINING_PROHIBITED",
    "EmbeddedRights",
    "data_mining_prohibited",
    "read_embedded",
    "read_embedded_from",
]

# XMP namespaces (element/attribute names arrive as "{namespace}local" from ElementTree).
CC = "http://creativecommons.org/ns#"
DC = "http://purl.org/dc/elements/1.1/"
XMP_RIGHTS = "http://ns.adobe.com/xap/1.0/rights/"
PHOTOSHOP = "http://ns.adobe.com/photoshop/1.0/"
PLUS = "http://ns.useplus.org/ldf/xmp/1.0/"
IPTC_EXT = "http://iptc.org/std/Iptc4xmpExt/2008-02-29/"

# IPTC IIM datasets (record 2 = application record, record 1:90 = coded character set), with the
# length limits the IIM standard sets (a longer XMP value that starts with a value of exactly that
# length is the same value, truncated when it was copied to IIM: exiftool's RecoverTruncatedIPTC).
IIM_COPYRIGHT = (2, 116)
IIM_BYLINE = (2, 80)
IIM_CREDIT = (2, 110)
IIM_CHARSET = (1, 90)
IIM_LIMITS = {IIM_COPYRIGHT: 128, IIM_BYLINE: 32, IIM_CREDIT: 32}
IIM_UTF8_MARKER = b"\x1b%G"  # ISO 2022 escape for UTF-8, what Photoshop and exiftool write

# EXIF IFD0 tags.
EXIF_COPYRIGHT = 0x8298
EXIF_ARTIST = 0x013B
TIFF_HEADERS = (b"II*\x00", b"MM\x00*")


# --------------------------------------------------------------------------- embedded rights


@dataclass(frozen=True, slots=True)
class EmbeddedRights:
    """Rights statements found inside an image file.

    Each field keeps the value as the file states it (no normalisation to a license id): the
    manifest records evidence, and ``rights/evidence.py`` interprets it. ``malformed`` names the
    blocks that were present but unreadable, because a damaged XMP packet is itself worth
    reporting: it may have hidden an opt-out (see ``data_mining``, still read from a refused packet).
    ``licensor`` and ``copyright_owner`` are the names in the PLUS structures, in file order.
    """

    license_url: str | None = None
    web_statement: str | None = None
    usage_terms: str | None = None
    marked: bool | None = None
    copyright: str | None = None
    creator: str | None = None
    credit: str | None = None
    data_mining: str | None = None
    other_constraints: str | None = None
    licensor: tuple[str, ...] = ()
    copyright_owner: tuple[str, ...] = ()
    digital_source_type: str | None = None
    #: C2PA Content Credentials (rights/contentcredentials.py), when the file carries a store.
    c2pa: C2paFacts | None = None
    malformed: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Only the fields that say something, so manifest rows stay small and JSON-ready.

        ``marked=False`` is kept: it is a statement (XMP's way of saying "public domain"), not an
        absence. Tuples become lists for JSON.
        """
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if value is None or value == () or value == "":
                continue
            if isinstance(value, C2paFacts):
                out[f.name] = value.to_dict()
                continue
            out[f.name] = list(value) if isinstance(value, tuple) else value
        return out


def read_embedded(data: bytes) -> EmbeddedRights:
    """Collect XMP, IPTC IIM and EXIF rights statements from image bytes; never raises.

    Bytes Pillow cannot identify (an HTML error page served as image/jpeg, a truncated header)
    give an empty ``EmbeddedRights()``: the absence of evidence is not an error here, the image
    pipeline decides separately whether the file is an image at all. Pixels are not decoded, so
    a PNG's chunks after IDAT are not seen here (the image check passes a loaded image to
    :func:`read_embedded_from`, which sees them).
    """
    try:
        im = Image.open(io.BytesIO(data))
    except Exception:  # noqa: BLE001 - any failure to identify means "no evidence"
        return EmbeddedRights()
    with im:
        return read_embedded_from(im, data)


def read_embedded_from(im: Image.Image, body: bytes | None = None) -> EmbeddedRights:
    """:func:`read_embedded` on an image already opened (and best already loaded); never raises.

    The image pipeline passes the image it has just decoded: a PNG's ``getexif()`` otherwise
    decodes the whole file again to reach chunks after IDAT (measured: 20 ms a 1.5 MP PNG, as
    much as the check itself), and after ``load()`` XMP placed after IDAT is seen too.

    Copyright, creator and credit are reconciled across EXIF, IIM and XMP as the Metadata Working
    Group guidelines say, following exiftool's MWG module (its Copyright and Creator composite
    tags): a non-blank EXIF value wins; else XMP, unless the file has IIM and XMP is missing or
    out of sync with it (Photoshop's stored IPTC digest differs from the IIM block's MD5), in
    which case IIM wins. Credit has no EXIF tag and follows the same IIM/XMP rule.

    Given the file's ``body`` as well, its C2PA manifest store is read too (from the bytes already
    in memory; the SDK needs the whole file, not Pillow's view of it).
    """
    malformed: list[str] = []
    xmp = _guard(malformed, "xmp", _read_xmp, im) or {}
    if "malformed" in xmp:
        malformed.append("xmp")
    block: IimBlock | None = _guard(malformed, "iptc", find_iim, im)
    iptc = (_guard(malformed, "iptc", _iim_texts, block) or {}) if block is not None else {}
    exif = _guard(malformed, "exif", _read_exif, im) or {}
    return EmbeddedRights(
        license_url=xmp.get("license_url"),
        web_statement=xmp.get("web_statement"),
        usage_terms=xmp.get("usage_terms"),
        marked=_parse_bool(xmp.get("marked")),
        copyright=_mwg(exif.get(EXIF_COPYRIGHT), iptc, IIM_COPYRIGHT, xmp.get("copyright"), block),
        creator=_mwg(_first_of_list(exif.get(EXIF_ARTIST)), iptc, IIM_BYLINE, xmp.get("creator"), block),
        credit=_mwg(None, iptc, IIM_CREDIT, xmp.get("credit"), block),
        data_mining=xmp.get("data_mining"),
        other_constraints=xmp.get("other_constraints"),
        licensor=xmp.get("licensor", ()),
        copyright_owner=xmp.get("copyright_owner", ()),
        digital_source_type=xmp.get("digital_source_type"),
        c2pa=read_c2pa(body, im.format) if body is not None else None,
        malformed=tuple(dict.fromkeys(malformed)),
    )


def _guard(malformed: list[str], name: str, reader: Callable[[Any], Any], arg: Any) -> Any:
    """Run one block reader so that a bad block costs only that block, never the others."""
    try:
        return reader(arg)
    except Exception:  # noqa: BLE001 - hostile input may fail in any way inside Pillow or expat
        malformed.append(name)
        return None


def _mwg(
    exif: str | None, iptc: dict[tuple[int, int], str], key: tuple[int, int], xmp: str | None, block: IimBlock | None
) -> str | None:
    """One MWG reconciled value (exiftool MWG.pm, Copyright/Creator ``RawConv``)."""
    iim, limit = iptc.get(key), IIM_LIMITS[key]
    if exif and exif.strip(" "):
        return exif
    if block is None or (xmp is not None and block.digest_matches is not False):
        return xmp
    # IIM is there and XMP is missing or out of sync: IIM, unless it is XMP cut at IIM's limit.
    if iim is not None and xmp is not None and len(iim.encode()) == limit and len(xmp.encode()) > limit:
        if xmp.encode()[:limit] == iim.encode():
            return xmp
    return iim


def _first_of_list(value: str | None) -> str | None:
    """The first entry of an MWG string list ("A; B", with "..." quoting a value holding "; ")."""
    if not value:
        return value
    if value.startswith('"'):
        match = re.match(r'"((?:[^"]|"")*)"(?:; |$)', value)
        if match:
            return match.group(1).replace('""', '"')
    return value.split("; ", 1)[0]


# --------------------------------------------------------------------------- XMP


def _read_xmp(im: Image.Image) -> dict[str, Any] | None:
    """Parse the raw packet ourselves: ``im.getxmp()`` would hide parse errors and flatten RDF.

    Pillow exposes the packet as ``info["xmp"]`` for JPEG (APP1), PNG (iTXt XML:com.adobe.xmp),
    WebP ("XMP " chunk), GIF and TIFF alike; a PSD keeps it in image resource 0x0424. A packet that
    cannot be parsed safely gives ``{"malformed": True}`` plus any Data Mining value visible in it.
    """
    packet = im.info.get("xmp")
    if not packet:
        packet = next((d for rid, _n, d in getattr(im, "resources", None) or () if rid == 0x0424), None)
    if not packet:
        return None
    if isinstance(packet, str):
        packet = packet.encode("utf-8")
    try:
        descriptions, _text = parse_packet(bytes(packet))
    except XmpError:
        text, _clean = decode_packet(bytes(packet))
        values = visible_data_mining(text)
        chosen = next((v for v in values if data_mining_prohibited(v)), values[0] if values else None)
        return {"malformed": True, "data_mining": chosen}

    def get(ns: str, name: str) -> str | None:
        return prop(descriptions, f"{{{ns}}}{name}")

    return {
        "license_url": get(CC, "license"),
        "web_statement": get(XMP_RIGHTS, "WebStatement"),
        "usage_terms": get(XMP_RIGHTS, "UsageTerms"),
        "marked": get(XMP_RIGHTS, "Marked"),
        "copyright": get(DC, "rights"),
        "creator": get(DC, "creator"),
        "credit": get(PHOTOSHOP, "Credit"),
        "data_mining": get(PLUS, "DataMining"),
        "other_constraints": get(PLUS, "OtherConstraints"),
        "licensor": struct_fields(descriptions, f"{{{PLUS}}}Licensor", f"{{{PLUS}}}LicensorName"),
        "copyright_owner": struct_fields(
            descriptions, f"{{{PLUS}}}CopyrightOwner", f"{{{PLUS}}}CopyrightOwnerName"
        ),
        "digital_source_type": get(IPTC_EXT, "DigitalSourceType"),
    }


def _parse_bool(value: str | None) -> bool | None:
    """XMP booleans are "True"/"False"; older writers used lowercase. Anything else is unknown."""
    if value is None:
        return None
    return {"true": True, "false": False}.get(value.strip().lower())


# --------------------------------------------------------------------------- IPTC IIM


def _iim_texts(block: IimBlock) -> dict[tuple[int, int], str]:
    """The IIM rights datasets as text (the first of a repeatable dataset is the primary one)."""
    utf8 = IIM_UTF8_MARKER in (block.datasets.get(IIM_CHARSET) or [b""])[0]
    out: dict[tuple[int, int], str] = {}
    for key in (IIM_COPYRIGHT, IIM_BYLINE, IIM_CREDIT):
        raw = next((v for v in block.datasets.get(key, []) if v.strip(b"\x00 \t\r\n")), b"")
        text = _decode_iim(raw, utf8)
        if text:
            out[key] = text
    return out


def _decode_iim(raw: bytes, utf8: bool) -> str | None:
    """IIM text has no reliable charset unless 1:90 says UTF-8; try UTF-8 anyway, then Latin-1.

    UTF-8 first is safe: Latin-1 text with accents is almost never valid UTF-8.
    """
    raw = raw.strip(b"\x00 \t\r\n")
    if not raw:
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("utf-8" if utf8 else "latin-1", errors="replace")
    return text.strip() or None


# --------------------------------------------------------------------------- EXIF


def _read_exif(im: Image.Image) -> dict[int, str]:
    """Read IFD0 Copyright and Artist.

    Pillow returns an empty mapping for a corrupt EXIF block rather than raising, so a block
    that is present but yields nothing, or lacks a TIFF header, is reported as malformed.
    """
    raw = im.info.get("exif")
    exif = im.getexif()
    if isinstance(raw, bytes) and raw:
        body = raw[6:] if raw.startswith(b"Exif\x00\x00") else raw
        if body[:4] not in TIFF_HEADERS or (len(body) > 14 and not exif):
            raise _Malformed("exif")
    out: dict[int, str] = {}
    for tag in (EXIF_COPYRIGHT, EXIF_ARTIST):
        text = _exif_text(exif.get(tag))
        if text:
            out[tag] = text
    return out


def _exif_text(value: Any) -> str | None:
    """EXIF Copyright may hold "photographer\\0editor"; keep both parts, readable.

    The MWG guidelines have EXIF strings written as UTF-8 (and Lightroom, ImageMagick and
    exiftool do); Pillow decodes ASCII-typed values as Latin-1, which turns "Bjørn" into
    "BjÃ¸rn". A value whose Latin-1 bytes are valid UTF-8 is read as UTF-8; true Latin-1 text
    with accents is almost never valid UTF-8, so it stays as it was.
    """
    if value is None:
        return None
    if isinstance(value, bytes):
        try:
            value = value.decode("utf-8")
        except UnicodeDecodeError:
            value = value.decode("latin-1")
    else:
        value = str(value)
        try:
            value = value.encode("latin-1").decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            pass
    parts = [p.strip() for p in value.split("\x00")]
    text = "; ".join(p for p in parts if p)
    return text or None


class _Malformed(Exception):
    """A metadata block exists but cannot be read."""


# --------------------------------------------------------------------------- PLUS Data Mining

DATA_MINING_PROHIBITED: frozenset[str] = frozenset(
    {
        "DMI-PROHIBITED",
        "DMI-PROHIBITED-AIMLTRAINING",
        "DMI-PROHIBITED-GENAIMLTRAINING",
        # Only search indexing is allowed, so building a training set is not.
        "DMI-PROHIBITED-EXCEPTSEARCHENGINEINDEXING",
        # "Prohibited, see constraint / embedded / linked rights expression": the exception
        # lives in a document we do not read, so the prohibition is what we can honour.
        "DMI-PROHIBITED-SEECONSTRAINT",
        "DMI-PROHIBITED-SEEEMBEDDEDRIGHTSEXPR",
        "DMI-PROHIBITED-SEELINKEDRIGHTSEXPR",
    }
)
"""PLUS Data Mining terms that forbid use for AI/ML training.

Not here, on purpose: DMI-ALLOWED, DMI-UNSPECIFIED (no statement is not an opt-out) and
DMI-ALLOWED-WITH-CONSTRAINTS (the constraints are unknown to us, and an allowance with unknown
conditions is still an allowance; licenses.py may record it for review).
"""


def data_mining_prohibited(value: str | None) -> bool:
    """Whether a plus:DataMining value forbids AI/ML training.

    Writers store the full vocabulary URI (http://ns.useplus.org/ldf/vocab/DMI-...), a prefixed
    name or the bare term, in any case; only the term after the last "/", "#" or ":" counts.
    Opt-out must always win (docs/licenses.md), so any future ``DMI-PROHIBITED-*`` term also counts.
    """
    if not value:
        return False
    term = value.strip()
    for sep in ("/", "#", ":"):
        term = term.rsplit(sep, 1)[-1]
    term = term.strip().upper()
    return term in DATA_MINING_PROHIBITED or term.startswith("DMI-PROHIBITED")
