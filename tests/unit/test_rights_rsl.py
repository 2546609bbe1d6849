"""imagespider/rights/rsl.py: real RSL 1.0 documents (tests/fixtures/rsl/, tests/fixtures/README.md)
read for training: prohibited, license required, or nothing; hostile XML refused."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from imagespider.rights.rsl import RslVerdict, parse_rsl, rsl_links

RSL = Path(__file__).parents[1] / "fixtures" / "rsl"


def read(name: str, url: str = "https://site.example/license.xml"):  # noqa: ANN201
    document = parse_rsl((RSL / name).read_bytes(), url)
    assert document is not None
    return document


def test_real_documents() -> None:
    prohibited = read("commonmeasure.ai__license.xml").verdict_for("https://site.example/docs/a.png")
    assert prohibited == RslVerdict("rsl_prohibited", '<content url="/"> prohibits usage ai-train')
    # The RSL Collective's royalty licence, named by rslstandard.org's robots.txt from another
    # host: its relative url covers the naming site.
    royalty = read("rslcollective.org__royalty.xml", "https://rslcollective.org/royalty.xml")
    assert royalty.verdict_for("https://rslstandard.org/a.jpg") == RslVerdict(
        "rsl_license_required", '<content url="/"> requires a license from https://api.rslcollective.org'
    )
    # Stack Overflow's names CC BY-SA terms only: nothing reserved here.
    assert read("stackoverflow.com__license.xml").verdict_for("https://stackoverflow.com/q/1") is None


@pytest.mark.parametrize(
    ("xml", "url", "expected"),
    [
        ('<content url="/a/"><license><prohibits type="usage">ai-all</prohibits></license></content>',
         "/a/x.jpg", ("rsl_prohibited", "prohibits usage ai-all")),
        ('<content url="/a/"><license><prohibits type="usage">ai-input</prohibits></license></content>',
         "/a/x.jpg", None),
        ('<content url="/a/"><license><permits type="usage">search ai-input</permits></license></content>',
         "/a/x.jpg", ("rsl_prohibited", "permits only usage ai-input search")),
        ('<content url="/a/"><license><permits>search</permits><payment type="free"/></license>'
         '<license><permits type="usage">ai-train</permits><payment type="training"/></license></content>',
         "/a/x.jpg", ("rsl_license_required", "asks for payment training")),
        ('<content url="/a/"><license><permits type="user">non-commercial</permits><payment type="attribution"/>'
         "</license></content>", "/a/x.jpg", None),
        ('<content url="/a/" encrypted="true"><license/></content>', "/a/x.jpg",
         ("rsl_license_required", "is encrypted")),
        ('<content url="/a/*.jpg$" server="https://s.example"/>', "/a/b/x.jpg", ("rsl_license_required", "s.example")),
        ('<content url="/a/*.jpg$" server="https://s.example"/>', "/a/x.png", None),
        ('<content url="https://other.example/" server="https://s.example"/>', "/a/x.jpg", None),
        ('<content url="https://site.example/a/"><license><prohibits>ai-train</prohibits></license></content>',
         "/a/x.jpg", ("rsl_prohibited", "ai-train")),
        ('<content url="/"><license><payment/></license></content><content url="/a/"><license>'
         '<prohibits type="usage">all</prohibits></license></content>', "/a/x.jpg", ("rsl_prohibited", "all")),
    ],
)
def test_rules(xml: str, url: str, expected: tuple[str, str] | None) -> None:
    document = parse_rsl(f'<rsl xmlns="https://rslstandard.org/rsl">{xml}</rsl>', "https://site.example/l.xml")
    assert document is not None
    found = document.verdict_for("https://site.example" + url)
    if expected is None:
        assert found is None
    else:
        assert found is not None and found.reason == expected[0] and expected[1] in found.rule


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"<html><body>not found</body></html>",
        b"not xml at all",
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><rsl>&b;</rsl>',
        b'<!DOCTYPE rsl SYSTEM "http://169.254.169.254/latest/meta-data/"><rsl/>',
    ],
    ids=["empty", "html", "text", "billion-laughs", "external-dtd"],
)
def test_not_rsl_or_hostile_is_nothing(body: bytes) -> None:
    assert parse_rsl(body, "https://site.example/l.xml") is None


def test_deep_and_wide_documents_stay_bounded() -> None:
    deep = b'<rsl xmlns="https://rslstandard.org/rsl">' + b"<x>" * 100_000 + b"</x>" * 100_000 + b"</rsl>"
    started = time.monotonic()
    assert parse_rsl(deep, "https://site.example/l.xml") is not None
    wide = b"<rsl>" + b'<content url="/a/" server="s"/>' * 20_000 + b"</rsl>"
    document = parse_rsl(wide, "https://site.example/l.xml")
    assert document is not None and len(document.contents) == 1000
    assert time.monotonic() - started < 5


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        # park.fan's header and a public build check's template (tests/fixtures/README.md).
        (['<https://park.fan/license.xml>; rel="license"; type="application/rsl+xml"'], ("https://park.fan/license.xml",)),
        (['</license.xml>; rel="license"; type="application/rsl+xml"'], ("/license.xml",)),
        (['<https://a.example/deed>; rel="license", </l.xml>; type="application/rsl+xml"; rel="license"'], ("/l.xml",)),
        (['<https://creativecommons.org/licenses/by/4.0/>; rel="license"'], ()),
        (['</next>; rel="next"', '</rsl.xml>; rel="alternate"; type="application/rsl+xml"'], ()),
        (["<" * 100_000], ()),
    ],
)
def test_link_headers(values: list[str], expected: tuple[str, ...]) -> None:
    assert rsl_links(values) == expected
