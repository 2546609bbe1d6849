"""Tests for imagespider.rights.embedded, on image bytes written by Pillow.

Every image below is produced by Pillow, with metadata blocks built byte by byte where Pillow has
no writer (IPTC IIM in APP13, corrupt blocks, refused packets). Real files written by cameras and
editors, checked against exiftool, are in test_rights_embedded_real.py.
"""

from __future__ import annotations

import io
import struct
from pathlib import Path

import pytest
from PIL import Image, PngImagePlugin

from imagespider.rights.embedded import DATA_MINING_PROHIBITED, EmbeddedRights, data_mining_prohibited, read_embedded
from imagespider.rights.headers import HeaderSignals, read_headers

REAL_FIXTURES = Path(__file__).parents[1] / "fixtures" / "images"

LICENSE = "https://creativecommons.org/licenses/by-nc/4.0/"
WEB_STATEMENT = "https://example.org/photos/1234/license"
USAGE = "Licensed under CC BY-NC 4.0. Credit: Ada Photographer."
RIGHTS = "© 2024 Ada Photographer"
DMI = "http://ns.useplus.org/ldf/vocab/DMI-PROHIBITED-AIMLTRAINING"

NAMESPACES = (
    'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/" '
    'xmlns:cc="http://creativecommons.org/ns#" '
    'xmlns:xmpRights="http://ns.adobe.com/xap/1.0/rights/" '
    'xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/" '
    'xmlns:plus="http://ns.useplus.org/ldf/xmp/1.0/"'
)

# Element form: every property a child element, as Adobe Bridge and exiftool write them.
XMP_ELEMENTS = f"""<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/" x:xmptk="XMP Core 6.0.0">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about="" {NAMESPACES}>
   <cc:license rdf:resource="{LICENSE}"/>
   <xmpRights:Marked>True</xmpRights:Marked>
   <xmpRights:WebStatement>{WEB_STATEMENT}</xmpRights:WebStatement>
   <xmpRights:UsageTerms>
    <rdf:Alt>
     <rdf:li xml:lang="de-DE">Lizenz CC BY-NC 4.0</rdf:li>
     <rdf:li xml:lang="x-default">{USAGE}</rdf:li>
    </rdf:Alt>
   </xmpRights:UsageTerms>
   <dc:rights>
    <rdf:Alt><rdf:li xml:lang="x-default">{RIGHTS}</rdf:li></rdf:Alt>
   </dc:rights>
   <dc:creator>
    <rdf:Seq><rdf:li>Ada Photographer</rdf:li><rdf:li>Second Author</rdf:li></rdf:Seq>
   </dc:creator>
   <photoshop:Credit>Ada Photo Agency</photoshop:Credit>
   <plus:DataMining>{DMI}</plus:DataMining>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
{" " * 200}
<?xpacket end="w"?>""".encode()

# Attribute form: simple properties as attributes of rdf:Description, split over two
# Descriptions (XMP allows one per namespace, as Lightroom writes them).
XMP_ATTRIBUTES = f"""<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about="" {NAMESPACES}
    xmpRights:Marked="True"
    xmpRights:WebStatement="{WEB_STATEMENT}"
    photoshop:Credit="Ada Photo Agency"
    plus:DataMining="{DMI}"/>
  <rdf:Description rdf:about="" {NAMESPACES}>
   <cc:license rdf:resource="{LICENSE}"/>
   <xmpRights:UsageTerms><rdf:Alt><rdf:li xml:lang="x-default">{USAGE}</rdf:li></rdf:Alt></xmpRights:UsageTerms>
   <dc:rights><rdf:Alt><rdf:li xml:lang="x-default">{RIGHTS}</rdf:li></rdf:Alt></dc:rights>
   <dc:creator><rdf:Seq><rdf:li>Ada Photographer</rdf:li></rdf:Seq></dc:creator>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>""".encode()

EXPECTED_XMP = EmbeddedRights(
    license_url=LICENSE,
    web_statement=WEB_STATEMENT,
    usage_terms=USAGE,
    marked=True,
    copyright=RIGHTS,
    creator="Ada Photographer",
    credit="Ada Photo Agency",
    data_mining=DMI,
)

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
   xmlns:dc="http://purl.org/dc/elements/1.1/">
  <rdf:Description rdf:about=""><dc:rights>&lol9;</dc:rights></rdf:Description>
 </rdf:RDF>
</x:xmpmeta>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE x [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
   xmlns:dc="http://purl.org/dc/elements/1.1/">
  <rdf:Description rdf:about=""><dc:rights>&xxe;</dc:rights></rdf:Description>
 </rdf:RDF>
</x:xmpmeta>"""


# --------------------------------------------------------------------------- builders


def _image() -> Image.Image:
    return Image.new("RGB", (16, 12), (200, 120, 40))


def save(fmt: str, **params: object) -> bytes:
    buf = io.BytesIO()
    _image().save(buf, fmt, **params)
    return buf.getvalue()


def png_with_xmp(packet: bytes) -> bytes:
    """Pillow 13's PNG writer ignores xmp=, so the packet goes in as the iTXt chunk XMP names."""
    info = PngImagePlugin.PngInfo()
    info.add_itxt("XML:com.adobe.xmp", packet.decode("utf-8"), zip=False)
    return save("PNG", pnginfo=info)


def with_xmp(fmt: str, packet: bytes) -> bytes:
    return png_with_xmp(packet) if fmt == "PNG" else save(fmt, xmp=packet)


def iim_record(record: int, dataset: int, value: bytes) -> bytes:
    return bytes([0x1C, record, dataset]) + struct.pack(">H", len(value)) + value


def app13(iim: bytes) -> bytes:
    """A Photoshop APP13 segment holding one 8BIM resource 0x0404 (IPTC-NAA)."""
    resource = b"8BIM" + struct.pack(">H", 0x0404) + b"\x00\x00"  # empty Pascal name, padded
    resource += struct.pack(">I", len(iim)) + iim + (b"\x00" if len(iim) % 2 else b"")
    payload = b"Photoshop 3.0\x00" + resource
    return b"\xff\xed" + struct.pack(">H", len(payload) + 2) + payload


def insert_after_soi(jpeg: bytes, segment: bytes) -> bytes:
    assert jpeg[:2] == b"\xff\xd8"
    return jpeg[:2] + segment + jpeg[2:]


def jpeg_with_iptc(iim: bytes) -> bytes:
    return insert_after_soi(save("JPEG"), app13(iim))


# --------------------------------------------------------------------------- XMP


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


def test_to_dict_omits_unset_fields() -> None:
    assert EmbeddedRights().to_dict() == {}
    assert EmbeddedRights(creator="A", malformed=("xmp",)).to_dict() == {
        "creator": "A",
        "malformed": ["xmp"],
    }
    assert EXPECTED_XMP.to_dict() == {
        "license_url": LICENSE,
        "web_statement": WEB_STATEMENT,
        "usage_terms": USAGE,
        "marked": True,
        "copyright": RIGHTS,
        "creator": "Ada Photographer",
        "credit": "Ada Photo Agency",
        "data_mining": DMI,
    }


# --------------------------------------------------------------------------- IPTC IIM


def test_iptc_iim_in_jpeg_app13() -> None:
    iim = (
        iim_record(1, 90, b"\x1b%G")
        + iim_record(2, 116, "© 2023 Jürgen Example".encode())
        + iim_record(2, 80, b"Jurgen Example")
        + iim_record(2, 80, b"Second Byline")
        + iim_record(2, 110, b"Example Agency")
    )
    data = jpeg_with_iptc(iim)
    rights = read_embedded(data)
    assert rights == EmbeddedRights(
        copyright="© 2023 Jürgen Example", creator="Jurgen Example", credit="Example Agency"
    )


def test_iptc_latin1_without_charset_record() -> None:
    data = jpeg_with_iptc(iim_record(2, 116, "© Jürgen".encode("latin-1")))
    assert read_embedded(data).copyright == "© Jürgen"


def test_exif_wins_then_xmp_in_sync_with_iptc() -> None:
    """MWG (exiftool's MWG module): a non-blank EXIF value first; else XMP when no IPTC digest
    says it is out of sync with IIM."""
    exif = Image.Exif()
    exif[0x8298] = "EXIF copyright"
    jpeg = save("JPEG", xmp=XMP_ELEMENTS, exif=exif)
    data = insert_after_soi(
        jpeg, app13(iim_record(2, 116, b"IIM copyright") + iim_record(2, 80, b"IIM byline"))
    )
    rights = read_embedded(data)
    assert rights.copyright == "EXIF copyright"
    assert rights.creator == "Ada Photographer"  # no EXIF Artist, no digest: XMP


def app13_with_digest(iim: bytes, digest: bytes) -> bytes:
    """APP13 with the IIM resource and Photoshop's IPTCDigest resource (0x0425)."""
    def resource(rid: int, data: bytes) -> bytes:
        return b"8BIM" + struct.pack(">H", rid) + b"\x00\x00" + struct.pack(">I", len(data)) + data + b"\x00" * (len(data) % 2)

    payload = b"Photoshop 3.0\x00" + resource(0x0404, iim) + resource(0x0425, digest)
    return b"\xff\xed" + struct.pack(">H", len(payload) + 2) + payload


@pytest.mark.parametrize(("in_sync", "expected"), [(True, RIGHTS), (False, "IIM copyright")])
def test_iptc_digest_decides_between_xmp_and_iim(in_sync: bool, expected: str) -> None:
    import hashlib

    iim = iim_record(2, 116, b"IIM copyright")
    digest = hashlib.md5(iim).digest() if in_sync else b"\x00" * 16  # noqa: S324
    data = insert_after_soi(save("JPEG", xmp=XMP_ELEMENTS), app13_with_digest(iim, digest))
    assert read_embedded(data).copyright == expected


def test_iim_truncated_copy_of_xmp_gives_xmp() -> None:
    """exiftool's RecoverTruncatedIPTC: IIM cut at its 128-byte limit is the longer XMP value."""
    long = "© " + "x" * 200
    packet = XMP_ELEMENTS.replace(RIGHTS.encode(), long.encode())
    iim = iim_record(2, 116, long.encode()[:128])
    data = insert_after_soi(save("JPEG", xmp=packet), app13_with_digest(iim, b"\x00" * 16))
    assert read_embedded(data).copyright == long


def test_iptc_wins_over_xmp_missing_and_exif_blank() -> None:
    exif = Image.Exif()
    exif[0x8298] = "  "
    exif[0x013B] = "EXIF artist"
    data = insert_after_soi(save("JPEG", exif=exif), app13(iim_record(2, 116, b"IIM copyright")))
    rights = read_embedded(data)
    assert rights.copyright == "IIM copyright"
    assert rights.creator == "EXIF artist"


@pytest.mark.parametrize(
    "iim",
    [b"garbage, not IIM", iim_record(2, 116, b"truncated")[:4]],
    ids=["not-iim", "truncated-record"],
)
def test_malformed_iptc_is_reported(iim: bytes) -> None:
    data = insert_after_soi(save("JPEG", xmp=XMP_ELEMENTS), app13(iim))
    rights = read_embedded(data)
    assert rights.malformed == ("iptc",)
    assert rights.copyright == RIGHTS  # the good XMP block still counts


# --------------------------------------------------------------------------- EXIF


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_exif_copyright_and_artist(fmt: str) -> None:
    exif = Image.Exif()
    exif[0x8298] = "Copyright 2022 Bo Shooter"
    exif[0x013B] = "Bo Shooter"
    rights = read_embedded(save(fmt, exif=exif))
    assert rights == EmbeddedRights(copyright="Copyright 2022 Bo Shooter", creator="Bo Shooter")


def test_exif_copyright_photographer_and_editor_parts() -> None:
    exif = Image.Exif()
    exif[0x8298] = "Bo Shooter\x00Ed Itor"
    assert read_embedded(save("JPEG", exif=exif)).copyright == "Bo Shooter; Ed Itor"


def test_corrupt_exif_is_reported() -> None:
    payload = b"Exif\x00\x00" + b"not a tiff header at all, just junk"
    segment = b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload
    rights = read_embedded(insert_after_soi(save("JPEG"), segment))
    assert rights.malformed == ("exif",)


# --------------------------------------------------------------------------- malformed input


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


def test_malformed_xmp_keeps_other_blocks() -> None:
    exif = Image.Exif()
    exif[0x013B] = "Bo Shooter"
    rights = read_embedded(save("JPEG", xmp=BILLION_LAUGHS, exif=exif))
    assert rights == EmbeddedRights(creator="Bo Shooter", malformed=("xmp",))


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_truncated_files_do_not_raise(fmt: str) -> None:
    data = with_xmp(fmt, XMP_ELEMENTS)
    for cut in (0, 1, 2, 10, 30, 100, len(data) // 2, len(data) - 10):
        assert isinstance(read_embedded(data[:cut]), EmbeddedRights)


def test_truncated_after_metadata_still_reads_it() -> None:
    data = save("JPEG", xmp=XMP_ELEMENTS)
    sos = data.index(b"\xff\xda")
    assert read_embedded(data[: sos + 20]) == EXPECTED_XMP


@pytest.mark.parametrize(
    "data",
    [
        b"<!DOCTYPE html><html><head><title>403 Forbidden</title></head></html>",
        b"",
        b"\xff\xd8\xff",
        b"\x89PNG\r\n\x1a\n",
        bytes(range(256)) * 4,
    ],
    ids=["html", "empty", "jpeg-soi-only", "png-signature-only", "noise"],
)
def test_non_images_give_nothing(data: bytes) -> None:
    assert read_embedded(data) == EmbeddedRights()


def test_does_not_decode_pixels() -> None:
    """Metadata must be readable from a file whose pixel data is garbage."""
    data = bytearray(save("JPEG", xmp=XMP_ELEMENTS))
    sos = data.index(b"\xff\xda")
    data[sos + 20 : -2] = b"\x00" * (len(data) - sos - 22)
    assert read_embedded(bytes(data)) == EXPECTED_XMP


@pytest.mark.skipif(not REAL_FIXTURES.is_dir(), reason="no real images with rights metadata")
@pytest.mark.parametrize(
    "path", sorted(p for p in REAL_FIXTURES.glob("*") if p.suffix != ".py") if REAL_FIXTURES.is_dir() else []
)
def test_real_fixtures_do_not_raise(path: Path) -> None:
    assert isinstance(read_embedded(path.read_bytes()), EmbeddedRights)


# --------------------------------------------------------------------------- data mining


@pytest.mark.parametrize(
    "value",
    [
        DMI,
        "http://ns.useplus.org/ldf/vocab/DMI-PROHIBITED",
        "http://ns.useplus.org/ldf/vocab/DMI-PROHIBITED-GENAIMLTRAINING",
        "http://ns.useplus.org/ldf/vocab/DMI-PROHIBITED-EXCEPTSEARCHENGINEINDEXING",
        "http://ns.useplus.org/ldf/vocab/DMI-PROHIBITED-SEECONSTRAINT",
        "dmi-prohibited-aimltraining",
        " plus:DMI-PROHIBITED ",
    ],
)
def test_data_mining_prohibited(value: str) -> None:
    assert data_mining_prohibited(value)


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        "http://ns.useplus.org/ldf/vocab/DMI-ALLOWED",
        "http://ns.useplus.org/ldf/vocab/DMI-UNSPECIFIED",
        "http://ns.useplus.org/ldf/vocab/DMI-ALLOWED-WITH-CONSTRAINTS",
        "something else",
    ],
)
def test_data_mining_not_prohibited(value: str | None) -> None:
    assert not data_mining_prohibited(value)


def test_prohibited_set_is_upper_case_terms() -> None:
    assert "DMI-PROHIBITED-AIMLTRAINING" in DATA_MINING_PROHIBITED
    assert all(term == term.upper() and "/" not in term for term in DATA_MINING_PROHIBITED)


# --------------------------------------------------------------------------- headers


@pytest.mark.parametrize(
    ("value", "noai"),
    [
        ("noai", True),
        ("noimageai", True),
        ("NoAI, noindex", True),
        ("googlebot: noai", False),
        ("imagespider: noimageai", True),
        ("ImageSpider: NOAI", True),
        ("*: noai", True),
        ("googlebot: noindex, noai", False),  # both directives bind googlebot only
        ("googlebot: noindex, imagespider: noai", True),
        ("noindex", False),
        ("none", False),
        ("noindex, nofollow, noarchive", False),
        ("max-image-preview: large, noai", True),
        ("unavailable_after: 2030-01-01", False),
        ("noaiplease", False),
    ],
)
def test_x_robots_tag(value: str, noai: bool) -> None:
    signals = read_headers({"X-Robots-Tag": [value]})
    assert signals.noai is noai
    assert signals.x_robots_tag == value


def test_x_robots_tag_custom_user_agent_token() -> None:
    headers = {"x-robots-tag": ["mybot: noai"]}
    assert read_headers(headers, user_agent_token="MyBot").noai
    assert not read_headers(headers).noai


def test_multiple_x_robots_tag_values() -> None:
    signals = read_headers({"x-robots-tag": ["noindex", "googlebot: nofollow", "noimageai"]})
    assert signals.noai
    assert signals.x_robots_tag == "noindex, googlebot: nofollow, noimageai"


def test_user_agent_scope_does_not_leak_between_values() -> None:
    assert read_headers({"x-robots-tag": ["googlebot: nofollow", "noai"]}).noai


def test_header_names_case_insensitive_and_merged() -> None:
    signals = read_headers({"X-ROBOTS-TAG": ["noindex"], "x-robots-tag": ["noai"]})
    assert signals.noai
    assert signals.x_robots_tag == "noindex, noai"


@pytest.mark.parametrize(("value", "reserved"), [("1", True), ("0", False), (" 1 ", True)])
def test_tdm_reservation(value: str, reserved: bool) -> None:
    signals = read_headers(
        {"TDM-Reservation": [value], "TDM-Policy": ["https://example.org/tdm-policy.json"]}
    )
    assert signals.tdm_reservation is reserved
    assert signals.tdm_policy == "https://example.org/tdm-policy.json"


def test_bytes_keys_and_values() -> None:
    headers = {
        b"X-Robots-Tag": [b"imagespider: noai"],
        b"Tdm-Reservation": [b"1"],
        b"Content-Type": [b"image/jpeg"],
    }
    assert read_headers(headers) == HeaderSignals(
        x_robots_tag="imagespider: noai", noai=True, tdm_reservation=True, tdm_policy=None
    )


def test_bare_string_value_and_mixed_types() -> None:
    signals = read_headers({"x-robots-tag": "noai", "tdm-reservation": [b"0"]})  # type: ignore[dict-item]
    assert signals.noai
    assert not signals.tdm_reservation


def test_no_signals() -> None:
    signals = read_headers({"content-type": ["image/png"]})
    assert signals == HeaderSignals(
        x_robots_tag=None, noai=False, tdm_reservation=False, tdm_policy=None
    )
    assert signals.to_dict() == {"noai": False, "tdm_reservation": False}


def test_header_signals_to_dict() -> None:
    signals = read_headers(
        {"x-robots-tag": ["noai"], "tdm-reservation": ["1"], "tdm-policy": ["https://e.org/p"]}
    )
    assert signals.to_dict() == {
        "noai": True,
        "tdm_reservation": True,
        "x_robots_tag": "noai",
        "tdm_policy": "https://e.org/p",
    }
