"""Engines that changed their markup, for the "no silent zero" checks (registered in ROUTES).

``/changed/images/search`` is the mock's Bing page (the real 2026 capture's markup) after a
pretend redesign: every result is still there with its thumbnail, but the ``a.iusc`` links are
now ``a.img-tile`` with their JSON in ``data-meta``, so the parser finds nothing.

``/changed/search`` is the mock's Google page redesigned the same way: its 35 tiles and their
images are there, but as ``div[data-item]``, and the image records moved out of the inline scripts.
"""

from __future__ import annotations

import re
from typing import Any

from tests.mockserver import ROUTES, bing_page
from tests.mockserver.google import results_page


def changed_bing(handler: Any, path: str, query: dict[str, list[str]]) -> tuple[int, str, bytes]:
    base = f"http://{handler.headers.get('Host')}"
    page = bing_page(base, query.get("q", [""])[0], 60)
    page = page.replace('class="iusc"', 'class="img-tile"').replace(' m="', ' data-meta="')
    return 200, "text/html; charset=utf-8", page.encode()


ROUTES["/changed/images/search"] = changed_bing


def changed_google(handler: Any, path: str, query: dict[str, list[str]]) -> tuple[int, str, bytes]:
    base = f"http://{handler.headers.get('Host')}"
    page = results_page(base, query.get("q", [""])[0]).replace("data-docid=", "data-item=")
    page = re.sub(r'<script nonce="mOcKnOnCe">.*?</script>', "", page, flags=re.S)
    return 200, "text/html; charset=utf-8", page.encode()


ROUTES["/changed/search"] = changed_google
