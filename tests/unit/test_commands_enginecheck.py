"""imagespider/commands/enginecheck.py in-process: each engine's line in the report (its state, the
share of results carrying each field, the detail). Checking engines against the mocks end to end is
tests/crawl/test_enginecheck.py."""

from __future__ import annotations

from imagespider.commands.enginecheck import EngineCheck


def test_a_working_engine_shows_its_results_and_field_shares() -> None:
    check = EngineCheck("bing", "ok", parsed=35, fields={"page_url": 1.0, "title": 0.5})
    assert check.ok
    assert check.line() == "bing       ok           35 results parsed; page_url 100%, title 50%"


def test_a_failing_engine_is_shouted_with_its_detail_and_skipped_is_fine() -> None:
    refused = EngineCheck("google", "refused", detail="'unusual traffic' CAPTCHA page")
    assert not refused.ok
    assert refused.line() == "google     REFUSED      'unusual traffic' CAPTCHA page"
    missing = EngineCheck("flickr", "fields missing", parsed=4, fields={"license": 0.0})
    assert not missing.ok and missing.line().startswith("flickr     FIELDS MISSING 4 results parsed; license 0%")
    assert EngineCheck("openverse", "skipped", detail="no key").ok
