"""Source-page evidence: what the page that shows an image says about that image's rights.

Bing and Google name no license per image; the page they point at usually does. This reads a
page's HTML once into a :class:`PageIndex` (small, so a crawl can cache it per page URL while
many images share the page) and answers, per image, with a :class:`PageEvidence`:

* license statements: ``rel="license"`` on ``<a>``/``<link>`` (HTML5, microformats rel-license,
  RDFa ``cc:license``), Creative Commons deed links and badge images, schema.org ``license`` in
  JSON-LD, microdata and RDFa, ``<meta name="dc.rights|dcterms.license">``, caption text naming a
  license, a license granted in running text, a reservation ("All rights reserved" in the
  languages of the web) or copyright line, a credit naming an agency or stock library (all rights
  reserved, the holder as author), a stock site's credit ("on Unsplash": its own license);
* credit: schema.org ``creator``/``author``, ``creditText``, ``copyrightNotice``,
  ``copyrightHolder``, ``acquireLicensePage``, CC's ``cc:attributionName``/``cc:attributionURL``;
* opt-outs: ``<meta name="robots|imagespider" content="noai|noimageai">``,
  ``<meta name="tdm-reservation" content="1">`` (with ``tdm-policy``), and the page response's
  ``X-Robots-Tag`` / ``tdm-reservation`` headers (read by :mod:`imagespider.rights.headers`).

Tying a statement to *this* image is the whole point. An image on the page is known by every
URL it is written with (``src``, ``data-src``, ``srcset``, ``<picture><source>``, a link around it
to the full-size file, schema.org ``contentUrl``), resolved against the page URL and its
``<base>``, a "Download" link, a CSS background, and, for the page's principal image, og:image,
twitter:image and JSON-LD ``image``. The page's chrome (:mod:`imagespider.rights.pagelayout`) is
told apart from its content. Scopes, closest first: ``image`` (the element holding both the
statement and the image: its ``<figure>``, caption, gallery cell, alt text, or the structured
data naming it), ``content`` (a content block's reservation covers its images; its licenses and
the main content's statements, the principal image), ``page`` (head, chrome: only for an image
the page shows, only when it is the one license the page states, never a platform's own
copyright line). Within a scope the most restrictive license applies, or none when they cannot
be ordered; the disagreement is recorded. Only the Creative Commons family, public-domain
statements, reservations and the stock sites' licenses become a license
(:mod:`imagespider.rights.parse`, :mod:`imagespider.rights.pagewords`); any other license URL is
recorded as evidence, not guessed at.

Pure: HTML text in, dataclasses out; lxml only, no Scrapy, no I/O; never raises on bad markup.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urljoin

import lxml.etree
import lxml.html

from imagespider.rights.headers import read_headers
from imagespider.rights.pageindex import PageEvidence, PageIndex
from imagespider.rights.pagereader import PageReader
from imagespider.rights.pagestatement import MAX_PAGE_STATEMENTS, Statement, policy_suffix
from imagespider.rights.rsl import rsl_links

__all__ = ["PageEvidence", "PageIndex", "Statement", "index_page", "read_page"]

#: Most images and statements one page's index keeps (a real gallery page has a few hundred
#: images). A page of more is read as saying nothing: a 2 MiB page of bare ``<img>`` tags would
#: otherwise be kept as tens of MB in the crawl's page cache.
MAX_TARGETS = 1000


def read_page(
    html: str, page_url: str, image_url: str, headers: Mapping[Any, Any] | None = None,
    user_agent_token: str = "imagespider",  # noqa: S107 (a robots token, not a password)
) -> PageEvidence:
    """What the page at ``page_url`` (its HTML, and its response headers if known) says about
    the image at ``image_url``."""
    return index_page(html, page_url, headers, user_agent_token).evidence_for(image_url)


def index_page(
    html: str, page_url: str, headers: Mapping[Any, Any] | None = None,
    user_agent_token: str = "imagespider",  # noqa: S107 (a robots token, not a password)
) -> PageIndex:
    """Read a page once: its images, statements and opt-outs (see the module docstring)."""
    index = PageIndex(page_url)
    if headers:
        signals = read_headers(headers, user_agent_token)
        if signals.noai:
            index.opt_out = ("noai", f"X-Robots-Tag on the page: {signals.x_robots_tag}")
        elif signals.tdm_reservation:
            index.opt_out = ("tdm_reservation", "tdm-reservation: 1 on the page")
        elif term := signals.usage_reserved:
            index.opt_out = ("content_usage", f"Content-Usage on the page: {signals.content_usage} ({term})")
        index.tdm_policy = signals.tdm_policy
        index.rsl_links += [urljoin(page_url, link) for link in rsl_links(_link_values(headers))]
    root = _parse(html)
    if root is not None:
        PageReader(index, root, page_url, user_agent_token).read()
    if index.opt_out is not None and index.opt_out[0] == "tdm_reservation":
        # Named once, whether the header or a <meta> gave the policy.
        index.opt_out = (index.opt_out[0], index.opt_out[1] + policy_suffix(index.tdm_policy))
    if root is None:
        return index
    statements = index.statement_count()
    if len(index.targets) > MAX_TARGETS or statements > MAX_PAGE_STATEMENTS:
        index.overflow = (
            f"the page holds {len(index.targets)} images and {statements} rights statements, more than "
            f"{MAX_TARGETS} and {MAX_PAGE_STATEMENTS} read per page: none applied"
        )
        index.targets, index.page, index.content, index.groups = [], [], [], []
    return index


def _link_values(headers: Mapping[Any, Any]) -> list[str]:
    """The ``Link`` header values of a str- or bytes-keyed mapping."""
    out: list[str] = []
    for name, values in headers.items():
        if (name.decode("latin-1") if isinstance(name, bytes) else str(name)).lower() == "link":
            for value in [values] if isinstance(values, (str, bytes)) else values:
                out.append(value.decode("latin-1") if isinstance(value, bytes) else str(value))
    return out


def _parse(html: str) -> lxml.html.HtmlElement | None:
    """The page's document, or None when there is none. lxml refuses a str that opens with an
    XML declaration naming an encoding (XHTML, served as application/xhtml+xml): such a page
    is parsed as UTF-8 bytes, the declaration then telling lxml nothing new."""
    if not html or not html.strip():
        return None
    try:
        try:
            return lxml.html.document_fromstring(html)
        except ValueError:
            return lxml.html.document_fromstring(html.encode("utf-8", "replace"), parser=_UTF8)
    except (lxml.etree.ParserError, ValueError):
        return None


_UTF8 = lxml.html.HTMLParser(encoding="utf-8")
