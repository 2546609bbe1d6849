"""Where on a page a statement or an image sits: the page's principal content or its chrome
(header, footer, nav, sidebars, comments, related/recommended/popular lists, ads), decoration
images (avatars, logos, icons, badges, tracking pixels), the page's principal image as its
metadata names it (``og:image``, ``twitter:image``, ``<link rel="image_src">``), images shown as
a CSS background, and the photo-sharing and social platforms whose own copyright line never
covers a user's upload.

Hand-written on purpose: trafilatura, readability-lxml and jusText were measured on the 54 real
pages in tests/fixtures/pages/real/ (docs/performance.md, "The page reader"): they return a cleaned copy of the text,
not the page's elements, so a statement cannot be tied back to an image; trafilatura kept the
principal image in its output on 33 pages, readability on 16, jusText reads text only; and
trafilatura brings ten dependencies and takes ~45 ms a page where this reader takes ~10. The
landmarks used here are the HTML5 sectioning elements and ARIA roles, and class/id words of the
kind Mozilla Readability's "unlikely candidates" lists. Pure: lxml elements in, values out.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

CHROME_TAGS = frozenset({"nav", "aside"})
#: header/footer are chrome at page level, not inside an article (an article's header holds its lead image).
EDGE_TAGS = frozenset({"header", "footer"})
CHROME_ROLES = frozenset({"navigation", "banner", "contentinfo", "complementary", "search", "menu", "menubar"})
CONTENT_TAGS = frozenset({"article", "main"})
#: class/id words of page chrome, matched as whole words of the attribute (split at - _ space).
CHROME_WORDS = frozenset({
    "footer", "sidebar", "side", "widget", "widgets", "related", "recommended", "recommendations", "popular",
    "comments", "comment", "commentlist", "nav", "navbar", "navigation", "menu", "breadcrumb", "breadcrumbs",
    "share", "sharing", "social", "advert", "advertisement", "ads", "ad", "sponsored", "sponsor", "promo",
    "newsletter", "cookie", "cookies", "masthead", "topbar", "toolbar", "teaser", "teasers", "outbrain", "taboola",
    "trending", "mostread", "most", "aside", "banner", "byline", "avatar", "author-box", "authorbox", "pagination",
})
CONTENT_WORDS = frozenset({"article", "entry", "post", "story", "content", "main", "body", "articlebody"})
DECORATION = re.compile(
    r"avatar|gravatar|logo|icon|emoji|badge|sprite|spinner|pixel|tracking|spacer|seal|adchoices|button|profile-pic"
    r"|crossmark|check\s+for\s+updates",
    re.IGNORECASE,
)
BACKGROUND_URL = re.compile(r"background(?:-image)?\s*:[^;]*?url\(\s*['\"]?([^'\")]+)['\"]?\s*\)", re.IGNORECASE)
PRINCIPAL_META = frozenset({"og:image", "og:image:url", "og:image:secure_url", "twitter:image", "twitter:image:src"})

#: Photo-sharing, social and blog-hosting platforms: what a page of theirs shows is a user's
#: upload, and the platform's footer or meta copyright is its own, never the upload's.
PLATFORMS = (
    "flickr.com", "500px.com", "imgur.com", "instagram.com", "facebook.com", "twitter.com", "x.com", "pinterest.com",
    "deviantart.com", "tumblr.com", "reddit.com", "vk.com", "ok.ru", "pikabu.ru", "douban.com", "weibo.com",
    "pixnet.net", "blog.goo.ne.jp", "ameblo.jp", "livejournal.com", "blogspot.com", "wordpress.com", "medium.com",
    "behance.net", "dribbble.com", "artstation.com", "smugmug.com", "photobucket.com", "ipernity.com",
    "photos.google.com", "threads.net", "tiktok.com", "lofter.com", "naver.com", "tistory.com", "vsco.co",
    "unsplash.com", "pexels.com", "pixabay.com", "wikimedia.org", "wikipedia.org",
)


def words_of(element: Any) -> set[str]:
    raw = f"{element.get('class') or ''} {element.get('id') or ''}".lower()
    return {w for w in re.split(r"[\s_-]+", raw) if w}


def is_content_root(node: Any) -> bool:
    tag = node.tag if isinstance(node.tag, str) else ""
    return tag in CONTENT_TAGS or (node.get("role") or "").lower() == "main" or node.get("itemprop") == "articleBody"


def is_chrome(node: Any, in_content: bool) -> bool:
    """The element itself is chrome (``in_content``: an article or main element is around it)."""
    tag = node.tag if isinstance(node.tag, str) else ""
    role = (node.get("role") or "").lower()
    if tag in EDGE_TAGS:
        return not in_content
    return tag in CHROME_TAGS or role in CHROME_ROLES or bool(words_of(node) & CHROME_WORDS)


def chrome_of(element: Any) -> Any:
    """The outermost chrome element around ``element`` (itself included), or None when it sits in
    the page's content. An element inside an ``<article>``/``<main>`` is content unless a chrome
    element lies between them (a sidebar inside <main>, a related list inside an article)."""
    found = None
    for node in (element, *element.iterancestors()):
        tag = node.tag if isinstance(node.tag, str) else ""
        if tag in ("body", "html"):
            break
        if tag in CONTENT_TAGS or (node.get("role") or "").lower() == "main" or node.get("itemprop") == "articleBody":
            return found
        role = (node.get("role") or "").lower()
        if tag in CHROME_TAGS or role in CHROME_ROLES or tag in EDGE_TAGS or words_of(node) & CHROME_WORDS:
            if tag in EDGE_TAGS and any(a.tag in CONTENT_TAGS for a in node.iterancestors()):
                continue
            found = node
    return found


def is_decoration(img: Any) -> bool:
    """An avatar, logo, icon, badge, seal or tracking pixel by its class, id, alt or file name."""
    text = " ".join(str(img.get(a) or "") for a in ("class", "id", "alt"))
    src = str(img.get("src") or "").rsplit("/", 1)[-1]
    return bool(DECORATION.search(text) or DECORATION.search(src.split("?")[0]))


DOWNLOAD_WORDS = re.compile(
    r"download|full[\s_-]?size|full[\s_-]?res|hi[\s_-]?res|high[\s_-]?resolution|original|herunterladen|télécharger"
    r"|descargar|scarica|baixar|ダウンロード|下载|下載|다운로드",
    re.IGNORECASE,
)
IMAGE_PATH = re.compile(r"\.(?:jpe?g|png|gif|webp|tiff?|avif|heic)$", re.IGNORECASE)


def is_download_link(link: Any) -> bool:
    """A link that offers the photo's file itself ("Download", "Full size", ``download``): the
    page shows that image even when only a script draws it. Only a link to an image file by
    its path (a wiki's ``File:Cat.jpg`` page is not one)."""
    try:
        path = urlsplit(str(link.get("href") or "").strip()).path
    except ValueError:
        return False
    if not IMAGE_PATH.search(path) or "/wiki/" in path or ":" in path.rsplit("/", 1)[-1]:
        return False
    said = " ".join(str(link.get(a) or "") for a in ("id", "class", "title")) + " " + (link.text or "")
    return link.get("download") is not None or bool(DOWNLOAD_WORDS.search(said))


def background_urls(element: Any) -> list[str]:
    """The URLs of an element's inline CSS background images."""
    return BACKGROUND_URL.findall(str(element.get("style") or "")[:MAX_STYLE])[:4]


#: Most of a style attribute read for a background (a lazy pattern over a huge one is quadratic).
MAX_STYLE = 4096


def principal_urls(root: Any) -> list[str]:
    """The page's principal image as its metadata names it: og:image, twitter:image,
    <link rel="image_src">, in that order (JSON-LD ``image`` is read with the JSON-LD)."""
    urls: list[str] = []
    for meta in root.iter("meta"):
        name = (meta.get("property") or meta.get("name") or "").strip().lower()
        if name in PRINCIPAL_META and meta.get("content"):
            urls.append(str(meta.get("content")).strip())
    for link in root.iter("link"):
        if "image_src" in (link.get("rel") or "").lower().split() and link.get("href"):
            urls.append(str(link.get("href")).strip())
    return urls[:8]


def platform_of(page_url: str) -> str | None:
    """The platform's name ("pixnet" for pixnet.net) when the page is on a photo-sharing, social
    or blog-hosting platform (see :data:`PLATFORMS`), else None. A Wayback Machine capture is
    judged by the page it captured."""
    try:
        parts = urlsplit(page_url)
        host = (parts.hostname or "").lower()
        if host == "web.archive.org":
            inner = re.sub(r"^/web/[^/]+/", "", parts.path)
            host = (urlsplit(inner if "//" in inner else "http://" + inner).hostname or "").lower()
    except ValueError:
        return None
    for platform in PLATFORMS:
        if host == platform or host.endswith("." + platform):
            labels = platform.split(".")
            return labels[-3] if platform.startswith(("blog.", "photos.")) else labels[0]
    return None


def on_platform(page_url: str) -> bool:
    return platform_of(page_url) is not None


def is_platform_notice(text: str, platform: str) -> bool:
    """A copyright line naming the platform itself ("© 2003 - 2017 PIXNET", "Copyright 2019 Imgur,
    Inc."): the platform's, not its user's."""
    return bool(re.search(rf"(?<![a-z]){re.escape(platform)}", text or "", re.IGNORECASE))


def file_key(key: str) -> str | None:
    """An exact URL key's host and file name: one image in another rendition on an image CDN
    (``/lw685/.../Fig1_HTML.png`` and ``/m685/.../Fig1_HTML.png``). None for a short or generic
    name (``image``, ``300``, ``v2``), which says nothing about which image it is."""
    host, _, path = key.partition("/")
    name = path.split("?", 1)[0].rsplit("/", 1)[-1]
    stem = name.rsplit(".", 1)[0]
    return f"{host}/{name}" if "." in name and len(stem) >= 10 and any(c.isdigit() for c in stem) else None


WAYBACK = re.compile(r"^(?:https?:)?//web\.archive\.org/web/\d+[a-z_]*/(?P<url>.+)$", re.IGNORECASE)


def unwrap_archive(url: str) -> str:
    """The original URL of a Wayback Machine link (a capture rewrites every link, the license's
    deed too: ``https://web.archive.org/web/2014.../http://creativecommons.org/licenses/...``)."""
    match = WAYBACK.match(url or "")
    return match.group("url") if match else url
