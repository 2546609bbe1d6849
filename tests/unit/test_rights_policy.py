"""The policy (imagespider/rights/policy.py): parsing -a license=, checking licenses and engine claims, and
the engine filters a policy asks for."""

from __future__ import annotations

from pathlib import Path

import pytest

from imagespider.engines import bing, flickrlicense, google
from imagespider.rights import model
from imagespider.rights.model import License
from imagespider.rights.policy import Policy, PolicyError

FIXTURES = Path(__file__).parents[1] / "fixtures"
T, F, N = True, False, None


def engine_claim(code: str) -> License:
    """The claim of a Bing (``license-*``) or Google (``il:*``) usage-rights filter code."""
    return google.license_claim(code) if code.startswith("il:") else bing.license_claim(code)


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
    # A stock site's license allows commercial use and changes but no redistribution: never `share`.
    "unsplash": (NS, OK, OK, OK, NL, NL),
    "pexels": (NS, OK, OK, OK, NL, NL),
    "pixabay": (NS, OK, OK, OK, NL, NL),
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
    assert flickrlicense.license_ids_for(policy) == flickr_ids


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
