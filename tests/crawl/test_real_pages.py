"""A Bing crawl whose results are the real saved pages of tests/fixtures/pages/real/ (issue 26, "Done when").

Each page is served byte for byte at the address it was saved from (tests/mockserver/realweb.py: a
proxy on 127.0.0.1 that is every host of the set), with its principal image (truth.json
``image_url``) a real JPEG carrying no rights metadata of its own; Bing (the real capture's markup)
lists them all. The crawl must keep exactly the images whose page names a license the policy
allows, under the default policy (``share``) and under ``commercial``. What is expected comes from
truth.json (judged by reading each page) and imagespider/rights/policy.py, never from the reader:
an opt-out drops the image under any policy; a license the page states is kept when the policy
allows it; a page that states none gives an image no policy requiring a license keeps.

An image the policy drops is dropped for truth.json's reason, before it is requested when a named
license or reservation refuses it. Pages the reader does not yet read as truth.json does are
listed in :data:`KNOWN_MISSES` (and :data:`REASON_MISSES`), each with what went wrong, and expected
to fail (strictly: a page read right fails there until it leaves the list). Separately, every page's crawl outcome must be what ``scrapy rights --html``
concludes from the saved file: serving the pages changes nothing in how they are read.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from scrapy.settings import Settings

from imagespider.commands.rights import check_saved_page, conclusion
from imagespider.rights.model import PERMISSIONS, License
from imagespider.rights.policy import Policy
from tests.crawl.conftest import FAST_SCROLL, Crawl
from tests.mockserver.realweb import REAL, RealPage, proxy_env, real_pages, real_web, url_key

POLICIES = ("share", "commercial")
#: Opt-out reasons a page or its site can give (docs/licenses.md, "Opt-out always wins").
OPT_OUTS = frozenset({
    "noai", "tdm_reservation", "robots_txt", "robots_txt_page", "robots_txt_ai", "content_signal", "content_usage",
    "rsl_prohibited", "rsl_license_required", "ai_txt",
})  # fmt: skip
PAGES = {page.nn: page for page in real_pages()}
#: Pages whose image the crawl does not yet keep or drop as truth.json says: truth.json ``nn`` ->
#: (what the page reader missed, the policies under which that changes the outcome).
KNOWN_MISSES: dict[str, tuple[str, tuple[str, ...]]] = {
    "02": ("CC BY-NC-ND 2.0 only as Flickr's numeric license code in its modelExport script data: none read",
           ("share",)),
}


def truth_license(page: RealPage) -> str:
    """The license id truth.json gives the image: ``none-stated`` is ``unknown``, a site license
    (``site-license:unsplash``) is the site's own id."""
    if page.license == "none-stated":
        return "unknown"
    return page.license.removeprefix("site-license:")


def expected(page: RealPage, policy: str) -> str:
    """``kept``, ``opt-out``, or the policy's reason, from the truth and the policy alone."""
    if page.opt_out:
        return "opt-out"
    license_id = truth_license(page)
    if license_id not in PERMISSIONS:
        pytest.fail(f"truth.json names {page.license!r} for {page.file}, a license imagespider has no id for")
    return Policy.parse(policy).check(License(license_id, source="page")) or "kept"


@pytest.fixture(scope="module")
def outcomes(crawl: Crawl) -> Iterator[dict[str, dict[str, dict]]]:
    """One Bing crawl per policy over the whole set: {policy: {nn: the row kept or rejected}}."""
    by_image = {url_key(page.image_url): page.nn for page in real_pages()}
    found: dict[str, dict[str, dict]] = {}
    with real_web() as web:
        asked = 0
        for policy in POLICIES:
            result = crawl(
                "bing", "-a", "q=real pages", "-a", "limit=100", "-a", f"license={policy}",
                endpoint="/realpages/images/search", settings=FAST_SCROLL, env=proxy_env(web.base),
            )
            assert "Traceback" not in result.output, result.output[-3000:]
            rows: dict[str, dict] = {}
            for row in result.rows:
                rows[by_image[url_key(row["image_url"])]] = {**row, "outcome": "kept"}
            for row in result.rejected:
                rows[by_image[url_key(row["url"])]] = {**row, "outcome": row["reason"]}
            assert set(rows) == set(PAGES), f"results missing: {sorted(set(PAGES) - set(rows))}"
            found[policy] = rows
            found[f"asked {policy}"] = {url: {} for url in web.requests[asked:]}
            asked = len(web.requests)
        found["asked"] = {url: {} for url in web.requests}
    yield found


#: Pages whose image is dropped for another reason than truth.json's gives (a license or reservation
#: not read gives license_unnamed instead of the policy's own reason).
REASON_MISSES: dict[str, tuple[str, tuple[str, ...]]] = {
    "01": ("500px states the photo's license only as a numeric license_type in its script data", POLICIES),
    "02": (KNOWN_MISSES["02"][0], ("commercial",)),
}


def case(policy: str, nn: str, misses: dict[str, tuple[str, tuple[str, ...]]]) -> object:
    """One page under one policy, marked as a known miss where ``misses`` says so."""
    why, policies = misses.get(nn, ("", ()))
    marks = [pytest.mark.xfail(reason=f"known miss: {why}", strict=True)] if policy in policies else []
    return pytest.param(policy, nn, id=f"{policy}-{PAGES[nn].name}", marks=marks)


CASES = [case(policy, nn, KNOWN_MISSES) for policy in POLICIES for nn in PAGES]
#: The pages the policy drops without an opt-out: truth.json's reason is known for each.
REASON_CASES = [
    case(policy, nn, REASON_MISSES) for policy in POLICIES for nn, page in PAGES.items()
    if not page.opt_out and expected(page, policy) != "kept"
]  # fmt: skip
EVERY_PAGE = [case(policy, nn, {}) for policy in POLICIES for nn in PAGES]


@pytest.mark.parametrize(("policy", "nn"), CASES)
def test_kept_exactly_when_the_pages_license_allows_it(outcomes: dict, policy: str, nn: str) -> None:
    page, row = PAGES[nn], outcomes[policy][nn]
    want = expected(page, policy)
    got = row["outcome"]
    read = row.get("rights", {}).get("page") or row.get("detail")
    why = f"{page.file}: truth {page.license} {page.version or ''}, crawl {got} ({row.get('license')}, {read})"
    if want == "opt-out":
        assert got in OPT_OUTS, why
    else:
        assert (got == "kept") == (want == "kept"), why
    if got == "kept":
        assert row["license"] == truth_license(page), why
        assert row["license_source"] == "page"


@pytest.mark.parametrize(("policy", "nn"), REASON_CASES)
def test_dropped_for_the_reason_the_truth_gives(outcomes: dict, policy: str, nn: str) -> None:
    """A reservation or license the policy refuses drops the image before it is requested, with
    the policy's reason; a page stating nothing gives license_unnamed."""
    page, row = PAGES[nn], outcomes[policy][nn]
    want = expected(page, policy)
    assert row["outcome"] == want, (page.file, page.license, row.get("detail"))
    if want != "license_unnamed":
        assert url_key(page.image_url) not in {url_key(url) for url in outcomes[f"asked {policy}"]}, page.file


def test_an_opted_out_image_is_never_requested(outcomes: dict) -> None:
    asked = {url_key(url) for url in outcomes["asked"]}
    for page in real_pages():
        if page.opt_out:
            assert url_key(page.image_url) not in asked, page.file
            assert url_key(page.page_url) in asked, page.file
    assert all(urlsplit(url).hostname != "127.0.0.1" for url in outcomes["asked"])


@pytest.mark.parametrize(("policy", "nn"), EVERY_PAGE)
def test_the_crawl_concludes_what_scrapy_rights_reads_from_the_saved_page(outcomes: dict, policy: str, nn: str) -> None:
    page, row = PAGES[nn], outcomes[policy][nn]
    settings = Settings()
    settings.setmodule("imagespider.settings")
    offline = conclusion(
        check_saved_page(page.image_url, page.page_url, (REAL / page.file).read_bytes(), settings, Policy.parse(policy))
    )
    assert row["outcome"] == ("kept" if offline["kept"] else offline["reason"]), (page.file, row.get("detail"), offline)
    if row["outcome"] == "kept":
        assert (row["license"], row["license_version"]) == (offline["license"], offline["license_version"])
        assert row["rights"]["page"] == offline["page"]
