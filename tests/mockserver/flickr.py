"""The Flickr REST API played by the mock server (registered in ``tests.mockserver.ROUTES``).

``/services/rest/`` answers ``flickr.photos.search`` from the real capture
(tests/fixtures/flickr_photos_search_extras_openverse_catalog.json, 30 photos): a query has
:data:`PHOTOS` photos, each a copy of a real photo object with a new id and secret, its image URL
pointed at this server's ``/flickr-live/`` and its ``license`` set to ``i % 17`` (ids 0-16), so
every license appears. Like Flickr, the server filters on its side: only photos whose license id
is in the request's ``license=`` come back, paged by ``per_page``/``page`` with ``pages`` and
``total`` counted after filtering. Only the ``extras`` asked for are sent (``url_l`` needs
``url_l``, ``ownername`` needs ``owner_name``...), as Flickr does. Every :data:`BROKEN_EVERY`-th
photo's image answers 404, so the spider must replace it from later pages.

``flickr.photos.licenses.getInfo`` answers :data:`LICENSES`, the documented response shape
(``{"licenses":{"license":[{"id":0,"name":..,"url":..}]},"stat":"ok"}``) **reconstructed from the
Flickr API documentation**, no real capture exists; ids 11-16 are the CC 4.0 entries Flickr
added (their real numbers are unchecked, see tests/fixtures/README.md section 3).

Keys choose failures: ``api_key`` starting with ``bad`` gets Flickr's code 100 error on every
call; ``nolicenses`` fails getInfo only (code 112, as for an unknown method); ``http500`` gets
HTTP 500 for searches; ``echo`` echoes the key in every photo's title and image URL, as a
careless API might. Every request path is in ``server.requests``.
"""

from __future__ import annotations

import copy
import hashlib
import json
import math
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

from tests.mockserver import ROUTES, render_image
from tests.photos import render_photo

CAPTURE = Path(__file__).parents[1] / "fixtures" / "flickr_photos_search_extras_openverse_catalog.json"
PHOTOS = 240
FIRST_ID = 7_000_000_000
BROKEN_EVERY = 19
LICENSE_COUNT = 17
#: Queries whose images are photo-like (tests/photos.py) rather than noise.
PHOTO_PREFIX = "photo"
SIZES = ("o", "k", "h", "l", "c", "z", "m", "s", "t", "q", "sq", "n")

Query = dict[str, list[str]]
Answer = tuple[int, str, bytes]

# flickr.photos.licenses.getInfo, reconstructed from the Flickr API documentation (no real capture).
_CC = "https://creativecommons.org/"
LICENSES: list[dict[str, Any]] = [
    {"id": i, "name": name, "url": url}
    for i, name, url in (
        (0, "All Rights Reserved",
         ""),
        (1, "Attribution-NonCommercial-ShareAlike License",
         _CC + "licenses/by-nc-sa/2.0/"),
        (2, "Attribution-NonCommercial License",
         _CC + "licenses/by-nc/2.0/"),
        (3, "Attribution-NonCommercial-NoDerivs License",
         _CC + "licenses/by-nc-nd/2.0/"),
        (4, "Attribution License",
         _CC + "licenses/by/2.0/"),
        (5, "Attribution-ShareAlike License",
         _CC + "licenses/by-sa/2.0/"),
        (6, "Attribution-NoDerivs License",
         _CC + "licenses/by-nd/2.0/"),
        (7, "No known copyright restrictions",
         "https://www.flickr.com/commons/usage/"),
        (8, "United States Government Work",
         "http://www.usa.gov/copyright.shtml"),
        (9, "Public Domain Dedication (CC0)",
         _CC + "publicdomain/zero/1.0/"),
        (10, "Public Domain Mark",
         _CC + "publicdomain/mark/1.0/"),
        (11, "Attribution 4.0 International (CC BY 4.0)",
         _CC + "licenses/by/4.0/"),
        (12, "Attribution-ShareAlike 4.0 International (CC BY-SA 4.0)",
         _CC + "licenses/by-sa/4.0/"),
        (13, "Attribution-NoDerivs 4.0 International (CC BY-ND 4.0)",
         _CC + "licenses/by-nd/4.0/"),
        (14, "Attribution-NonCommercial 4.0 International (CC BY-NC 4.0)",
         _CC + "licenses/by-nc/4.0/"),
        (15, "Attribution-NonCommercial-ShareAlike 4.0 International (CC BY-NC-SA 4.0)",
         _CC + "licenses/by-nc-sa/4.0/"),
        (16, "Attribution-NonCommercial-NoDerivs 4.0 International (CC BY-NC-ND 4.0)",
         _CC + "licenses/by-nc-nd/4.0/"),
    )
]

#: Flickr license ids that allow commercial use and derivatives, in the table above.
COMMERCIAL_MODIFY_IDS = ["4", "5", "7", "8", "9", "10", "11", "12"]


@lru_cache(maxsize=1)
def _templates() -> list[dict[str, Any]]:
    return json.loads(CAPTURE.read_text(encoding="utf-8"))["photos"]["photo"]


def photo_dims(index: int) -> tuple[int, int]:
    """Small, varied sizes, so 60 downloads stay quick; all above the pipeline's 64 px minimum."""
    return 160 + (index * 37) % 200, 120 + (index * 53) % 180


def _secret(query: str, index: int) -> str:
    return hashlib.md5(f"{query}/{index}".encode()).hexdigest()[:10]  # noqa: S324 (an id, as Flickr's)


def photo(base: str, query: str, index: int, extras: set[str]) -> dict[str, Any]:
    """Photo ``index`` of ``query``: a real photo object with its id, URLs and license replaced."""
    entry = copy.deepcopy(_templates()[index % len(_templates())])
    photo_id, secret = str(FIRST_ID + index), _secret(query, index)
    for size in SIZES:
        for key in (f"url_{size}", f"width_{size}", f"height_{size}"):
            entry.pop(key, None)
    width, height = photo_dims(index)
    entry.update(id=photo_id, secret=secret, server="65535", license=str(index % LICENSE_COUNT))
    if "url_l" in extras:
        entry.update(url_l=f"{base}/flickr-live/{quote(query, safe='')}/{photo_id}_{secret}_b.jpg",
                     width_l=width, height_l=height)
    if "url_t" in extras:
        entry.update(url_t=f"{base}/flickr-live/{quote(query, safe='')}/{photo_id}_{secret}_t.jpg",
                     width_t=100, height_t=75)
    for extra, key in (("license", "license"), ("owner_name", "ownername"), ("date_taken", "datetaken"),
                       ("tags", "tags"), ("description", "description")):
        if extra not in extras:
            entry.pop(key, None)
    return entry


def _param(query: Query, name: str, default: str = "") -> str:
    return query.get(name, [default])[0]


def _json(payload: dict[str, Any], query: Query) -> Answer:
    text = json.dumps(payload)
    if _param(query, "nojsoncallback") != "1":
        text = f"jsonFlickrApi({text})"
    return 200, "application/json" if _param(query, "format") == "json" else "text/xml", text.encode()


def _fail(code: int, message: str, query: Query) -> Answer:
    return _json({"stat": "fail", "code": code, "message": message}, query)


def search(base: str, query: Query) -> Answer:
    text = _param(query, "text")
    if not text:
        return _fail(3, "Parameterless searches have been disabled. Please use flickr.photos.getRecent instead.", query)
    wanted = {i for i in _param(query, "license").split(",") if i}
    extras = {e for e in _param(query, "extras").split(",") if e}
    per_page = min(max(int(_param(query, "per_page", "100")), 1), 500)
    page = max(int(_param(query, "page", "1")), 1)
    indexes = [i for i in range(PHOTOS) if not wanted or str(i % LICENSE_COUNT) in wanted]
    pages = math.ceil(len(indexes) / per_page)
    chosen = indexes[(page - 1) * per_page : page * per_page]
    photos = {
        "page": page, "pages": pages, "perpage": per_page, "total": str(len(indexes)),
        "photo": [photo(base, text, i, extras) for i in chosen],
    }
    return _json({"photos": photos, "stat": "ok"}, query)


def rest(handler: Any, path: str, query: Query) -> Answer:
    base = f"http://{handler.headers.get('Host')}"
    key, method = _param(query, "api_key"), _param(query, "method")
    if not key:
        return _fail(100, "Invalid API Key (Key not found)", query)
    if key.startswith("bad"):
        return _fail(100, "Invalid API Key (Key has invalid format)", query)
    if method == "flickr.photos.licenses.getInfo":
        if key.startswith("nolicenses"):
            return _fail(112, f'Method "{method}" not found', query)
        return _json({"licenses": {"license": LICENSES}, "stat": "ok"}, query)
    if method == "flickr.photos.search":
        if key.startswith("http500"):
            return 500, "text/html", b"<h1>500 Internal Server Error</h1>"
        if key.startswith("echo"):
            return _echo_key(search(base, query), key)
        return search(base, query)
    return _fail(112, f'Method "{method}" not found', query)


def _echo_key(answer: Answer, key: str) -> Answer:
    status, content_type, body = answer
    payload = json.loads(body)
    for entry in payload.get("photos", {}).get("photo", []):
        entry["title"] = f"{entry.get('title') or 'photo'} (key {key})"
        if "url_l" in entry:
            entry["url_l"] += f"?sig={key}"
    return status, content_type, json.dumps(payload).encode()


def image(handler: Any, path: str, query: Query) -> Answer:
    """``/flickr-live/<query>/<id>_<secret>_<size>.jpg``."""
    _, _, q, name = path.split("/", 3)
    index = int(name.split("_")[0]) - FIRST_ID
    if not 0 <= index < PHOTOS or index % BROKEN_EVERY == BROKEN_EVERY - 1:
        return 404, "text/html", b"<h1>404</h1>"
    width, height = (100, 75) if name.endswith("_t.jpg") else photo_dims(index)
    # Queries starting with "photo" get photo-like images, which near-duplicate tests need.
    render = render_photo if unquote(q).startswith(PHOTO_PREFIX) else render_image
    return 200, "image/jpeg", render(f"flickr/{unquote(q)}", index, "JPEG", width, height)


ROUTES["/services/rest/"] = rest
ROUTES["/flickr-live/"] = image
