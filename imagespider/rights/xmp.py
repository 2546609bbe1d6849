"""Reading an XMP packet safely: its encoding, its RDF shapes, and what a refused packet still says.

The XMP specification lets a packet be UTF-8, UTF-16 or UTF-32 (exiftool's own test images carry
UTF-16BE packets), so the encoding is detected from the first bytes before parsing. The packet
comes from the network: it is parsed with defusedxml with DTDs refused, so entity bombs and
external entities cannot be used against us. Refusing a packet must not lose an opt-out, though:
:func:`visible_data_mining` finds a PLUS Data Mining value in the raw text of a packet that could
not be parsed, and the caller records the packet as malformed.

Pure: bytes in, strings out. No Scrapy, no I/O.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from xml.etree.ElementTree import Element

import defusedxml.ElementTree as SafeET

__all__ = ["XmpError", "decode_packet", "parse_packet", "prop", "struct_fields", "visible_data_mining"]

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
XML = "http://www.w3.org/XML/1998/namespace"

_BOMS = (
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xfe\xff", "utf-16-be"),
    (b"\xff\xfe", "utf-16-le"),
)
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")


class XmpError(ValueError):
    """A packet is present but cannot be read safely."""


def decode_packet(packet: bytes) -> tuple[str, bool]:
    """The packet as text and whether it decoded cleanly (False: bad bytes were replaced).

    Without a byte-order mark the encoding shows in where the NUL bytes sit around the first
    ``<`` (``\\x00<`` is UTF-16BE, ``<\\x00`` UTF-16LE), as the XMP specification describes.
    """
    encoding = next((enc for bom, enc in _BOMS if packet.startswith(bom)), None)
    if encoding is None:
        head = packet[:1024]
        lt = head.find(b"<")
        if lt >= 3 and head[lt - 3 : lt] == b"\x00\x00\x00":
            encoding = "utf-32-be"
        elif lt >= 0 and head[lt + 1 : lt + 4] == b"\x00\x00\x00":
            encoding = "utf-32-le"
        elif lt >= 1 and lt % 2 == 1 and head[lt - 1] == 0:
            encoding = "utf-16-be"
        elif lt >= 0 and lt % 2 == 0 and head[lt + 1 : lt + 2] == b"\x00":
            encoding = "utf-16-le"
        else:
            encoding = "utf-8"
    try:
        return packet.decode(encoding), True
    except UnicodeDecodeError:
        return packet.decode(encoding, errors="replace"), False


def parse_packet(packet: bytes) -> tuple[list[Element], str]:
    """The packet's ``rdf:Description`` elements, and its text (for :func:`visible_data_mining`).

    Raises XmpError for any packet that is not well-formed, not cleanly encoded, or carries a DTD.
    XMP writers pad packets with NULs or whitespace, which expat rejects after the root element;
    the XML declaration is dropped because the text is re-encoded as UTF-8 for the parser.
    """
    text, clean = decode_packet(packet)
    if not clean:
        raise XmpError("bytes not valid in the packet's encoding")
    body = _XML_DECLARATION.sub("", text.strip("\x00 \t\r\n\ufeff"), count=1)
    try:
        root = SafeET.fromstring(
            body.encode("utf-8"), forbid_dtd=True, forbid_entities=True, forbid_external=True
        )
    except Exception as exc:  # ParseError and every DefusedXmlException
        raise XmpError(str(exc)) from exc
    return list(root.iter(f"{{{RDF}}}Description")), text


def prop(descriptions: Iterable[Element], qname: str) -> str | None:
    """A property in either RDF serialisation XMP allows: attribute or child element."""
    for desc in descriptions:
        attr = desc.get(qname)
        if attr is not None and attr.strip():
            return attr.strip()
        for child in desc.findall(qname):
            value = _element_value(child)
            if value:
                return value
    return None


def struct_fields(descriptions: Iterable[Element], qname: str, field: str) -> tuple[str, ...]:
    """One field of every structure in an array property (PLUS Licensor's LicensorName...).

    A structure is written as ``rdf:li rdf:parseType="Resource"`` with child properties, or as an
    ``rdf:li`` holding an ``rdf:Description`` with the fields as children or attributes.
    """
    out: list[str] = []
    for desc in descriptions:
        for container in desc.findall(qname):
            items = [li for holder in container for li in holder.findall(f"{{{RDF}}}li")] or [container]
            for item in items:
                value = prop([item, *item.findall(f"{{{RDF}}}Description")], field)
                if value:
                    out.append(value)
    return tuple(out)


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


# --------------------------------------------------------------------------- refused packets

# plus:DataMining as an attribute, as an element with text, or as an element with rdf:resource;
# any prefix, since the prefix is the writer's choice (so none is matched: the name is enough).
# Every repetition is bounded: the packet is hostile, and an unbounded ``[\w.-]*`` prefix tried at
# every position, or a lazy ``[^>]*?`` run to the end from every unclosed tag, is quadratic
# (a minute for a 40 KB packet of letters).
_DATA_MINING = re.compile(
    r"""DataMining\s{0,100}=\s{0,100}(?:"(?P<dq>[^"]{0,1000})"|'(?P<sq>[^']{0,1000})')"""
    r"""|<[\w.-]{0,100}:?DataMining\b(?P<tail>[^>]{0,1000}?)(?:/>|>(?P<text>[^<]{0,1000}))""",
)
_RESOURCE = re.compile(r"""resource\s*=\s*(["'])(.*?)\1""", re.DOTALL)  # on a bounded tail
_VOCAB_TERM = re.compile(r"ns\.useplus\.org/ldf/vocab/(DMI-[A-Z-]+)", re.IGNORECASE)


def visible_data_mining(text: str) -> list[str]:
    """Every PLUS Data Mining value written in plain sight in a packet's text.

    Used only for packets refused by :func:`parse_packet` (a DTD, bad bytes, broken XML): the
    values are read with regular expressions, never by expanding anything, so what an entity
    would have produced is not seen (only what is visibly there). A PLUS vocabulary URI standing
    anywhere else in the packet counts as well: a writer that stated it meant it.
    """
    values: list[str] = []
    for match in _DATA_MINING.finditer(text):
        value = match.group("dq") or match.group("sq") or match.group("text") or ""
        if not value.strip() and match.group("tail"):
            resource = _RESOURCE.search(match.group("tail"))
            value = resource.group(2) if resource else ""
        value = html.unescape(value).strip()
        if value:
            values.append(value)
    values += [f"http://ns.useplus.org/ldf/vocab/{m.group(1)}" for m in _VOCAB_TERM.finditer(text)]
    return list(dict.fromkeys(values))
