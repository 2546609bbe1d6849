"""imagespider/rights/xmp.py: XMP packets decoded, parsed safely (no DTD, no entities) and read in
either RDF serialisation; refused packets still show a visible data-mining opt-out. Read through
``read_embedded`` in JPEG, PNG and WebP too, as a crawl reads them."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from imagespider.rights.embedded import EmbeddedRights, data_mining_prohibited, read_embedded
from imagespider.rights.xmp import XmpError, decode_packet, parse_packet, prop, struct_fields, visible_data_mining
from tests.embedded_samples import (
    BILLION_LAUGHS,
    DMI,
    EXPECTED_XMP,
    EXTERNAL_ENTITY,
    LICENSE,
    RIGHTS,
    USAGE,
    WEB_STATEMENT,
    XMP_ATTRIBUTES,
    XMP_ELEMENTS,
    save,
    with_xmp,
)

DC = "{http://purl.org/dc/elements/1.1/}"
XMP_RIGHTS = "{http://ns.adobe.com/xap/1.0/rights/}"
CC = "{http://creativecommons.org/ns#}"


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
@pytest.mark.parametrize("packet", [XMP_ELEMENTS, XMP_ATTRIBUTES], ids=["elements", "attributes"])
def test_xmp_rights_in_each_format(fmt: str, packet: bytes) -> None:
    data = with_xmp(fmt, packet)
    assert Image.open(io.BytesIO(data)).format == fmt  # the file really is that format
    assert read_embedded(data) == EXPECTED_XMP


def test_xmp_alt_without_x_default_takes_first_entry() -> None:
    packet = XMP_ELEMENTS.replace(b'xml:lang="x-default"', b'xml:lang="en-GB"')
    rights = read_embedded(save("JPEG", xmp=packet))
    assert rights.usage_terms == "Lizenz CC BY-NC 4.0"
    assert rights.copyright == RIGHTS


def test_xmp_marked_false_is_kept_in_dict() -> None:
    packet = XMP_ATTRIBUTES.replace(b'xmpRights:Marked="True"', b'xmpRights:Marked="False"')
    rights = read_embedded(save("JPEG", xmp=packet))
    assert rights.marked is False
    assert rights.to_dict()["marked"] is False


def test_xmp_marked_garbage_is_unknown() -> None:
    packet = XMP_ATTRIBUTES.replace(b'xmpRights:Marked="True"', b'xmpRights:Marked="maybe"')
    assert read_embedded(save("JPEG", xmp=packet)).marked is None


def test_xmp_license_as_text_element() -> None:
    packet = XMP_ELEMENTS.replace(
        f'<cc:license rdf:resource="{LICENSE}"/>'.encode(),
        f"<cc:license>{LICENSE}</cc:license>".encode(),
    )
    assert read_embedded(save("JPEG", xmp=packet)).license_url == LICENSE


def test_xmp_without_rights_gives_nothing() -> None:
    packet = (
        b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
        b'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        b'<rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/" '
        b'xmp:CreatorTool="GIMP 2.10"/></rdf:RDF></x:xmpmeta>'
    )
    assert read_embedded(save("JPEG", xmp=packet)) == EmbeddedRights()


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_xmp_not_xml_is_malformed(fmt: str) -> None:
    rights = read_embedded(with_xmp(fmt, b"this is <not> xml &&"))
    assert rights == EmbeddedRights(malformed=("xmp",))


@pytest.mark.parametrize("encoding", ["utf-16-be", "utf-16-le", "utf-16", "utf-32-be", "utf-8-sig"])
def test_xmp_packet_in_any_unicode_encoding(encoding: str) -> None:
    """The XMP specification allows UTF-16 and UTF-32 packets (exiftool's XMP.jpg is UTF-16BE)."""
    packet = XMP_ELEMENTS.decode().encode(encoding)
    assert read_embedded(save("JPEG", xmp=packet)) == EXPECTED_XMP


DOCTYPE_DATA_MINING = [
    # element form, after a DTD the safe parser refuses
    b"""<?xml version="1.0"?><!DOCTYPE x [ <!ENTITY a "b"> ]>
<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:plus="http://ns.useplus.org/ldf/xmp/1.0/">
<plus:DataMining>http://ns.useplus.org/ldf/vocab/DMI-PROHIBITED-AIMLTRAINING</plus:DataMining>
</rdf:Description></rdf:RDF></x:xmpmeta>""",
    # attribute form, other prefix
    b"""<!DOCTYPE x SYSTEM "http://evil.example/x.dtd"><x:xmpmeta xmlns:x="adobe:ns:meta/">
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description
 xmlns:p="http://ns.useplus.org/ldf/xmp/1.0/" p:DataMining="DMI-PROHIBITED-AIMLTRAINING"/></rdf:RDF></x:xmpmeta>""",
    # rdf:resource form
    b"""<!DOCTYPE x><x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description xmlns:plus="http://ns.useplus.org/ldf/xmp/1.0/"><plus:DataMining
 rdf:resource="http://ns.useplus.org/ldf/vocab/DMI-PROHIBITED-AIMLTRAINING"/></rdf:Description></rdf:RDF></x:xmpmeta>""",
    # not well-formed at all, but the statement is plain to see
    b"""<x:xmpmeta><rdf:Description><plus:DataMining>http://ns.useplus.org/ldf/vocab/DMI-PROHIBITED-AIMLTRAINING</plus:DataMining>""",
]


@pytest.mark.parametrize("packet", DOCTYPE_DATA_MINING, ids=["element", "attribute", "resource", "broken"])
def test_refused_packet_still_states_its_data_mining_opt_out(packet: bytes) -> None:
    rights = read_embedded(save("JPEG", xmp=packet))
    assert rights.malformed == ("xmp",)
    assert rights.data_mining is not None and data_mining_prohibited(rights.data_mining)
    assert rights.data_mining.endswith("DMI-PROHIBITED-AIMLTRAINING")


def test_refused_packet_entity_value_is_not_expanded() -> None:
    packet = b"""<!DOCTYPE x [ <!ENTITY dm "DMI-PROHIBITED"> ]><x:xmpmeta xmlns:x="adobe:ns:meta/">
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description
xmlns:plus="http://ns.useplus.org/ldf/xmp/1.0/"><plus:DataMining>&dm;</plus:DataMining></rdf:Description></rdf:RDF></x:xmpmeta>"""
    rights = read_embedded(save("JPEG", xmp=packet))
    assert rights.malformed == ("xmp",)
    assert not data_mining_prohibited(rights.data_mining)


@pytest.mark.parametrize("packet", [BILLION_LAUGHS, EXTERNAL_ENTITY], ids=["laughs", "xxe"])
def test_xmp_entity_attacks_are_refused(packet: bytes) -> None:
    rights = read_embedded(save("JPEG", xmp=packet))
    assert rights == EmbeddedRights(malformed=("xmp",))


# --------------------------------------------------------------------------- the module's own functions

DC = "{http://purl.org/dc/elements/1.1/}"
XMP_RIGHTS = "{http://ns.adobe.com/xap/1.0/rights/}"
CC = "{http://creativecommons.org/ns#}"
PLUS = "{http://ns.useplus.org/ldf/xmp/1.0/}"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16-be", "utf-16-le", "utf-32-be", "utf-32-le"])
def test_decode_packet_finds_the_encoding_without_a_byte_order_mark(encoding: str) -> None:
    text = '<x:xmpmeta xmlns:x="adobe:ns:meta/">é</x:xmpmeta>'
    assert decode_packet(text.encode(encoding)) == (text, True)


def test_decode_packet_says_when_bytes_were_replaced() -> None:
    text, clean = decode_packet(b"<x>\xff\xfe bad</x>")
    assert clean is False and "\ufffd" in text


@pytest.mark.parametrize("packet", [XMP_ELEMENTS, XMP_ATTRIBUTES], ids=["elements", "attributes"])
def test_prop_reads_either_rdf_serialisation(packet: bytes) -> None:
    descriptions, text = parse_packet(packet)
    assert descriptions and "rdf:Description" in text
    assert prop(descriptions, f"{CC}license") == LICENSE
    assert prop(descriptions, f"{XMP_RIGHTS}WebStatement") == WEB_STATEMENT
    assert prop(descriptions, f"{XMP_RIGHTS}UsageTerms") == USAGE  # the x-default entry of an rdf:Alt
    assert prop(descriptions, f"{DC}rights") == RIGHTS
    assert prop(descriptions, f"{DC}creator") == "Ada Photographer"  # the first of an rdf:Seq
    assert prop(descriptions, f"{PLUS}DataMining") == DMI
    assert prop(descriptions, f"{DC}title") is None


def test_struct_fields_reads_every_structure_of_an_array() -> None:
    packet = b"""<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:plus="http://ns.useplus.org/ldf/xmp/1.0/"><plus:Licensor><rdf:Seq>
<rdf:li rdf:parseType="Resource"><plus:LicensorName>Agency One</plus:LicensorName></rdf:li>
<rdf:li><rdf:Description plus:LicensorName="Agency Two"/></rdf:li>
</rdf:Seq></plus:Licensor></rdf:Description></rdf:RDF></x:xmpmeta>"""
    descriptions, _ = parse_packet(packet)
    assert struct_fields(descriptions, f"{PLUS}Licensor", f"{PLUS}LicensorName") == ("Agency One", "Agency Two")
    assert struct_fields(descriptions, f"{PLUS}Copyright", f"{PLUS}LicensorName") == ()


@pytest.mark.parametrize(
    "packet", [BILLION_LAUGHS, EXTERNAL_ENTITY, b"this is <not> xml &&", b"<x>\xff\xfe</x>"],
    ids=["laughs", "xxe", "not-xml", "bad-bytes"],
)
def test_parse_packet_refuses_what_it_cannot_read_safely(packet: bytes) -> None:
    with pytest.raises(XmpError):
        parse_packet(packet)


def test_parse_packet_allows_nul_padding_and_an_xml_declaration() -> None:
    packet = b'<?xml version="1.0" encoding="UTF-8"?>' + XMP_ELEMENTS + b"\x00" * 64
    descriptions, _ = parse_packet(packet)
    assert prop(descriptions, f"{DC}rights") == RIGHTS


def test_visible_data_mining_reads_each_written_form_and_expands_nothing() -> None:
    text = (
        '<a plus:DataMining="DMI-PROHIBITED"/>'
        "<p:DataMining>http://ns.useplus.org/ldf/vocab/DMI-ALLOWED</p:DataMining>"
        '<plus:DataMining rdf:resource="http://ns.useplus.org/ldf/vocab/DMI-PROHIBITED-AIMLTRAINING"/>'
        "<plus:DataMining>&dm;</plus:DataMining>"
    )
    assert visible_data_mining(text) == [
        "DMI-PROHIBITED",
        "http://ns.useplus.org/ldf/vocab/DMI-ALLOWED",
        "http://ns.useplus.org/ldf/vocab/DMI-PROHIBITED-AIMLTRAINING",
        "&dm;",  # an entity reference is text to us, never what it would expand to
    ]
    assert visible_data_mining("<x>no statement</x>") == []


@pytest.mark.parametrize(
    "text",
    ["a" * 30_000, "<a:DataMining " * 4000, "<" + "a" * 30_000],
    ids=["letters", "unclosed-tags", "long-name"],
)
def test_a_refused_packet_is_searched_in_linear_time(text: str) -> None:
    """A refused packet is hostile text: searching it took a minute for 40 KB of letters
    (an unbounded prefix tried at every position)."""
    import time

    started = time.thread_time()  # CPU time: another process's load does not count
    assert visible_data_mining("<p:DataMining>DMI-PROHIBITED</p:DataMining>" + text) == ["DMI-PROHIBITED"]
    assert time.thread_time() - started < 1
