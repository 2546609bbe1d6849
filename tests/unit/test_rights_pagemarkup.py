"""imagespider/rights/pagemarkup.py: the small pure readers source-page evidence is built from
(image URL keys, srcset, CC badges, schema.org types, JSON-LD nodes) and how one statement is
chosen among several."""

from __future__ import annotations

from pathlib import Path

import lxml.html
import pytest

from imagespider.rights.pagemarkup import (
    BADGE,
    MAX_VALUE,
    RANK_LINK,
    RANK_REL_LICENSE,
    RANK_TEXT,
    Statement,
    badge_deed,
    best_statement,
    clean_text,
    is_icon,
    json_nodes,
    license_statement_of,
    props_by_scope,
    schema_types,
    srcset_urls,
    url_keys,
)


@pytest.mark.parametrize(
    ("url", "keys"),
    [
        ("https://Photos.Example.org/a/b%20c.jpg#top", ("photos.example.org/a/b c.jpg", "photos.example.org/a/b c.jpg")),
        ("http://example.org:80/x.jpg?w=1", ("example.org/x.jpg?w=1", "example.org/x.jpg")),
        ("http://example.org:8080/x-300x200.jpg", ("example.org:8080/x-300x200.jpg", "example.org:8080/x.jpg")),
    ],
)
def test_url_keys_are_exact_and_loose(url: str, keys: tuple[str, str]) -> None:
    assert url_keys(url) == keys


@pytest.mark.parametrize("url", [None, "", "data:image/png;base64,AAAA", "ftp://example.org/x.jpg", "http://[::1"])
def test_url_keys_of_what_is_not_an_http_image_url(url: str | None) -> None:
    assert url_keys(url) is None


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


def test_best_statement_is_the_closest_then_most_explicit_then_one_naming_a_license() -> None:
    named = license_statement_of("CC BY 4.0", "figcaption", RANK_TEXT, lambda url: url)
    words = Statement("license", "ask me", "figcaption", RANK_TEXT)
    link = Statement("license", "https://example.org/terms", "a[href]", RANK_LINK)
    assert best_statement([(5, words), (5, named)]) is named
    assert best_statement([(5, words), (5, link)]) is link  # a link is more explicit than words
    assert best_statement([(9, words), (5, link)]) is words  # closeness first


def test_schema_types_drops_vocabulary_and_case() -> None:
    assert schema_types(["https://schema.org/ImageObject", "schema:Photograph Thing"]) == {
        "imageobject", "photograph", "thing",
    }
    assert schema_types(None) == set()


def test_json_nodes_walks_graphs_but_not_into_people() -> None:
    data = {"@graph": [{"@type": "WebPage", "primaryImageOfPage": {"@type": "ImageObject", "license": "x"}},
                       {"author": {"@type": "Person", "name": "A"}}]}
    types = [node.get("@type") for node in json_nodes(data)]
    assert types == ["WebPage", "ImageObject"]


def test_is_icon_by_size_unless_it_links_to_its_file() -> None:
    root = lxml.html.fromstring(
        '<div><img id="avatar" width="48" height="48"><img id="strip" width="600" height="30">'
        '<img id="photo" width="600" height="400"><a href="/files/tiny.png"><img id="file" width="20" height="20"></a></div>'
    )
    icons = {img.get("id"): is_icon(img) for img in root.iter("img")}
    assert icons == {"avatar": True, "strip": True, "photo": False, "file": False}


def test_microdata_props_stay_inside_their_own_item() -> None:
    root = lxml.html.fromstring(
        '<div itemscope itemtype="https://schema.org/ImageObject"><meta itemprop="license" content="https://l/">'
        '<span itemprop="author" itemscope><span itemprop="name">Mo</span></span></div>'
    )
    props = dict((name, value) for name, (_, value) in props_by_scope(root).get(root, []))
    assert props["license"] == "https://l/"
    assert "name" not in props  # the author's own name belongs to the nested item
    assert props["author"].get("itemprop") == "author"


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
