"""Wikimedia Commons' MediaWiki API played by the mock server from the real capture.

``/w/api.php?action=query&generator=search..`` answers with File pages copied from the real
answer (tests/fixtures/commons_query_allimages_imageinfo_extmetadata_openverse_catalog.json, 9
pages, and commons_single_page_imageinfo_openverse_catalog.json): their ``extmetadata`` as
Commons writes it (HTML ``Artist``/``Credit``, "true"/"True" flags), each copy with a new page id
and its ``url`` pointed at this server's ``/commons-img/``. A query has :data:`FILES` files,
paged by ``gsrlimit`` with a ``continue`` block (``gsroffset``), ``formatversion=2`` (pages as a
list with their search ``index``). The real pages are public domain or CC BY-SA; to exercise the
policy, some copies get another license, restrictions or NonFree, by index (:func:`variant`):

- ``i % 6 == 1``: CC BY-NC-SA 2.0 (not commercial)
- ``i % 6 == 4``: ``Restrictions: personality|trademarked``
- ``i % 10 == 7``: ``NonFree: true`` (its license stays as captured)
- ``i % 17 == 9``: ``image/svg+xml`` (left out by the parser)
- every :data:`BROKEN_EVERY`-th image answers 404

Special queries: ``maxlagged`` (the first call answers the ``maxlag`` error with
``Retry-After: 1``, as MediaWiki does), ``changedapi`` (a 200 without ``query``), ``nothing``
(``{"batchcomplete": true}``: no hit), ``disagreeing`` (every file's ``LicenseShortName`` says
CC BY-NC 4.0 while its ``LicenseUrl`` and ``License`` say CC0, fields that disagree as edited
description pages can). Each call's User-Agent is in :data:`USER_AGENTS`.
"""

from __future__ import annotations

import copy
import json
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

from tests.mockserver import ROUTES, numbered_images

FIXTURES = Path(__file__).parents[1] / "fixtures"
CAPTURE = FIXTURES / "commons_query_allimages_imageinfo_extmetadata_openverse_catalog.json"
SINGLE = FIXTURES / "commons_single_page_imageinfo_openverse_catalog.json"
FILES = 90
BROKEN_EVERY = 13
FIRST_ID = 90_000_000
USER_AGENTS: list[str] = []
_lagged: set[str] = set()

Reply = tuple[int, str, bytes, dict[str, str]]


@lru_cache(maxsize=1)
def templates() -> list[dict[str, Any]]:
    pages = list(json.loads(CAPTURE.read_text(encoding="utf-8"))["query"]["pages"].values())
    return [*pages, json.loads(SINGLE.read_text(encoding="utf-8"))]


def _meta(value: str) -> dict[str, str]:
    return {"value": value, "source": "commons-desc-page", "hidden": ""}


def variant(page: dict[str, Any], index: int) -> None:
    meta = page["imageinfo"][0].setdefault("extmetadata", {})
    if index % 6 == 1:
        meta["LicenseShortName"] = _meta("CC BY-NC-SA 2.0")
        meta["LicenseUrl"] = _meta("https://creativecommons.org/licenses/by-nc-sa/2.0")
        meta["License"] = _meta("cc-by-nc-sa-2.0")
        meta["UsageTerms"] = _meta("Creative Commons Attribution-NonCommercial-ShareAlike 2.0")
        meta["AttributionRequired"] = _meta("true")
        meta["Copyrighted"] = _meta("True")
    if index % 6 == 4:
        meta["Restrictions"] = _meta("personality|trademarked")
    if index % 10 == 7:
        meta["NonFree"] = _meta("true")
    if index % 17 == 9:
        page["imageinfo"][0]["mime"] = "image/svg+xml"


def file_page(base: str, query: str, index: int, thumb_width: int | None) -> dict[str, Any]:
    page = copy.deepcopy(templates()[index % len(templates())])
    page.pop("globalusage", None)
    info = page["imageinfo"][0]
    name = f"{query} {index}.jpg".replace(" ", "_")
    page.update(pageid=FIRST_ID + index, ns=6, title=f"File:{query} {index}.jpg", index=index + 1)
    info["url"] = f"{base}/commons-img/{quote(query, safe='')}/{index}.jpg"
    info["descriptionurl"] = f"https://commons.wikimedia.org/wiki/File:{quote(name)}"
    info.setdefault("mime", "image/jpeg")
    info["width"], info["height"] = 160 + (index * 37) % 200, 120 + (index * 53) % 180
    if thumb_width:
        info["thumburl"] = f"{base}/commons-img/{quote(query, safe='')}/{index}.jpg?w={thumb_width}"
        info["thumbwidth"], info["thumbheight"] = info["width"], info["height"]
    variant(page, index)
    return page


def _reply(payload: Any, status: int = 200, headers: dict[str, str] | None = None) -> Reply:
    return status, "application/json; charset=utf-8", json.dumps(payload).encode(), headers or {}


def api(handler: Any, path: str, query: dict[str, list[str]]) -> Reply:
    USER_AGENTS.append(handler.headers.get("User-Agent") or "")
    base = f"http://{handler.headers.get('Host')}"

    def param(name: str, default: str = "") -> str:
        return query.get(name, [default])[0]

    search = param("gsrsearch").removesuffix(" filetype:bitmap").strip()
    if param("action") != "query" or param("generator") != "search" or param("gsrnamespace") != "6":
        return _reply({"error": {"code": "badvalue", "info": "unexpected request"}})
    if search == "maxlagged" and search not in _lagged:
        _lagged.add(search)
        return _reply(
            {"error": {"code": "maxlag", "info": "Waiting for 10.64.48.23: 7 seconds lagged.", "lag": 7}},
            headers={"Retry-After": "1", "X-Database-Lag": "7"},
        )
    if search == "changedapi":
        return _reply({"items": [file_page(base, search, 0, None)]})
    if search == "nothing":
        return _reply({"batchcomplete": True})
    limit = min(int(param("gsrlimit", "10")), 50)
    offset = int(param("gsroffset", "0"))
    width = int(param("iiurlwidth", "0")) or None
    pages = [file_page(base, search, i, width) for i in range(offset, min(offset + limit, FILES))]
    if search == "disagreeing":
        for page in pages:
            meta = page["imageinfo"][0].setdefault("extmetadata", {})
            meta.pop("NonFree", None)
            meta["LicenseShortName"] = _meta("CC BY-NC 4.0")
            meta["LicenseUrl"] = _meta("https://creativecommons.org/publicdomain/zero/1.0/")
            meta["License"] = _meta("cc0")
    answer: dict[str, Any] = {"batchcomplete": True, "query": {"pages": pages}}
    if offset + limit < FILES:
        answer["continue"] = {"gsroffset": offset + limit, "continue": "gsroffset||"}
    return _reply(answer)


ROUTES["/w/api.php"] = api
ROUTES["/commons-img/"] = numbered_images("commons", BROKEN_EVERY)  # /commons-img/<query>/<index>.jpg
