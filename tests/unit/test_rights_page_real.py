"""imagespider.rights.page on 54 real saved pages (tests/fixtures/pages/real/, SOURCES.md), each a
case of its own: the principal image's license (and version where the truth gives one) and the
page's opt-out are those judged by reading the page (truth.json). The pages are read unmodified.

Pages the reader still misses are marked xfail (strict: a page that starts passing must lose its
mark); none of them may ever get a license more permissive than the truth, which the last test
asserts on every page."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from benchmarks.pagerights import judge, truth_id, version_matches
from imagespider.rights.page import PageEvidence, read_page

REAL = Path(__file__).parent.parent / "fixtures" / "pages" / "real"
TRUTHS: list[dict[str, Any]] = json.loads((REAL / "truth.json").read_text(encoding="utf-8"))

#: Pages the reader does not read right yet, and why (each answers nothing, never a wrong license).
MISSED = {
    "01": "500px states the photo's license only as a numeric license_type in its script data",
    "02": "Flickr states the license only as a numeric code in its modelExport script data",
}


def read(truth: dict[str, Any]) -> PageEvidence:
    html = (REAL / truth["file"]).read_bytes().decode("utf-8", "replace")
    return read_page(html, truth["page_url"], truth["image_url"])


def case(truth: dict[str, Any]) -> Any:
    marks = [pytest.mark.xfail(strict=True, reason=MISSED[truth["nn"]])] if truth["nn"] in MISSED else []
    return pytest.param(truth, id=f"{truth['nn']}-{truth['site']}", marks=marks)


@pytest.mark.parametrize("truth", [case(t) for t in TRUTHS])
def test_the_principal_images_rights_are_the_truth(truth: dict[str, Any]) -> None:
    found = read(truth)
    want = truth_id(truth)
    assert (found.license.id if found.license else None) == want, found.to_dict()
    if found.license is not None:
        assert version_matches(truth, found.license), found.license
        assert found.license.source == "page"
    assert bool(found.opt_out) == bool(truth["opt_out"])


@pytest.mark.parametrize("truth", [pytest.param(t, id=f"{t['nn']}-{t['site']}") for t in TRUTHS])
def test_no_page_gets_a_license_more_permissive_than_its_truth(truth: dict[str, Any]) -> None:
    assert judge(truth, read(truth)) != "wrong-permissive"


def test_the_opt_outs_name_the_tdm_reservation_and_its_policy() -> None:
    liberation = read(next(t for t in TRUTHS if t["nn"] == "32"))
    assert liberation.opt_out is not None and liberation.opt_out[0] == "tdm_reservation"
    assert liberation.tdm_policy == "https://www.liberation.fr/.well-known/tdmrep.json"


def test_credits_name_the_holder_as_author() -> None:
    times = read(next(t for t in TRUTHS if t["nn"] == "35"))
    assert times.author is not None and "AP Photo/Ted S. Warren" in times.author
    unsplash = read(next(t for t in TRUTHS if t["nn"] == "30"))
    assert unsplash.license is not None and unsplash.license.url == "https://unsplash.com/license"
    assert unsplash.author is not None and "Priscilla Du Preez" in unsplash.author
