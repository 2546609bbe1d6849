"""imagespider/rights/evidence.py: the order a downloaded image's evidence is weighed in. An
opt-out (header, then file) wins over any license; the file's machine-readable license overrules
the engine's claim; free text in the file overrules only weak claims; AI generation is a recorded
fact, not an opt-out."""

from __future__ import annotations

import pytest

from imagespider.rights.embedded import EmbeddedRights
from imagespider.rights.evidence import Verdict, ai_generated, weigh
from imagespider.rights.headers import read_headers
from imagespider.rights.model import cc_license, unknown

NO_HEADERS = read_headers({})
API_BY_SA = cc_license("cc-by-sa", "2.0", "api")
ALL_RIGHTS = EmbeddedRights(copyright="© 2021 Bo Shooter. All rights reserved.")


def test_nothing_in_the_file_keeps_the_engines_license() -> None:
    verdict = weigh(API_BY_SA, EmbeddedRights(), NO_HEADERS)
    assert verdict == Verdict(API_BY_SA)
    assert verdict.ai_dict() == {"ai_generated": None}


def test_the_files_machine_readable_license_overrules_the_engine() -> None:
    embedded = EmbeddedRights(license_url="https://creativecommons.org/licenses/by-nc/4.0/")
    verdict = weigh(API_BY_SA, embedded, NO_HEADERS)
    assert (verdict.license.id, verdict.license.version, verdict.license.source) == ("cc-by-nc", "4.0", "embedded")
    # A Creative Commons WebStatement counts the same when there is no cc:license.
    web = weigh(unknown(), EmbeddedRights(web_statement="https://creativecommons.org/licenses/by/3.0/"), NO_HEADERS)
    assert (web.license.id, web.license.source) == ("cc-by", "embedded")


def test_free_text_in_the_file_overrules_only_a_weak_claim() -> None:
    # A camera's "All rights reserved" does not undo a license the author chose on the API...
    assert weigh(API_BY_SA, ALL_RIGHTS, NO_HEADERS).license == API_BY_SA
    # ...but it is the best word there is when the engine said nothing, or only filtered.
    for declared in (unknown(), unknown("engine-filter")):
        found = weigh(declared, ALL_RIGHTS, NO_HEADERS).license
        assert (found.id, found.source) == ("all-rights-reserved", "embedded")


@pytest.mark.parametrize(
    ("headers", "embedded", "reason", "detail"),
    [
        ({"X-Robots-Tag": "noai"}, EmbeddedRights(), "noai", "X-Robots-Tag: noai"),
        ({"tdm-reservation": "1", "tdm-policy": "https://p.example/policy.json"}, EmbeddedRights(),
         "tdm_reservation", "tdm-reservation: 1 (policy https://p.example/policy.json)"),
        ({}, EmbeddedRights(data_mining="http://ns.useplus.org/ldf/vocab/DMI-PROHIBITED", malformed=("xmp",)),
         "data_mining_prohibited",
         "IPTC PLUS Data Mining: http://ns.useplus.org/ldf/vocab/DMI-PROHIBITED "
         "(in an XMP packet refused as unsafe or malformed)"),
    ],
    ids=["noai", "tdm", "plus-data-mining"],
)
def test_an_opt_out_wins_and_says_where_it_was_read(headers: dict, embedded: EmbeddedRights, reason: str,
                                                     detail: str) -> None:
    verdict = weigh(cc_license("cc0", "1.0", "api"), embedded, read_headers(headers))
    assert (verdict.opt_out, verdict.detail) == (reason, detail)
    assert verdict.license.id == "cc0"  # still recorded, for the rejected row


def test_the_header_opt_out_is_named_before_the_files() -> None:
    embedded = EmbeddedRights(data_mining="DMI-PROHIBITED-AIMLTRAINING")
    assert weigh(unknown(), embedded, read_headers({"X-Robots-Tag": "noimageai"})).opt_out == "noai"


@pytest.mark.parametrize(
    ("value", "generated"),
    [
        ("http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia", True),
        ("compositeWithTrainedAlgorithmicMedia", True),
        ("http://cv.iptc.org/newscodes/digitalsourcetype/digitalCapture/", False),
    ],
)
def test_ai_generated_from_the_digital_source_type(value: str, generated: bool) -> None:
    assert ai_generated(EmbeddedRights(digital_source_type=value)) == (
        generated, (f"XMP Iptc4xmpExt:DigitalSourceType: {value}",)
    )
    verdict = weigh(unknown(), EmbeddedRights(digital_source_type=value), NO_HEADERS)
    assert verdict.opt_out is None and verdict.ai_generated is generated
    assert verdict.ai_dict()["ai_evidence"] == [f"XMP Iptc4xmpExt:DigitalSourceType: {value}"]


def test_a_content_usage_header_reserving_training_is_an_opt_out() -> None:
    verdict = weigh(unknown(), EmbeddedRights(), read_headers({"Content-Usage": ["train-ai=n, search=y"]}))
    assert (verdict.opt_out, verdict.detail) == (
        "content_usage", "Content-Usage: train-ai=n, search=y (train-ai=n reserves AI training)"
    )
    assert weigh(unknown(), EmbeddedRights(), read_headers({"Content-Usage": ["train-ai=y"]})).opt_out is None
