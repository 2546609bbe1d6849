"""imagespider/rights/pagemarkup.py: the small pure readers of a page's HTML that source-page
evidence is built from (srcset, CC badges, text, icons, a license statement read from a value)."""

from __future__ import annotations

from pathlib import Path

import lxml.html
import pytest

from imagespider.rights.pagemarkup import (
    BADGE,
    MAX_VALUE,
    badge_deed,
    clean_text,
    is_icon,
    license_statement_of,
    srcset_urls,
)
from imagespider.rights.pagestatement import RANK_REL_LICENSE, RANK_TEXT


def test_srcset_urls_takes_the_url_of_each_candidate() -> None:
    assert list(srcset_urls("a.jpg 300w, b.jpg 2x,, c.jpg")) == ["a.jpg", "b.jpg", "c.jpg"]
    assert list(srcset_urls(None)) == []


def test_clean_text_folds_whitespace_and_caps_the_length() -> None:
    assert clean_text("  Ada \n\t Lovelace ") == "Ada Lovelace"
    assert clean_text(None) == ""
    assert len(clean_text("x" * (MAX_VALUE + 50))) == MAX_VALUE


@pytest.mark.parametrize(
    ("src", "deed"),
    [
        ("https://i.creativecommons.org/l/by-sa/4.0/88x31.png", "https://creativecommons.org/licenses/by-sa/4.0/"),
        ("//licensebuttons.net/p/zero/1.0/88x31.png", "https://creativecommons.org/publicdomain/zero/1.0/"),
    ],
)
def test_a_cc_badge_names_its_deed(src: str, deed: str) -> None:
    match = BADGE.match(src)
    assert match is not None and badge_deed(match) == deed
    assert BADGE.match("https://example.org/l/by/4.0/badge.png") is None


def test_license_statement_of_a_url_resolves_it_and_of_words_reads_them() -> None:
    linked = license_statement_of(" /licenses/by/4.0/ ", "a[rel=license]", RANK_REL_LICENSE,
                                  lambda url: "https://creativecommons.org" + url)
    assert linked.value == "https://creativecommons.org/licenses/by/4.0/"
    assert linked.license is not None and linked.license.id == "cc-by" and linked.license.source == "page"
    words = license_statement_of("Licensed under CC BY-SA 4.0", "figcaption", RANK_TEXT, lambda url: url)
    assert words.value == "Licensed under CC BY-SA 4.0" and words.license is not None
    assert words.license.id == "cc-by-sa"
    unknown = license_statement_of("Ask me first", "figcaption", RANK_TEXT, lambda url: url)
    assert unknown.license is None and unknown.kind == "license"


def test_is_icon_by_size_unless_it_links_to_its_file() -> None:
    root = lxml.html.fromstring(
        '<div><img id="avatar" width="48" height="48"><img id="strip" width="600" height="30">'
        '<img id="photo" width="600" height="400"><a href="/files/tiny.png"><img id="file" width="20" height="20"></a></div>'
    )
    icons = {img.get("id"): is_icon(img) for img in root.iter("img")}
    assert icons == {"avatar": True, "strip": True, "photo": False, "file": False}


# A figure from a published Smashing Magazine article, verbatim (tests/fixtures/README.md, "Source
# pages"): its srcset candidates are Cloudinary URLs with commas in them.
SMASHING_FIGURE = (Path(__file__).parent.parent / "fixtures" / "pages" / "smashingmagazine_figure_cloudinary_srcset.html").read_text("utf-8")


def test_srcset_urls_keep_commas_inside_a_url() -> None:
    (img,) = lxml.html.fragment_fromstring(SMASHING_FIGURE).iter("img")
    urls = list(srcset_urls(img.get("srcset")))
    widths = ["400", "800", "1200", "1600", "2000"]
    assert urls == [
        f"https://res.cloudinary.com/indysigner/image/fetch/f_auto,q_auto/w_{w}/https://cloud.netlifyusercontent.com"
        "/assets/344dbf88-fdf9-42bb-adb4-46f01eedd629/9fdc50ef-4ed5-4a83-bd5b-808c8c420431/video-playback-web-image-17.png"
        for w in widths
    ]
    # The HTML standard's candidate rules: a URL ending in a comma has no descriptors.
    assert list(srcset_urls("a.jpg, b.jpg 2x,c.jpg 3x,")) == ["a.jpg", "b.jpg", "c.jpg"]
    assert list(srcset_urls("  ,, ")) == []
