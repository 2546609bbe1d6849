"""A site that reserves AI use the ways the real web does, and a Bing page pointing at it.

The site is its own server (its own origin, so its own robots.txt and tdmrep.json), started by
the test with :func:`site_serving`; the Bing results page is a route of the shared mock server,
``/optouts/<site port>/images/search``, listing one result per kind in :data:`KINDS`:

* its ``/robots.txt`` bars GPTBot (by name) from ``/ai-barred/`` and lets everyone else in;
* its ``/.well-known/tdmrep.json`` reserves ``/tdm/`` (with a tdm-policy) but not ``/tdm/free/``;
* images: real C2PA samples (tests/fixtures/c2pa/: Bing Image Creator's trainedAlgorithmicMedia,
  a CAWG training-mining notAllowed), and JPEGs written by Pillow with XMP as photo tools write
  it (IPTC DigitalSourceType; a PLUS DataMining prohibition inside a packet that carries a DTD).
"""

from __future__ import annotations

import io
import json
import random
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from http.server import BaseHTTPRequestHandler
from pathlib import Path

from PIL import Image

from tests import mockserver

C2PA = Path(__file__).parents[1] / "fixtures" / "c2pa"
ROBOTS_TXT = b"User-agent: GPTBot\nDisallow: /ai-barred/\n\nUser-agent: *\nAllow: /\n"
TDM_POLICY = "https://site.example/tdm-policy.json"
TDMREP_JSON = json.dumps([
    {"location": "/tdm/free/", "tdm-reservation": 0},
    {"location": "/tdm/", "tdm-reservation": 1, "tdm-policy": TDM_POLICY},
]).encode()  # fmt: skip

XMP = """<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:Iptc4xmpExt="http://iptc.org/std/Iptc4xmpExt/2008-02-29/"
 xmlns:plus="http://ns.useplus.org/ldf/xmp/1.0/">{body}</rdf:Description></rdf:RDF></x:xmpmeta>
<?xpacket end="w"?>"""
DST = "http://cv.iptc.org/newscodes/digitalsourcetype/"

#: kind -> (image path, page path, what the image is: "plain", "c2pa:<file>" or an XMP packet).
KINDS: dict[str, tuple[str, str, str]] = {
    "plain": ("/img/plain.jpg", "/pages/plain.html", "plain"),
    "tdm-image": ("/tdm/photos/tdm-image.jpg", "/pages/tdm-image.html", "plain"),
    "tdm-free": ("/tdm/free/tdm-free.jpg", "/pages/tdm-free.html", "plain"),
    "tdm-page": ("/img/tdm-page.jpg", "/tdm/articles/tdm-page.html", "plain"),
    "gptbot-image": ("/ai-barred/gptbot-image.jpg", "/pages/gptbot-image.html", "plain"),
    "gptbot-page": ("/img/gptbot-page.jpg", "/ai-barred/gptbot-page.html", "plain"),
    "c2pa-ai": ("/img/c2pa-ai.jpg", "/pages/c2pa-ai.html", "c2pa:2b_bing-image-creator_trainedAlgorithmicMedia.jpg"),
    "c2pa-training": (
        "/img/c2pa-training.jpg", "/pages/c2pa-training.html",
        "c2pa:1e_cawg-training-mining-only-notAllowed_C_with_CAWG_data.jpg",
    ),
    "xmp-ai": (
        "/img/xmp-ai.jpg", "/pages/xmp-ai.html",
        XMP.format(body=f"<Iptc4xmpExt:DigitalSourceType>{DST}trainedAlgorithmicMedia</Iptc4xmpExt:DigitalSourceType>"),
    ),
    "xmp-capture": (
        "/img/xmp-capture.jpg", "/pages/xmp-capture.html",
        XMP.format(body=f"<Iptc4xmpExt:DigitalSourceType>{DST}digitalCapture</Iptc4xmpExt:DigitalSourceType>"),
    ),
    # A DTD makes the safe parser refuse the packet; the prohibition in it is still plain to see.
    "doctype-data-mining": (
        "/img/doctype-data-mining.jpg", "/pages/doctype-data-mining.html",
        '<?xml version="1.0"?>\n<!DOCTYPE x:xmpmeta [ <!ENTITY co "Ada"> ]>\n'
        + XMP.format(body="<plus:DataMining>http://ns.useplus.org/ldf/vocab/DMI-PROHIBITED-AIMLTRAINING</plus:DataMining>"),
    ),
}  # fmt: skip

#: A default crawl's outcome per kind: kept, or the drop reason.
EXPECTED = {
    "plain": "kept", "tdm-free": "kept", "xmp-capture": "kept",
    "tdm-image": "tdm_reservation", "tdm-page": "tdm_reservation",
    "gptbot-image": "robots_txt_ai", "gptbot-page": "robots_txt_ai",
    "c2pa-ai": "ai_generated", "xmp-ai": "ai_generated",
    "c2pa-training": "c2pa_training_not_allowed",
    "doctype-data-mining": "data_mining_prohibited",
}  # fmt: skip


def kind_of(url: str) -> str:
    return url.rsplit("/", 1)[1].removesuffix(".jpg")


@lru_cache(maxsize=32)
def image_bytes(kind: str) -> bytes:
    what = KINDS[kind][2]
    if what.startswith("c2pa:"):
        return (C2PA / what.removeprefix("c2pa:")).read_bytes()
    rng = random.Random(kind)
    image = Image.frombytes("RGB", (160, 120), rng.randbytes(160 * 120 * 3))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85, **({} if what == "plain" else {"xmp": what.encode("utf-8")}))
    return out.getvalue()


class SiteHandler(BaseHTTPRequestHandler):
    server: SiteServer

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the stdlib's name
        pass

    def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
        path = self.path.split("?", 1)[0]
        self.server.log_request_url(path)
        by_image = {spec[0]: kind for kind, spec in KINDS.items()}
        if path == "/robots.txt":
            self._send(200, "text/plain", ROBOTS_TXT)
        elif path == "/.well-known/tdmrep.json":
            self._send(200, "application/json", TDMREP_JSON)
        elif path in by_image:
            self._send(200, "image/jpeg", image_bytes(by_image[path]))
        elif path.endswith(".html"):
            self._send(200, "text/html", b"<!doctype html><title>an article</title><p>a photo</p>")
        else:
            self._send(404, "text/plain", b"not found")

    def _send(self, status: int, content_type: str, body: bytes) -> None:
        mockserver.send(self, status, content_type, body)


class SiteServer(mockserver.LoggingServer):
    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), SiteHandler)


@contextmanager
def site_serving() -> Iterator[SiteServer]:
    with mockserver.serving_in_thread(SiteServer()) as server:
        yield server


def _search(handler: mockserver.Handler, path: str, query: dict[str, list[str]]) -> mockserver.Reply:
    port = path.split("/")[2]
    site = f"http://127.0.0.1:{port}"
    results = [(site + image, site + page, f"{kind} photo") for kind, (image, page, _) in KINDS.items()]
    return 200, "text/html; charset=utf-8", mockserver.bing_page_of(results).encode(), {}


mockserver.ROUTES["/optouts/"] = _search
