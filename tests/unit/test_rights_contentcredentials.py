"""C2PA Content Credentials: real manifest stores (c2pa-python's ``Reader.json()`` of the real
samples described in tests/fixtures/README.md, saved in tests/fixtures/c2pa/manifests/) interpreted, two
real signed files read end to end with the SDK, and the AI-generated verdict built on them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from imagespider.pipelines.imagecheck import inspect_image
from imagespider.rights.contentcredentials import C2paFacts, facts_from_store, read_c2pa
from imagespider.rights.embedded import EmbeddedRights
from imagespider.rights.evidence import ai_generated, weigh
from imagespider.rights.headers import read_headers
from imagespider.rights.model import unknown

C2PA = Path(__file__).parents[1] / "fixtures" / "c2pa"
DST = "http://cv.iptc.org/newscodes/digitalsourcetype/"
ADOBE_TM = ("cawg.ai_inference", "cawg.ai_generative_training", "c2pa.ai_inference", "c2pa.ai_generative_training")

#: sample prefix -> (digitalSourceType statements, notAllowed entries, ai_generated), as
#: tests/fixtures/README.md, C2PA section describes each file.
EXPECTED: dict[str, tuple[tuple[str, ...], tuple[str, ...], bool | None]] = {
    "1a": ((), ADOBE_TM, None),
    "1b": ((f"c2pa.created: {DST}algorithmicMedia",), ADOBE_TM, True),  # in the ingredient's manifest
    "1e": ((f"c2pa.created: {DST}digitalCapture",), ("cawg.ai_inference", "cawg.ai_generative_training"), False),
    "1f": ((), (), None),  # training-mining present, but "allowed"
    "2a": ((f"c2pa.created: {DST}trainedAlgorithmicMedia",), (), True),
    "2b": ((f"c2pa.created: {DST}trainedAlgorithmicMedia",), (), True),
    "2c": (
        (f"c2pa.opened: {DST}compositeWithTrainedAlgorithmicMedia", f"c2pa.edited: {DST}compositeWithTrainedAlgorithmicMedia",
         f"c2pa.created: {DST}trainedAlgorithmicMedia"),
        (), True,
    ),
    "2d": ((f"c2pa.created: {DST}trainedAlgorithmicMedia",), (), True),  # only in the ingredient (DALL-E)
    "2e": ((f"c2pa.created: {DST}trainedAlgorithmicMedia",), (), True),
    "2f": ((f"c2pa.created: {DST}algorithmicMedia",), (), True),
    "3a": ((), (), None),
    "3b": ((), (), None),
    "4a": ((f"c2pa.opened: {DST}trainedAlgorithmicMedia",), (), True),  # as com.adobe.digitalSourceType
}  # fmt: skip


def manifest(prefix: str) -> dict:
    path = next((C2PA / "manifests").glob(f"{prefix}_*.json"))
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("prefix", sorted(EXPECTED))
def test_real_manifest_stores(prefix: str) -> None:
    types, not_allowed, generated = EXPECTED[prefix]
    facts = facts_from_store(manifest(prefix))
    assert (facts.source_types, facts.not_allowed) == (types, not_allowed)
    assert facts.generator
    assert ai_generated(EmbeddedRights(c2pa=facts))[0] is generated


def test_c2pa_training_not_allowed_is_an_opt_out() -> None:
    verdict = weigh(unknown(), EmbeddedRights(c2pa=facts_from_store(manifest("1a"))), read_headers({}))
    assert verdict.opt_out == "c2pa_training_not_allowed"
    assert "c2pa.ai_generative_training" in verdict.detail


def test_training_allowed_is_not_an_opt_out() -> None:
    assert weigh(unknown(), EmbeddedRights(c2pa=facts_from_store(manifest("1f"))), read_headers({})).opt_out is None


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (
            "2b_bing-image-creator_trainedAlgorithmicMedia.jpg",
            C2paFacts("Microsoft Responsible AI Image Provenance 1.0", (f"c2pa.created: {DST}trainedAlgorithmicMedia",)),
        ),
        (
            "1e_cawg-training-mining-only-notAllowed_C_with_CAWG_data.jpg",
            C2paFacts("c2pa cawg test 0.58.0", (f"c2pa.created: {DST}digitalCapture",),
                      ("cawg.ai_inference", "cawg.ai_generative_training")),
        ),
    ],
)
def test_real_files_read_in_the_image_check(name: str, expected: C2paFacts) -> None:
    """The SDK reads the body the check already holds (no second read), offline."""
    facts = inspect_image((C2PA / name).read_bytes(), 1, 1, 10**9)
    assert facts.embedded.c2pa == expected
    assert facts.embedded.to_dict()["c2pa"] == expected.to_dict()


def test_ai_generated_verdict_and_evidence() -> None:
    facts = inspect_image((C2PA / "2b_bing-image-creator_trainedAlgorithmicMedia.jpg").read_bytes(), 1, 1, 10**9)
    verdict = weigh(unknown(), facts.embedded, read_headers({}))
    assert verdict.opt_out is None
    assert verdict.ai_dict() == {
        "ai_generated": True, "ai_evidence": [f"C2PA c2pa.created: {DST}trainedAlgorithmicMedia"],
    }


@pytest.mark.parametrize(
    ("value", "generated"),
    [
        (f"{DST}trainedAlgorithmicMedia", True),
        (f"{DST}compositeSynthetic", True),
        ("compositeWithTrainedAlgorithmicMedia", True),
        (f"{DST}digitalCapture", False),
        (f"{DST}softwareImage", False),
        (None, None),
    ],
)
def test_xmp_digital_source_type(value: str | None, generated: bool | None) -> None:
    assert ai_generated(EmbeddedRights(digital_source_type=value))[0] is generated


@pytest.mark.parametrize(
    "body",
    [b"", b"no manifest here", b"\xff\xd8\xff\xeb\x00\x10c2pa broken jumbf", b"c2pa" * 100],
)
def test_unreadable_c2pa_is_not_an_error(body: bytes) -> None:
    facts = read_c2pa(body, "JPEG")
    assert facts is None or (facts.error and not facts.source_types and not facts.not_allowed)


def test_files_without_c2pa_skip_the_sdk() -> None:
    assert read_c2pa((C2PA.parent / "images" / "exiftool__XMP.jpg").read_bytes(), "JPEG") is None


def test_cawg_constrained_is_not_allowed() -> None:
    """CAWG training-and-data-mining 1.1: "in the absence of additional information, constrained
    shall be treated as equivalent to notAllowed". No real constrained sample exists; this one was
    signed with the SDK by tests/fixtures/c2pa/make_constrained.py."""
    body = (C2PA / "9a_generated-cawg-training-mining-constrained.jpg").read_bytes()
    facts = inspect_image(body, 1, 1, 10**9).embedded.c2pa
    assert facts is not None
    assert facts.not_allowed == ("cawg.ai_generative_training", "cawg.ai_training")
    verdict = weigh(unknown(), EmbeddedRights(c2pa=facts), read_headers({}))
    assert verdict.opt_out == "c2pa_training_not_allowed"
    assert "constrained" in verdict.detail and "cawg.ai_training" in verdict.detail
