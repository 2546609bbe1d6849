"""Source-page evidence end to end (issue 14): `scrapy crawl bing` and `scrapy crawl google` whose
results point at source pages written as real sites write them (tests/mockserver/pages.py).

Under ``share`` only images whose license is named are kept, each with a complete credit; a
page's rel=license, JSON-LD license and per-figure licenses are tied to the right image; a page's
noai or tdm-reservation drops its image under ``any`` too, before the image is requested; each
page is fetched once however many of its images are listed; license-id lists are judged on the
page's evidence, not on the engine's claim."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest

from tests.crawl.conftest import FAST_SCROLL, Crawl, CrawlResult
from tests.mockserver.pages import NEVER_DOWNLOADED, RESULTS, PageResult

BY_IMAGE = {r.image: r for r in RESULTS}
LABELS = {"cc-by": "CC BY", "cc-by-sa": "CC BY-SA", "cc-by-nc-sa": "CC BY-NC-SA", "cc-by-nd": "CC BY-ND", "cc0": "CC0"}


def _result(url: str) -> PageResult:
    return BY_IMAGE[urlsplit(url).path.rsplit("/", 1)[1]]


def crawl_pages(
    crawl: Crawl, engine: str, query: str, policy: str, *extra: str, code: int = 0
) -> tuple[dict[str, dict], dict[str, dict], dict[str, str], CrawlResult]:
    """``engine``'s results pointing at the source pages: (kept, rejected, outcome by result name, the crawl)."""
    result = crawl(
        engine, "-a", f"q={query}", "-a", "limit=50", "-a", f"license={policy}", *extra,
        endpoint="/pages/images/search" if engine == "bing" else "/pages/search", settings=FAST_SCROLL,
    )
    assert result.returncode == code, result.stderr[-3000:]
    assert "Traceback" not in result.stderr
    kept = {_result(row["image_url"]).name: row for row in result.rows}
    rejected = {_result(row["url"]).name: row for row in result.rejected}
    assert not set(kept) & set(rejected)
    assert set(kept) | set(rejected) == {r.name for r in RESULTS}
    outcome = {name: "kept" for name in kept} | {name: row["reason"] for name, row in rejected.items()}
    return kept, rejected, outcome, result


def _requested(requests: list[str], path: str) -> int:
    return sum(1 for request in requests if urlsplit(request).path == path)


def check_kept_rows(kept: dict[str, dict]) -> None:
    """Every kept row carries the license its page names, the evidence for it, and the credit."""
    for name, row in kept.items():
        planned = next(r for r in RESULTS if r.name == name)
        if planned.license is None:
            assert row["license"] == "unknown", row
            continue
        assert row["license"] == planned.license, row
        assert row["license_source"] == "page"
        page = row["rights"]["page"]
        assert page["element"] and page["value"]
        assert page["url"] == row["page_url"] or name == "moved"  # the page after its redirect
        assert page["license"] == planned.license
        if planned.author:
            assert row["author"] == planned.author


def check_attribution(store: Path, kept: dict[str, dict]) -> None:
    """A complete TASL line per kept image: title, author when known, source link, license name
    and its deed link."""
    text = (store / "ATTRIBUTION.md").read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if line.startswith("- ")]
    assert len(lines) == len(kept)
    for row in kept.values():
        line = next(line for line in lines if row["file_name"] in line)
        assert line.startswith(f'- "{row["title"]}"')
        assert f"]({row['page_url']})" in line
        assert re.search(r"(licensed under|marked) \[CC[^\]]*\]\(https://creativecommons\.org/[^)]+\)", line), line
        assert LABELS[row["license"]] in line
        if row["author"]:
            assert f" by {row['author']}" in line


@pytest.fixture(scope="module")
def bing_share(crawl: Crawl):
    kept, rejected, outcome, result = crawl_pages(crawl, "bing", "bing share", "share")
    return result.store, kept, rejected, outcome, result


def test_bing_under_share_keeps_only_named_licenses(bing_share) -> None:
    store, kept, rejected, outcome, result = bing_share
    assert outcome == {r.name: r.share for r in RESULTS}
    assert len(kept) == sum(r.share == "kept" for r in RESULTS) == 9
    check_kept_rows(kept)
    check_attribution(store, kept)
    assert "Creative Commons license the source did not name" not in (store / "ATTRIBUTION.md").read_text()
    for name, row in rejected.items():
        assert row["detail"], row
    assert "'imagespider/dropped/license_unnamed': 4," in result.stderr
    assert "'imagespider/pages/license/image': 9," in result.stderr
    # Redirects are followed (and guarded); the evidence names the page where it was found.
    assert kept["moved"]["rights"]["page"]["url"].endswith("/moved-here/index.html")
    assert kept["moved"]["page_url"].endswith("/moved.html")


def test_each_figure_keeps_its_own_license_and_evidence(bing_share) -> None:
    _, kept, rejected, _, _ = bing_share
    assert (kept["blog"]["license"], kept["blog"]["license_version"]) == ("cc-by", "2.0")
    assert kept["blog"]["rights"]["page"]["scope"] == "image"
    assert kept["wordpress"]["rights"]["page"]["element"] == "a[rel=license]"
    jsonld = kept["jsonld"]
    assert jsonld["rights"]["page"]["element"] == "json-ld imageobject.license"
    assert jsonld["rights"]["page"]["credit"] == "Labrador PhotoLab"
    assert jsonld["license_url"] == "https://creativecommons.org/licenses/by/4.0/"
    assert {kept[f"gallery-{n}"]["license"] for n in ("maple", "oak", "birch", "elm")} == {"cc0", "cc-by-nd", "cc-by-sa", "cc-by"}
    assert kept["gallery-birch"]["author"] == "Mo Ali"
    assert rejected["gallery-pine"]["reason"] == "license_unnamed"


def test_pages_come_before_images_and_are_fetched_once(bing_share) -> None:
    _, _, rejected, _, crawled = bing_share
    q = quote("bing share", safe="")
    # Five results share the gallery page: one request.
    assert _requested(crawled.requests, f"/pages/page/{q}/gallery.html") == 1
    # Opted-out images, and the one whose page reserves all rights, were never requested.
    for name in (*NEVER_DOWNLOADED, "footer"):
        result = next(r for r in RESULTS if r.name == name)
        assert _requested(crawled.requests, f"/pages/img/{q}/{result.image}") == 0, name
    assert "tdm-policy.json" in rejected["tdm-meta"]["detail"]
    assert rejected["footer"]["detail"].startswith("All rights reserved (page)")


def test_bing_under_any_drops_page_opt_outs_and_keeps_the_rest(crawl: Crawl) -> None:
    kept, rejected, outcome, result = crawl_pages(crawl, "bing", "bing any", "any")
    assert outcome == {r.name: r.any for r in RESULTS}
    check_kept_rows(kept)
    assert kept["footer"]["license"] == "all-rights-reserved"
    assert kept["footer"]["rights"]["page"]["scope"] == "page"
    assert kept["google-doc"]["rights"]["page"]["acquire_license_page"].endswith("/pages/how-to-use-my-images")
    assert kept["missing"]["rights"]["page"]["error"] == "http_error"
    pine = kept["gallery-pine"]["rights"]["page"]
    assert "license" not in pine and pine["image_found"] is True
    assert [s["kind"] for s in pine["statements"]] == ["text_license"]
    assert rejected["noai-header"]["detail"].startswith("X-Robots-Tag on the page: noai")


def test_license_ids_are_judged_on_the_pages_evidence(crawl: Crawl) -> None:
    """Bing's filter says only "Creative Commons"; the ids are judged on what the pages name."""
    kept, _, outcome, result = crawl_pages(crawl, "bing", "bing ids", "cc-by,cc-by-sa")
    assert outcome == {r.name: r.by_or_by_sa for r in RESULTS}
    assert len(kept) == 6
    check_attribution(result.store, kept)


@pytest.mark.parametrize(("policy", "field"), [("share", "share"), ("any", "any")])
def test_google_reads_the_pages_too(crawl: Crawl, policy: str, field: str) -> None:
    kept, _, outcome, result = crawl_pages(crawl, "google", f"google {policy}", policy)
    assert outcome == {r.name: getattr(r, field) for r in RESULTS}
    check_kept_rows(kept)
    if policy == "share":
        check_attribution(result.store, kept)


def test_page_evidence_off_makes_no_page_request(crawl: Crawl) -> None:
    kept, rejected, _, result = crawl_pages(
        crawl, "bing", "bing off", "share", "-s", "PAGE_EVIDENCE=False", code=1
    )
    q = quote("bing off", safe="")
    assert not any(urlsplit(r).path.startswith(f"/pages/page/{q}/") for r in result.requests)
    # Bing's claim alone names no license: nothing is kept, and nothing is dropped unread.
    assert kept == {}
    assert {row["reason"] for row in rejected.values()} == {"license_unnamed"}
    # A crawl that keeps nothing fails, naming the fix.
    assert "'finish_reason': 'failed_nothing_kept'" in result.stderr
    assert "no result's page or file names its license" in result.stderr


def test_pages_pass_the_private_address_guard(crawl: Crawl) -> None:
    """A default crawl never requests a source page on a private address (here loopback), as it
    never requests such an image: the page is evidence of nothing, the image is refused."""
    result = crawl(
        "bing", "-a", "q=bing guard", "-a", "limit=50", "-a", "license=any",
        endpoint="/pages/images/search", settings=FAST_SCROLL, allow_private=False,
    )
    assert "Traceback" not in result.stderr
    q = quote("bing guard", safe="")
    assert not any(urlsplit(r).path.startswith((f"/pages/page/{q}/", f"/pages/img/{q}/")) for r in result.requests)
    rejected = result.rejected
    assert len(rejected) == len(RESULTS)
    assert {row["reason"] for row in rejected} == {"private_address"}
    assert f"'imagespider/pages/failed/refused': {len({r.page for r in RESULTS})}," in result.stderr


def test_a_page_over_the_size_cap_is_evidence_of_nothing(crawl: Crawl) -> None:
    kept, rejected, _, result = crawl_pages(crawl, "bing", "bing cap", "any", "-s", "PAGE_MAXSIZE=600")
    assert kept["blog"]["rights"]["page"]["error"] == "too_large"
    assert "PAGE_MAXSIZE=600" in kept["blog"]["rights"]["page"]["detail"]
    assert kept["blog"]["license"] == "unknown"  # the page was not read: nothing from it
    # Small pages are still read whole: their opt-outs still drop their images.
    assert rejected["noai-meta"]["reason"] == "noai"
    assert re.search(r"'imagespider/pages/failed/too_large': \d+,", result.stderr)
