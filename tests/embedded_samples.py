"""Image bytes with rights metadata, written by Pillow, for the embedded-metadata unit tests
(tests/unit/test_rights_embedded.py, test_rights_xmp.py, test_rights_iim.py).

Metadata blocks Pillow has no writer for (IPTC IIM in APP13, corrupt blocks, refused packets) are
built byte by byte here.
"""

from __future__ import annotations

import io
import struct
from pathlib import Path

from PIL import Image, PngImagePlugin

from imagespider.rights.embedded import EmbeddedRights

REAL_FIXTURES = Path(__file__).parent / "fixtures" / "images"

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
