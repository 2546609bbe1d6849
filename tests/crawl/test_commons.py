"""The commons spider end to end against the MediaWiki mock (tests/mockserver/commons.py), which
plays the real captured File pages and their extmetadata."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from tests.crawl.conftest import Crawl, CrawlResult
from tests.mockserver import commons as mock

COMMERCIAL = {"cc-by", "cc-by-sa", "cc-by-nd", "cc0", "pdm"}
CONTACT = "datasets@example.org"


def commons(crawl: Crawl, *args: str) -> tuple[CrawlResult, list[dict[str, list[str]]]]:
    """Run ``scrapy crawl commons`` and return the crawl and the API calls it made."""
    result = crawl("commons", *args, settings={"COMMONS_CONTACT": CONTACT, "COMMONS_PAGE_SIZE": 20})
    calls = [parse_qs(urlsplit(p).query) for p in result.requests if p.startswith("/w/api.php")]
    return result, calls


def test_commercial_keeps_commercial_licenses_with_full_attribution(crawl: Crawl) -> None:
    result, calls = commons(crawl, "-a", "q=cat", "-a", "license=commercial", "-a", "limit=30")
    output = result.output
    assert result.returncode == 0, output[-3000:]
    rows = result.rows
    assert len(rows) == 30
    for row in rows:
        assert row["engine"] == "commons"
        assert row["license"] in COMMERCIAL, row
        assert row["license_source"] == "api"
        assert row["page_url"].startswith("https://commons.wikimedia.org/wiki/File:"), row
        assert row["title"] and row["author"], row
        assert "<" not in row["author"] and "label QS" not in row["title"]
        rights = row["engine_rights"]
        assert rights["provider"] == "wikimedia_commons"
        assert rights["non_free"] is not True
        if row["license"] != "pdm":
            # Complete attribution: the license deed and the author's own page, from extmetadata.
            assert row["license_url"].startswith("https://creativecommons.org/licenses/by-sa/"), row
            assert row["author_url"].startswith("https://commons.wikimedia.org/wiki/User:"), row
            assert rights["attribution_required"] is True and rights["copyrighted"] is True
            assert row["license_version"] in ("3.0", "4.0")
        assert f'"{row["title"]}" by {row["author"]}' in row["attribution"]
    # Restrictions are recorded, and kept without -a restrictions=exclude.
    assert any(row["engine_rights"]["restrictions"] == ["personality", "trademarked"] for row in rows)
    reasons = {row["reason"] for row in result.rejected}
    assert "license_noncommercial" in reasons
    # Paged with the continue block, maxlag on every call, the contact in the User-Agent.
    assert len(calls) >= 2
    assert "gsroffset" not in calls[0] and calls[1]["gsroffset"] == ["20"] and calls[1]["continue"] == ["gsroffset||"]
    for call in calls:
        assert call["gsrsearch"] == ["cat filetype:bitmap"] and call["gsrnamespace"] == ["6"]
        assert call["generator"] == ["search"] and call["maxlag"] == ["5"]
        assert call["iiprop"] == ["url|size|mime|extmetadata"]
    assert mock.USER_AGENTS and all(CONTACT in ua and ua.startswith("imagespider/") for ua in mock.USER_AGENTS[-2:])


def test_restrictions_exclude_and_nonfree_never_shared(crawl: Crawl) -> None:
    result, _ = commons(
        crawl, "-a", "q=dog", "-a", "license=share", "-a", "limit=20", "-a", "restrictions=exclude"
    )
    output = result.output
    assert result.returncode == 0, output[-3000:]
    rows = result.rows
    assert len(rows) == 20
    assert not any(row["engine_rights"]["restrictions"] for row in rows)
    assert not any(row["engine_rights"]["non_free"] for row in rows)
    rejected = result.rejected
    reasons = {row["reason"] for row in rejected}
    assert "restricted" in reasons and "license_not_shareable" in reasons, reasons
    assert "imagespider/dropped/restricted" in output


def test_maxlag_is_waited_out(crawl: Crawl) -> None:
    result, calls = commons(crawl, "-a", "q=maxlagged", "-a", "license=any", "-a", "limit=5")
    output = result.output
    assert result.returncode == 0, output[-3000:]
    assert "Wikimedia is lagged" in output
    assert len(result.rows) == 5
    assert calls[0] == calls[1]  # the same call, asked again


def test_changed_api_fails_and_saves_the_answer(crawl: Crawl) -> None:
    result, _ = commons(crawl, "-a", "q=changedapi", "-a", "limit=5")
    output = result.output
    assert result.returncode == 1, output[-3000:]
    assert "failed_commons_api_changed" in output
    assert len(list((result.store / ".debug").glob("commons-changedapi-*.json"))) == 1


def test_no_hit_is_an_ordinary_end(crawl: Crawl) -> None:
    result, _ = commons(crawl, "-a", "q=nothing", "-a", "limit=5")
    output = result.output
    assert result.returncode == 0, output[-3000:]
    assert "no more results after 0" in output


def test_license_fields_that_disagree_are_judged_by_the_most_restrictive(crawl: Crawl) -> None:
    # LicenseShortName "CC BY-NC 4.0" with a CC0 LicenseUrl: kept as cc0 under license=commercial.
    result, _ = commons(crawl, "-a", "q=disagreeing", "-a", "license=commercial", "-a", "limit=3")
    assert result.rows == [], result.rows
    reasons = {row["reason"] for row in result.rejected}
    assert reasons <= {"license_noncommercial", "restricted", "http_error"} and "license_noncommercial" in reasons
    # Kept for in-house use, the row says what it was judged by and why.
    result, _ = commons(crawl, "-a", "q=disagreeing", "-a", "license=any", "-a", "limit=3")
    rows = result.rows
    assert len(rows) == 3, result.output[-3000:]
    for row in rows:
        assert (row["license"], row["license_version"], row["permissions"]["commercial"]) == ("cc-by-nc", "4.0", False)
        fields = {entry["field"]: entry["license"] for entry in row["engine_rights"]["license_disagreement"]}
        assert fields == {"LicenseUrl": "cc0", "LicenseShortName": "cc-by-nc", "License": "cc0"}
