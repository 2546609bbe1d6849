"""imagespider/rights/pagereader.py: one pass over a parsed page fills a PageIndex: content images
(badges and avatars left out) become targets, each statement is tied to the image it sits next to
or kept page-wide, and <base href> resolves relative URLs. What the index then answers per image
is tested in test_rights_page.py."""

from __future__ import annotations

import lxml.html

from imagespider.rights.pageindex import PageIndex
from imagespider.rights.pagereader import PageReader

PAGE = "https://photos.example.org/blog/post.html"


def read(html: str, page_url: str = PAGE) -> PageIndex:
    index = PageIndex(page_url)
    PageReader(index, lxml.html.document_fromstring(html), page_url, "imagespider").read()
    return index


def test_a_caption_is_tied_to_its_figures_image_and_a_footer_stays_page_wide() -> None:
    index = read(
        "<html><body><figure><img src='/img/fox.jpg' width='800' height='600'>"
        "<figcaption>Photo: Ada, <a href='https://creativecommons.org/licenses/by/2.0/'>CC BY 2.0</a></figcaption>"
        "</figure><footer><a rel='license' href='https://creativecommons.org/licenses/by-nc/4.0/'>site</a>"
        "</footer></body></html>"
    )
    (target,) = index.targets
    assert "photos.example.org/img/fox.jpg" in target.exact
    tied = [statement for _, statement in target.statements if statement.kind == "license"]
    # The deed link, then the caption's words naming the same license.
    assert [s.value for s in tied] == ["https://creativecommons.org/licenses/by/2.0/", "Photo: Ada, CC BY 2.0"]
    assert {s.license.id for s in tied if s.license} == {"cc-by"}
    assert [(s.kind, s.value) for s in index.page] == [("license", "https://creativecommons.org/licenses/by-nc/4.0/")]


def test_badges_and_avatars_are_not_targets() -> None:
    index = read(
        "<html><body><img src='/me.png' width='32' height='32'>"
        "<img src='https://i.creativecommons.org/l/by/4.0/88x31.png'>"
        "<img src='/photo.jpg' width='640' height='480'></body></html>"
    )
    assert [sorted(t.exact) for t in index.targets] == [["photos.example.org/photo.jpg"]]


def test_base_href_resolves_relative_image_urls() -> None:
    index = read("<html><head><base href='https://cdn.example.net/media/'></head>"
                 "<body><img src='a.jpg' width='640' height='480'></body></html>")
    assert [sorted(t.exact) for t in index.targets] == [["cdn.example.net/media/a.jpg"]]
    assert PageReader(PageIndex(PAGE), lxml.html.document_fromstring("<p>x</p>"), PAGE, "x").url("#top") is None


def test_a_mediawiki_sites_rel_license_is_its_text_license() -> None:
    index = read(
        "<html><head><meta name='generator' content='MediaWiki 1.42'>"
        "<link rel='license' href='https://creativecommons.org/licenses/by-sa/4.0/'></head>"
        "<body><img src='/w/images/a.jpg' width='640' height='480'></body></html>"
    )
    assert [s.kind for s in index.page] == ["text_license"]


def test_json_ld_image_object_is_tied_to_its_content_url() -> None:
    index = read(
        "<html><head><script type='application/ld+json'>"
        '{"@type": "ImageObject", "contentUrl": "https://photos.example.org/img/owl.jpg",'
        ' "license": "https://creativecommons.org/publicdomain/zero/1.0/", "creator": {"name": "Mo"}}'
        "</script></head><body><img src='/img/owl.jpg' width='640' height='480'></body></html>"
    )
    evidence = index.evidence_for("https://photos.example.org/img/owl.jpg")
    assert evidence.license is not None and evidence.license.id == "cc0"
    assert evidence.scope == "image" and evidence.author == "Mo"


# Real footers, verbatim: Colorlib's free templates and AdminLTE's dashboard write the year with
# a script left in a comment, and the notice follows the comment (seen in public repositories
# built from them).
COLORLIB_FOOTER = (
    '<p class="col-lg-8 col-sm-12 footer-text">Copyright &copy;<!-- <script>document.write(new Date().getFullYear());'
    '</script> --> All rights reserved | made with Colorlib -  More Templates <a href="#" target="_blank" '
    'title="模板之家">护肤专家</a> - Collect from <a href="#" title="网页模板" target="_blank">更多了解</a></p>'
)
ADMINLTE_FOOTER = (
    '<footer class="main-footer">\n    <strong>Copyright &copy; 2020<!-- <script>document.write(new Date().getFullYear());'
    '</script> --> All rights reserved | Developed with <i class="fas green fa-heart    "></i> by '
    '<a href="" target="_blank">MEDITEST</a>\n    <div class="float-right d-none d-sm-inline-block">\n'
    '      <b class="green">MEDITEST</b>\n    </div>\n  </footer>'
)


def test_an_all_rights_reserved_notice_after_a_comment_is_read() -> None:
    for footer in (COLORLIB_FOOTER, ADMINLTE_FOOTER):
        index = read(f"<html><body><img src='/img/fox.jpg' width='800' height='600'>{footer}</body></html>")
        assert [s.license.id for s in index.page if s.license] == ["all-rights-reserved"], footer
        evidence = index.evidence_for("https://photos.example.org/img/fox.jpg")
        assert evidence.license is not None and evidence.license.id == "all-rights-reserved"
        assert evidence.copyright is not None and "All rights reserved" in evidence.copyright


def test_a_notice_after_a_script_is_read() -> None:
    index = read("<html><body><footer><script>var y = 2024;</script> All rights reserved.</footer></body></html>")
    assert [s.license.id for s in index.page if s.license] == ["all-rights-reserved"]
