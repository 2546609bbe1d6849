"""The Openverse API played by the mock server from its real recorded answers (tests/fixtures/openverse/).

``GET /v1/images/?q=..`` answers in the shape of the real tapes: a query has :data:`RESULTS`
results, each a copy of one of the 60 real results of the three recorded 200 answers (2022-03,
2022-09 and 2023-01 shapes: some lack ``attribution``/``width``/``mature``, some have them null),
with a new id and its ``url`` pointed at this server's ``/openverse-img/``. Like Openverse, the
server filters on its side (``license=`` codes, ``license_type=commercial``/``modification``) and
pages by ``page``/``page_size``, and sends the rate-limit headers of the 2024 tape. Anonymous
calls may ask for 20 a page at most (401, as Openverse answers); every
:data:`BROKEN_EVERY`-th image answers 404.

Special queries play the other real tapes: ``querywithnoresults`` (the empty answer),
``SearchPage429error`` (the 429 with its body and headers); and ``ratelimited`` (the burst limit
used up: ``x-ratelimit-available-anon_burst: 0``), ``changedapi`` (a 200 whose body has no
``results``: an API that changed shape), ``hugeanswer`` (a 14 MB answer of five million empty
objects) and ``endless404`` (endless pages of fresh results whose images all answer 404);
``echotoken`` echoes the call's Bearer token in every result's title and landing page URL (an API
that repeats what it was sent).

``POST /v1/auth_tokens/token/``: client-credentials grant. A client id starting with ``good``
gets a token valid ``36000`` s; ``short`` one valid 60 s (so the spider renews it before each
call); ``revoke`` one valid 36000 s but revoked once it has been used for a search (as a token
revoked early); anything else 401 ``invalid_client``. A search with a Bearer token this server did
not issue, or revoked, answers 401. Tokens issued and tokens seen are in :data:`ISSUED` and :data:`SEEN`.
"""

from __future__ import annotations

import copy
import itertools
import json
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

from tests.mockserver import POST_ROUTES, ROUTES, numbered_images

TAPES = Path(__file__).parents[1] / "fixtures" / "openverse"
RESULT_TAPES = (
    "openverse_images_q_cat.json5",
    "openverse_images_q_cat_page_2.json5",
    "openverse_images_q_birds_license_type_commercial.json5",
)
RESULTS = 120
BROKEN_EVERY = 13
NONCOMMERCIAL = {"by-nc", "by-nc-sa", "by-nc-nd", "nc-sampling+"}
NO_DERIVATIVES = {"by-nd", "by-nc-nd"}
ISSUED: list[str] = []
SEEN: list[str] = []
#: Tokens revoked after their first search, and those revoked.
REVOKE_AFTER_USE: set[str] = set()
REVOKED: set[str] = set()
_counter = itertools.count(1)

Reply = tuple[int, str, bytes, dict[str, str]]


@lru_cache(maxsize=8)
def tape(name: str) -> dict[str, Any]:
    """The recorded ``.json5`` tape, read from its plain-JSON copy beside it (``.json``, checked equal by
    tests/unit/test_mockserver.py), so ``python -m tests.mockserver`` runs with the runtime packages only."""
    return json.loads((TAPES / name).with_suffix(".json").read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def templates() -> list[dict[str, Any]]:
    return [result for name in RESULT_TAPES for result in tape(name)["res"]["body"]["results"]]


def tape_headers(name: str) -> dict[str, str]:
    """The tape's rate-limit headers (each recorded as a list of strings)."""
    return {k: v[-1] for k, v in tape(name)["res"]["headers"].items() if k.startswith("x-ratelimit")}


RATE_HEADERS_TAPE = "openverse_images_q_querywithnoresults.json5"


def result(base: str, query: str, index: int) -> dict[str, Any]:
    entry = copy.deepcopy(templates()[index % len(templates())])
    entry["id"] = f"00000000-0000-4000-8000-{index:012d}"
    entry["url"] = f"{base}/openverse-img/{quote(query, safe='')}/{index}.jpg"
    entry["thumbnail"] = f"{base}/v1/images/{entry['id']}/thumb/"
    return entry


def _reply(status: int, payload: Any, headers: dict[str, str] | None = None) -> Reply:
    return status, "application/json", json.dumps(payload).encode(), headers or {}


def images(handler: Any, path: str, query: dict[str, list[str]]) -> Reply:
    base = f"http://{handler.headers.get('Host')}"
    q = query.get("q", [""])[0]
    auth = handler.headers.get("Authorization") or ""
    if auth:
        token = auth.removeprefix("Bearer ")
        SEEN.append(token)
        if token not in ISSUED or token in REVOKED:
            return _reply(401, {"detail": "Invalid token."})
        if token in REVOKE_AFTER_USE:
            REVOKED.add(token)
    page_size = int(query.get("page_size", ["20"])[0])
    if page_size > 20 and not auth:
        return _reply(401, {"detail": "Authentication credentials were not provided."})
    headers = tape_headers(RATE_HEADERS_TAPE)
    if q == "querywithnoresults":
        recorded = tape("openverse_images_q_querywithnoresults.json5")["res"]
        return _reply(recorded["status"], recorded["body"], headers)
    if q == "SearchPage429error":
        recorded = tape("openverse_images_q_SearchPage429error.json5")["res"]
        return _reply(recorded["status"], recorded["body"], tape_headers("openverse_images_q_SearchPage429error.json5"))
    if q == "changedapi":
        return _reply(200, {"count": RESULTS, "data": [result(base, q, i) for i in range(3)]}, headers)
    if q == "ratelimited":
        headers = {**headers, "x-ratelimit-available-anon_burst": "0"}
    if q == "hugeanswer":
        return 200, "application/json", huge_answer(), headers
    if q == "endless404":
        page = int(query.get("page", ["1"])[0])
        fresh = []
        for index in range((page - 1) * page_size, page * page_size):
            entry = dict(result(base, q, index % RESULTS), id=f"00000000-0000-4000-9000-{index:012d}")
            entry["url"] = f"{base}/no-such-image/{index}.jpg"
            fresh.append(entry)
        body = {"result_count": 10**7, "page_count": 10**6, "page_size": page_size, "page": page, "results": fresh}
        return _reply(200, body, headers)
    codes = {c for c in query.get("license", [""])[0].split(",") if c}
    types = {t for t in query.get("license_type", [""])[0].split(",") if t}
    kept = [
        r for r in (result(base, q, i) for i in range(RESULTS))
        if (not codes or r["license"] in codes)
        and ("commercial" not in types or r["license"] not in NONCOMMERCIAL)
        and ("modification" not in types or r["license"] not in NO_DERIVATIVES)
    ]
    if q == "echotoken":
        echoed = auth.removeprefix("Bearer ") or "anonymous"
        for entry in kept:
            entry["title"] = f"{entry.get('title') or 'untitled'} (token {echoed})"
            entry["foreign_landing_url"] = f"{entry['foreign_landing_url']}?access_token={echoed}"
    page = int(query.get("page", ["1"])[0])
    page_count = -(-len(kept) // page_size)
    body = {
        "result_count": len(kept), "page_count": page_count, "page_size": page_size, "page": page,
        "results": kept[(page - 1) * page_size : page * page_size],
    }
    return _reply(200, body, headers)


@lru_cache(maxsize=1)
def huge_answer(objects: int = 5_000_000) -> bytes:
    """A 14 MB answer of five million empty objects: under DOWNLOAD_MAXSIZE, 360 MB once parsed."""
    head = b'{"result_count": 1, "page_count": 1, "page_size": 20, "page": 1, "results": ['
    return head + b"{}," * objects + b"{}]}"


def token(handler: Any, path: str, form: dict[str, list[str]]) -> Reply:
    client_id = form.get("client_id", [""])[0]
    if form.get("grant_type") != ["client_credentials"] or not form.get("client_secret", [""])[0]:
        return _reply(400, {"error": "unsupported_grant_type"})
    if not client_id.startswith(("good", "short", "revoke")):
        return _reply(401, {"error": "invalid_client"})
    issued = f"tok{next(_counter):04d}-{client_id[:4]}-9f8e7d6c5b4a"
    ISSUED.append(issued)
    if client_id.startswith("revoke"):
        REVOKE_AFTER_USE.add(issued)
    expires = 60 if client_id.startswith("short") else 36000
    return _reply(200, {"access_token": issued, "scope": "read write", "expires_in": expires, "token_type": "Bearer"})


ROUTES["/v1/images/"] = images
ROUTES["/openverse-img/"] = numbered_images("openverse", BROKEN_EVERY)  # /openverse-img/<query>/<index>.jpg
POST_ROUTES["/v1/auth_tokens/token/"] = token
