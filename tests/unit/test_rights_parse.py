"""License evidence read from URLs, SPDX ids and free text (imagespider/rights/parse.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from imagespider.engines import bing, google
from imagespider.rights import parse
from imagespider.rights.model import License

FIXTURES = Path(__file__).parents[1] / "fixtures"
T, F, N = True, False, None


def engine_claim(code: str) -> License:
    """The claim of a Bing (``license-*``) or Google (``il:*``) usage-rights filter code."""
    return google.license_claim(code) if code.startswith("il:") else bing.license_claim(code)


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
    ("Licensed cc-by-sa", "cc-by-sa", None, "https://creativecommons.org/licenses/by-sa/"),
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


