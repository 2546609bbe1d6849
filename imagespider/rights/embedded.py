"""Rights evidence carried by a downloaded image: its embedded metadata and its HTTP headers.

The license model (DESIGN.md) treats a search engine's license claim as evidence only; the file
itself may say more. A photographer's XMP ``cc:license`` or ``dc:rights``, an IPTC copyright
notice, or a PLUS Data Mining prohibition travel with the bytes, and an ``X-Robots-Tag: noai`` or a
TDMRep ``tdm-reservation: 1`` travel with the response. This module only *finds* that evidence;
``licenses.py`` and the pipelines decide what it means for an item.

Everything here is pure: bytes and a header mapping in, frozen dataclasses out. No Scrapy, no I/O.
The bytes come from the network, so nothing in them is trusted: Pillow is used only to locate the
metadata blocks (``Image.open`` reads headers, never pixels) and XMP is parsed with defusedxml with
DTDs refused, so entity-expansion bombs and external entities cannot be used against us.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, fields
from typing import Any
from xml.etree.ElementTree import Element

import defusedxml.ElementTree as SafeET
from PIL import Image, IptcImagePlugin

__all__ = [
    "DATA_MINING_PROHIBITED",
    "EmbeddedRights",
    "data_mining_prohibited",
    "read_embedded",
    "read_embedded_from",
]

# XMP namespaces (element/attribute names arrive as "{namespace}local" from ElementTree).
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
XML = "http://www.w3.org/XML/1998/namespace"
CC = "http://creativecommons.org/ns#"
DC = "http://purl.org/dc/elements/1.1/"
XMP_RIGHTS = "http://ns.adobe.com/xap/1.0/rights/"
PHOTOSHOP = "http://ns.adobe.com/photoshop/1.0/"
PLUS = "http://ns.useplus.org/ldf/xmp/1.0/"

# IPTC IIM datasets (record 2 = application record, record 1:90 = coded character set).
IIM_COPYRIGHT = (2, 116)
IIM_BYLINE = (2, 80)
IIM_CREDIT = (2, 110)
IIM_CHARSET = (1, 90)
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
    manifest records evidence, and ``licenses.py`` interprets it. ``malformed`` names the blocks
    that were present but unreadable, because a damaged XMP packet is itself worth reporting: it
    may have hidden an opt-out.
    """

    license_url: str | None = None
    web_statement: str | None = None
    usage_terms: str | None = None
    marked: bool | None = None
    copyright: str | None = None
    creator: str | None = None
    credit: str | None = None
    data_mining: str | None = None
    malformed: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Only the fields that say something, so manifest rows stay small and JSON-ready.

        ``marked=False`` is kept: it is a statement (XMP's way of saying "public domain"), not an
        absence. ``malformed`` becomes a list for JSON.
        """
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if value is None or value == () or value == "":
                continue
            out[f.name] = list(value) if isinstance(value, tuple) else value
        return out


@dataclass(frozen=True, slots=True)
class _Xmp:
    """What the XMP packet said; merged with IPTC/EXIF afterwards by precedence."""

    license_url: str | None = None
    web_statement: str | None = None
    usage_terms: str | None = None
    marked: bool | None = None
    copyright: str | None = None
    creator: str | None = None
    credit: str | None = None
    data_mining: str | None = None


class _Malformed(Exception):
    """A metadata block exists but cannot be read."""


def read_embedded(data: bytes) -> EmbeddedRights:
    """Collect XMP, IPTC IIM and EXIF rights statements from image bytes; never raises.

    Bytes Pillow cannot identify (an HTML error page served as image/jpeg, a truncated header)
    give an empty ``EmbeddedRights()``: the absence of evidence is not an error here, the image
    pipeline decides separately whether the file is an image at all.

    Precedence for copyright and creator is XMP, then IPTC IIM, then EXIF: XMP is the block that
    modern tools keep up to date, IIM and EXIF are legacy copies (the Metadata Working Group's
    reading order). Credit follows the same rule (photoshop:Credit before IIM 2:110).
    """
    try:
        im = Image.open(io.BytesIO(data))
    except Exception:  # noqa: BLE001 - any failure to identify means "no evidence"
        return EmbeddedRights()
    with im:
        return read_embedded_from(im)


def read_embedded_from(im: Image.Image) -> EmbeddedRights:
    """:func:`read_embedded` on an image already opened (and best already loaded); never raises.

    The image pipeline passes the image it has just decoded: a PNG's ``getexif()`` otherwise
    decodes the whole file again to reach chunks after IDAT (measured: 20 ms a 1.5 MP PNG, as
    much as the check itself), and after ``load()`` XMP placed after IDAT is seen too.
    """
    malformed: list[str] = []
    xmp = _guard(malformed, "xmp", _read_xmp, im) or _Xmp()
    iptc = _guard(malformed, "iptc", _read_iptc, im) or {}
    exif = _guard(malformed, "exif", _read_exif, im) or {}
    return EmbeddedRights(
        license_url=xmp.license_url,
        web_statement=xmp.web_statement,
        usage_terms=xmp.usage_terms,
        marked=xmp.marked,
        copyright=_first(xmp.copyright, iptc.get(IIM_COPYRIGHT), exif.get(EXIF_COPYRIGHT)),
        creator=_first(xmp.creator, iptc.get(IIM_BYLINE), exif.get(EXIF_ARTIST)),
        credit=_first(xmp.credit, iptc.get(IIM_CREDIT)),
        data_mining=xmp.data_mining,
        malformed=tuple(malformed),
    )


def _guard(
    malformed: list[str], name: str, reader: Callable[[Image.Image], Any], im: Image.Image
) -> Any:
    """Run one block reader so that a bad block costs only that block, never the others."""
    try:
        return reader(im)
    except Exception:  # noqa: BLE001 - hostile input may fail in any way inside Pillow or expat
        malformed.append(name)
        return None


def _first(*values: str | None) -> str | None:
    return next((v for v in values if v), None)


# --------------------------------------------------------------------------- XMP


def _read_xmp(im: Image.Image) -> _Xmp | None:
    """Parse the raw packet ourselves: ``im.getxmp()`` would hide parse errors and flatten RDF.

    Pillow exposes the packet as ``info["xmp"]`` for JPEG (APP1), PNG (iTXt XML:com.adobe.xmp,
    when it precedes IDAT), WebP ("XMP " chunk), GIF and TIFF alike.
    """
    packet = im.info.get("xmp")
    if not packet:
        return None
    if isinstance(packet, str):
        packet = packet.encode("utf-8")
    root = _parse_xml(bytes(packet))
    descriptions = list(root.iter(f"{{{RDF}}}Description"))
    if not descriptions:
        return _Xmp()

    def get(ns: str, name: str) -> str | None:
        return _xmp_property(descriptions, f"{{{ns}}}{name}")

    return _Xmp(
        license_url=get(CC, "license"),
        web_statement=get(XMP_RIGHTS, "WebStatement"),
        usage_terms=get(XMP_RIGHTS, "UsageTerms"),
        marked=_parse_bool(get(XMP_RIGHTS, "Marked")),
        copyright=get(DC, "rights"),
        creator=get(DC, "creator"),
        credit=get(PHOTOSHOP, "Credit"),
        data_mining=get(PLUS, "DataMining"),
    )


def _parse_xml(packet: bytes) -> Element:
    """Refuse any DTD: XMP never needs one, and a DTD is how entity bombs get in.

    XMP writers pad packets with NULs or whitespace, which expat rejects after the root element.
    """
    packet = packet.strip(b"\x00 \t\r\n")
    try:
        return SafeET.fromstring(packet, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except Exception as exc:  # ParseError and every DefusedXmlException
        raise _Malformed(str(exc)) from exc


def _xmp_property(descriptions: Iterable[Element], qname: str) -> str | None:
    """Find a property in either RDF serialisation XMP allows: attribute or child element."""
    for desc in descriptions:
        attr = desc.get(qname)
        if attr is not None and attr.strip():
            return attr.strip()
        for child in desc.findall(qname):
            value = _element_value(child)
            if value:
                return value
    return None


def _element_value(elem: Element) -> str | None:
    """Reduce an XMP property element to one string, whatever its RDF shape.

    URI-valued properties (cc:license) are written as ``rdf:resource``; language alternatives
    (dc:rights, xmpRights:UsageTerms) as ``rdf:Alt`` where the x-default entry is the canonical
    one; ordered lists (dc:creator) as ``rdf:Seq`` where the first entry is the primary author.
    """
    resource = elem.get(f"{{{RDF}}}resource")
    if resource and resource.strip():
        return resource.strip()
    for container in ("Alt", "Seq", "Bag"):
        holder = elem.find(f"{{{RDF}}}{container}")
        if holder is not None:
            return _pick_li(holder.findall(f"{{{RDF}}}li"))
    value = elem.find(f"{{{RDF}}}value")  # qualified simple value
    if value is not None:
        return _text(value)
    return _text(elem)


def _pick_li(items: Sequence[Element]) -> str | None:
    """Prefer the x-default language entry; otherwise the first non-empty entry."""
    for li in items:
        if li.get(f"{{{XML}}}lang", "").lower() == "x-default" and _text(li):
            return _text(li)
    for li in items:
        if value := (li.get(f"{{{RDF}}}resource") or _text(li)):
            return value.strip()
    return None


def _text(elem: Element) -> str | None:
    text = (elem.text or "").strip()
    return text or None


def _parse_bool(value: str | None) -> bool | None:
    """XMP booleans are "True"/"False"; older writers used lowercase. Anything else is unknown."""
    if value is None:
        return None
    return {"true": True, "false": False}.get(value.strip().lower())


# --------------------------------------------------------------------------- IPTC IIM


def _read_iptc(im: Image.Image) -> dict[tuple[int, int], str]:
    """Read the legacy IIM block Photoshop keeps in JPEG APP13 (and TIFF tag 33723)."""
    try:
        info = IptcImagePlugin.getiptcinfo(im)  # type: ignore[arg-type]
    except Exception as exc:  # noqa: BLE001 - SyntaxError/OSError on a corrupt record header
        raise _Malformed("iptc") from exc
    if info is None:
        return {}
    if not info and _iptc_resource_present(im):
        # getiptcinfo swallows a truncated first record and returns {}: the block was there
        # but said nothing readable.
        raise _Malformed("iptc")
    utf8 = IIM_UTF8_MARKER in _raw_first(info.get(IIM_CHARSET))
    out: dict[tuple[int, int], str] = {}
    for key in (IIM_COPYRIGHT, IIM_BYLINE, IIM_CREDIT):
        text = _decode_iim(_raw_first(info.get(key)), utf8)
        if text:
            out[key] = text
    return out


def _iptc_resource_present(im: Image.Image) -> bool:
    photoshop = im.info.get("photoshop")
    return isinstance(photoshop, dict) and bool(photoshop.get(0x0404))


def _raw_first(value: bytes | list[bytes] | None) -> bytes:
    """Repeatable datasets (several By-lines) come back as a list; the first is the primary one."""
    if isinstance(value, list):
        value = next((v for v in value if v), None)
    return value or b""


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
    """EXIF Copyright may hold "photographer\\0editor"; keep both parts, readable."""
    if value is None:
        return None
    if isinstance(value, bytes):
        value = value.decode("utf-8", errors="replace")
    parts = [p.strip() for p in str(value).split("\x00")]
    text = "; ".join(p for p in parts if p)
    return text or None


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
    Opt-out must always win (DESIGN.md), so any future ``DMI-PROHIBITED-*`` term also counts.
    """
    if not value:
        return False
    term = value.strip()
    for sep in ("/", "#", ":"):
        term = term.rsplit(sep, 1)[-1]
    term = term.strip().upper()
    return term in DATA_MINING_PROHIBITED or term.startswith("DMI-PROHIBITED")
