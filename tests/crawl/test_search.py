"""The search spider end to end: one query filled from several engines in order, against the mocks
(tests/mockserver/openverse.py, commons.py, changed.py)."""

from __future__ import annotations

import socket
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from tests.crawl.conftest import Crawl, CrawlResult
from tests.mockserver import openverse as openverse_mock

FAST = {"SCROLL_WAIT_TIMEOUT": 3, "SCROLL_STEP_PAUSE": 0.05}


def search(crawl: Crawl, *args: str, bing: str = "/images/search", store: Path | None = None) -> CrawlResult:
    """``scrapy crawl search`` with every engine on the mock, Bing's results at ``bing``."""
    return crawl("search", *args, store=store, settings={"BING_SEARCH_URL": f"{crawl.mockserver.base}{bing}", **FAST})


def lines(output: str, level: str) -> list[str]:
    return [line for line in output.splitlines() if f"] {level}:" in line]


def test_fills_the_limit_across_engines_in_order(crawl: Crawl) -> None:
    # Openverse's mock has 120 results for a query, 9 of them broken: commons must give the rest.
    result = search(
        crawl, "-a", "q=cat", "-a", "engines=openverse,commons", "-a", "limit=125",
        "-a", "license=any",
    )
    output = result.output
    assert result.returncode == 0, output[-3000:]
    kept = result.rows
    assert len(kept) == 125
    engines = [row["engine"] for row in kept]
    assert engines.count("openverse") == 111
    assert engines.count("commons") == 14
    assert "search: openverse ended query 'cat', no more results after 120" in output
    assert "commons takes over" in output
    assert "limit reached: kept 125 of 125" in output
    assert "summary: search 'cat' (cat): kept 125/125 (openverse 111, commons 14), dropped " in output
    assert "in this run)" not in output
    assert not lines(output, "WARNING") and not lines(output, "ERROR")


def test_survives_a_failing_engine_and_skips_one_without_a_key(crawl: Crawl) -> None:
    result = search(
        crawl, "-a", "q=cat", "-a", "engines=flickr,bing,openverse", "-a", "limit=20",
        "-a", "license=commercial", bing="/changed/images/search",
    )
    output = result.output
    assert result.returncode == 0, output[-3000:]
    warnings = lines(output, "WARNING")
    assert any("skipping flickr" in w and "FLICKR_API_KEY" in w for w in warnings), warnings
    failed = [w for w in warnings if "bing failed" in w]
    assert len(failed) == 1 and "markup probably changed" in failed[0] and "openverse takes over" in failed[0]
    assert not lines(output, "ERROR")
    assert "Traceback" not in output
    kept = result.rows
    assert len(kept) == 20 and {row["engine"] for row in kept} == {"openverse"}
    assert len(list((result.store / ".debug").glob("bing-cat-*.html"))) == 1


def test_every_engine_failing_is_a_failed_finish(crawl: Crawl) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again: nothing listens there
    result = search(
        crawl, "-a", "q=cat", "-a", "engines=commons,bing", "-a", "limit=5",
        "-s", f"COMMONS_API_URL=http://127.0.0.1:{port}/w/api.php", "-s", "RETRY_TIMES=0", bing="/changed/images/search",
    )
    output = result.output
    assert result.returncode == 1, output[-3000:]
    assert "failed_all_engines" in output
    assert len([w for w in lines(output, "WARNING") if " failed for query 'cat'" in w]) == 2
    assert "Traceback" not in output


def test_unknown_engine_is_one_line(crawl: Crawl) -> None:
    result = crawl("search", "-a", "q=cat", "-a", "engines=openverse,altavista")
    output = result.output
    assert result.returncode == 2
    assert "unknown engine altavista" in output and "Traceback" not in output


def test_a_resumed_job_starts_each_query_at_the_engine_it_was_running(crawl: Crawl, tmp_path: Path) -> None:
    store, job = tmp_path / "store", ["-s", f"JOBDIR={tmp_path / 'job'}"]
    args = ["-a", "q=cat", "-a", "engines=openverse,commons", "-a", "license=any"]
    # Openverse gives 111, commons the last 4; the job is then run again with a higher limit.
    first = search(crawl, *args, "-a", "limit=115", *job, store=store)
    first_output = first.output
    assert "commons takes over" in first_output, first_output[-3000:]
    assert len(first.rows) == 115
    second = search(crawl, *args, "-a", "limit=125", *job, store=store)
    output = second.output
    assert second.returncode == 0, output[-3000:]
    assert "search: query 'cat' resumed at commons" in output
    assert "search: query 'cat' from openverse" not in output
    assert "search: query 'cat' from commons" in output
    kept = second.rows
    assert len(kept) == 125
    assert len({row["image_url"] for row in kept}) == 125
    assert [row["engine"] for row in kept].count("openverse") == 111


def test_flickrs_license_table_and_openverses_token_are_asked_once_for_every_query(
    crawl: Crawl, tmp_path: Path
) -> None:
    """search makes an engine object per query: licenses.getInfo (3,600 calls an hour per key) and
    Openverse's token are still asked once a crawl, and a refused token is not asked again."""
    queries = tmp_path / "queries.txt"
    queries.write_text("cat\ndog\nfox\n", encoding="utf-8")
    args = ["-a", f"queries={queries}", "-a", "limit=4", "-a", "license=commercial"]
    flickr = crawl("search", *args, "-a", "engines=flickr", env={"FLICKR_API_KEY": "goodkey-search-3q"})
    assert flickr.returncode == 0, flickr.output[-3000:]
    calls = [parse_qs(urlsplit(p).query) for p in flickr.requests if p.startswith("/services/rest/")]
    methods = [call["method"][0] for call in calls]
    assert methods.count("flickr.photos.licenses.getInfo") == 1
    searched = [call for call in calls if call["method"] == ["flickr.photos.search"]]
    assert sorted(call["text"][0] for call in searched) == ["cat", "dog", "fox"]
    # Every query searched with the table getInfo gave (ids 11 and 12 are not in the built-in one).
    assert all({"11", "12"} <= set(call["license"][0].split(",")) for call in searched)
    assert len(flickr.rows) == 12

    credentials = {"OPENVERSE_CLIENT_ID": "good-search-3q", "OPENVERSE_CLIENT_SECRET": "s3cret-3q"}
    before = len(openverse_mock.ISSUED)
    registered = crawl("search", *args, "-a", "engines=openverse", env=credentials)
    assert registered.returncode == 0, registered.output[-3000:]
    assert len(openverse_mock.ISSUED) - before == 1
    assert {row["query"] for row in registered.rows} == {"cat", "dog", "fox"} and len(registered.rows) == 12

    refused = crawl("search", *args, "-a", "engines=openverse",
                    env={"OPENVERSE_CLIENT_ID": "wrong-3q", "OPENVERSE_CLIENT_SECRET": "s3cret-3q"})
    assert [p for p in refused.requests if "auth_tokens" in p] == ["POST /v1/auth_tokens/token/"]
    assert refused.returncode == 1 and "failed_all_engines" in refused.output, refused.output[-3000:]
    assert refused.output.count("refused OPENVERSE_CLIENT_ID/_SECRET") == 3  # one line a query


def test_an_engine_failing_in_an_errback_is_handed_over_when_the_crawl_goes_idle(crawl: Crawl) -> None:
    # An unreachable API fails in an errback (no callback output to follow): the next engine's
    # first requests are crawled by the spider_idle hand-over task (imagespider/spiders/search.py).
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again: nothing listens there
    result = search(
        crawl, "-a", "q=cat", "-a", "engines=openverse,commons", "-a", "limit=6", "-a", "license=any",
        "-s", f"OPENVERSE_API_URL=http://127.0.0.1:{port}", "-s", "RETRY_TIMES=0",
    )
    output = result.output
    assert result.returncode == 0, output[-3000:]
    (failed,) = [w for w in lines(output, "WARNING") if "openverse failed for query 'cat'" in w]
    assert "(openverse_unreachable)" in failed and failed.endswith("; commons takes over")
    kept = result.rows
    assert len(kept) == 6 and {row["engine"] for row in kept} == {"commons"}
    assert "summary: search 'cat' (cat): kept 6/6 (commons 6)" in output
    assert not lines(output, "ERROR") and "Traceback" not in output
