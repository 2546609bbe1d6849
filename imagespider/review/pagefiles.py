"""The review page: one HTML shell, its stylesheet and its script, plain (no build step, no CDN).

They are the package's data files (imagespider/review/static/), read through importlib.resources
so they are found in a Scrapyd egg (a zip: setup.py's ``package_data`` ships them) as in a
checkout, and read once, when the server first asks. The script draws only the grid cells in view
(a class of 10,000 images is a tall empty box with some 30 cells in it), fetching rows a page of
200 at a time; text from the store goes into text nodes and attributes, never into markup, except
the large view's facts, which the server escapes as report.html does (imagespider/review/detail.py).
"""

from __future__ import annotations

from functools import cache
from html import escape
from importlib.resources import files

#: Where the token goes in page.html (the page's own URLs carry it).
_SLOT = "@TOKEN@"


@cache
def static_text(name: str) -> str:
    """One of the page's files (``page.html``, ``page.css``, ``page.js``), as text."""
    return files(__package__).joinpath("static", name).read_text(encoding="utf-8")


def page_html(token: str) -> str:
    return static_text("page.html").replace(_SLOT, escape(token, quote=True))


def page_css() -> str:
    return static_text("page.css")


def page_js() -> str:
    return static_text("page.js")
