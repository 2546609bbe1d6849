"""imagespider.rights.page on source pages written as real sites write them (tests/mockserver/pages.py)
and on the cases that decide which statement belongs to which image."""

from __future__ import annotations

import textwrap
from pathlib import Path

import lxml.html
import pytest

from imagespider.rights.page import index_page, read_page
from tests.mockserver import pages

BASE = "https://photos.example.org"
Q = "autumn"


def evidence(name: str):
    result = next(r for r in pages.RESULTS if r.name == name)
    html = pages.page_html(result.page, BASE, Q)
    return read_page(
        html, pages.page_url(BASE, Q, result.page), pages.image_url(BASE, Q, result.image),
        pages.PAGE_HEADERS.get(result.page),
    )


@pytest.mark.parametrize("result", [r for r in pages.RESULTS if r.page in pages.PAGES], ids=lambda r: r.name)
def test_every_mock_page_gives_its_image_the_planned_license(result: pages.PageResult) -> None:
    found = evidence(result.name)
    assert (found.license.id if found.license else None) == result.license
    assert found.author == result.author
    assert found.image_found
    if found.license is not None:
        assert found.license.source == "page"


def test_blog_figure_caption_wins_over_the_footer_all_rights_reserved() -> None:
    found = evidence("blog")
    assert (found.license.id, found.license.version) == ("cc-by", "2.0")
    assert found.license.url == "https://creativecommons.org/licenses/by/2.0/"
    assert found.scope == "image"
    assert found.license_statement.element == "a[href] (Creative Commons deed)"
    # The footer's notice is recorded, not applied.
    assert found.copyright == "© 2024 Wandering Jane. All rights reserved."
    record = found.to_dict()
    assert record["element"] == "a[href] (Creative Commons deed)"
    assert record["value"] == "https://creativecommons.org/licenses/by/2.0/"


def test_wordpress_attachment_matches_the_full_size_file_in_srcset_and_link() -> None:
    found = evidence("wordpress")
    assert (found.license.id, found.license.version) == ("cc-by-sa", "4.0")
    assert found.license_statement.element == "a[rel=license]"
    # A resized copy's URL (WordPress size suffix) still finds the image.
    html = pages.page_html("wordpress", BASE, Q)
    resized = pages.image_url(BASE, Q, "harbour-boats-150x150.jpg")
    assert read_page(html, pages.page_url(BASE, Q, "wordpress"), resized).license.id == "cc-by-sa"


def test_google_json_ld_fills_author_credit_and_license_page() -> None:
    found = evidence("jsonld")
    assert (found.license.id, found.license.version) == ("cc-by", "4.0")
    assert found.license_statement.element == "json-ld imageobject.license"
    assert found.author == "Brixton Brownstone"
    assert found.credit == "Labrador PhotoLab"
    assert found.copyright == "Clara Kent"
    assert found.acquire_license_page == f"{BASE}/pages/how-to-use-my-images"


def test_a_license_we_cannot_name_is_evidence_not_a_license() -> None:
    found = evidence("google-doc")
    assert found.license is None
    assert found.license_statement is not None and found.license_statement.value == f"{BASE}/pages/license"
    assert found.to_dict()["value"] == f"{BASE}/pages/license"
    assert found.author == "Brixton Brownstone"


def test_flickr_style_page_protocol_relative_photo() -> None:
    found = evidence("flickr")
    assert (found.license.id, found.license.version) == ("cc-by-nc-sa", "2.0")
    assert found.license_statement.element == "a[rel=license]"
    # The page served over https: the same photo under https matches too.
    html = pages.page_html("flickr", BASE, Q)
    https_image = pages.image_url(BASE, Q, "fox_b.jpg").replace("https://", "http://")
    assert read_page(html, pages.page_url(BASE, Q, "flickr"), https_image).license.id == "cc-by-nc-sa"


def test_gallery_figures_each_keep_their_own_and_the_unlicensed_one_gets_none() -> None:
    assert evidence("gallery-maple").license.id == "cc0"
    assert evidence("gallery-oak").license.id == "cc-by-nd"
    assert evidence("gallery-birch").license_statement.element == "microdata imageobject.license"
    assert evidence("gallery-elm").license_statement.element == "rdfa imageobject.license"
    pine = evidence("gallery-pine")
    assert pine.license is None and pine.scope is None
    # The footer's license is for the site's text: recorded, not applied.
    footer = [s for s in pine.statements if s.kind == "text_license"]
    assert [s.value for s in footer] == ["https://creativecommons.org/licenses/by-nc/4.0/"]


def test_footer_copyright_is_the_page_wide_license() -> None:
    found = evidence("footer")
    assert found.license.id == "all-rights-reserved"
    assert found.scope == "page"
    assert found.copyright == "Copyright © 2023 Coastline Photography. All Rights Reserved."


@pytest.mark.parametrize(
    ("name", "reason", "detail"),
    [
        ("noai-meta", "noai", '<meta name="robots" content="noai, noimageai">'),
        ("agent-meta", "noai", '<meta name="imagespider" content="noimageai">'),
        ("tdm-meta", "tdm_reservation", "tdm-policy.json"),
        ("noai-header", "noai", "X-Robots-Tag on the page: noai"),
    ],
)
def test_opt_outs(name: str, reason: str, detail: str) -> None:
    found = evidence(name)
    assert found.opt_out is not None
    assert found.opt_out[0] == reason and detail in found.opt_out[1]
    assert found.to_dict()["opt_out"] == reason


def test_another_agents_opt_out_and_a_noindex_do_not_bind_us() -> None:
    assert evidence("plain").opt_out is None
    html = '<html><head><meta name="robots" content="noindex, nofollow"></head><body></body></html>'
    assert read_page(html, BASE, f"{BASE}/a.jpg").opt_out is None
    assert read_page(html, BASE, f"{BASE}/a.jpg", {"tdm-reservation": "0"}).opt_out is None
    assert read_page(html, BASE, f"{BASE}/a.jpg", {"X-Robots-Tag": "otherbot: noai"}).opt_out is None
    assert read_page(html, BASE, f"{BASE}/a.jpg", {b"tdm-reservation": [b"1"]}).opt_out[0] == "tdm_reservation"


def test_base_and_relative_urls() -> None:
    html = (
        '<html><head><base href="/media/2024/"></head><body><figure><img src="../2023/cat.jpg">'
        '<figcaption><a rel="license" href="/licenses/cc-by-sa-4.0">licence</a> '
        '<a href="//creativecommons.org/licenses/by-sa/4.0/deed.en">CC BY-SA 4.0</a></figcaption></figure>'
        '<figure><img src="dog.jpg"></figure></body></html>'
    )
    cat = read_page(html, f"{BASE}/blog/post.html", f"{BASE}/media/2023/cat.jpg")
    assert cat.license.id == "cc-by-sa"
    assert read_page(html, f"{BASE}/blog/post.html", f"{BASE}/blog/cat.jpg").image_found is False
    dog = read_page(html, f"{BASE}/blog/post.html", f"{BASE}/media/2024/dog.jpg")
    assert dog.image_found and dog.license is None


def test_one_page_wide_license_applies_but_not_when_it_disagrees_with_another() -> None:
    one = '<html><head><link rel="license" href="https://creativecommons.org/licenses/by/4.0/"></head><body><img src="a.jpg"></body></html>'
    found = read_page(one, f"{BASE}/p", f"{BASE}/a.jpg")
    assert (found.license.id, found.scope) == ("cc-by", "page")
    # An image the page does not show gets nothing from it (issue 28: a page-wide CC BY footer
    # licensed an image absent from the page).
    other = read_page(one, f"{BASE}/p", f"{BASE}/other.jpg")
    assert other.license is None and not other.image_found and "does not show" in other.note
    two = one.replace("<body>", '<body><footer>&copy; Example. All rights reserved.</footer>')
    found = read_page(two, f"{BASE}/p", f"{BASE}/a.jpg")
    assert found.license is None and "2 licenses" in found.note
    meta = '<html><head><meta name="dcterms.license" content="https://creativecommons.org/publicdomain/mark/1.0/"></head><body><img src="a.jpg"></body></html>'
    assert read_page(meta, f"{BASE}/p", f"{BASE}/a.jpg").license.id == "pdm"
    words = '<html><head><meta name="DC.rights" content="Licensed CC BY-NC 3.0"></head><body><img src="a.jpg"></body></html>'
    assert read_page(words, f"{BASE}/p", f"{BASE}/a.jpg").license.id == "cc-by-nc"


def test_a_sites_text_license_is_not_its_images_license() -> None:
    """Wikipedia's head and footer name the wiki's text license; its articles show files under
    every license. A footer that says it covers text is read the same way elsewhere."""
    wiki = (
        '<html><head><meta name="generator" content="MediaWiki 1.44.0-wmf.5">'
        '<link rel="license" href="https://creativecommons.org/licenses/by-sa/4.0/deed.en"></head><body>'
        '<div id="content"><figure typeof="mw:File/Thumb"><a href="/wiki/File:Cat.jpg" class="mw-file-description">'
        '<img src="//upload.wikimedia.org/wikipedia/commons/thumb/a/ab/Cat.jpg/250px-Cat.jpg" width="250" height="200">'
        '</a><figcaption>A cat</figcaption></figure></div><footer id="footer"><ul><li id="footer-info-copyright">Text is '
        'available under the <a rel="license" href="https://creativecommons.org/licenses/by-sa/4.0/deed.en">Creative '
        'Commons Attribution-ShareAlike 4.0 License</a>; additional terms may apply.</li></ul></footer></body></html>'
    )
    found = read_page(wiki, "https://en.wikipedia.org/wiki/Cat", "https://upload.wikimedia.org/wikipedia/commons/a/ab/Cat.jpg")
    assert found.license is None
    assert {s.kind for s in found.statements} == {"text_license"}
    blog = (
        '<html><body><img src="a.jpg"><footer><p>Text is available under <a rel="license" '
        'href="https://creativecommons.org/licenses/by/4.0/">CC BY 4.0</a>.</p></footer></body></html>'
    )
    assert read_page(blog, f"{BASE}/p", f"{BASE}/a.jpg").license is None
    photos = blog.replace("Text is", "Photos and text are")
    assert read_page(photos, f"{BASE}/p", f"{BASE}/a.jpg").license.id == "cc-by"


#: Trimmed from a real Wikipedia page of a Commons file (en.m.wikipedia.org, File:Enh N channel
#: Mosfet.svg, as saved in a public repository): the file's preview is 35x40, the Commons logo and
#: the CC icons sit between it and the license's deed link, the wiki's own text license is in the head.
WIKI_FILE_PAGE = """<!DOCTYPE html><html><head><meta name="generator" content="MediaWiki 1.43.0-wmf.22">
<link rel="license" href="https://creativecommons.org/licenses/by-sa/4.0/deed.en"></head><body>
<div id="mw-content-text" class="mw-body-content"><div class="fullImageLink" id="file"><a
href="//upload.wikimedia.org/wikipedia/commons/f/f8/Enh_N_channel_Mosfet.svg"><img alt="File:Enh N channel Mosfet.svg"
src="//upload.wikimedia.org/wikipedia/commons/thumb/f/f8/Enh_N_channel_Mosfet.svg/35px-Enh_N_channel_Mosfet.svg.png"
decoding="async" width="35" height="40" /></a></div>
<div class="sharedUploadNotice"><table id="mw-sharedupload"><tbody><tr><td class="mbox-image"><span
typeof="mw:File"><span title="Wikimedia Commons logo"><img alt=""
src="//upload.wikimedia.org/wikipedia/en/thumb/4/4a/Commons-logo.svg/40px-Commons-logo.svg.png" width="30" height="40"
class="mw-file-element" /></span></span></td><td class="mbox-text">This is a file from the Wikimedia Commons.</td></tr>
</tbody></table></div>
<div id="shared-image-desc"><div class="mw-content-ltr mw-parser-output"><h2 id="Licensing">Licensing</h2>
<div class="licensetpl_wrapper"><div class="responsive-license-cc layouttemplate licensetpl"><div class="rlicense-icons">
<span typeof="mw:File"><span title="w:en:Creative Commons"><img alt="w:en:Creative Commons"
src="https://upload.wikimedia.org/wikipedia/commons/thumb/7/79/CC_some_rights_reserved.svg/90px-CC_some_rights_reserved.svg.png"
width="90" height="36" class="mw-file-element"></span></span><br><span typeof="mw:File"><span title="attribution"><img
alt="attribution" src="https://upload.wikimedia.org/wikipedia/commons/thumb/1/11/Cc-by_new_white.svg/24px-Cc-by_new_white.svg.png"
width="24" height="24" class="mw-file-element"></span></span></div><div class="rlicense-text"><div
class="rlicense-declaration">This file is licensed under the <a href="https://en.wikipedia.org/wiki/en:Creative_Commons"
class="extiw">Creative Commons</a> <a href="//creativecommons.org/licenses/by-sa/4.0/deed.en" class="extiw"
title="creativecommons:by-sa/4.0/deed.en">Attribution-Share Alike 4.0 International</a> license.</div>
<span class="licensetpl_link" style="display:none;">https://creativecommons.org/licenses/by-sa/4.0</span></div></div></div>
</div></div>
<h2 id="filehistory">File history</h2><table class="wikitable filehistory"><tr><td><a
href="//upload.wikimedia.org/wikipedia/commons/archive/f/f8/20160720_Enh_N_channel_Mosfet.svg"><img
src="//upload.wikimedia.org/wikipedia/commons/thumb/f/f8/Enh_N_channel_Mosfet.svg/105px-Enh.png" width="105"
height="120"></a></td></tr></table></div></body></html>"""


def test_a_wiki_file_page_gives_the_file_its_own_license() -> None:
    page = "https://en.m.wikipedia.org/wiki/File:Enh_N_channel_Mosfet.svg"
    found = read_page(WIKI_FILE_PAGE, page, "https://upload.wikimedia.org/wikipedia/commons/f/f8/Enh_N_channel_Mosfet.svg")
    assert found.image_found
    assert (found.license.id, found.license.version) == ("cc-by-sa", "4.0")
    assert found.scope == "image" and found.license_statement.element == "a[href] (Creative Commons deed)"
    # An older version in the file history is not given it by proximity; the wiki's head license
    # is its text's, never the image's.
    old = read_page(WIKI_FILE_PAGE, page, "https://upload.wikimedia.org/wikipedia/commons/archive/f/f8/20160720_Enh_N_channel_Mosfet.svg")
    assert old.license is None


def test_a_cc_link_away_from_any_image_is_not_a_license() -> None:
    html = (
        '<html><body><img src="a.jpg"><img src="b.jpg"><p>Read about '
        '<a href="https://creativecommons.org/licenses/by/4.0/">CC BY</a> here.</p></body></html>'
    )
    assert read_page(html, f"{BASE}/p", f"{BASE}/a.jpg").license is None


def test_flat_gallery_captions_follow_their_images_and_badges_are_not_images() -> None:
    html = (
        '<html><body><div class="gallery"><img src="a.jpg"><p><a rel="license" '
        'href="https://creativecommons.org/licenses/by/4.0/"><img src="https://i.creativecommons.org/l/by/4.0/88x31.png"></a></p>'
        '<img src="b.jpg"><p><img src="https://licensebuttons.net/l/by-nc/4.0/88x31.png" alt="CC BY-NC"></p>'
        "</div></body></html>"
    )
    assert read_page(html, f"{BASE}/p", f"{BASE}/a.jpg").license.id == "cc-by"
    b = read_page(html, f"{BASE}/p", f"{BASE}/b.jpg")
    assert (b.license.id, b.license_statement.element) == ("cc-by-nc", "img (Creative Commons badge)")


def test_json_ld_graph_and_article_license() -> None:
    html = """<html><head><script type="application/ld+json">{"@context": "https://schema.org", "@graph": [
      {"@type": "BlogPosting", "license": "https://creativecommons.org/licenses/by-sa/4.0/",
       "author": {"@type": "Person", "name": "Page Author"},
       "image": {"@type": "ImageObject", "url": "https://photos.example.org/x.jpg",
                 "license": "http://creativecommons.org/licenses/by/3.0/", "creator": "Xu Li"}}]}
    </script></head><body><img src="x.jpg"><img src="y.jpg"></body></html>"""
    x = read_page(html, f"{BASE}/post", f"{BASE}/x.jpg")
    assert (x.license.id, x.author) == ("cc-by", "Xu Li")
    y = read_page(html, f"{BASE}/post", f"{BASE}/y.jpg")
    assert y.license is None  # the page states two licenses; the article's author is not the photo's
    assert y.author is None


@pytest.mark.parametrize(
    "html",
    ["", "   ", "<html", "\x00\x01binary", "<script type='application/ld+json'>{not json</script>",
     '<script type="application/ld+json">[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]</script>',
     '<img src="http://[::1">', '<base href="http://[bad"><img src="a.jpg">'],
)
def test_bad_markup_is_no_evidence_and_never_raises(html: str) -> None:
    found = read_page(html, f"{BASE}/p", f"{BASE}/a.jpg")
    assert found.license is None and found.opt_out is None


def test_the_index_is_read_once_for_every_image_of_the_page() -> None:
    index = index_page(pages.page_html("gallery", BASE, Q), pages.page_url(BASE, Q, "gallery"))
    licenses = {
        name: index.evidence_for(pages.image_url(BASE, Q, f"gallery-{name}.jpg")).license
        for name in ("maple", "oak", "birch", "elm", "pine")
    }
    assert {name: lic.id if lic else None for name, lic in licenses.items()} == {
        "maple": "cc0", "oak": "cc-by-nd", "birch": "cc-by-sa", "elm": "cc-by", "pine": None,
    }


# -- hostile pages: read in time linear in the page, kept small -------------------------------

def _hostile_pages(n: int) -> list[str]:
    return [
        "<html><body><div>" + "<b>x</b>All rights reserved " * n + "</div></body></html>",
        "<html><body><div>" + "<img src='/a.jpg'><p>All rights reserved</p>" * n + "</div></body></html>",
        "<html><body><p>" + "<a rel=license href='https://example.org/l'>l</a> text " * n + "</p></body></html>",
        "<html><body>" + "<div itemscope>" * 200 + "<span itemprop=name>x</span>" * n + "</div>" * 200
        + "</body></html>",
        "<html><body>" + "<div class=caption>" * 200 + "CC BY 4.0 " * n + "</div>" * 200 + "</body></html>",
    ]


def test_a_page_of_thousands_of_notices_images_links_or_items_is_read_in_linear_time() -> None:
    """Each of these took tens of seconds (quadratic: the block's text or images read again per
    notice, every item's elements walked once per enclosing item) on ~150 KB; a source page may
    be 2 MiB and the reader holds the GIL, stalling every download meanwhile."""
    import time

    started = time.thread_time()  # CPU time: another process's load does not count
    for html in _hostile_pages(5000):
        index_page(html, "https://example.org/p.html")
    assert time.thread_time() - started < 8


def test_notices_still_go_to_the_image_before_them_in_a_flat_block() -> None:
    html = "<html><body><div>" + "".join(
        f"<img src='/a{i}.jpg'><p>{'All rights reserved' if i % 2 else 'hello'}</p>" for i in range(300)
    ) + "</div></body></html>"
    index = index_page(html, "https://example.org/p.html")
    odd = index.evidence_for("https://example.org/a7.jpg")
    even = index.evidence_for("https://example.org/a8.jpg")
    assert odd.license is not None and odd.license.id == "all-rights-reserved" and odd.scope == "image"
    assert even.scope != "image"


def test_a_page_of_too_many_images_is_kept_small_and_says_nothing() -> None:
    from imagespider.rights.page import MAX_TARGETS

    def page(n: int) -> str:
        return "<html><body>" + "".join(
            f"<figure><img src='/a{i}.jpg'><a href='https://creativecommons.org/licenses/by/4.0/'>CC BY</a></figure>"
            for i in range(n)
        ) + "</body></html>"

    fits = index_page(page(MAX_TARGETS), "https://example.org/p.html")
    assert fits.evidence_for("https://example.org/a3.jpg").license.id == "cc-by"
    over = index_page(page(MAX_TARGETS + 1), "https://example.org/p.html")
    assert over.targets == [] and over.weight() == 1
    found = over.evidence_for("https://example.org/a3.jpg")
    assert found.license is None and "images" in (found.note or "")


# -- The W3C TDMRep specification's own examples (tests/fixtures/tdmrep/, a real capture) ---------

PAGE = "https://provider.com/articles/one.html"
W3C_SPEC = Path(__file__).parent.parent / "fixtures" / "tdmrep" / "w3c-tdm-reservation-protocol__spec_index.html"


def spec_examples() -> list[str]:
    """The spec's ``<pre class="example">`` blocks, as text (the HTML example unescaped)."""
    root = lxml.html.document_fromstring(W3C_SPEC.read_text("utf-8"))
    return [textwrap.dedent(pre.text_content()).strip() for pre in root.xpath("//pre[@class='example']")]


def spec_html_page() -> str:
    return next(text for text in spec_examples() if text.startswith("<!DOCTYPE html>"))


def spec_page_headers() -> dict[str, str]:
    """The spec's response to an HTML page carrying ``tdm-reservation: 1`` and a ``tdm-policy``."""
    block = next(text for text in spec_examples() if "Content-type: text/html" in text)
    lines = [line.split(":", 1) for line in block.splitlines()[1:]]
    return {name.strip(): value.strip() for name, value in lines}


def test_the_spec_header_example_names_its_policy_once() -> None:
    headers = spec_page_headers()
    assert headers["tdm-policy"] == "https://provider.com/policies/policy.json"
    index = index_page("<!DOCTYPE html><html><head><title>t</title></head><body></body></html>", PAGE, headers)
    assert index.opt_out == (
        "tdm_reservation", "tdm-reservation: 1 on the page (policy https://provider.com/policies/policy.json)",
    )


def test_the_spec_meta_example_is_an_opt_out_with_its_policy() -> None:
    index = index_page(spec_html_page(), PAGE)
    assert index.opt_out == (
        "tdm_reservation",
        '<meta name="tdm-reservation" content="1"> (policy https://provider.com/policies/policy.json)',
    )


def test_an_xhtml_page_opening_with_an_xml_declaration_is_read() -> None:
    # XHTML served as application/xhtml+xml (which the page step accepts) opens with an XML
    # declaration; lxml refuses a str that names its encoding, and the page used to say nothing.
    page = '<?xml version="1.0" encoding="UTF-8"?>\n' + spec_html_page()
    index = index_page(page, PAGE)
    assert index.opt_out is not None and index.opt_out[0] == "tdm_reservation"


def test_a_header_reservation_names_the_pages_meta_policy_once() -> None:
    index = index_page(spec_html_page(), PAGE, {"tdm-reservation": spec_page_headers()["tdm-reservation"]})
    assert index.opt_out == (
        "tdm_reservation", "tdm-reservation: 1 on the page (policy https://provider.com/policies/policy.json)",
    )


def test_json_ld_value_objects_and_lists_are_read_as_text() -> None:
    # JSON-LD 1.1 section 4.2.4 writes a string with its language as a value object
    # ({"@value": ..., "@language": ...}) and any property may hold a list: the author was
    # recorded as the Python repr of the object.
    html = (
        '<html><head><script type="application/ld+json">{"@context": "https://schema.org",'
        ' "@type": "ImageObject", "contentUrl": "https://ex.org/i.jpg",'
        ' "license": {"@id": "https://creativecommons.org/licenses/by/4.0/"},'
        ' "creator": {"@type": "Person", "name": {"@value": "Jane Doe", "@language": "en"},'
        ' "url": ["https://ex.org/jane", "https://ex.org/jane2"]},'
        ' "creditText": {"@value": "Photo: Jane Doe", "@language": "en"},'
        ' "copyrightNotice": [{"@value": "© Jane Doe", "@language": "en"}]}'
        "</script></head><body></body></html>"
    )
    found = read_page(html, "https://ex.org/p.html", "https://ex.org/i.jpg")
    assert found.license is not None and found.license.id == "cc-by"
    assert found.author == "Jane Doe"
    assert found.author_url == "https://ex.org/jane"
    assert found.credit == "Photo: Jane Doe"
    assert found.copyright == "© Jane Doe"


# Two images of a Next.js page, their <img> tags as Next.js writes them (verbatim from public
# repositories' rendered pages): every image's URL is /_next/image?url=<file>&w=<width>&q=75, so
# without its query every image of the page has the same URL.
NEXT_LOGIN = (
    '<img alt="login" srcSet="/_next/image?url=%2F_next%2Fstatic%2Fmedia%2Flogin.e313e580.png&amp;w=1080&amp;q=75 1x,'
    ' /_next/image?url=%2F_next%2Fstatic%2Fmedia%2Flogin.e313e580.png&amp;w=3840&amp;q=75 2x"'
    ' src="/_next/image?url=%2F_next%2Fstatic%2Fmedia%2Flogin.e313e580.png&amp;w=3840&amp;q=75"'
    ' width="1033" height="712" decoding="async" data-nimg="1" loading="lazy">'
)
NEXT_MAPPING = (
    '<img alt="Mapping" loading="lazy" width="360" height="320" decoding="async" data-nimg="1" class=""'
    ' srcset="/_next/image?url=%2F_next%2Fstatic%2Fmedia%2Fmapping.867f5ed7.png&amp;w=384&amp;q=75 1x,'
    ' /_next/image?url=%2F_next%2Fstatic%2Fmedia%2Fmapping.867f5ed7.png&amp;w=750&amp;q=75 2x"'
    ' src="/_next/image?url=%2F_next%2Fstatic%2Fmedia%2Fmapping.867f5ed7.png&amp;w=750&amp;q=75">'
)


def test_images_sharing_a_url_without_query_do_not_lend_each_other_their_license() -> None:
    html = (
        "<html><body>"
        f"<figure>{NEXT_LOGIN}<figcaption>Login, "
        "<a href='https://creativecommons.org/licenses/by/4.0/'>CC BY 4.0</a></figcaption></figure>"
        f"<figure>{NEXT_MAPPING}<figcaption>Mapping, "
        "<a href='https://creativecommons.org/licenses/by-nc/4.0/'>CC BY-NC 4.0</a></figcaption></figure>"
        "</body></html>"
    )
    page = "https://app.example.com/settings"
    index = index_page(html, page)
    # Listed widths are found exactly.
    listed = "https://app.example.com/_next/image?url=%2F_next%2Fstatic%2Fmedia%2Fmapping.867f5ed7.png&w=750&q=75"
    assert index.evidence_for(listed).license.id == "cc-by-nc"
    # Another width of the mapping (what a search engine may have crawled) matches both images
    # only loosely: which one it is cannot be told, so neither license is applied.
    other = "https://app.example.com/_next/image?url=%2F_next%2Fstatic%2Fmedia%2Fmapping.867f5ed7.png&w=1080&q=75"
    found = index.evidence_for(other)
    assert found.license is None
    assert not found.image_found


def test_nested_captions_around_one_huge_text_are_read_once_not_once_per_level() -> None:
    """Each caption (and each property element) read its whole text to find its first 300
    characters: 240 nested captions around 1.9 MB of whitespace copied it 240 times (~2 s of
    CPU holding the GIL for one page; linear in the nesting times the page)."""
    import time

    html = "<html><body>" + "<div class=caption>" * 240 + " " * 1_900_000 + "x</div>" + "</div>" * 239 + "</body></html>"
    items = ("<html><body>" + "<div itemscope itemtype='https://schema.org/ImageObject'><div itemprop=creditText>" * 120
             + " " * 1_900_000 + "x" + "</div></div>" * 120 + "</body></html>")
    started = time.thread_time()
    index_page(html, "https://example.org/p.html")
    index_page(items, "https://example.org/p.html")
    assert time.thread_time() - started < 0.6  # 1.8 s before; parsing itself takes ~0.2 s


def test_the_cc_license_choosers_rdfa_names_the_author_by_name_and_links_the_url() -> None:
    # RDFa 1.1: beside @rel, @property takes the element's text (the @href is @rel's object), so
    # cc:attributionName is "Aleksandr Levchuk", not the URL the author's credit was recorded as.
    snippet = (Path(__file__).parent.parent / "fixtures" / "pages" / "cc_license_chooser_rdfa_vim_clutch.html").read_text()
    html = ("<html><body><figure><img src='/clutch.jpg' width='800' height='600'><figcaption>"
            f"{snippet}</figcaption></figure></body></html>")
    found = read_page(html, "https://github.com/alevchuk/vim-clutch", "https://github.com/clutch.jpg")
    assert found.license is not None and (found.license.id, found.license.version) == ("cc-by-sa", "3.0")
    assert found.author == "Aleksandr Levchuk"
    assert found.author_url == "https://github.com/alevchuk/vim-clutch"


def test_a_page_wide_cc_license_for_a_work_of_type_text_is_a_text_license() -> None:
    # The license chooser's snippet says what is licensed: dct:type dcmitype/Text, the page's
    # text. Page-wide, it was applied to every image of the page.
    snippet = (Path(__file__).parent.parent / "fixtures" / "pages" / "cc_license_chooser_rdfa_vim_clutch.html").read_text()
    html = (f"<html><body><article><p>The pedal:</p><img src='/clutch.jpg' width='800' height='600'></article>"
            f"<footer>{snippet}</footer></body></html>")
    found = read_page(html, "https://github.com/alevchuk/vim-clutch", "https://github.com/clutch.jpg")
    assert found.license is None
    assert [s.kind for s in found.statements] == ["text_license"]
    # The same snippet for a photo (dcmitype/StillImage) stays the page's license.
    photo = html.replace("dcmitype/Text", "dcmitype/StillImage")
    found = read_page(photo, "https://github.com/alevchuk/vim-clutch", "https://github.com/clutch.jpg")
    assert found.license is not None and found.license.id == "cc-by-sa" and found.scope == "page"


@pytest.mark.parametrize("content", ["noml", "noindex, noml", "NoImageAI"])
def test_meta_robots_noml_and_noimageai(content: str) -> None:
    html = f'<html><head><meta name="robots" content="{content}"></head><body><img src="/a.jpg"></body></html>'
    found = read_page(html, BASE, f"{BASE}/a.jpg")
    assert found.opt_out == ("noai", f'<meta name="robots" content="{content}">')


def test_a_content_usage_header_on_the_page() -> None:
    html = "<html><body><img src='/a.jpg'></body></html>"
    found = read_page(html, BASE, f"{BASE}/a.jpg", {b"Content-Usage": [b"train-ai=n"]})
    assert found.opt_out == ("content_usage", "Content-Usage on the page: train-ai=n (train-ai=n)")
    assert read_page(html, BASE, f"{BASE}/a.jpg", {"Content-Usage": "train-ai=y"}).opt_out is None


def test_an_rsl_link_is_a_document_to_read_not_a_page_license() -> None:
    """RSL 1.0 associates a page with its RSL document by rel=license and the RSL media type; it
    was taken for an unknown page license before."""
    html = ('<html><head><link rel="license" type="application/rsl+xml" href="/license.xml"></head>'
            '<body><img src="/a.jpg"></body></html>')
    index = index_page(html, BASE, {"Link": '</other.xml>; rel="license"; type="application/rsl+xml"'})
    assert index.rsl_links == [f"{BASE}/other.xml", f"{BASE}/license.xml"]
    found = index.evidence_for(f"{BASE}/a.jpg")
    assert found.license is None and not found.statements


# -- issue 26 and 28: rights read as a careful person reads them -----------------------------------


def test_a_caption_and_json_ld_that_disagree_give_the_most_restrictive_and_record_it() -> None:
    """Issue 28: a caption saying CC BY-NC and JSON-LD saying CC0 for the same image was kept as cc0."""
    html = """<html><head><script type="application/ld+json">{"@type": "ImageObject",
      "contentUrl": "https://photos.example.org/owl.jpg", "license": "https://creativecommons.org/publicdomain/zero/1.0/"}
    </script></head><body><figure><img src="/owl.jpg" width="800" height="600">
    <figcaption>Owl, by Mo (CC BY-NC 4.0)</figcaption></figure></body></html>"""
    found = read_page(html, f"{BASE}/owl", f"{BASE}/owl.jpg")
    assert found.license is not None and (found.license.id, found.license.version) == ("cc-by-nc", "4.0")
    assert {s.license.id for s in found.conflict if s.license} == {"cc-by-nc", "cc0"}
    record = found.to_dict()
    assert [c["license"] for c in record["conflict"]] and "disagree" in record["note"]


def test_a_credit_naming_an_agency_reserves_rights_unless_a_license_is_named_closer() -> None:
    """Real caption shapes (Times of Israel, Les Echos, Muffinrezept)."""
    agency = ('<html><body><article><figure><img src="/justice.jpg" width="1024" height="640"><figcaption>'
              "Justice Raquel Montoya-Lewis is sworn in. (AP Photo/Ted S. Warren)</figcaption></figure></article>"
              "</body></html>")
    found = read_page(agency, f"{BASE}/news", f"{BASE}/justice.jpg")
    assert found.license is not None and found.license.id == "all-rights-reserved" and found.scope == "image"
    assert found.author == "AP Photo/Ted S. Warren"
    licensed = agency.replace("(AP Photo/Ted S. Warren)", 'Foto: Copyright © Marufish | <a href="https://creativecommons.org/licenses/by-sa/2.0/de/deed.de">CC-BY-SA</a>')
    found = read_page(licensed, f"{BASE}/news", f"{BASE}/justice.jpg")
    assert found.license is not None and (found.license.id, found.license.version) == ("cc-by-sa", "2.0")


def test_a_text_only_license_in_german_never_covers_the_photo() -> None:
    """Issue 26: a blog footer licensing only "Die textuellen Inhalte" kept a photo as CC BY-NC."""
    html = ('<html><body><article><img src="/foto.jpg" width="800" height="600"><p>Ein Bericht.</p></article>'
            '<footer><p>Die textuellen Inhalte dieses Blogs stehen unter einer <a rel="license" '
            'href="https://creativecommons.org/licenses/by-nc/4.0/">Creative Commons-Lizenz</a>; '
            "alle anderen Inhalte sind urheberrechtlich geschützt.</p></footer></body></html>")
    found = read_page(html, f"{BASE}/blog", f"{BASE}/foto.jpg")
    assert found.license is None
    assert [s.kind for s in found.statements] == ["text_license"]


def test_a_platforms_own_notice_never_covers_a_users_upload() -> None:
    html = ('<html><body><div class="post"><img src="https://i.imgur.com/j1CNCZY.gif" width="480" height="270">'
            "</div><footer>Copyright © 2019 Imgur, Inc. All rights reserved.</footer></body></html>")
    found = read_page(html, "https://imgur.com/gallery/Sdc0Klc", "https://i.imgur.com/j1CNCZY.gif")
    assert found.image_found and found.license is None and "platform" in found.note
    # The same footer on a publisher's own page is that page's reservation.
    own = read_page(html, "https://news.example.org/a", "https://i.imgur.com/j1CNCZY.gif")
    assert own.license is not None and own.license.id == "all-rights-reserved" and own.scope == "page"


def test_a_credit_in_a_related_list_or_sidebar_is_not_the_lead_images() -> None:
    """Times of Israel's teasers carry CC credits of their own; the lead photo has none."""
    html = ('<html><body><article><img src="/lead.jpg" width="1024" height="640"><p>Story.</p></article>'
            '<div class="related-posts"><img src="/teaser.jpg" width="300" height="200">'
            '<span><a href="https://creativecommons.org/licenses/by/2.0/">CC BY</a> JosephV/Wikimedia</span></div>'
            "</body></html>")
    lead = read_page(html, f"{BASE}/story", f"{BASE}/lead.jpg")
    assert lead.license is None
    teaser = read_page(html, f"{BASE}/story", f"{BASE}/teaser.jpg")
    assert teaser.license is not None and teaser.license.id == "cc-by"


def test_the_principal_image_named_only_by_og_image_takes_the_credits_of_the_content() -> None:
    """Libération: the photo is client-rendered; og:image and og:image:copyright name it."""
    html = ('<html><head><meta property="og:image" content="https://cdn.example.org/gaza.jpg">'
            '<meta property="og:image:copyright" content="Mohammed Al-Masri/Reuters"></head>'
            "<body><article><p>Le monde arabe indigné.</p></article></body></html>")
    found = read_page(html, f"{BASE}/a", "https://cdn.example.org/gaza.jpg")
    assert found.image_found and found.license is not None and found.license.id == "all-rights-reserved"
    assert found.author == "Mohammed Al-Masri/Reuters"


def test_a_stock_site_credit_is_that_sites_license_and_share_drops_it() -> None:
    from imagespider.rights.policy import Policy

    html = ('<html><body><figure><img src="/moor.jpg" width="800" height="533"><figcaption>'
            '<span class="figure__copyright">Bild von Michael Gaida auf Pixabay</span></figcaption></figure></body></html>')
    found = read_page(html, f"{BASE}/a", f"{BASE}/moor.jpg")
    assert found.license is not None and found.license.id == "pixabay"
    assert "Michael Gaida" in (found.author or "")
    assert Policy.parse("share").check(found.license) == "license_not_shareable"
    assert Policy.parse("commercial,modify").check(found.license) is None


def test_a_photo_shown_as_a_css_background_is_found() -> None:
    html = ('<html><body><div class="photo" style="background-image: url(https://media.example.mil/photo.jpg)"></div>'
            "<p>This photograph is considered public domain and has been cleared for release.</p></body></html>")
    found = read_page(html, f"{BASE}/p", "https://media.example.mil/photo.jpg")
    assert found.image_found and found.license is not None and found.license.id == "pdm"


def test_a_journals_copyright_line_followed_by_its_license_is_the_license() -> None:
    """PLOS: "Copyright: © 2006 Almeida et al. This is an open-access article distributed under the
    terms of the Creative Commons Attribution License" (the figure named only by og:image)."""
    html = ('<html><head><meta property="og:image" content="https://journals.example.org/fig9.png"></head><body>'
            '<article><img src="/fig1.png" width="600" height="400"><img src="/fig2.png" width="600" height="400">'
            "<p><strong>Copyright:</strong> © 2006 Almeida et al. This is an open-access article distributed under "
            "the terms of the Creative Commons Attribution License, which permits unrestricted use.</p></article></body></html>")
    found = read_page(html, "https://journals.example.org/a", "https://journals.example.org/fig9.png")
    assert found.license is not None and found.license.id == "cc-by" and found.scope == "content"


def test_a_footers_copyright_line_is_page_wide_not_its_logos() -> None:
    """El País: '<li>&copy; <a>EDICIONES EL PAÍS, S.L.</a></li>' in a footer that also shows a logo."""
    html = ('<html><body><article><figure><img src="/sala.jpg" width="600" height="400"><p class="figcaption">'
            "Sala de espera. / GORKA LEJARCEGI</p></figure></article><footer><img src='/marca.png' width='120' height='60'>"
            '<ul><li>&copy; <a href="/corporativos/"><strong>EDICIONES EL PA&Iacute;S, S.L.</strong></a></li></ul></footer>'
            "</body></html>")
    found = read_page(html, "https://elpais.example/a", "https://elpais.example/sala.jpg")
    assert found.license is not None and found.license.id == "all-rights-reserved" and found.scope == "page"
    assert found.author == "GORKA LEJARCEGI"


def test_on_a_platform_the_users_own_reservation_counts_and_the_platforms_does_not() -> None:
    """PIXNET: the blogger's header says "創作圖文版權所有" (text and pictures reserved); the
    footer "© 2003 - 2017 PIXNET" is the platform's."""
    html = ('<html><body><div id="header"><h2>Steven &amp; Fiona ( 創作圖文版權所有 未經授權同意均屬違反著作權法 盜用必究)</h2>'
            '</div><div class="article"><img src="http://pic.pimg.tw/stevenhgm/1.jpg" width="800" height="600"></div>'
            '<div id="footer">© 2003 - 2017 PIXNET</div></body></html>')
    page = "http://stevenhgm.pixnet.net/blog/post/39926056"
    found = read_page(html, page, "http://pic.pimg.tw/stevenhgm/1.jpg")
    assert found.license is not None and found.license.id == "all-rights-reserved"
    assert "創作圖文版權所有" in found.license_statement.value
    platform_only = html.replace("( 創作圖文版權所有 未經授權同意均屬違反著作權法 盜用必究)", "")
    assert read_page(platform_only, page, "http://pic.pimg.tw/stevenhgm/1.jpg").license is None


def test_a_photo_drawn_by_a_script_is_found_by_its_download_link() -> None:
    """spaceforce.mil: the photo is a CSS background in a script template; the page's "Download"
    link (in its share bar) names the file, and the public-domain box beside it covers it."""
    html = ('<html><body><div class="details-content"><h4>IMAGE IS PUBLIC DOMAIN</h4><p>This photograph is considered '
            'public domain and has been cleared for release.</p><div class="share-container"><a id="aDownloadLrg" '
            'class="details-download-link" href="https://media.example.mil/2023/0/230829-F-LE393-1171.JPG">Download</a>'
            "</div></div></body></html>")
    found = read_page(html, "https://www.example.mil/photo/1", "https://media.example.mil/2023/0/230829-F-LE393-1171.JPG")
    assert found.image_found and found.license is not None and found.license.id == "pdm"
    # A wiki's file page ending in .jpg is no download of the image.
    wiki = html.replace("https://media.example.mil/2023/0/230829-F-LE393-1171.JPG", "https://commons.example.org/wiki/File:Cat.jpg")
    assert read_page(wiki, "https://www.example.mil/photo/1", "https://commons.example.org/wiki/File:Cat.jpg").image_found is False


def test_the_principal_image_in_another_rendition_on_the_same_host() -> None:
    """Nature: og:image is /m685/.../Fig1_HTML.png, the page shows /lw685/.../Fig1_HTML.png; the
    article's license (a rel=license link in its rights section, after a Crossmark badge) is its."""
    html = ('<html><head><meta property="og:image" content="https://media.example.com/m685/art/41586_Fig1_HTML.png">'
            '</head><body><article><figure><img src="https://media.example.com/lw685/art/41586_Fig1_HTML.png"></figure>'
            '<figure><img src="https://media.example.com/lw685/art/41586_Fig2_HTML.png"></figure><section><a '
            'href="https://crossmark.example.org/dialog"><img src="/crossmark-badge.svg" alt="Check for updates"></a>'
            '<p>This article is licensed under a Creative Commons Attribution 4.0 International License. <a rel="license" '
            'href="http://creativecommons.org/licenses/by/4.0/">http://creativecommons.org/licenses/by/4.0/</a></p>'
            "</section></article></body></html>")
    fig1 = read_page(html, "https://www.example.com/articles/1", "https://media.example.com/lw685/art/41586_Fig1_HTML.png")
    assert fig1.license is not None and (fig1.license.id, fig1.license.version) == ("cc-by", "4.0")
