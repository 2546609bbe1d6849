"""Tests for the license model (imagespider/rights/) and each engine's license codes: every evidence form, the permission matrix, policies and the
engine-side filters derived from them. Table-driven so a new form is one row."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from imagespider.engines import bing, commons, flickr, google, openverse
from imagespider.rights import model, parse
from imagespider.rights.model import License, Permissions
from imagespider.rights.policy import Policy, PolicyError

FIXTURES = Path(__file__).parents[1] / "fixtures"
T, F, N = True, False, None



def engine_claim(code: str) -> License:
    """The claim of a Bing (``license-*``) or Google (``il:*``) usage-rights filter code."""
    return google.license_claim(code) if code.startswith("il:") else bing.license_claim(code)


# ------------------------------------------------------------------------------------------
# Permissions per id: (share, commercial, modify, attribution, share_alike)
# ------------------------------------------------------------------------------------------

PERMISSION_MATRIX = [
    ("cc0", (T, T, T, F, F)),
    ("pdm", (T, T, T, F, F)),
    ("cc-by", (T, T, T, T, F)),
    ("cc-by-sa", (T, T, T, T, T)),
    ("cc-by-nd", (T, T, F, T, F)),
    ("cc-by-nc", (T, F, T, T, F)),
    ("cc-by-nc-sa", (T, F, T, T, T)),
    ("cc-by-nc-nd", (T, F, F, T, F)),
    ("no-known-restrictions", (T, T, T, F, F)),
    ("us-gov", (T, T, T, F, F)),
    ("all-rights-reserved", (F, F, F, N, N)),
    ("cc-unspecified", (T, N, N, N, N)),
    ("unknown", (N, N, N, N, N)),
]


def test_matrix_covers_every_id() -> None:
    assert [row[0] for row in PERMISSION_MATRIX] == list(model.LICENSE_IDS)


@pytest.mark.parametrize(("license_id", "expected"), PERMISSION_MATRIX)
def test_permissions_for(license_id: str, expected: tuple) -> None:
    assert model.permissions_for(license_id) == Permissions(*expected)
    assert License(license_id).permissions == Permissions(*expected)
    assert list(model.permissions_for(license_id).to_dict().values()) == list(expected)


def test_permissions_for_rejects_bad_id() -> None:
    with pytest.raises(ValueError):
        model.permissions_for("cc-by-4.0")
    with pytest.raises(ValueError):
        License("gpl")
    with pytest.raises(ValueError):
        License("cc-by", source="web")


def test_explicit_permissions_are_kept() -> None:
    all_unknown = Permissions(N, N, N, N, N)
    assert License("cc-by", permissions=all_unknown).permissions == all_unknown


@pytest.mark.parametrize(
    ("lic", "label"),
    [
        (License("cc-by-sa", "4.0"), "CC BY-SA 4.0"),
        (License("cc-by-nc-nd", "2.0"), "CC BY-NC-ND 2.0"),
        (License("cc-by"), "CC BY"),
        (parse.from_url("https://creativecommons.org/licenses/by/2.0/de/", "api"), "CC BY 2.0 DE"),
        (License("cc0", "1.0"), "CC0 1.0"),
        (License("pdm", "1.0"), "Public Domain Mark 1.0"),
        (License("pdm"), "Public domain"),
        (License("all-rights-reserved"), "All rights reserved"),
        (License("no-known-restrictions"), "No known copyright restrictions"),
        (License("us-gov"), "United States Government Work"),
        (License("cc-unspecified"), "Creative Commons (license not specified)"),
        (model.unknown(), "Unknown license"),
    ],
)
def test_label(lic: License, label: str) -> None:
    assert lic.label == label


def test_to_dict() -> None:
    lic = parse.from_url("http://creativecommons.org/licenses/by-sa/4.0/deed.en", "api")
    assert lic is not None
    assert lic.to_dict() == {
        "license": "cc-by-sa",
        "license_version": "4.0",
        "license_url": "https://creativecommons.org/licenses/by-sa/4.0/",
        "license_source": "api",
        "permissions": {"share": T, "commercial": T, "modify": T, "attribution": T, "share_alike": T},
    }
    assert model.unknown().to_dict()["license_source"] == "none"
    assert model.unknown().to_dict()["license"] == "unknown"


# ------------------------------------------------------------------------------------------
# URLs
# ------------------------------------------------------------------------------------------

BY4 = "https://creativecommons.org/licenses/by/4.0/"
URL_CASES = [
    # scheme, www, trailing slash
    ("https://creativecommons.org/licenses/by/4.0/", "cc-by", "4.0", BY4),
    ("http://creativecommons.org/licenses/by/4.0/", "cc-by", "4.0", BY4),
    ("https://www.creativecommons.org/licenses/by/4.0/", "cc-by", "4.0", BY4),
    ("http://www.creativecommons.org/licenses/by/4.0", "cc-by", "4.0", BY4),
    ("https://creativecommons.org/licenses/by/4.0", "cc-by", "4.0", BY4),
    ("//creativecommons.org/licenses/by/4.0/", "cc-by", "4.0", BY4),
    ("creativecommons.org/licenses/by/4.0/", "cc-by", "4.0", BY4),
    ("  HTTPS://CreativeCommons.org/licenses/BY/4.0/  ", "cc-by", "4.0", BY4),
    # deed / legalcode variants
    ("https://creativecommons.org/licenses/by/4.0/deed.en", "cc-by", "4.0", BY4),
    ("https://creativecommons.org/licenses/by/4.0/deed.de", "cc-by", "4.0", BY4),
    ("https://creativecommons.org/licenses/by/4.0/deed.zh-hant", "cc-by", "4.0", BY4),
    ("https://creativecommons.org/licenses/by/4.0/deed", "cc-by", "4.0", BY4),
    ("https://creativecommons.org/licenses/by/4.0/legalcode", "cc-by", "4.0", BY4),
    ("https://creativecommons.org/licenses/by/4.0/legalcode.fr", "cc-by", "4.0", BY4),
    ("https://creativecommons.org/licenses/by/4.0/legalcode.txt", "cc-by", "4.0", BY4),
    ("https://creativecommons.org/licenses/by/4.0/?ref=chooser-v1", "cc-by", "4.0", BY4),
    ("https://creativecommons.org/licenses/by/4.0/deed.en#ref-appropriate-credit", "cc-by", "4.0", BY4),
    # every code
    ("https://creativecommons.org/licenses/by-sa/4.0/", "cc-by-sa", "4.0", None),
    ("https://creativecommons.org/licenses/by-nd/4.0/", "cc-by-nd", "4.0", None),
    ("https://creativecommons.org/licenses/by-nc/4.0/", "cc-by-nc", "4.0", None),
    ("https://creativecommons.org/licenses/by-nc-sa/4.0/", "cc-by-nc-sa", "4.0", None),
    ("https://creativecommons.org/licenses/by-nc-nd/4.0/", "cc-by-nc-nd", "4.0", None),
    ("http://creativecommons.org/licenses/by-nd-nc/1.0/", "cc-by-nc-nd", "1.0", "https://creativecommons.org/licenses/by-nc-nd/1.0/"),
    # every version
    ("http://creativecommons.org/licenses/by/1.0/", "cc-by", "1.0", "https://creativecommons.org/licenses/by/1.0/"),
    ("https://creativecommons.org/licenses/by-nc-sa/2.0/", "cc-by-nc-sa", "2.0", "https://creativecommons.org/licenses/by-nc-sa/2.0/"),
    ("https://creativecommons.org/licenses/by-sa/2.5/", "cc-by-sa", "2.5", "https://creativecommons.org/licenses/by-sa/2.5/"),
    ("https://creativecommons.org/licenses/by-sa/3.0/", "cc-by-sa", "3.0", "https://creativecommons.org/licenses/by-sa/3.0/"),
    # ported jurisdictions
    ("https://creativecommons.org/licenses/by-sa/2.0/de/", "cc-by-sa", "2.0", "https://creativecommons.org/licenses/by-sa/2.0/de/"),
    ("http://creativecommons.org/licenses/by-sa/2.0/de", "cc-by-sa", "2.0", "https://creativecommons.org/licenses/by-sa/2.0/de/"),
    ("https://creativecommons.org/licenses/by/3.0/us/deed.en", "cc-by", "3.0", "https://creativecommons.org/licenses/by/3.0/us/"),
    ("https://creativecommons.org/licenses/by-sa/3.0/de/deed.en", "cc-by-sa", "3.0", "https://creativecommons.org/licenses/by-sa/3.0/de/"),
    ("https://creativecommons.org/licenses/by-nc/2.5/scotland/legalcode", "cc-by-nc", "2.5", "https://creativecommons.org/licenses/by-nc/2.5/scotland/"),
    ("https://creativecommons.org/licenses/by/3.0/igo/", "cc-by", "3.0", "https://creativecommons.org/licenses/by/3.0/igo/"),
    # public domain tools
    ("https://creativecommons.org/publicdomain/zero/1.0/", "cc0", "1.0", "https://creativecommons.org/publicdomain/zero/1.0/"),
    ("http://creativecommons.org/publicdomain/zero/1.0/legalcode", "cc0", "1.0", "https://creativecommons.org/publicdomain/zero/1.0/"),
    ("https://creativecommons.org/publicdomain/zero/1.0/deed.en", "cc0", "1.0", "https://creativecommons.org/publicdomain/zero/1.0/"),
    ("https://creativecommons.org/publicdomain/mark/1.0/", "pdm", "1.0", "https://creativecommons.org/publicdomain/mark/1.0/"),
    ("http://creativecommons.org/publicdomain/mark/1.0", "pdm", "1.0", "https://creativecommons.org/publicdomain/mark/1.0/"),
    ("http://creativecommons.org/licenses/publicdomain/", "pdm", None, "http://creativecommons.org/licenses/publicdomain/".replace("http:", "https:")),
]


@pytest.mark.parametrize(("url", "license_id", "version", "canonical"), URL_CASES)
def test_from_url(url: str, license_id: str, version: str | None, canonical: str | None) -> None:
    lic = parse.from_url(url, "embedded")
    assert lic is not None
    assert (lic.id, lic.version, lic.source) == (license_id, version, "embedded")
    if canonical is None:
        canonical = f"https://creativecommons.org/licenses/{license_id[3:]}/{version}/"
    assert lic.url == canonical
    # the canonical form reads back to itself
    assert parse.from_url(lic.url, "api") == License(license_id, version, canonical, "api")


@pytest.mark.parametrize(
    "url",
    [
        "",
        "https://example.org/licenses/by/4.0/",
        "https://creativecommons.org.evil.example/licenses/by/4.0/",
        "https://creativecommons.org/",
        "https://creativecommons.org/about/cclicenses/",
        "https://creativecommons.org/licenses/",
        "https://creativecommons.org/licenses/by-xx/4.0/",
        "https://creativecommons.org/licenses/by/4.0/extra/path/",
        "https://www.flickr.com/commons/usage/",
        "https://en.wikipedia.org/wiki/Public_domain",
        "not a url",
    ],
)
def test_from_url_rejects(url: str) -> None:
    assert parse.from_url(url, "api") is None


# ------------------------------------------------------------------------------------------
# SPDX
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spdx", "license_id", "version", "url"),
    [
        ("CC-BY-4.0", "cc-by", "4.0", "https://creativecommons.org/licenses/by/4.0/"),
        ("CC-BY-SA-4.0", "cc-by-sa", "4.0", "https://creativecommons.org/licenses/by-sa/4.0/"),
        ("cc-by-sa-4.0", "cc-by-sa", "4.0", "https://creativecommons.org/licenses/by-sa/4.0/"),
        ("CC-BY-ND-3.0", "cc-by-nd", "3.0", "https://creativecommons.org/licenses/by-nd/3.0/"),
        ("CC-BY-NC-2.5", "cc-by-nc", "2.5", "https://creativecommons.org/licenses/by-nc/2.5/"),
        ("CC-BY-NC-SA-2.0", "cc-by-nc-sa", "2.0", "https://creativecommons.org/licenses/by-nc-sa/2.0/"),
        ("CC-BY-NC-ND-1.0", "cc-by-nc-nd", "1.0", "https://creativecommons.org/licenses/by-nc-nd/1.0/"),
        ("CC-BY-3.0-DE", "cc-by", "3.0", "https://creativecommons.org/licenses/by/3.0/de/"),
        ("CC-BY-SA-3.0-IGO", "cc-by-sa", "3.0", "https://creativecommons.org/licenses/by-sa/3.0/igo/"),
        ("CC0-1.0", "cc0", "1.0", "https://creativecommons.org/publicdomain/zero/1.0/"),
        ("CC-PDM-1.0", "pdm", "1.0", "https://creativecommons.org/publicdomain/mark/1.0/"),
        ("CC-PDDC", "pdm", None, None),
    ],
)
def test_from_spdx(spdx: str, license_id: str, version: str | None, url: str | None) -> None:
    assert parse.from_spdx(spdx, "embedded") == License(license_id, version, url, "embedded")


@pytest.mark.parametrize("spdx", ["MIT", "GPL-3.0-only", "CC-BY", "CC-BY-SA-4.0-extra-stuff", "", "CC-BY-XX-4.0"])
def test_from_spdx_rejects(spdx: str) -> None:
    assert parse.from_spdx(spdx, "api") is None


# ------------------------------------------------------------------------------------------
# Openverse
# ------------------------------------------------------------------------------------------

OPENVERSE_CASES = [
    ("by", "2.0", None, "cc-by", "2.0", "https://creativecommons.org/licenses/by/2.0/"),
    ("by-sa", "4.0", None, "cc-by-sa", "4.0", "https://creativecommons.org/licenses/by-sa/4.0/"),
    ("by-nd", "4.0", None, "cc-by-nd", "4.0", "https://creativecommons.org/licenses/by-nd/4.0/"),
    ("by-nc", "3.0", None, "cc-by-nc", "3.0", "https://creativecommons.org/licenses/by-nc/3.0/"),
    ("by-nc-sa", "2.0", None, "cc-by-nc-sa", "2.0", "https://creativecommons.org/licenses/by-nc-sa/2.0/"),
    ("by-nc-nd", "2.0", None, "cc-by-nc-nd", "2.0", "https://creativecommons.org/licenses/by-nc-nd/2.0/"),
    ("BY-NC-ND", "2.0", None, "cc-by-nc-nd", "2.0", "https://creativecommons.org/licenses/by-nc-nd/2.0/"),
    ("cc0", "1.0", None, "cc0", "1.0", "https://creativecommons.org/publicdomain/zero/1.0/"),
    ("cc0", None, None, "cc0", "1.0", "https://creativecommons.org/publicdomain/zero/1.0/"),
    ("pdm", "1.0", None, "pdm", "1.0", "https://creativecommons.org/publicdomain/mark/1.0/"),
    # the real tape's first result (tests/fixtures/README.md section 4)
    ("by", "2.0", "https://creativecommons.org/licenses/by/2.0/", "cc-by", "2.0", "https://creativecommons.org/licenses/by/2.0/"),
    # a URL naming the same license keeps its jurisdiction
    ("by-sa", "3.0", "https://creativecommons.org/licenses/by-sa/3.0/de/deed.en", "cc-by-sa", "3.0", "https://creativecommons.org/licenses/by-sa/3.0/de/"),
    # a URL that disagrees loses to the structured code
    ("by-nc", "4.0", "https://creativecommons.org/licenses/by/4.0/", "cc-by-nc", "4.0", "https://creativecommons.org/licenses/by-nc/4.0/"),
    ("sampling+", "1.0", None, "cc-unspecified", "1.0", "https://creativecommons.org/licenses/sampling+/1.0/"),
    ("nc-sampling+", "1.0", None, "cc-unspecified", "1.0", "https://creativecommons.org/licenses/nc-sampling+/1.0/"),
    ("gfdl", None, None, "unknown", None, None),
    ("", None, None, "unknown", None, None),
]


@pytest.mark.parametrize(("code", "version", "url", "license_id", "exp_version", "exp_url"), OPENVERSE_CASES)
def test_from_openverse(
    code: str, version: str | None, url: str | None, license_id: str, exp_version: str | None, exp_url: str | None
) -> None:
    lic = openverse.license_of(code, version, url)
    assert (lic.id, lic.version, lic.url, lic.source) == (license_id, exp_version, exp_url, "api")


def test_openverse_sampling_permissions() -> None:
    perms = openverse.license_of("sampling+", "1.0").permissions
    assert (perms.share, perms.commercial, perms.modify, perms.attribution) == (T, F, T, T)


# ------------------------------------------------------------------------------------------
# Wikimedia Commons
# ------------------------------------------------------------------------------------------

COMMONS_CASES = [
    # (LicenseShortName, LicenseUrl, License slug) -> (id, version, url)
    (("CC BY-SA 4.0", None, None), ("cc-by-sa", "4.0", "https://creativecommons.org/licenses/by-sa/4.0/")),
    (("CC BY 2.0 de", None, None), ("cc-by", "2.0", "https://creativecommons.org/licenses/by/2.0/de/")),
    (("CC BY-SA 3.0 de", "https://creativecommons.org/licenses/by-sa/3.0/de/deed.en", "cc-by-sa-3.0-de"), ("cc-by-sa", "3.0", "https://creativecommons.org/licenses/by-sa/3.0/de/")),
    (("CC BY-SA 4.0", "https://creativecommons.org/licenses/by-sa/4.0", "cc-by-sa-4.0"), ("cc-by-sa", "4.0", "https://creativecommons.org/licenses/by-sa/4.0/")),
    (("CC BY-SA 3.0,2.5,2.0,1.0", None, None), ("cc-by-sa", "3.0", "https://creativecommons.org/licenses/by-sa/3.0/")),
    (("CC BY-NC-ND 4.0", None, None), ("cc-by-nc-nd", "4.0", "https://creativecommons.org/licenses/by-nc-nd/4.0/")),
    (("CC BY-SA 3.0 IGO", None, None), ("cc-by-sa", "3.0", "https://creativecommons.org/licenses/by-sa/3.0/igo/")),
    (("CC BY", None, None), ("cc-by", None, None)),
    (("CC0", None, None), ("cc0", "1.0", "https://creativecommons.org/publicdomain/zero/1.0/")),
    (("CC0 1.0", None, None), ("cc0", "1.0", "https://creativecommons.org/publicdomain/zero/1.0/")),
    ((None, "https://creativecommons.org/publicdomain/zero/1.0/deed.en", "cc-zero"), ("cc0", "1.0", "https://creativecommons.org/publicdomain/zero/1.0/")),
    ((None, None, "cc-zero"), ("cc0", "1.0", "https://creativecommons.org/publicdomain/zero/1.0/")),
    (("Public domain", None, "pd"), ("pdm", None, None)),
    (("Public domain", None, None), ("pdm", None, None)),
    (("PD", None, None), ("pdm", None, None)),
    ((None, None, "pd"), ("pdm", None, None)),
    (("Public Domain Mark 1.0", None, None), ("pdm", "1.0", "https://creativecommons.org/publicdomain/mark/1.0/")),
    ((None, None, "cc-by-sa-4.0"), ("cc-by-sa", "4.0", "https://creativecommons.org/licenses/by-sa/4.0/")),
    ((None, None, "cc-by-2.0-de"), ("cc-by", "2.0", "https://creativecommons.org/licenses/by/2.0/de/")),
    ((None, None, "pd-usgov-nasa"), ("us-gov", None, None)),
    # the URL wins over the name: it is the most precise
    (("CC BY-SA 4.0", "https://creativecommons.org/licenses/by-sa/4.0/deed.en", None), ("cc-by-sa", "4.0", "https://creativecommons.org/licenses/by-sa/4.0/")),
    # a non-CC URL falls back to the name
    (("CC BY 4.0", "https://example.org/license", None), ("cc-by", "4.0", "https://creativecommons.org/licenses/by/4.0/")),
    # deliberately not understood
    (("GFDL", "https://www.gnu.org/copyleft/fdl.html", "gfdl"), ("unknown", None, None)),
    (("Attribution", None, "attribution"), ("unknown", None, None)),
]


@pytest.mark.parametrize(("given", "expected"), COMMONS_CASES)
def test_from_commons(given: tuple, expected: tuple) -> None:
    lic = commons.license_of(*given)
    assert (lic.id, lic.version, lic.url, lic.source) == (*expected, "api")


def test_from_commons_nothing_given() -> None:
    assert commons.license_of(None) == model.unknown()
    assert commons.license_of("", "", "") == model.unknown()


def _commons_pages() -> list[tuple[str, dict]]:
    data = json.loads((FIXTURES / "commons_query_allimages_imageinfo_extmetadata_openverse_catalog.json").read_text())
    pages = data["query"]["pages"]
    pages = pages.values() if isinstance(pages, dict) else pages
    out = []
    for page in pages:
        meta = page["imageinfo"][0]["extmetadata"]
        out.append((page["title"], {key: (meta.get(key) or {}).get("value") for key in ("LicenseShortName", "LicenseUrl", "License")}))
    return out


COMMONS_PAGES = _commons_pages()


def test_commons_fixture_has_pages() -> None:
    # 9 real pages, 6 with a LicenseUrl (tests/fixtures/README.md section 5)
    assert len(COMMONS_PAGES) == 9
    assert sum(1 for _, meta in COMMONS_PAGES if meta["LicenseUrl"]) == 6


@pytest.mark.parametrize(("title", "meta"), COMMONS_PAGES, ids=[title for title, _ in COMMONS_PAGES])
def test_commons_real_pages(title: str, meta: dict) -> None:
    lic = commons.license_of(meta["LicenseShortName"], meta["LicenseUrl"], meta["License"])
    assert lic.id != "unknown"
    assert lic.source == "api"
    # each field alone agrees with the combination
    assert commons.license_of(meta["LicenseShortName"]).id == lic.id
    assert commons.license_of(None, None, meta["License"]).id == lic.id
    if meta["LicenseUrl"]:
        by_url = parse.from_url(meta["LicenseUrl"], "api")
        assert by_url is not None
        assert (by_url.id, by_url.version) == (lic.id, lic.version)
        assert commons.license_of(meta["LicenseShortName"]).version == lic.version


# ------------------------------------------------------------------------------------------
# Flickr
# ------------------------------------------------------------------------------------------

FLICKR_BUILTIN = [
    ("0", "all-rights-reserved", None, None),
    ("1", "cc-by-nc-sa", "2.0", "https://creativecommons.org/licenses/by-nc-sa/2.0/"),
    ("2", "cc-by-nc", "2.0", "https://creativecommons.org/licenses/by-nc/2.0/"),
    ("3", "cc-by-nc-nd", "2.0", "https://creativecommons.org/licenses/by-nc-nd/2.0/"),
    ("4", "cc-by", "2.0", "https://creativecommons.org/licenses/by/2.0/"),
    ("5", "cc-by-sa", "2.0", "https://creativecommons.org/licenses/by-sa/2.0/"),
    ("6", "cc-by-nd", "2.0", "https://creativecommons.org/licenses/by-nd/2.0/"),
    ("7", "no-known-restrictions", None, None),
    ("8", "us-gov", None, None),
    ("9", "cc0", "1.0", "https://creativecommons.org/publicdomain/zero/1.0/"),
    ("10", "pdm", "1.0", "https://creativecommons.org/publicdomain/mark/1.0/"),
]


@pytest.mark.parametrize(("flickr_id", "license_id", "version", "url"), FLICKR_BUILTIN)
def test_from_flickr_builtin(flickr_id: str, license_id: str, version: str | None, url: str | None) -> None:
    assert flickr.LICENSES[flickr_id] == (license_id, version)
    assert flickr.license_of(flickr_id) == License(license_id, version, url, "api")


@pytest.mark.parametrize("flickr_id", ["11", "99", "", "abc"])
def test_from_flickr_unknown_id(flickr_id: str) -> None:
    assert flickr.license_of(flickr_id) == License("unknown", source="api")


def test_from_flickr_accepts_int() -> None:
    assert flickr.license_of(4).id == "cc-by"  # type: ignore[arg-type]


# Reconstructed from the Flickr API documentation of flickr.photos.licenses.getInfo (response shape
# quoted in tests/fixtures/README.md section 3); no real capture of this call exists. Names and URLs follow the
# documented table; id 11 is a CC 4.0 entry as Flickr added them (its real number is unchecked).
GETINFO_PAYLOAD = {
    "licenses": {
        "license": [
            {"id": 0, "name": "All Rights Reserved", "url": ""},
            {"id": 1, "name": "Attribution-NonCommercial-ShareAlike License", "url": "https://creativecommons.org/licenses/by-nc-sa/2.0/"},
            {"id": 2, "name": "Attribution-NonCommercial License", "url": "https://creativecommons.org/licenses/by-nc/2.0/"},
            {"id": 3, "name": "Attribution-NonCommercial-NoDerivs License", "url": "https://creativecommons.org/licenses/by-nc-nd/2.0/"},
            {"id": 4, "name": "Attribution License", "url": "https://creativecommons.org/licenses/by/2.0/"},
            {"id": 5, "name": "Attribution-ShareAlike License", "url": "https://creativecommons.org/licenses/by-sa/2.0/"},
            {"id": 6, "name": "Attribution-NoDerivs License", "url": "https://creativecommons.org/licenses/by-nd/2.0/"},
            {"id": 7, "name": "No known copyright restrictions", "url": "https://www.flickr.com/commons/usage/"},
            {"id": 8, "name": "United States Government Work", "url": "http://www.usa.gov/copyright.shtml"},
            {"id": 9, "name": "Public Domain Dedication (CC0)", "url": "https://creativecommons.org/publicdomain/zero/1.0/"},
            {"id": 10, "name": "Public Domain Mark", "url": "https://creativecommons.org/publicdomain/mark/1.0/"},
            {"id": 11, "name": "Attribution 4.0 International (CC BY 4.0)", "url": "https://creativecommons.org/licenses/by/4.0/"},
        ]
    },
    "stat": "ok",
}


def test_flickr_table_from_getinfo() -> None:
    table = flickr.license_table_from_getinfo(GETINFO_PAYLOAD)
    assert sorted(table, key=int) == [str(i) for i in range(12)]
    for flickr_id, license_id, version, url in FLICKR_BUILTIN:
        lic = table[flickr_id]
        assert (lic.id, lic.version, lic.source) == (license_id, version, "api")
        if url:
            assert lic.url == url
    assert table["7"].url == "https://www.flickr.com/commons/usage/"
    assert table["11"] == License("cc-by", "4.0", "https://creativecommons.org/licenses/by/4.0/", "api")
    # the run-time table is preferred, and knows ids the built-in one does not
    assert flickr.license_of("11", table).id == "cc-by"
    assert flickr.license_of(11, table).version == "4.0"  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("name", "license_id", "version"),
    [
        ("All Rights Reserved", "all-rights-reserved", None),
        ("No known copyright restrictions", "no-known-restrictions", None),
        ("United States Government Work", "us-gov", None),
        ("Public Domain Dedication (CC0)", "cc0", "1.0"),
        ("Public Domain Mark", "pdm", None),
        ("Attribution 4.0 International (CC BY 4.0)", "cc-by", "4.0"),
        ("Attribution-ShareAlike 4.0 International (CC BY-SA 4.0)", "cc-by-sa", "4.0"),
        ("Attribution-NonCommercial-NoDerivs 4.0 International (CC BY-NC-ND 4.0)", "cc-by-nc-nd", "4.0"),
        ("Attribution-NonCommercial-ShareAlike License", "cc-by-nc-sa", None),
        ("Something New", "unknown", None),
    ],
)
def test_flickr_getinfo_by_name_only(name: str, license_id: str, version: str | None) -> None:
    table = flickr.license_table_from_getinfo({"licenses": {"license": [{"id": 42, "name": name, "url": ""}]}, "stat": "ok"})
    assert (table["42"].id, table["42"].version, table["42"].source) == (license_id, version, "api")


def test_flickr_getinfo_empty_payloads() -> None:
    assert flickr.license_table_from_getinfo({}) == {}
    assert flickr.license_table_from_getinfo({"stat": "fail", "code": 100, "message": "Invalid API Key"}) == {}


# ------------------------------------------------------------------------------------------
# Engine filters
# ------------------------------------------------------------------------------------------

ENGINE_FILTERS = [
    ("licenseType-Any", "cc-unspecified", (T, N, N, N, N)),
    ("license-L1", "pdm", (T, T, T, F, F)),
    ("license-L2_L3_L4_L5_L6_L7", "cc-unspecified", (T, N, N, N, N)),
    ("license-L2_L3_L4", "cc-unspecified", (T, T, N, N, N)),
    ("license-L2_L3_L5_L6", "cc-unspecified", (T, N, T, N, N)),
    ("license-L2_L3", "cc-unspecified", (T, T, T, N, N)),
    ("+filterui:license-L2_L3", "cc-unspecified", (T, T, T, N, N)),
    ("il:cl", "cc-unspecified", (T, N, N, N, N)),
    ("il:ol", "unknown", (N, N, N, N, N)),
]


@pytest.mark.parametrize(("name", "license_id", "perms"), ENGINE_FILTERS)
def test_from_engine_filter(name: str, license_id: str, perms: tuple) -> None:
    lic = engine_claim(name)
    assert (lic.id, lic.source, lic.version, lic.url) == (license_id, "engine-filter", None, None)
    assert lic.permissions == Permissions(*perms)


def test_from_engine_filter_rejects_unknown_name() -> None:
    with pytest.raises(ValueError):
        engine_claim("license-L9")


# ------------------------------------------------------------------------------------------
# Free text evidence
# ------------------------------------------------------------------------------------------

EVIDENCE_CASES = [
    ("This work is licensed under https://creativecommons.org/licenses/by-sa/4.0/deed.en.", "cc-by-sa", "4.0", "https://creativecommons.org/licenses/by-sa/4.0/"),
    ('<cc:license rdf:resource="http://creativecommons.org/licenses/by-nc/2.0/de/"/>', "cc-by-nc", "2.0", "https://creativecommons.org/licenses/by-nc/2.0/de/"),
    ("see creativecommons.org/publicdomain/zero/1.0/", "cc0", "1.0", "https://creativecommons.org/publicdomain/zero/1.0/"),
    ("SPDX-License-Identifier: CC-BY-4.0", "cc-by", "4.0", "https://creativecommons.org/licenses/by/4.0/"),
    ("License: CC0-1.0", "cc0", "1.0", "https://creativecommons.org/publicdomain/zero/1.0/"),
    ("(c) Jane Doe, CC BY-NC 4.0", "cc-by-nc", "4.0", "https://creativecommons.org/licenses/by-nc/4.0/"),
    ("CC BY 4.0 by Jane", "cc-by", "4.0", "https://creativecommons.org/licenses/by/4.0/"),
    ("Licensed cc-by-sa", "cc-by-sa", None, None),
    ("Creative Commons Attribution-NonCommercial-ShareAlike 4.0 International License", "cc-by-nc-sa", "4.0", "https://creativecommons.org/licenses/by-nc-sa/4.0/"),
    ("Creative Commons Attribution-Share Alike 3.0 de", "cc-by-sa", "3.0", "https://creativecommons.org/licenses/by-sa/3.0/"),
    ("Released under CC0", "cc0", "1.0", "https://creativecommons.org/publicdomain/zero/1.0/"),
    ("Public Domain Mark 1.0", "pdm", "1.0", "https://creativecommons.org/publicdomain/mark/1.0/"),
    ("This image is in the public domain.", "pdm", None, None),
    ("Copyright 2020 ACME. All rights reserved.", "all-rights-reserved", None, None),
]


@pytest.mark.parametrize(("text", "license_id", "version", "url"), EVIDENCE_CASES)
def test_parse_evidence(text: str, license_id: str, version: str | None, url: str | None) -> None:
    assert parse.parse_evidence(text, "embedded") == License(license_id, version, url, "embedded")


@pytest.mark.parametrize("text", ["", "Photo by Jane Doe", "Copyright 2020 ACME", "https://example.org/license", "accident"])
def test_parse_evidence_nothing(text: str) -> None:
    assert parse.parse_evidence(text, "embedded") is None


# ------------------------------------------------------------------------------------------
# Policy parsing
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "requirements", "ids", "canonical"),
    [
        ("any", set(), set(), "any"),
        (" ANY ", set(), set(), "any"),
        ("share", {"share"}, set(), "share"),
        ("commercial", {"commercial"}, set(), "commercial"),
        ("modify", {"modify"}, set(), "modify"),
        ("commercial,modify", {"commercial", "modify"}, set(), "commercial,modify"),
        ("modify , Commercial", {"commercial", "modify"}, set(), "commercial,modify"),
        ("modify commercial", {"commercial", "modify"}, set(), "commercial,modify"),
        ("share,share", {"share"}, set(), "share"),
        ("cc0,pdm,cc-by", set(), {"cc0", "pdm", "cc-by"}, "cc0,pdm,cc-by"),
        ("cc-by, CC0", set(), {"cc0", "cc-by"}, "cc0,cc-by"),
        ("commercial,cc-by-sa,cc-by-nc", {"commercial"}, {"cc-by-sa", "cc-by-nc"}, "commercial,cc-by-sa,cc-by-nc"),
    ],
)
def test_policy_parse(text: str, requirements: set, ids: set, canonical: str) -> None:
    policy = Policy.parse(text)
    assert policy.requirements == frozenset(requirements)
    assert policy.allowed_ids == frozenset(ids)
    assert str(policy) == canonical
    assert Policy.parse(str(policy)) == policy
    assert policy.is_any == (canonical == "any")


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "empty license policy"),
        ("  ,  ", "empty license policy"),
        ("comercial", "unknown license policy word 'comercial' in -a license=comercial; use any, share, commercial, modify or license ids such as cc0,pdm,cc-by"),
        ("share,cc-by-4.0", "unknown license policy word 'cc-by-4.0'"),
        ("any,share", "'any' cannot be combined"),
        ("cc0,any", "'any' cannot be combined"),
    ],
)
def test_policy_parse_errors(text: str, fragment: str) -> None:
    with pytest.raises(PolicyError) as info:
        Policy.parse(text)
    message = str(info.value)
    assert fragment in message
    assert "\n" not in message
    assert isinstance(info.value, ValueError)


# ------------------------------------------------------------------------------------------
# Policy.check: the whole matrix of policies x license ids
# ------------------------------------------------------------------------------------------

OK = None
NS, NC, ND, NL = "license_not_shareable", "license_noncommercial", "license_no_derivatives", "license_not_in_list"
UN = "license_unnamed"

# license id -> expected reason for policies: share, commercial, modify, commercial+modify, "cc0,pdm,cc-by", "share,cc-by-sa"
CHECK_MATRIX = {
    "cc0": (OK, OK, OK, OK, OK, NL),
    "pdm": (OK, OK, OK, OK, OK, NL),
    "cc-by": (OK, OK, OK, OK, OK, NL),
    "cc-by-sa": (OK, OK, OK, OK, NL, OK),
    "cc-by-nd": (OK, OK, ND, ND, NL, NL),
    "cc-by-nc": (OK, NC, OK, NC, NL, NL),
    "cc-by-nc-sa": (OK, NC, OK, NC, NL, NL),
    "cc-by-nc-nd": (OK, NC, ND, NC, NL, NL),
    "no-known-restrictions": (OK, OK, OK, OK, NL, NL),
    "us-gov": (OK, OK, OK, OK, NL, NL),
    "all-rights-reserved": (NS, NC, ND, NC, NL, NL),
    # An engine's bare "Creative Commons" claim names no license: it fails every requirement.
    "cc-unspecified": (UN, UN, UN, UN, UN, UN),
    "unknown": (UN, UN, UN, UN, UN, UN),
}
CHECK_POLICIES = ("share", "commercial", "modify", "commercial,modify", "cc0,pdm,cc-by", "share,cc-by-sa")


def test_check_matrix_covers_every_id() -> None:
    assert list(CHECK_MATRIX) == list(model.LICENSE_IDS)


@pytest.mark.parametrize(
    ("license_id", "policy_text", "reason"),
    [(lid, pol, reasons[i]) for lid, reasons in CHECK_MATRIX.items() for i, pol in enumerate(CHECK_POLICIES)],
)
def test_policy_check(license_id: str, policy_text: str, reason: str | None) -> None:
    assert Policy.parse(policy_text).check(License(license_id, source="api")) == reason


@pytest.mark.parametrize("license_id", model.LICENSE_IDS)
def test_policy_any_keeps_everything(license_id: str) -> None:
    assert Policy.parse("any").check(License(license_id)) is None


@pytest.mark.parametrize(
    ("filter_name", "policy_text", "reason"),
    [
        # an engine filter's claim names no license (issue 14): it keeps nothing under a
        # requirement or an id list, whatever permissions it asserted; only Bing's public-domain
        # filter names one
        ("licenseType-Any", "share", UN),
        ("licenseType-Any", "commercial", UN),
        ("license-L2_L3_L4", "commercial", UN),
        ("license-L2_L3_L5_L6", "modify", UN),
        ("license-L2_L3", "commercial,modify", UN),
        ("license-L2_L3", "cc-by,cc-by-sa", UN),
        ("license-L1", "cc0,pdm", OK),
        ("license-L1", "share", OK),
        ("il:cl", "share", UN),
        ("il:cl", "modify", UN),
        ("il:ol", "share", UN),
    ],
)
def test_policy_check_engine_claims(filter_name: str, policy_text: str, reason: str | None) -> None:
    assert Policy.parse(policy_text).check(engine_claim(filter_name)) == reason


def test_policy_unknown_listed_explicitly() -> None:
    assert Policy.parse("unknown").check(model.unknown()) is None
    assert Policy.parse("unknown,share").check(model.unknown()) == UN
    assert Policy.parse("cc-unspecified").check(engine_claim("licenseType-Any")) is None


@pytest.mark.parametrize("license_id", model.LICENSE_IDS)
def test_check_named_defers_only_unnamed_licenses(license_id: str) -> None:
    """Before download an unnamed license passes (the file may name it); a named one is judged."""
    policy = Policy.parse("commercial,modify")
    lic = License(license_id, source="api")
    expected = None if license_id in ("cc-unspecified", "unknown") else policy.check(lic)
    assert policy.check_named(lic) == expected


# ------------------------------------------------------------------------------------------
# Engine-side filters from a policy
# ------------------------------------------------------------------------------------------

ENGINE_FILTER_CASES = [
    # policy, bing qft code, google tbs, flickr ids (built-in table)
    ("any", None, None, None),
    ("share", "licenseType-Any", "il:cl", ["1", "2", "3", "4", "5", "6", "7", "8", "9", "10"]),
    ("commercial", "license-L2_L3_L4", "il:cl", ["4", "5", "6", "7", "8", "9", "10"]),
    ("modify", "license-L2_L3_L5_L6", "il:cl", ["1", "2", "4", "5", "7", "8", "9", "10"]),
    ("commercial,modify", "license-L2_L3", "il:cl", ["4", "5", "7", "8", "9", "10"]),
    ("share,commercial,modify", "license-L2_L3", "il:cl", ["4", "5", "7", "8", "9", "10"]),
    ("cc0,pdm", "license-L1", "il:cl", ["9", "10"]),
    ("cc0", "license-L1", "il:cl", ["9"]),
    ("cc0,pdm,cc-by", "license-L2_L3", "il:cl", ["4", "9", "10"]),
    ("cc-by,cc-by-nc", "license-L2_L3_L5_L6", "il:cl", ["2", "4"]),
    ("cc-by-nd,cc-by-nc-nd", "licenseType-Any", "il:cl", ["3", "6"]),
    ("cc-by,all-rights-reserved", None, None, ["0", "4"]),
    ("cc-unspecified", "licenseType-Any", "il:cl", []),
]


@pytest.mark.parametrize(("policy_text", "bing_code", "google_code", "flickr_ids"), ENGINE_FILTER_CASES)
def test_engine_filters_from_policy(
    policy_text: str, bing_code: str | None, google_code: str | None, flickr_ids: list[str] | None
) -> None:
    policy = Policy.parse(policy_text)
    assert bing.license_filter(policy) == bing_code
    assert google.license_filter(policy) == google_code
    assert flickr.license_ids_for(policy) == flickr_ids


@pytest.mark.parametrize("policy_text", ["share", "commercial", "modify", "commercial,modify", "share,modify"])
def test_engine_filter_results_pass_the_policy(policy_text: str) -> None:
    """What Bing returns under the filter derived from a requirement policy asserts every
    permission the policy needs; it is still not kept on that claim alone (it names no
    license), and passes the check made before download, so its page and file can name one."""
    policy = Policy.parse(policy_text)
    code = bing.license_filter(policy)
    assert code is not None
    claim = engine_claim(code)
    assert all(getattr(claim.permissions, requirement) is True for requirement in policy.requirements)
    assert policy.check(claim) == "license_unnamed"
    assert policy.check_named(claim) is None


def test_flickr_ids_from_runtime_table() -> None:
    table = flickr.license_table_from_getinfo(GETINFO_PAYLOAD)
    assert flickr.license_ids_for(Policy.parse("commercial,modify"), table) == ["4", "5", "7", "8", "9", "10", "11"]
    assert flickr.license_ids_for(Policy.parse("cc-by"), table) == ["4", "11"]
    assert flickr.license_ids_for(Policy.parse("any"), table) is None
