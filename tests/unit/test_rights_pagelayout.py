"""imagespider/rights/pagelayout.py: chrome and content, decoration images, the principal image in
a page's metadata, CSS backgrounds, platforms and Wayback links."""

from __future__ import annotations

import lxml.html

from imagespider.rights.pagelayout import (
    background_urls,
    chrome_of,
    is_decoration,
    on_platform,
    principal_urls,
    unwrap_archive,
)


def test_chrome_is_page_level_header_footer_nav_aside_and_chrome_classes_not_an_articles_own() -> None:
    root = lxml.html.document_fromstring(
        "<html><body><header id=h><img id=logo src=l.png></header><main><article><header id=ah><img id=lead src=a.jpg>"
        "</header><p id=p>Text</p><div class='related-posts'><img id=rel src=r.jpg></div></article>"
        "<aside id=side><p id=w>Widget</p></aside></main><div class='site-footer'><p id=f>© 2020 X</p></div></body></html>"
    )
    by_id = {el.get("id"): el for el in root.iter() if el.get("id")}
    assert chrome_of(by_id["logo"]) is by_id["h"]
    assert chrome_of(by_id["lead"]) is None and chrome_of(by_id["p"]) is None
    assert chrome_of(by_id["rel"]) is not None
    assert chrome_of(by_id["w"]) is by_id["side"]
    assert chrome_of(by_id["f"]) is not None


def test_decoration_images_by_class_alt_or_file_name() -> None:
    img = lxml.html.fragment_fromstring
    assert is_decoration(img('<img class="avatar avatar-96" src="/a.jpg">'))
    assert is_decoration(img('<img src="/static/site-logo.png" alt="Home">'))
    assert is_decoration(img('<img src="/adchoices-icon.svg">'))
    assert not is_decoration(img('<img src="/2019/09/m45.jpg" alt="Plejaden, M45">'))


def test_principal_urls_from_og_twitter_and_image_src() -> None:
    root = lxml.html.document_fromstring(
        '<html><head><meta property="og:image" content="https://x.org/a.jpg"><meta name="twitter:image" '
        'content="https://x.org/b.jpg"><link rel="image_src" href="/c.jpg"></head><body></body></html>'
    )
    assert principal_urls(root) == ["https://x.org/a.jpg", "https://x.org/b.jpg", "/c.jpg"]


def test_background_urls_platforms_and_wayback() -> None:
    div = lxml.html.fragment_fromstring('<div style="background-image: url(\'https://m.example/p.JPG\'); color: red"></div>')
    assert background_urls(div) == ["https://m.example/p.JPG"]
    assert on_platform("https://www.flickr.com/photos/x/1") and on_platform("https://stevenhgm.pixnet.net/blog/post/1")
    assert on_platform("https://web.archive.org/web/2014/http://nesselsetzer.wordpress.com/2013/") is True
    assert not on_platform("https://www.ansa.it/sito/notizie/a.html")
    deed = "https://web.archive.org/web/20160330101229/http://creativecommons.org/licenses/by-sa/2.0/de/deed.de"
    assert unwrap_archive(deed) == "http://creativecommons.org/licenses/by-sa/2.0/de/deed.de"
