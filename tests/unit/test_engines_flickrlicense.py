"""Flickr's license ids (imagespider/engines/flickrlicense.py): the built-in table, the table
licenses.getInfo gives at run time, and the policy as Flickr's ``license=`` filter.
(Moved from tests/unit/test_engines_flickr.py with the code it tests.)"""

from __future__ import annotations

import pytest

from imagespider.engines import flickrlicense
from imagespider.rights.model import License
from imagespider.rights.policy import Policy

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
    assert flickrlicense.LICENSES[flickr_id] == (license_id, version)
    assert flickrlicense.license_of(flickr_id) == License(license_id, version, url, "api")


@pytest.mark.parametrize("flickr_id", ["11", "99", "", "abc"])
def test_from_flickr_unknown_id(flickr_id: str) -> None:
    assert flickrlicense.license_of(flickr_id) == License("unknown", source="api")


def test_from_flickr_accepts_int() -> None:
    assert flickrlicense.license_of(4).id == "cc-by"  # type: ignore[arg-type]


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
    table = flickrlicense.license_table_from_getinfo(GETINFO_PAYLOAD)
    assert sorted(table, key=int) == [str(i) for i in range(12)]
    for flickr_id, license_id, version, url in FLICKR_BUILTIN:
        lic = table[flickr_id]
        assert (lic.id, lic.version, lic.source) == (license_id, version, "api")
        if url:
            assert lic.url == url
    assert table["7"].url == "https://www.flickr.com/commons/usage/"
    assert table["11"] == License("cc-by", "4.0", "https://creativecommons.org/licenses/by/4.0/", "api")
    # the run-time table is preferred, and knows ids the built-in one does not
    assert flickrlicense.license_of("11", table).id == "cc-by"
    assert flickrlicense.license_of(11, table).version == "4.0"  # type: ignore[arg-type]


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
    table = flickrlicense.license_table_from_getinfo({"licenses": {"license": [{"id": 42, "name": name, "url": ""}]}, "stat": "ok"})
    assert (table["42"].id, table["42"].version, table["42"].source) == (license_id, version, "api")


def test_flickr_getinfo_empty_payloads() -> None:
    assert flickrlicense.license_table_from_getinfo({}) == {}
    assert flickrlicense.license_table_from_getinfo({"stat": "fail", "code": 100, "message": "Invalid API Key"}) == {}


def test_flickr_ids_from_runtime_table() -> None:
    table = flickrlicense.license_table_from_getinfo(GETINFO_PAYLOAD)
    assert flickrlicense.license_ids_for(Policy.parse("commercial,modify"), table) == ["4", "5", "7", "8", "9", "10", "11"]
    assert flickrlicense.license_ids_for(Policy.parse("cc-by"), table) == ["4", "11"]
    assert flickrlicense.license_ids_for(Policy.parse("any"), table) is None


def test_license_ids_that_isdigit_but_not_int_still_sort() -> None:
    table = {"²": flickrlicense.license_of("4"), "4": flickrlicense.license_of("4"), "10": flickrlicense.license_of("10")}
    assert flickrlicense.license_ids_for(Policy.parse("share"), table) == ["4", "10", "²"]
