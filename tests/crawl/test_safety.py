"""A default crawl (no ALLOW_PRIVATE_ADDRESSES) refuses what a hostile results page points at:
loopback, cloud metadata, private networks, after redirects too, and non-http(s) schemes; odd
queries stay inside the store; API keys stay out of the log."""

from __future__ import annotations

import socket
import uuid
from pathlib import Path

import pytest

from imagespider.downloadermiddlewares.privateaddress import public_address
from tests.crawl.conftest import FAST_SCROLL, Crawl, assert_manifest_matches_files, read_jsonl
from tests.mockserver.faults import guard_results

SECRET = "0123456789abcdef0123456789abcdef"
AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
#: A download that connected to the unroutable metadata address would wait this long; the whole
#: crawl must end well before, which leaves room for a loaded machine's slow start (a 30 s
#: timeout and a 25 s bound left 10 s of it, and failed on a shared 2-core machine).
GUARD_TIMEOUT = 120


@pytest.fixture(scope="module")
def guarded_crawl(crawl: Crawl, tmp_path_factory: pytest.TempPathFactory):
    run = uuid.uuid4().hex[:8]
    result = crawl(
        "bing", "-a", "q=../../etc", "-a", "limit=50", "-a", "license=any",
        store=tmp_path_factory.mktemp("guard"), endpoint=f"/guard/{run}/images/search",
        # at DEBUG: every line Scrapy logs (its Overridden settings dict among them) is checked for secrets
        settings={"FLICKR_API_KEY": SECRET, "AWS_SECRET_ACCESS_KEY": AWS_SECRET, "DOWNLOAD_TIMEOUT": GUARD_TIMEOUT,
                  "LOG_LEVEL": "DEBUG", **FAST_SCROLL},
        allow_private=False,
    )
    return result.store, run, result, result.seconds


def test_private_addresses_are_refused_on_a_default_crawl(guarded_crawl, crawl: Crawl) -> None:
    store, run, result, seconds = guarded_crawl
    mockserver = crawl.mockserver
    assert result.returncode == 0, result.stderr[-3000:]
    assert "'finish_reason': 'finished'" in result.stderr
    expected = guard_results(mockserver.base, run, socket.gethostname())
    own = next(url for url in expected if "own-host" in url)
    if public_address(socket.gethostbyname(socket.gethostname())):
        expected.pop(own)  # this machine's name is public here: nothing to test with it
    kept = {row["image_url"]: "kept" for row in assert_manifest_matches_files(store)}
    rejected = {row["url"]: row for row in read_jsonl(store / "rejected.jsonl")}
    outcome = kept | {url: row["reason"] for url, row in rejected.items()}
    assert {url: outcome.get(url) for url in expected} == expected
    assert "not a public address" in rejected["http://169.254.169.254/latest/meta-data/iam/security-credentials/"]["detail"]
    # Refused before connecting: nothing waited for DOWNLOAD_TIMEOUT on an unroutable address.
    assert seconds < GUARD_TIMEOUT - 30
    # The guarded images never reached the server; the engine's own endpoint did.
    assert not [p for p in result.requests if p.startswith(f"/guard/{run}/img/")]
    assert any(p.startswith(f"/guard/{run}/images/search?") for p in result.requests)
    # The redirect was followed only up to the refused hop.
    assert f"/guard/{run}/images/search/to-metadata.jpg" in result.requests


def test_a_path_in_the_query_stays_inside_the_store(guarded_crawl) -> None:
    store, _, _, _ = guarded_crawl
    assert [p.name for p in store.iterdir() if p.is_dir()] == ["etc"]
    for row in read_jsonl(store / "metadata.jsonl"):
        assert (store / row["file_name"]).resolve().is_relative_to(store.resolve())
    assert not (store.parent.parent / "etc").exists()


def test_an_api_key_given_as_a_setting_never_reaches_the_log(guarded_crawl) -> None:
    store, _, result, _ = guarded_crawl
    # Scrapy's "Overridden settings" line (at DEBUG) lists its own credential settings...
    assert "'AWS_SECRET_ACCESS_KEY': '***'" in result.stderr
    assert SECRET not in result.stderr + result.stdout  # ...and no line holds a value
    assert AWS_SECRET not in result.stderr + result.stdout
    for path in Path(store).rglob("*.json*"):
        assert SECRET not in path.read_text(encoding="utf-8")
