"""Issue 27's "Done when", end to end: four local sites serving robots.txt Content-Signal and
Content-Usage rules, a Content-Usage header, a robots.txt License: pointing at an RSL document that
prohibits ai-train for one path and requires a license for another, an /ai.txt, a CAWG constrained
C2PA image, a robots.txt naming LAIONDownloader, a noml page and a Crawl-delay: 2 host
(tests/mockserver/sitesignals.py). Exactly the reserved images are dropped, each with its reason
and a detail naming the rule; site files are read once; requests to the Crawl-delay host are 2 s
apart."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import pairwise

import pytest

import tests.mockserver.sitesignals  # noqa: F401  (registers the search route)
from tests.crawl.conftest import FAST_SCROLL, Crawl
from tests.mockserver.sitesignals import EXPECTED, KINDS, SITES, SiteServer, kind_of, sites_serving


@pytest.fixture(scope="module")
def sites() -> Iterator[dict[str, SiteServer]]:
    with sites_serving() as servers:
        yield servers


@pytest.fixture(scope="module")
def crawled(crawl: Crawl, sites: dict[str, SiteServer]):  # noqa: ANN201
    ports = "-".join(str(sites[site].port) for site in SITES)
    result = crawl(
        "bing", "-a", "q=sitesignals", "-a", "limit=50", "-a", "license=any",
        endpoint=f"/sitesignals/{ports}/images/search", settings=FAST_SCROLL,
    )
    result.assert_ok()
    kept = {kind_of(row["image_url"]): row for row in result.rows}
    rejected = {kind_of(row["url"]): row for row in result.rejected}
    return kept, rejected, result


def test_exactly_the_reserved_images_are_dropped_with_their_reasons(crawled) -> None:  # noqa: ANN001
    kept, rejected, result = crawled
    outcome = {kind: "kept" for kind in kept} | {kind: row["reason"] for kind, row in rejected.items()}
    assert outcome == EXPECTED
    for reason in set(EXPECTED.values()) - {"kept"}:
        count = sum(1 for r in EXPECTED.values() if r == reason)
        assert f"'imagespider/dropped/{reason}': {count}" in result.stderr


def test_the_details_name_the_rule(crawled) -> None:  # noqa: ANN001
    _, rejected, _ = crawled
    detail = {kind: row["detail"] for kind, row in rejected.items()}
    assert '"Content-Usage: /cu/ train-ai=n" (train-ai=n)' in detail["cu-reserved"]
    assert "Content-Usage: train-ai=n, search=y (train-ai=n reserves AI training)" in detail["cu-header"]
    assert '<content url="/rsl-prohibited/"> prohibits usage ai-train' in detail["rsl-prohibited"]
    assert "/license.xml (robots.txt License)" in detail["rsl-prohibited"]
    assert "requires a license from https://api.rslcollective.org" in detail["rsl-licensed"]
    assert "LAIONDownloader" in detail["laion"]
    assert '<meta name="robots" content="noml">' in detail["noml-page"]
    assert "constrained" in detail["constrained"] and "cawg.ai_training" in detail["constrained"]
    assert 'robots.txt line 4 "Content-Signal: search=yes,ai-train=no" (ai-train=no)' in detail["content-signal"]
    assert 'ai.txt line 5 "Disallow: /"' in detail["ai-txt"]
    assert "/commonmeasure-license.xml (the image's Link header)" in detail["rsl-link-header"]
    assert "/commonmeasure-license.xml (named by the page)" in detail["rsl-link-page"]


def test_site_files_are_read_once_and_reserved_images_never_downloaded(crawled, sites) -> None:  # noqa: ANN001
    _, _, result = crawled
    main = sites["main"].requests
    for path in ("/robots.txt", "/license.xml", "/ai.txt", "/.well-known/tdmrep.json"):
        assert main.count(path) == 1, path
    assert sites["aitxt"].requests.count("/ai.txt") == 1
    assert main.count("/commonmeasure-license.xml") == 1
    for kind in ("cu-reserved", "rsl-prohibited", "rsl-licensed", "laion", "noml-page", "content-signal", "ai-txt",
                 "rsl-link-page"):
        site, image, _, _ = KINDS[kind]
        assert image not in sites[site].requests, kind
    for signal in ("content_signal", "content_usage", "rsl", "ai_txt"):
        assert f"'imagespider/{signal}/found'" in result.stderr, signal


def test_requests_to_the_crawl_delay_host_are_two_seconds_apart(crawled, sites) -> None:  # noqa: ANN001
    times = sites["delay"].times
    paths = [path for _, path in times]
    assert paths[0] == "/robots.txt"
    assert {"/ai.txt", "/.well-known/tdmrep.json", "/img/delay-1.jpg", "/pages/delay-1.html"} <= set(paths)
    gaps = [later - earlier for (earlier, _), (later, _) in pairwise(times)]
    shown = list(zip(paths[1:], gaps, strict=True))
    # The server sees arrivals: on a loaded machine one request may arrive late, and the next,
    # started on time, then seems closer. Each start is 2 s after the one before, so the k-th
    # request after robots.txt arrives no sooner than 2k s after it, and no gap is much below 2 s.
    assert all(times[k][0] - times[0][0] >= 2 * k - 0.05 for k in range(1, len(times))), shown
    assert min(gaps) >= 1.5, shown


def test_hostile_site_files_reserve_nothing_and_do_not_stall(crawled, sites) -> None:  # noqa: ANN001
    """A redirect loop ends at REDIRECT_MAX_TIMES, oversized files are cut off at their cap (the
    huge RSL document's license server and the ai.txt's Disallow past 500 KiB are never read)."""
    kept, _, result = crawled
    assert "hostile" in kept
    requests = sites["hostile"].requests
    assert requests.count("/huge.xml") == 1 and requests.count("/ai.txt") == 1
    assert 2 <= requests.count("/loop.xml") <= 7
    assert "'imagespider/rsl/unavailable': 2" in result.stderr
