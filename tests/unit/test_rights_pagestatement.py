"""imagespider/rights/pagestatement.py: the keys an image URL is matched by, and how one
statement is chosen among several."""

from __future__ import annotations

import pytest

from imagespider.rights.pagemarkup import license_statement_of
from imagespider.rights.pagestatement import RANK_LINK, RANK_TEXT, Statement, best_statement, url_keys


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


def test_best_statement_is_the_closest_then_most_explicit_then_one_naming_a_license() -> None:
    named = license_statement_of("CC BY 4.0", "figcaption", RANK_TEXT, lambda url: url)
    words = Statement("license", "ask me", "figcaption", RANK_TEXT)
    link = Statement("license", "https://example.org/terms", "a[href]", RANK_LINK)
    assert best_statement([(5, words), (5, named)]) is named
    assert best_statement([(5, words), (5, link)]) is link  # a link is more explicit than words
    assert best_statement([(9, words), (5, link)]) is words  # closeness first
