"""imagespider/pipelines/license.py in-process: the cheap checks before any image is downloaded, in
their order: the source page's robots.txt (for us, then for AI-training crawlers), the engine's
restrictions, TDMRep on the image's and the page's origin, the source page's own evidence when the
engine's claim is weak, then the license policy. Scrapy's engine is a stand-in answering
download_async (tests/engine_stub.py); everything of ours is real."""

from __future__ import annotations

import asyncio

import pytest
from scrapy.utils.test import get_crawler

from imagespider.errors import Rejected
from imagespider.items import ImageItem
from imagespider.pipelines.license import LicenseFilterPipeline
from imagespider.rights.model import License, cc_license, unknown
from tests.engine_stub import EngineStub
from tests.settings import project_values

SITE = "https://photos.example.org"
PAGE = f"{SITE}/post.html"
IMAGE = f"{SITE}/img/fox.jpg"
HTML = {"Content-Type": "text/html; charset=utf-8"}
FIGURE = ('<html><body><figure><img src="/img/fox.jpg" width="800" height="600"><figcaption>Photo by Ada, '
          '<a href="https://creativecommons.org/licenses/by/2.0/">CC BY 2.0</a></figcaption></figure></body></html>')


def pipeline(answers: dict, policy: str = "share", **settings: object) -> tuple[LicenseFilterPipeline, EngineStub]:
    crawler = get_crawler(settings_dict=project_values({"LICENSE_POLICY": policy, **settings}))
    crawler.stats.open_spider()  # type: ignore[union-attr, call-arg]
    engine = EngineStub(answers)
    crawler.engine = engine  # type: ignore[assignment]
    return LicenseFilterPipeline.from_crawler(crawler), engine


def item(license: License | None = None, **fields: object) -> ImageItem:
    return ImageItem(image_url=IMAGE, label="fox", query="fox", engine="bing", page_url=PAGE,
                     license=license or unknown("engine-filter"), **fields)  # type: ignore[arg-type]


def judge(pipe: LicenseFilterPipeline, it: ImageItem) -> ImageItem | Rejected:
    try:
        return asyncio.run(pipe.process_item(it))
    except Rejected as rejected:
        return rejected


def test_the_page_names_the_license_and_the_credit() -> None:
    pipe, engine = pipeline({PAGE: (200, FIGURE.encode(), HTML)})
    kept = judge(pipe, item())
    assert isinstance(kept, ImageItem)
    assert (kept.license.id, kept.license.version, kept.license.source) == ("cc-by", "2.0", "page")
    assert kept.rights["page"]["scope"] == "image"
    assert {r.url for r in engine.requests} >= {f"{SITE}/robots.txt", f"{SITE}/.well-known/tdmrep.json", PAGE}


@pytest.mark.parametrize(
    ("answers", "reason"),
    [
        ({f"{SITE}/robots.txt": (200, b"User-agent: *\nDisallow: /post.html\n")}, "robots_txt_page"),
        ({f"{SITE}/robots.txt": (200, b"User-agent: GPTBot\nDisallow: /\n")}, "robots_txt_ai"),
        ({f"{SITE}/.well-known/tdmrep.json": (200, b'[{"location": "/img/", "tdm-reservation": 1}]')},
         "tdm_reservation"),
        ({PAGE: (200, b'<html><head><meta name="robots" content="noai"></head></html>', HTML)}, "noai"),
    ],
    ids=["robots", "robots-ai", "tdmrep", "page-noai"],
)
def test_an_opt_out_drops_the_image_under_any_policy(answers: dict, reason: str) -> None:
    pipe, _ = pipeline(answers, policy="any")
    dropped = judge(pipe, item())
    assert isinstance(dropped, Rejected) and dropped.reason == reason, dropped


def test_restrictions_drop_only_when_excluded_and_the_policy_judges_last() -> None:
    pipe, engine = pipeline({}, policy="commercial")
    restricted = item(cc_license("cc-by", "4.0", "api"), engine_rights={"restrictions": ["trademarked"]})
    assert isinstance(judge(pipe, restricted), ImageItem)  # not excluded: recorded, kept
    noncommercial = judge(pipe, item(cc_license("cc-by-nc", "4.0", "api")))
    assert isinstance(noncommercial, Rejected) and noncommercial.reason == "license_noncommercial"
    assert PAGE not in {r.url for r in engine.requests}  # an API's license is not weak: no page read


def test_a_weak_claim_the_page_does_not_name_waits_for_the_file() -> None:
    pipe, _ = pipeline({PAGE: (200, b"<html><body><p>no license here</p></body></html>", HTML)})
    assert isinstance(judge(pipe, item()), ImageItem)  # the file's own metadata may still name it
    pipe, _ = pipeline({}, PAGE_EVIDENCE=False)
    assert isinstance(judge(pipe, item(unknown("api"))), Rejected)  # an authoritative "nothing" is final


@pytest.mark.parametrize(
    "fields",
    [
        {"page_url": "http://[::1/post.html"},  # "Invalid IPv6 URL"
        {"page_url": f"{SITE}:99999/post.html"},  # "Port out of range"
        {"image_url": f"{SITE}:99999/img/fox.jpg"},  # passes the URL list's check (the port is not read)
    ],
    ids=["page-ipv6", "page-port", "image-port"],
)
def test_a_malformed_page_or_image_url_is_no_evidence_not_a_crash(fields: dict) -> None:
    # A URL list's page_url, or an engine's, is whatever the source wrote: robots.txt and
    # tdmrep.json built a Request from it and raised ValueError out of the pipeline.
    pipe, _ = pipeline({PAGE: (200, FIGURE.encode(), HTML)}, policy="any")
    fields = {"image_url": IMAGE, "label": "fox", "query": "fox", "engine": "bing", "page_url": PAGE,
              "license": unknown("engine-filter"), **fields}
    found = judge(pipe, ImageItem(**fields))  # type: ignore[arg-type]
    assert isinstance(found, ImageItem)
    if "page_url" in fields and fields["page_url"] != PAGE:
        assert found.rights["page"]["error"] in ("refused", "unreadable")


RSL_DOC = (
    b'<rsl xmlns="https://rslstandard.org/rsl"><content url="/img/"><license>'
    b'<prohibits type="usage">ai-train</prohibits></license></content></rsl>'
)


@pytest.mark.parametrize(
    ("answers", "reason", "detail"),
    [
        ({f"{SITE}/robots.txt": (200, b"User-agent: *\nContent-Signal: search=yes, ai-train=no\nAllow: /\n")},
         "content_signal", 'robots.txt line 2 "Content-Signal: search=yes, ai-train=no" (ai-train=no) covers the image'),
        ({f"{SITE}/robots.txt": (200, b"User-agent: *\nAllow: /\nContent-Usage: /post.html train-ai=n\n")},
         "content_usage", '"Content-Usage: /post.html train-ai=n" (train-ai=n) covers the source page'),
        ({f"{SITE}/robots.txt": (200, b"License: /license.xml\n\nUser-agent: *\nAllow: /\n"),
          f"{SITE}/license.xml": (200, RSL_DOC)},
         "rsl_prohibited", f'RSL {SITE}/license.xml (robots.txt License): <content url="/img/"> prohibits usage ai-train'),
        ({f"{SITE}/robots.txt": (200, b"License: https://rsl.example/royalty.xml\n"),
          "https://rsl.example/royalty.xml": (200, b'<rsl><content url="/" server="https://api.rslcollective.org"/></rsl>')},
         "rsl_license_required", "requires a license from https://api.rslcollective.org"),
        ({f"{SITE}/ai.txt": (200, b"User-Agent: *\nDisallow: *.jpg\n")},
         "ai_txt", 'ai.txt line 2 "Disallow: *.jpg" covers the image'),
    ],
    ids=["content-signal", "content-usage", "rsl-prohibited", "rsl-license", "ai-txt"],
)
def test_site_signals_drop_with_their_reason_and_rule(answers: dict, reason: str, detail: str) -> None:
    pipe, _ = pipeline(answers, policy="any")
    dropped = judge(pipe, item())
    assert isinstance(dropped, Rejected) and dropped.reason == reason, dropped
    assert detail in dropped.detail


def test_a_yes_never_overrides_another_signals_no() -> None:
    answers = {
        f"{SITE}/robots.txt": (200, b"User-agent: *\nContent-Signal: ai-train=yes\nContent-Usage: train-ai=y\n"),
        f"{SITE}/.well-known/tdmrep.json": (200, b'[{"location": "/", "tdm-reservation": 0}]'),
        f"{SITE}/ai.txt": (200, b"User-Agent: *\nDisallow: /img/\n"),
    }
    pipe, _ = pipeline(answers, policy="any")
    dropped = judge(pipe, item())
    assert isinstance(dropped, Rejected) and dropped.reason == "ai_txt"


def test_site_files_are_read_once_and_counted() -> None:
    answers = {
        f"{SITE}/robots.txt": (200, b"License: /license.xml\nUser-agent: *\nContent-Usage: /other/ train-ai=n\n"),
        f"{SITE}/license.xml": (200, b"<html>not rsl</html>"),
        PAGE: (200, FIGURE.encode(), HTML),
    }
    pipe, engine = pipeline(answers, policy="any")
    for _ in range(3):
        assert isinstance(judge(pipe, item()), ImageItem)
    urls = [r.url for r in engine.requests]
    for url in (f"{SITE}/robots.txt", f"{SITE}/license.xml", f"{SITE}/ai.txt", f"{SITE}/.well-known/tdmrep.json"):
        assert urls.count(url) == 1, url
    stats = pipe.crawler.stats.get_stats()  # type: ignore[union-attr]
    assert stats["imagespider/content_usage/found"] == 1
    assert stats["imagespider/content_signal/missing"] == 1
    assert stats["imagespider/rsl/broken"] == 1
    assert stats["imagespider/ai_txt/missing"] == 1


def test_an_rsl_document_the_page_names_covers_its_images() -> None:
    page = b'<html><head><link rel="license" type="application/rsl+xml" href="/rsl.xml"></head><body></body></html>'
    pipe, _ = pipeline({PAGE: (200, page, HTML), f"{SITE}/rsl.xml": (200, RSL_DOC)}, policy="any")
    dropped = judge(pipe, item())
    assert isinstance(dropped, Rejected) and dropped.reason == "rsl_prohibited"
    assert f"RSL {SITE}/rsl.xml (named by the page)" in dropped.detail
