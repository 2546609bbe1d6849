"""Bing results whose images carry rights evidence and opt-outs, for the license tests.

``/rights/images/search`` answers with the real Bing page markup (see tests/mockserver/__init__.py) whose
results point at ``/rights/img/<kind>.jpg`` (and one at ``/private/...``, which robots.txt
disallows). What each kind carries is in :data:`KINDS`; the images are real JPEGs written by
Pillow, with XMP packets and EXIF blocks as photo tools write them.
"""

from __future__ import annotations

import io
import random
from functools import lru_cache

from PIL import Image

from tests import mockserver

XMP = """<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about=""
    xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:cc="http://creativecommons.org/ns#"
    xmlns:xmpRights="http://ns.adobe.com/xap/1.0/rights/"
    xmlns:plus="http://ns.useplus.org/ldf/xmp/1.0/">
   {body}
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>"""
CREATOR = '<dc:creator><rdf:Seq><rdf:li>Ada Lovelace</rdf:li></rdf:Seq></dc:creator>'

#: kind -> (XMP body or None, EXIF copyright or None, extra response headers, image path prefix,
#: page path prefix). Plain kinds carry nothing.
KINDS: dict[str, tuple[str | None, str | None, dict[str, str], str, str]] = {
    "plain-0": (None, None, {}, "/rights/img", "/rights/page"),
    "plain-1": (None, None, {}, "/rights/img", "/rights/page"),
    "plain-2": (None, None, {}, "/rights/img", "/rights/page"),
    "xmp-by-nc": (
        '<cc:license rdf:resource="https://creativecommons.org/licenses/by-nc/4.0/"/>' + CREATOR,
        None, {}, "/rights/img", "/rights/page",
    ),
    "xmp-by": (
        '<cc:license rdf:resource="http://creativecommons.org/licenses/by/2.0/deed.en"/>',
        None, {}, "/rights/img", "/rights/page",
    ),
    "xmp-data-mining-prohibited": (
        "<plus:DataMining>http://ns.useplus.org/ldf/vocab/DMI-PROHIBITED-AIMLTRAINING</plus:DataMining>",
        None, {}, "/rights/img", "/rights/page",
    ),
    "exif-all-rights-reserved": (None, "(c) 2024 Jo Bloggs. All rights reserved.", {}, "/rights/img", "/rights/page"),
    # Not XML at all: ignored and counted, never fatal.
    "xmp-malformed": ("MALFORMED", None, {}, "/rights/img", "/rights/page"),
    "header-noai": (None, None, {"X-Robots-Tag": "noai, noimageai"}, "/rights/img", "/rights/page"),
    "header-tdm-reservation": (
        None, None, {"tdm-reservation": "1", "tdm-policy": "https://example.org/tdm-policy.json"},
        "/rights/img", "/rights/page",
    ),
    "robots-disallowed-image": (None, None, {}, "/private/img", "/rights/page"),
    "robots-disallowed-page": (None, None, {}, "/rights/img", "/private/page"),
}
#: What a crawl with -a license=any must conclude for each kind: kept, or the drop reason.
EXPECTED_ANY = {
    "plain-0": "kept", "plain-1": "kept", "plain-2": "kept", "xmp-by-nc": "kept", "xmp-by": "kept",
    "exif-all-rights-reserved": "kept", "xmp-malformed": "kept",
    "xmp-data-mining-prohibited": "data_mining_prohibited",
    "header-noai": "noai",
    "header-tdm-reservation": "tdm_reservation",
    "robots-disallowed-image": "robots_txt",
    "robots-disallowed-page": "robots_txt_page",
}  # fmt: skip


@lru_cache(maxsize=64)
def rights_image(kind: str) -> bytes:
    xmp, copyright_notice, _, _, _ = KINDS[kind]
    rng = random.Random(kind)
    image = Image.frombytes("RGB", (320, 240), rng.randbytes(320 * 240 * 3))
    options: dict[str, object] = {"quality": 85}
    if xmp == "MALFORMED":
        options["xmp"] = b"<x:xmpmeta><rdf:RDF>this is not < well formed"
    elif xmp:
        options["xmp"] = XMP.format(body=xmp).encode("utf-8")
    if copyright_notice:
        exif = Image.Exif()
        exif[0x8298] = copyright_notice
        options["exif"] = exif
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", **options)
    return buffer.getvalue()


def image_url(base: str, kind: str) -> str:
    return f"{base}{KINDS[kind][3]}/{kind}.jpg"


def page_url(base: str, kind: str) -> str:
    return f"{base}{KINDS[kind][4]}/{kind}.html"


def _search(handler: mockserver.Handler, path: str, query: dict[str, list[str]]) -> mockserver.Reply:
    base = f"http://{handler.headers.get('Host')}"
    results = [(image_url(base, kind), page_url(base, kind), f"{kind} photo") for kind in KINDS]
    return 200, "text/html; charset=utf-8", mockserver.bing_page_of(results).encode(), {}


def _image(handler: mockserver.Handler, path: str, query: dict[str, list[str]]) -> mockserver.Reply:
    kind = path.rsplit("/", 1)[1].removesuffix(".jpg")
    if kind not in KINDS:
        return 404, "text/plain", b"no such image", {}
    return 200, "image/jpeg", rights_image(kind), KINDS[kind][2]


mockserver.ROUTES["/rights/images/search"] = _search
mockserver.ROUTES["/rights/img/"] = _image
mockserver.ROUTES["/private/img/"] = _image
