"""Issue 15's "Done when", end to end: a site's tdmrep.json reserving a path, a robots.txt barring
GPTBot, AI-generated images (a real C2PA sample, IPTC DigitalSourceType in XMP), a C2PA
training-mining opt-out and a DataMining prohibition inside an XMP packet the safe parser refuses.
Each is dropped with its reason, recorded in rejected.jsonl and counted in stats."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import tests.mockserver.optouts  # noqa: F401  (registers the search route)
from tests.crawl.conftest import FAST_SCROLL, Crawl, CrawlResult
from tests.mockserver.optouts import DST, EXPECTED, KINDS, TDM_POLICY, SiteServer, kind_of, site_serving


@pytest.fixture(scope="module")
def site() -> Iterator[SiteServer]:
    with site_serving() as server:
        yield server


def crawl_optouts(
    crawl: Crawl, site: SiteServer, **settings: object
) -> tuple[dict[str, dict], dict[str, dict], CrawlResult]:
    """Bing's results pointing at ``site``: (kept rows, rejected rows, the crawl), by kind."""
    result = crawl(
        "bing", "-a", "q=optouts", "-a", "limit=50", "-a", "license=any",
        endpoint=f"/optouts/{site.port}/images/search", settings={**FAST_SCROLL, **settings},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    kept = {kind_of(row["image_url"]): row for row in result.rows}
    rejected = {kind_of(row["url"]): row for row in result.rejected}
    assert set(kept) | set(rejected) == set(KINDS)
    return kept, rejected, result


@pytest.fixture(scope="module")
def default_crawl(crawl: Crawl, site: SiteServer):
    before = len(site.requests)
    kept, rejected, result = crawl_optouts(crawl, site)
    return kept, rejected, result, site.requests[before:]


def test_every_reservation_drops_with_its_reason(default_crawl) -> None:
    kept, rejected, result, _ = default_crawl
    outcome = {kind: "kept" for kind in kept} | {kind: row["reason"] for kind, row in rejected.items()}
    assert outcome == EXPECTED
    for reason in set(EXPECTED.values()) - {"kept"}:
        count = sum(1 for r in EXPECTED.values() if r == reason)
        assert f"'imagespider/dropped/{reason}': {count}" in result.stderr


def test_the_details_name_the_rule(default_crawl) -> None:
    _, rejected, _, _ = default_crawl
    assert '"location": "/tdm/"' in rejected["tdm-image"]["detail"]
    assert TDM_POLICY in rejected["tdm-image"]["detail"]
    assert "source page" in rejected["tdm-page"]["detail"]
    assert "GPTBot" in rejected["gptbot-image"]["detail"]
    assert "GPTBot" in rejected["gptbot-page"]["detail"]
    assert "trainedAlgorithmicMedia" in rejected["c2pa-ai"]["detail"]
    assert "cawg.ai_generative_training" in rejected["c2pa-training"]["detail"]
    assert "DMI-PROHIBITED-AIMLTRAINING" in rejected["doctype-data-mining"]["detail"]
    assert "refused" in rejected["doctype-data-mining"]["detail"]


def test_nothing_reserved_was_downloaded_and_site_files_were_read_once(default_crawl) -> None:
    _, _, _, requests = default_crawl
    assert requests.count("/.well-known/tdmrep.json") == 1
    # One host serves pages and images: the license pipeline and the downloader middleware share
    # one robots.txt cache (sitesignals/robots.py), so it is asked once.
    assert requests.count("/robots.txt") == 1
    assert requests.index("/.well-known/tdmrep.json") < min(requests.index(KINDS[k][0]) for k in ("plain", "tdm-free"))
    for kind in ("tdm-image", "tdm-page", "gptbot-image", "gptbot-page"):
        assert KINDS[kind][0] not in requests, kind


def test_kept_rows_say_whether_ai_made_them(default_crawl) -> None:
    kept, _, _, _ = default_crawl
    assert kept["plain"]["rights"]["ai_generated"] is None
    capture = kept["xmp-capture"]["rights"]
    assert capture["ai_generated"] is False
    assert capture["ai_evidence"] == [f"XMP Iptc4xmpExt:DigitalSourceType: {DST}digitalCapture"]


def test_settings_turn_the_ai_rules_off(crawl: Crawl, site: SiteServer) -> None:
    """EXCLUDE_AI_GENERATED=False keeps generated images (flagged), an empty ROBOTSTXT_AI_AGENTS
    turns the AI-agent rule off, and a tdmrep.json over TDMREP_MAXSIZE reserves nothing."""
    kept, rejected, _ = crawl_optouts(crawl, site, EXCLUDE_AI_GENERATED=False, ROBOTSTXT_AI_AGENTS="", TDMREP_MAXSIZE=20)
    assert {"c2pa-ai", "xmp-ai", "gptbot-image", "gptbot-page", "tdm-image", "tdm-page"} <= set(kept)
    ai = kept["c2pa-ai"]["rights"]
    assert ai["ai_generated"] is True
    assert ai["c2pa"]["generator"] == "Microsoft Responsible AI Image Provenance 1.0"
    assert ai["ai_evidence"] == [f"C2PA c2pa.created: {DST}trainedAlgorithmicMedia"]
    # The file's own opt-outs stay.
    assert rejected["c2pa-training"]["reason"] == "c2pa_training_not_allowed"
    assert rejected["doctype-data-mining"]["reason"] == "data_mining_prohibited"
