"""imagespider/rights/pagestructured.py: an article's JSON-LD ``image`` names the page's principal
image; an ImageObject's own copyright notice without a license reserves its rights."""

from __future__ import annotations

from imagespider.rights.page import read_page

BASE = "https://news.example.org"


def test_json_ld_article_image_is_the_principal_image() -> None:
    html = ('<html><head><script type="application/ld+json">{"@type": "NewsArticle", "image": '
            '{"@type": "ImageObject", "url": "https://cdn.example.org/lead.jpg"}}</script></head><body><article>'
            "<p>Text.</p><p>Copyright © 2024 Example News. All rights reserved.</p></article></body></html>")
    found = read_page(html, f"{BASE}/a", "https://cdn.example.org/lead.jpg")
    assert found.image_found and found.license is not None and found.license.id == "all-rights-reserved"


def test_an_image_objects_copyright_notice_without_a_license_reserves_it() -> None:
    html = ('<html><head><script type="application/ld+json">{"@type": "ImageObject", "contentUrl": '
            '"https://cdn.example.org/owl.jpg", "copyrightNotice": "Jane Doe / Reuters"}</script></head><body>'
            '<img src="https://cdn.example.org/owl.jpg"></body></html>')
    found = read_page(html, f"{BASE}/a", "https://cdn.example.org/owl.jpg")
    assert found.license is not None and found.license.id == "all-rights-reserved" and found.scope == "image"
    licensed = html.replace('"copyrightNotice"', '"license": "https://creativecommons.org/licenses/by/4.0/", "copyrightNotice"')
    assert read_page(licensed, f"{BASE}/a", "https://cdn.example.org/owl.jpg").license.id == "cc-by"
