"""imagespider/rights/pagewords.py: the words of rights in the languages of the web, on phrases
taken from the real pages in tests/fixtures/pages/real/ and the notices the issue lists."""

from __future__ import annotations

import pytest

from imagespider.rights.model import License, cc_license
from imagespider.rights.pagewords import (
    covers_text_only,
    credit_holder,
    grants,
    is_credit,
    licenses_in,
    most_restrictive,
    names_agency,
    reserves,
    site_license_in,
)


@pytest.mark.parametrize(
    "notice",
    [
        "Copyright © ITmedia, Inc. All Rights Reserved.",
        "DER SPIEGEL 52/2018 Alle Rechte vorbehalten Vervielfältigung nur mit Genehmigung",
        "Tous droits réservés - Les Echos 2023",
        "Copyright 2017 SA LA NACION | Todos los derechos reservados",
        "© Copyright ANSA - Tutti i diritti riservati",
        "Copyright Folha de S.Paulo. Todos os direitos reservados.",
        "© 2020 DPG Media. Alle rechten voorbehouden.",
        "Wszelkie prawa zastrzeżone",
        "Alla rättigheter förbehållna",
        "Все права защищены",
        "Tüm hakları saklıdır",
        "無断転載を禁じます",
        "腾讯公司 版权所有",
        "版权声明：转载须经版权人书面授权并注明来源",
        "( 創作圖文版權所有 未經授權同意均屬違反著作權法 盜用必究)",
        "모든 권리 보유",
        "RIPRODUZIONE RISERVATA © Copyright ANSA",
    ],
)
def test_reservations_in_many_languages(notice: str) -> None:
    assert reserves(notice)


@pytest.mark.parametrize("text", ["Reserved seating for all", "Read our rights policy", "Alle Rechte der Nutzer"])
def test_words_that_reserve_nothing(text: str) -> None:
    assert not reserves(text)


@pytest.mark.parametrize(
    ("credit", "holder"),
    [
        ("New Justice is sworn in, in Olympia, Washington. (AP Photo/Ted S. Warren)", "AP Photo/Ted S. Warren"),
        ("Foto: LA NACION", "LA NACION"),
        ("Beeld: Pro Shots", "Pro Shots"),
        ("(Bild: Hersteller)", "Hersteller"),
        ("La cote de confiance d'Emmanuel Macron (Eric Tschaen/Pool/Sipa)", "Eric Tschaen/Pool/Sipa"),
        ("Photo: Yhomo Hutchinson", "Yhomo Hutchinson"),
    ],
)
def test_credit_lines_name_their_holder(credit: str, holder: str) -> None:
    assert is_credit(credit)
    assert credit_holder(credit) == holder


def test_agencies_and_stock_libraries_are_named_but_not_inside_words() -> None:
    for text in ("Mohammed Al-Masri/Reuters", "© Ben Stansall/AFP/Getty Images", "Foto: dpa", "Geyres Christophe/ABACA/picture-alliance",
                 "Eric Tschaen/Pool/Sipa", "imago images/Sven Simon", "Shutterstock"):
        assert names_agency(text), text
    for text in ("Happy birthday", "the apartment", "Helmut Rubik", "Die Plejaden"):
        assert not names_agency(text), text


def test_stock_site_credits_name_the_sites_own_license() -> None:
    unsplash = site_license_in("Frau steht vor dem Fenster (Photo by Priscilla Du Preez on Unsplash)")
    assert unsplash is not None and (unsplash.id, unsplash.url) == ("unsplash", "https://unsplash.com/license")
    pixabay = site_license_in("Bild von Michael Gaida auf Pixabay")
    assert pixabay is not None and pixabay.id == "pixabay" and pixabay.permissions.share is False
    assert site_license_in("Foto von Anna", ["https://www.pexels.com/@anna/"]) is not None
    assert site_license_in("Unsplash raises its prices") is None


def test_a_sentence_about_the_text_alone_in_several_languages() -> None:
    assert covers_text_only("Die textuellen Inhalte dieses Blogs stehen unter einer Creative Commons-Lizenz")
    assert covers_text_only("Dieser Text wurde veröffentlicht unter der Lizenz CC-BY-NC-ND-4.0-DE. Die Fotos dürfen nicht verwendet werden.")
    assert covers_text_only("Text is available under the Creative Commons Attribution-ShareAlike License")
    assert covers_text_only("本评论版权属于作者solate，并受法律保护。")
    assert not covers_text_only("Die Bilder in diesem Blog stehen unter einer Creative Commons Lizenz")
    assert not covers_text_only("This work is licensed under a Creative Commons Attribution 3.0 unported license.")


def test_running_text_grants_only_when_it_says_so() -> None:
    assert grants("This is an open-access article distributed under the terms of the Creative Commons Attribution License")
    assert grants("This photograph is considered public domain and has been cleared for release.")
    assert grants("Image processing by Vladimir Tarasov © CC BY")
    assert not grants("Read about CC BY here.")


def test_every_license_of_a_montage_credit_and_the_most_restrictive() -> None:
    text = ("Foto: Wikimedia / Etienne Ansotte, © European Union, CC0 1.0 Universal (CC0 1.0) und 2021 "
            "http://www.president.gov.ua/ (CC BY 4.0)")
    found = licenses_in(text)
    assert {lic.id for lic in found} == {"cc0", "cc-by"}
    strictest = most_restrictive(found)
    assert strictest is not None and (strictest.id, strictest.version) == ("cc-by", "4.0")
    assert [lic.id for lic in licenses_in("LICENSED UNDER CC BY NC ND")] == ["cc-by-nc-nd"]


def test_licenses_that_cannot_be_ordered_give_none() -> None:
    nc = cc_license("cc-by-nc", "4.0", "page")
    assert most_restrictive([nc, License("unsplash", source="page")]) is None
    assert most_restrictive([nc, cc_license("cc0", None, "page")]) == nc
    assert most_restrictive([nc, License("all-rights-reserved", source="page")]).id == "all-rights-reserved"


def test_a_long_paragraph_grants_a_license_only_to_what_it_names() -> None:
    from imagespider.rights.pagewords import grants_itself

    other = ("Wikipedia, the free encyclopedia, was founded in 2001. " * 4 +
             "Its text is licensed under CC BY-SA 4.0, which lets anyone reuse it with attribution.")
    assert not grants_itself(other)
    assert grants_itself("Copyright: © 2006 Almeida et al. " + "x " * 100 + "This is an open-access article "
                         "distributed under the terms of the Creative Commons Attribution License.")
    assert grants_itself("LICENSED UNDER CC BY NC ND")
    assert grants_itself("Die Bilder in diesem Blog stehen unter einer Creative Commons Lizenz. " + "y " * 100)


def test_a_news_articles_lead_photo_does_not_take_a_license_its_text_mentions() -> None:
    from imagespider.rights.page import read_page

    html = ('<html><head><meta property="og:image" content="https://news.example.org/lead.jpg"></head><body><article>'
            '<img src="/lead.jpg" width="1200" height="800"><img src="/chart.png" width="600" height="400"><p>'
            + "The encyclopedia grew quickly over two decades of volunteer work. " * 4
            + "Its text is licensed under CC BY-SA 4.0.</p></article><footer>© 2024 Example News</footer></body></html>")
    found = read_page(html, "https://news.example.org/a", "https://news.example.org/lead.jpg")
    assert found.license is not None and found.license.id == "all-rights-reserved" and found.scope == "page"
