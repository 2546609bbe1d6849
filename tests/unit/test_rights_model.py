"""The license model (imagespider/rights/model.py): ids, permissions, labels, the manifest fields."""

from __future__ import annotations

from pathlib import Path

import pytest

from imagespider.engines import bing, google
from imagespider.rights import model, parse
from imagespider.rights.model import License, Permissions

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
    # Stock sites' own licenses: use, commercial use and changes, no credit needed, no redistribution.
    ("unsplash", (F, T, T, F, F)),
    ("pexels", (F, T, T, F, F)),
    ("pixabay", (F, T, T, F, F)),
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
        (License("cc-by"), "CC BY (version not stated)"),
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




@pytest.mark.parametrize(
    ("version", "url", "label"),
    [
        (["2.0"], None, "CC BY (version not stated)"),
        ({"v": 1}, 5, "CC BY (version not stated)"),
        (True, ["https://x"], "CC BY (version not stated)"),
        (2.0, {"a": 1}, "CC BY 2.0"),
        ("2.0", "https://creativecommons.org/licenses/by/2.0/fr/", "CC BY 2.0 FR"),
    ],
)
def test_a_hand_edited_rows_version_or_url_of_another_type_is_read_not_a_traceback(
    version: object, url: object, label: str
) -> None:
    """License.label concatenated the version and matched the URL as text: a list or number there
    (a hand-edited sidecar or manifest line) raised TypeError in the index, and publish died."""
    lic = License.from_dict({"license": "cc-by", "license_version": version, "license_url": url})
    assert lic.label == label
