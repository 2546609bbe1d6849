"""Near-duplicates across engines, played by the mock (registered in ``tests.mockserver.ROUTES``).

``/neardup/images/search`` is a one-page Bing results page (the real markup, via
``bing_page_of``) for the query ``photo``: :data:`TWINS` are resized or re-encoded copies of
photos the Flickr mock serves for the same query (``/flickr-live/photo/...``), the other
:data:`OWN` results are Bing's own, distinct photos. A crawl of Bing then Flickr into one store
must keep each twin once.

For rebuild tests: ``/neardup/changed/<n>.jpg`` serves other bytes than were recorded (a photo
that was edited at its source) and ``/neardup/gone/<n>.jpg`` answers 404 (it was deleted).
"""

from __future__ import annotations

from typing import Any

from tests.mockserver import ROUTES, bing_page_of
from tests.mockserver.flickr import photo_dims
from tests.photos import encode, photo, render_photo, resized

QUERY = "photo"
#: Flickr photo index -> (format, scale, JPEG/WebP quality) of Bing's copy of it.
TWINS: dict[int, tuple[str, float, int]] = {
    0: ("JPEG", 0.7, 70),
    2: ("JPEG", 1.0, 45),
    4: ("PNG", 1.5, 0),
    6: ("WEBP", 0.8, 60),
    8: ("JPEG", 1.25, 92),
    10: ("PNG", 1.0, 0),
}
#: Bing's own photos, distinct from everything else.
OWN = 6
_EXT = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}


def flickr_original(index: int) -> bytes:
    """The bytes the Flickr mock serves for photo ``index`` of :data:`QUERY`."""
    return render_photo(f"flickr/{QUERY}", index, "JPEG", *photo_dims(index))


def twin(index: int) -> bytes:
    fmt, scale, quality = TWINS[index]
    return resized(flickr_original(index), scale, fmt, quality or 80)


def own(index: int) -> bytes:
    return render_photo(f"bing/{QUERY}", index, "JPEG", 320, 240)


def results(base: str) -> list[tuple[str, str, str]]:
    found = []
    for index, (fmt, _, _) in TWINS.items():
        image_url = f"{base}/neardup/img/twin/{index}.{_EXT[fmt]}"
        found.append((image_url, f"{base}/page/twin/{index}.html", f"twin {index}"))
    for index in range(OWN):
        found.append((f"{base}/neardup/img/own/{index}.jpg", f"{base}/page/own/{index}.html", f"own {index}"))
    return found


def route(handler: Any, path: str, query: dict[str, list[str]]) -> tuple[int, str, bytes]:
    base = f"http://{handler.headers.get('Host')}"
    parts = path.split("/")  # "", "neardup", kind, ...
    if path == "/neardup/images/search":
        return 200, "text/html; charset=utf-8", bing_page_of(results(base)).encode()
    if len(parts) == 5 and parts[2] == "img":
        kind, name = parts[3], parts[4]
        index = int(name.split(".")[0])
        if kind == "twin" and index in TWINS:
            return 200, _TYPES[TWINS[index][0]], twin(index)
        if kind == "own" and 0 <= index < OWN:
            return 200, "image/jpeg", own(index)
    if len(parts) == 4 and parts[2] == "changed":
        return 200, "image/jpeg", encode(photo(f"changed/{parts[3]}", 200, 150))
    return 404, "text/html", b"<h1>404</h1>"


ROUTES["/neardup/"] = route
