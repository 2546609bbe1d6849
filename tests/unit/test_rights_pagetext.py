"""imagespider/rights/pagetext.py: what one caption, credit or alt text says (credit_statements),
on credits taken from the real pages in tests/fixtures/pages/real/."""

from __future__ import annotations

import pytest

from imagespider.rights.pagetext import credit_statements


def kinds(text: str, image: bool = False) -> list[tuple[str, str | None]]:
    return [(s.kind, s.license.id if s.license else None) for s in credit_statements(text, "figcaption text", (), image)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Foto: Jorge Mejía Peralta (CC BY 2.0)", [("license", "cc-by")]),
        ("(Eric Tschaen/Pool/Sipa)", [("license", "all-rights-reserved"), ("credit", None)]),
        ("© ANSA", [("license", "all-rights-reserved"), ("credit", None)]),
        ("Bild von Michael Gaida auf Pixabay", [("license", "pixabay"), ("credit", None)]),
        ("Photo: Yhomo Hutchinson", [("credit", None)]),
        ("Plejaden, M45", []),
    ],
)
def test_what_a_credit_says(text: str, expected: list[tuple[str, str | None]]) -> None:
    assert kinds(text) == expected


def test_a_montage_of_two_licenses_gives_the_stricter_and_the_images_own_metadata_reserves() -> None:
    text = "Foto: Wikimedia / Etienne Ansotte, © European Union, CC0 1.0 Universal (CC0 1.0) und (CC BY 4.0)"
    (statement,) = credit_statements(text, "p text", ())
    assert statement.license is not None and (statement.license.id, statement.license.version) == ("cc-by", "4.0")
    # og:image:copyright names the image's holder: a reservation even without a © sign.
    assert kinds("Mohammed Al-Masri", image=True)[0] == ("license", "all-rights-reserved")


def test_a_page_of_thousands_of_copyright_lines_stops_reading_once_it_says_too_much() -> None:
    import time

    from imagespider.rights.page import index_page

    html = "<html><body>" + "<p>© 2020 X. </p>" * 40_000 + "</body></html>"
    started = time.thread_time()
    index = index_page(html, "https://example.org/p.html")
    assert index.overflow is not None and "none applied" in index.overflow
    assert time.thread_time() - started < 3  # ~6 s when every line was read
