"""Source pages written the way real sites write them, and Bing and Google results pointing at them.

``/pages/images/search`` (Bing, the real capture's markup) and ``/pages/search`` (Google, the
structure of tests/mockserver/google.py) list :data:`RESULTS`: each an image and the page that
shows it. The pages (``/pages/page/<q>/<page>.html``) are a blog post whose figure caption links
the CC deed, a WordPress attachment page, Google's image-license JSON-LD and microdata (as its
documentation shows them), a Flickr-style photo page, a gallery of several images under different
licenses (CC badge, rel=license, microdata, RDFa, and one image with none), a page with only a
footer copyright, pages opting out (meta robots noai, meta for our agent, TDMRep meta, an
X-Robots-Tag header), a page saying nothing, and a missing page. Images
(``/pages/img/<q>/<file>``) are JPEGs seeded by query and file, so each query has its own.

:data:`RESULTS` says what each result must become under ``any``, ``share``, ``commercial,modify``
and ``cc-by,cc-by-sa``; the tests read it.
"""

from __future__ import annotations

import html
import io
import json
import random
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from PIL import Image

from tests import mockserver
from tests.mockserver import google


@dataclass(frozen=True)
class PageResult:
    name: str
    page: str
    image: str
    #: The license id the page gives the image (None: the page names none for it).
    license: str | None
    #: Outcome per policy: "kept" or the drop reason.
    any: str = "kept"
    share: str = "kept"
    commercial_modify: str = "kept"
    by_or_by_sa: str = "kept"
    author: str | None = None


UNNAMED = {"share": "license_unnamed", "commercial_modify": "license_unnamed", "by_or_by_sa": "license_unnamed"}


def _opt_out(reason: str) -> dict[str, str]:
    return {"any": reason, "share": reason, "commercial_modify": reason, "by_or_by_sa": reason}


RESULTS: tuple[PageResult, ...] = (
    PageResult("blog", "blog", "lake-blog.jpg", "cc-by"),
    PageResult("wordpress", "wordpress", "harbour-boats.jpg", "cc-by-sa"),
    PageResult("jsonld", "jsonld", "black-labrador-puppy.jpg", "cc-by", author="Brixton Brownstone"),
    PageResult("google-doc", "google-doc", "labrador-doc.jpg", None, author="Brixton Brownstone", **UNNAMED),
    PageResult(
        "flickr", "flickr", "fox_b.jpg", "cc-by-nc-sa",
        commercial_modify="license_noncommercial", by_or_by_sa="license_not_in_list",
    ),
    PageResult("gallery-maple", "gallery", "gallery-maple.jpg", "cc0", by_or_by_sa="license_not_in_list"),
    PageResult(
        "gallery-oak", "gallery", "gallery-oak.jpg", "cc-by-nd",
        commercial_modify="license_no_derivatives", by_or_by_sa="license_not_in_list",
    ),
    PageResult("gallery-birch", "gallery", "gallery-birch.jpg", "cc-by-sa", author="Mo Ali"),
    PageResult("gallery-elm", "gallery", "gallery-elm.jpg", "cc-by", author="Rae Quinn"),
    PageResult("gallery-pine", "gallery", "gallery-pine.jpg", None, **UNNAMED),
    PageResult(
        "footer", "footer", "sunset-bay.jpg", "all-rights-reserved", share="license_not_shareable",
        commercial_modify="license_not_shareable", by_or_by_sa="license_not_in_list",
    ),
    PageResult("noai-meta", "noai-meta", "noai-meta.jpg", None, **_opt_out("noai")),
    PageResult("agent-meta", "agent-meta", "agent-meta.jpg", None, **_opt_out("noai")),
    PageResult("tdm-meta", "tdm-meta", "tdm-meta.jpg", None, **_opt_out("tdm_reservation")),
    PageResult("noai-header", "noai-header", "noai-header.jpg", None, **_opt_out("noai")),
    PageResult("moved", "moved", "moved.jpg", "cc-by-sa"),
    PageResult("plain", "plain", "plain.jpg", None, **UNNAMED),
    PageResult("missing", "missing", "missing.jpg", None, **UNNAMED),
)  # fmt: skip

#: Results dropped before their image was requested (opt-outs, and licenses the policy refuses).
NEVER_DOWNLOADED = ("noai-meta", "agent-meta", "tdm-meta", "noai-header")


def image_url(base: str, query: str, image: str) -> str:
    return f"{base}/pages/img/{quote(query, safe='')}/{image}"


def page_url(base: str, query: str, page: str) -> str:
    return f"{base}/pages/page/{quote(query, safe='')}/{page}.html"


# -- the pages -------------------------------------------------------------------------------


def _blog(base: str, q: str) -> str:
    """A WordPress block-theme blog post: the photo in a <figure>, credited in its caption with a
    link to the CC deed (no rel), relative to the page's <base>; the theme's footer claims all
    rights for the blog. The caption's license is the photo's."""
    folder = f"{base}/pages/img/{quote(q, safe='')}/"
    return f"""<!DOCTYPE html>
<html lang="en-GB"><head><meta charset="UTF-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Three days around the lakes &#8211; Wandering Jane</title>
<base href="{folder}">
<meta name="robots" content="max-image-preview:large">
<link rel="stylesheet" id="wp-block-library-css" href="/wp-includes/css/dist/block-library/style.min.css" media="all">
</head>
<body class="post-template-default single single-post postid-412 single-format-standard wp-embed-responsive">
<div class="wp-site-blocks"><header class="wp-block-template-part">
<div class="wp-block-site-logo"><a href="/" class="custom-logo-link" rel="home"><img width="48" height="48"
 src="{base}/pages/static/site-icon.png" class="custom-logo" alt="Wandering Jane"></a></div>
<nav class="wp-block-navigation"><ul><li><a href="/about/">About</a></li><li><a href="/trips/">Trips</a></li></ul></nav>
</header>
<main class="wp-block-group"><article class="post-412 post type-post status-publish">
<h1 class="wp-block-post-title">Three days around the lakes</h1>
<div class="wp-block-post-date"><time datetime="2024-05-12T09:14:00+01:00">12 May 2024</time></div>
<div class="entry-content wp-block-post-content">
<p>We set off before sunrise and walked the shore path to the old boathouse.</p>
<figure class="wp-block-image size-large"><img decoding="async" width="1024" height="768" src="lake-blog.jpg"
 alt="Mist over the lake at dawn" class="wp-image-418"><figcaption class="wp-element-caption">Mist over the lake at
 dawn. Photo: <a href="https://www.flickr.com/photos/tomhall/">Tom Hall</a>,
 <a href="https://creativecommons.org/licenses/by/2.0/">CC BY 2.0</a></figcaption></figure>
<p>By noon the mist had lifted and the ferry was running again.</p>
</div></article></main>
<footer class="wp-block-template-part"><p class="has-small-font-size">&copy; 2024 Wandering Jane. All rights
 reserved.</p><p>Proudly powered by <a href="https://wordpress.org">WordPress</a></p></footer>
</div></body></html>"""


def _wordpress(base: str, q: str) -> str:
    """A WordPress attachment page: the large size shown, linking the full-size file, every size
    in srcset; the post text says the license with rel="license" (CC's own HTML)."""
    stem = f"{base}/pages/img/{quote(q, safe='')}/harbour-boats"
    return f"""<!DOCTYPE html>
<html lang="en-US"><head><meta charset="UTF-8"><title>harbour-boats &#8211; Harbour Photo Club</title>
<meta name="generator" content="WordPress 6.5.3">
<link rel="alternate" type="application/json+oembed" href="/wp-json/oembed/1.0/embed?url=%2Fharbour-boats%2F">
</head>
<body class="attachment attachment-template-default single single-attachment postid-77 attachmentid-77 attachment-jpeg">
<div id="page" class="site"><header id="masthead" class="site-header"><p class="site-title"><a href="/">Harbour
 Photo Club</a></p></header>
<main id="main" class="site-main"><article id="post-77" class="post-77 attachment type-attachment status-inherit">
<header class="entry-header"><h1 class="entry-title">harbour-boats</h1></header>
<div class="entry-content"><figure class="wp-block-image entry-attachment"><a href="{stem}.jpg"><img width="1024"
 height="683" src="{stem}-1024x683.jpg" class="attachment-large size-large" alt="" decoding="async"
 srcset="{stem}-1024x683.jpg 1024w, {stem}-300x200.jpg 300w, {stem}-768x512.jpg 768w, {stem}.jpg 2048w"
 sizes="(max-width: 1024px) 100vw, 1024px"></a><figcaption class="wp-caption-text">Boats in the harbour at low
 tide</figcaption></figure>
<p>Photographed by Ana Silva for the club&#8217;s spring outing. This image is licensed under a <a rel="license"
 href="http://creativecommons.org/licenses/by-sa/4.0/">Creative Commons Attribution-ShareAlike 4.0 International
 License</a>.</p></div>
<footer class="entry-footer"><span class="full-size-link"><a href="{stem}.jpg">Full size 2048 &times; 1365</a></span>
</footer></article></main></div></body></html>"""


def _jsonld(base: str, q: str) -> str:
    """Google's image-license structured data as its documentation shows it (JSON-LD), with a
    Creative Commons license URL."""
    image = image_url(base, q, "black-labrador-puppy.jpg")
    data = {
        "@context": "https://schema.org/",
        "@type": "ImageObject",
        "contentUrl": image,
        "license": "https://creativecommons.org/licenses/by/4.0/",
        "acquireLicensePage": f"{base}/pages/how-to-use-my-images",
        "creditText": "Labrador PhotoLab",
        "creator": {"@type": "Person", "name": "Brixton Brownstone"},
        "copyrightNotice": "Clara Kent",
    }
    return f"""<html>
  <head>
    <title>Black labrador puppy</title>
    <script type="application/ld+json">
    {json.dumps(data, indent=2)}
    </script>
  </head>
  <body>
    <h1>Black labrador puppy</h1>
    <img alt="Black labrador puppy" src="{image}">
  </body>
</html>"""


def _google_doc(base: str, q: str) -> str:
    """Google's microdata example, word for word but for the URLs: the license is the site's own
    page, which names no license we can read (evidence, not a license)."""
    image = image_url(base, q, "labrador-doc.jpg")
    return f"""<html>
  <head>
    <title>Black labrador puppy</title>
  </head>
  <body>
    <div itemscope itemtype="https://schema.org/ImageObject">
      <h2 itemprop="name">Black labrador puppy</h2>
      <img alt="Black labrador puppy" itemprop="contentUrl" src="{image}">
      <span itemprop="license"> {base}/pages/license</span>
      <span itemprop="acquireLicensePage"> {base}/pages/how-to-use-my-images</span>
      <span itemprop="creditText">Labrador PhotoLab</span>
      <div itemprop="creator" itemtype="https://schema.org/Person" itemscope>
        <meta itemprop="name" content="Brixton Brownstone">
      </div>
      <span itemprop="copyrightNotice">Clara Kent</span>
    </div>
  </body>
</html>"""


def _flickr(base: str, q: str) -> str:
    """A Flickr-style photo page: the main photo protocol-relative, the owner's avatar a
    background image, the license a "Some rights reserved" link with rel="license cc:license"."""
    host = urlsplit(base).netloc
    photo = f"//{host}/pages/img/{quote(q, safe='')}/fox_b.jpg"
    return f"""<!DOCTYPE html>
<html lang="en-us" class="html-photo-page-scrappy-view"><head>
<meta charset="utf-8"><title>Red fox in the snow | Flickr</title>
<meta property="og:site_name" content="Flickr"><meta property="og:title" content="Red fox in the snow">
<meta property="og:image" content="https:{photo}">
<link rel="canonical" href="{base}/pages/photos/mikeb/53012345678/">
</head>
<body class="html-photo-page-scrappy-view"><div id="content">
<div class="photo-page-scrappy-view">
<div class="photo-well-scrappy-view"><div class="photo-well-media-scrappy-view">
<img class="main-photo is-hidden" alt="Red fox in the snow" src="{photo}"></div></div>
<div class="photo-page-scrappy-view-content"><div class="sub-photo-left-view">
<div class="attribution-view"><div class="avatar person medium" style="background-image: url(//{host}/pages/static/buddyicon.jpg);"></div>
<div class="attribution-info"><a href="/photos/mikeb/" class="owner-name truncate">Mike B</a></div></div>
<div class="title-desc-block"><h1 class="photo-title">Red fox in the snow</h1></div></div>
<div class="sub-photo-right-view"><div class="photo-license-info">
<a href="https://creativecommons.org/licenses/by-nc-sa/2.0/" class="photo-license-url" rel="license cc:license"
 target="_blank"><span class="photo-license-icon"></span> Some rights reserved</a></div>
<div class="date-info"><span class="date-taken-label">Taken on January 9, 2024</span></div></div></div>
</div></div>
<footer class="foot-container"><ul><li><a href="/about">About</a></li><li><a href="/help/terms">Terms</a></li>
<li><a href="/help/privacy">Privacy</a></li></ul></footer></body></html>"""


def _gallery(base: str, q: str) -> str:
    """A gallery of five photos: a CC0 badge in a rel="license" link, a rel="license" deed link,
    a microdata ImageObject, an RDFa ImageObject, and one photo with no license at all; the
    site's footer states its own text license. Each photo keeps its own; the last gets none."""
    folder = f"/pages/img/{quote(q, safe='')}"
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Autumn walk: a gallery | Riverside Camera Club</title></head>
<body><main><h1>Autumn walk</h1><p>Members&#8217; pictures from the October outing.</p>
<div class="gallery gallery-columns-3">
<figure class="gallery-item"><img src="{folder}/gallery-maple.jpg" alt="Maple leaves" width="600" height="400">
<figcaption class="gallery-caption">Maple leaves, by Ken Ito. <a rel="license"
 href="http://creativecommons.org/publicdomain/zero/1.0/"><img src="https://licensebuttons.net/p/zero/1.0/80x15.png"
 style="border-style: none;" alt="CC0"></a></figcaption></figure>
<figure class="gallery-item"><img src="{folder}/gallery-oak.jpg" alt="Old oak" width="600" height="400">
<figcaption class="gallery-caption">Old oak, by Lee Park, <a rel="license"
 href="https://creativecommons.org/licenses/by-nd/4.0/">CC BY-ND 4.0</a></figcaption></figure>
<figure class="gallery-item" itemscope itemtype="https://schema.org/ImageObject"><img itemprop="contentUrl"
 src="{folder}/gallery-birch.jpg" alt="Birches" width="600" height="400"><figcaption class="gallery-caption"><span
 itemprop="name">Birches</span>, by <span itemprop="creator" itemscope itemtype="https://schema.org/Person"><span
 itemprop="name">Mo Ali</span></span>, <a itemprop="license"
 href="https://creativecommons.org/licenses/by-sa/3.0/">CC BY-SA 3.0</a></figcaption></figure>
<div class="gallery-item" vocab="https://schema.org/" typeof="ImageObject"><img property="contentUrl"
 src="{folder}/gallery-elm.jpg" alt="Elm avenue" width="600" height="400"><p class="gallery-caption">Elm avenue,
 by <span property="creator" typeof="Person"><span property="name">Rae Quinn</span></span>,
 <a property="license" href="https://creativecommons.org/licenses/by/3.0/">CC BY 3.0</a></p></div>
<figure class="gallery-item"><img src="{folder}/gallery-pine.jpg" alt="Pines" width="600" height="400">
<figcaption class="gallery-caption">Pines at dusk, by a guest.</figcaption></figure>
</div></main>
<footer><p>Text on this site is available under <a rel="license"
 href="https://creativecommons.org/licenses/by-nc/4.0/">CC BY-NC 4.0</a>; photos under their own licenses.</p></footer>
</body></html>"""


def _footer(base: str, q: str) -> str:
    """A photographer's portfolio page whose only statement is the footer's copyright line."""
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Sunset over the bay | Coastline Photography</title>
<meta name="description" content="Fine art prints of the Cornish coast."></head>
<body><header class="site-header"><a class="logo" href="/">Coastline Photography</a>
<nav><a href="/portfolio">Portfolio</a> <a href="/prints">Prints</a> <a href="/contact">Contact</a></nav></header>
<div class="content"><h2>Sunset over the bay</h2>
<img src="{image_url(base, q, 'sunset-bay.jpg')}" alt="Sunset over the bay" width="1200" height="800">
<p>Limited edition prints available in our <a href="/prints">shop</a>.</p></div>
<footer class="site-footer"><p>Copyright &copy; 2023 Coastline Photography. All Rights Reserved.</p></footer>
</body></html>"""


def _article(base: str, q: str, image: str, head: str = "") -> str:
    """A news-style article with one photo and no license statement; ``head`` adds meta tags."""
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Local news: the river in spring</title>
<meta name="viewport" content="width=device-width">{head}</head>
<body><article><h1>The river in spring</h1><p class="byline">By Staff reporter</p>
<figure><img src="{image_url(base, q, image)}" alt="The river" width="800" height="533">
<figcaption>The river in spring.</figcaption></figure><p>The water is higher than last year.</p></article>
</body></html>"""


PAGES: dict[str, Any] = {
    "blog": _blog,
    "wordpress": _wordpress,
    "jsonld": _jsonld,
    "google-doc": _google_doc,
    "flickr": _flickr,
    "gallery": _gallery,
    "footer": _footer,
    "noai-meta": lambda base, q: _article(
        base, q, "noai-meta.jpg", '<meta name="robots" content="noai, noimageai">'
    ),
    "agent-meta": lambda base, q: _article(
        base, q, "agent-meta.jpg",
        '<meta name="robots" content="index, follow"><meta name="imagespider" content="noimageai">',
    ),
    "tdm-meta": lambda base, q: _article(
        base, q, "tdm-meta.jpg",
        f'<meta name="tdm-reservation" content="1"><meta name="tdm-policy" content="{base}/pages/tdm-policy.json">',
    ),
    "noai-header": lambda base, q: _article(base, q, "noai-header.jpg"),
    # Reached by a redirect from /pages/page/<q>/moved.html; its image is written relative to it.
    "moved-here": lambda base, q: _article(base, q, "moved.jpg").replace(
        f'src="{image_url(base, q, "moved.jpg")}"', 'src="../../../img/{}/moved.jpg"'.format(quote(q, safe=""))
    ).replace(
        "<figcaption>The river in spring.</figcaption>",
        '<figcaption>The river in spring. <a rel="license" href="https://creativecommons.org/licenses/by-sa/4.0/">'
        "CC BY-SA 4.0</a></figcaption>",
    ),
    # Another crawler's opt-out does not bind us.
    "plain": lambda base, q: _article(base, q, "plain.jpg", '<meta name="otherbot" content="noai">'),
}
#: Extra response headers of a page.
PAGE_HEADERS = {"noai-header": {"X-Robots-Tag": "noai"}}


def page_html(page: str, base: str, query: str) -> str:
    return str(PAGES[page](base, query))


@lru_cache(maxsize=256)
def render(query: str, name: str) -> bytes:
    rng = random.Random(f"pages/{query}/{name}")
    image = Image.frombytes("RGB", (320, 240), rng.randbytes(320 * 240 * 3))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def results(base: str, query: str) -> list[tuple[str, str, str]]:
    """(image, page, title) for every result of a query."""
    return [
        (image_url(base, query, r.image), page_url(base, query, r.page), f"{query}: {r.name}") for r in RESULTS
    ]


def google_page(base: str, query: str) -> str:
    """A Google Images page (the structure tests/mockserver/google.py plays) listing :data:`RESULTS`."""
    records, tiles = [], []
    for i, (image, page, title) in enumerate(results(base, query)):
        doc = google.docid(f"pages/{query}", i)
        thumb = f"https://encrypted-tbn0.gstatic.com/images?q=tbn:ANd9GcQ{doc}&s"
        meta = {
            "2000": [None, "127.0.0.1", "40KB"],
            "2003": [None, doc[::-1], page, title, None, None, "1", None, None, None, None, None, "Mock Site"],
            "2008": [None, title],
        }
        record = [1, [0, doc, [thumb, 236, 213], [image, 240, 320], None, 0, "rgb(120,110,90)", None, 0, meta]]
        records.append(f'"prefix{i + 1}":{google._js_json(record)}')
        tiles.append(
            f'<div jsname="dTDiAc" class="tile" data-docid="{doc}" data-lpage="{html.escape(page)}" id="e-{doc}">'
            '<div role="button" tabindex="0"></div></div>'
        )
    script = f'<script nonce="mOcKnOnCe">(function(){{var m={{{",".join(records)}}};var a=m;}})();</script>'
    return (
        '<!doctype html><html itemscope="" itemtype="http://schema.org/SearchResultsPage" lang="en">'
        f"<head><meta charset=\"UTF-8\"><title>{html.escape(query)} - Google Search</title></head><body>"
        f'<div id="search"><div id="rso"><h1>Search Results</h1><div role="list" id="islrg" data-next="">'
        f'{"".join(tiles)}</div></div></div>{script}</body></html>'
    )


_PAGE_PATH = re.compile(r"^/pages/page/([^/]+)/([a-z-]+)\.html$")
_MOVED_PATH = re.compile(r"^/pages/page/([^/]+)/(moved-here)/index\.html$")
_IMAGE_PATH = re.compile(r"^/pages/img/([^/]+)/([\w.-]+)$")


def route(handler: mockserver.Handler, path: str, query: dict[str, list[str]]) -> mockserver.Reply:
    base = f"http://{handler.headers.get('Host')}"
    q = query.get("q", [""])[0]
    if path == "/pages/images/search":
        return 200, "text/html; charset=utf-8", mockserver.bing_page_of(results(base, q)).encode(), {}
    if path == "/pages/search":
        return 200, "text/html; charset=utf-8", google_page(base, q).encode(), {}
    match = _PAGE_PATH.match(path)
    if match and match.group(2) == "moved":  # the page moved: its new address names the license
        return 301, "text/html", b"moved", {"Location": f"/pages/page/{match.group(1)}/moved-here/index.html"}
    match = _PAGE_PATH.match(path) or _MOVED_PATH.match(path)
    if match and match.group(2) in PAGES:
        body = page_html(match.group(2), base, unquote(match.group(1))).encode()
        return 200, "text/html; charset=utf-8", body, PAGE_HEADERS.get(match.group(2), {})
    match = _IMAGE_PATH.match(path)
    if match:
        return 200, "image/jpeg", render(unquote(match.group(1)), match.group(2)), {}
    return 404, "text/html", b"<!doctype html><title>Not found</title><h1>404</h1>", {}


mockserver.ROUTES["/pages/"] = route
