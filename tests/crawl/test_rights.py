"""Rights end to end: opt-outs win over every policy, the file's own license overrules the
engine's claim, and every decision is recorded with its reason (issue 5's "Done when")."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import class_files
from tests.crawl.conftest import FAST_SCROLL, Crawl, CrawlResult
from tests.mockserver.rights import EXPECTED_ANY, KINDS


def crawl_rights(crawl: Crawl, policy: str) -> tuple[dict[str, dict], dict[str, dict], CrawlResult]:
    """Bing's results on the rights routes under ``policy``: (kept rows, rejected rows, the crawl), by kind."""
    result = crawl(
        "bing", "-a", "q=rights", "-a", "limit=50", "-a", f"license={policy}",
        endpoint="/rights/images/search", settings=FAST_SCROLL,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    kept = {_kind(row["image_url"]): row for row in result.rows}
    rejected = {_kind(row["url"]): row for row in result.rejected}
    assert not set(kept) & set(rejected)
    assert set(kept) | set(rejected) == set(KINDS)
    return kept, rejected, result


def _kind(url: str) -> str:
    return url.rsplit("/", 1)[1].removesuffix(".jpg")


@pytest.fixture(scope="module")
def crawl_any(crawl: Crawl) -> tuple[dict[str, dict], dict[str, dict], CrawlResult]:
    return crawl_rights(crawl, "any")


def test_opt_outs_win_even_over_license_any(crawl_any) -> None:
    kept, rejected, result = crawl_any
    outcome = {kind: "kept" for kind in kept} | {kind: row["reason"] for kind, row in rejected.items()}
    assert outcome == EXPECTED_ANY
    for kind, row in rejected.items():
        assert row["detail"], row
        assert f"'imagespider/dropped/{row['reason']}': 1" in result.stderr
    assert "noai" in rejected["header-noai"]["detail"]


def test_the_files_own_license_is_recorded(crawl_any) -> None:
    kept, _, _ = crawl_any
    by_nc = kept["xmp-by-nc"]
    assert (by_nc["license"], by_nc["license_version"], by_nc["license_source"]) == ("cc-by-nc", "4.0", "embedded")
    assert by_nc["license_url"] == "https://creativecommons.org/licenses/by-nc/4.0/"
    assert by_nc["permissions"]["commercial"] is False
    assert by_nc["author"] == "Ada Lovelace"
    assert by_nc["rights"]["license_url"] == "https://creativecommons.org/licenses/by-nc/4.0/"
    assert "licensed under CC BY-NC 4.0" in by_nc["attribution"]
    assert kept["xmp-by"]["license"] == "cc-by"
    assert kept["exif-all-rights-reserved"]["license"] == "all-rights-reserved"
    assert kept["exif-all-rights-reserved"]["rights"]["copyright"].startswith("(c) 2024 Jo Bloggs")
    assert kept["plain-0"]["license"] == "unknown"


def test_malformed_metadata_is_ignored_and_counted(crawl_any) -> None:
    kept, _, result = crawl_any
    assert kept["xmp-malformed"]["rights"]["malformed"] == ["xmp"]
    assert "'imagespider/rights/malformed/xmp': 1," in result.stderr


def test_commercial_policy_drops_the_noncommercial_image_too(crawl: Crawl) -> None:
    kept, rejected, result = crawl_rights(crawl, "commercial")
    assert rejected["xmp-by-nc"]["reason"] == "license_noncommercial"
    assert rejected["exif-all-rights-reserved"]["reason"] == "license_noncommercial"
    # Bing was asked to filter on its side, but its claim names no license: only the image
    # whose file names one is kept (these source pages are missing, so they say nothing).
    assert set(kept) == {"xmp-by"}
    assert kept["xmp-by"]["license_source"] == "embedded"
    for kind in ("plain-0", "plain-1", "plain-2", "xmp-malformed"):
        assert rejected[kind]["reason"] == "license_unnamed"
        assert rejected[kind]["detail"].startswith("Creative Commons (license not specified) (engine-filter)")
    for kind in EXPECTED_ANY:
        if EXPECTED_ANY[kind] not in ("kept",):
            assert rejected[kind]["reason"] == EXPECTED_ANY[kind]
    # Nothing dropped left a file behind.
    files = {p.name for p in class_files(result.store / "rights")}
    assert files == {Path(row["file_name"]).name for row in kept.values()}
