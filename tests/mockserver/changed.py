"""Engines that changed their markup, for the "no silent zero" checks (registered in ROUTES).

``/changed/images/search`` is the mock's Bing page (the real 2026 capture's markup) after a
pretend redesign: every result is still there with its thumbnail, but the ``a.iusc`` links are
now ``a.img-tile`` with their JSON in ``data-meta``, so the parser finds nothing.
"""

from __future__ import annotations

from typing import Any

from tests.mockserver import ROUTES, bing_page


def changed_bing(handler: Any, path: str, query: dict[str, list[str]]) -> tuple[int, str, bytes]:
    base = f"http://{handler.headers.get('Host')}"
    page = bing_page(base, query.get("q", [""])[0], 60)
    page = page.replace('class="iusc"', 'class="img-tile"').replace(' m="', ' data-meta="')
    return 200, "text/html; charset=utf-8", page.encode()


ROUTES["/changed/images/search"] = changed_bing
