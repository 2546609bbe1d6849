"""``scrapy rights IMAGE_URL --page PAGE_URL [--html FILE]`` run as a user runs it (issue 26, item 7):
on a real saved page, and on pages served from 127.0.0.1 (tests/mockserver/pages.py) fetched as a
crawl fetches them: robots.txt, tdmrep.json, the private-address guard, the page's own headers."""

from __future__ import annotations

import json
import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.conftest import run_scrapy
from tests.mockserver import MockHTTPServer
from tests.mockserver.pages import image_url, page_url
from tests.mockserver.realweb import proxy_env, real_web

REAL = Path(__file__).parents[1] / "fixtures" / "pages" / "real"
ALLOW = ("-s", "ALLOW_PRIVATE_ADDRESSES=True")


def truth(nn: str) -> dict:
    return next(row for row in json.loads((REAL / "truth.json").read_text(encoding="utf-8")) if row["nn"] == nn)


def rights(*args: str, env: dict[str, str] | None = None) -> tuple[int, dict, str]:
    done = run_scrapy("rights", *args, timeout=120, env=env)
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    return done.returncode, json.loads(done.stdout) if done.returncode == 0 else {}, done.stderr


def test_a_real_saved_page_names_the_license_and_its_evidence() -> None:
    row = truth("25")  # Global Voices: the lead photo's caption ends "Foto: Jorge Mejía Peralta (CC BY 2.0)"
    code, found, err = rights(row["image_url"], "--page", row["page_url"], "--html", str(REAL / row["file"]))
    assert (code, err) == (0, "")
    assert (found["license"], found["license_version"], found["license_source"]) == ("cc-by", "2.0", "page")
    assert found["scope"] and found["evidence"]["element"] and "CC BY 2.0" in found["evidence"]["text"]
    assert (found["kept"], found["page_source"]) == (True, "saved")


def test_a_real_saved_page_reserving_tdm_rights_is_an_opt_out() -> None:
    row = truth("32")  # Libération: <meta name="tdm-reservation" content="1">
    code, found, _ = rights(row["image_url"], "--page", row["page_url"], "--html", str(REAL / row["file"]), "--license", "any")
    assert code == 0
    assert (found["opt_out"], found["kept"], found["reason"]) == ("tdm_reservation", False, "tdm_reservation")


def test_a_served_page_is_fetched_as_a_crawl_fetches_it(mockserver: MockHTTPServer) -> None:
    page, image = page_url(mockserver.base, "rights cmd", "blog"), image_url(mockserver.base, "rights cmd", "lake-blog.jpg")
    before = len(mockserver.requests)
    code, found, err = rights(image, "--page", page, *ALLOW)
    assert (code, err) == (0, "")
    assert (found["license"], found["license_version"], found["scope"]) == ("cc-by", "2.0", "image")
    assert found["evidence"]["text"] == "https://creativecommons.org/licenses/by/2.0/"
    assert (found["page_source"], found["kept"], found["page"]["url"]) == ("fetched", True, page)
    asked = [urlsplit(url).path for url in mockserver.requests[before:]]
    assert asked.count(urlsplit(page).path) == 1
    assert "/robots.txt" in asked and "/.well-known/tdmrep.json" in asked
    assert urlsplit(image).path not in asked  # the image is never downloaded


def test_a_real_page_served_at_its_own_address_is_read_as_saved() -> None:
    # tests/mockserver/realweb.py: the saved page byte for byte at its https address, through a
    # proxy on 127.0.0.1 (TLS in the tunnel), with its robots.txt and tdmrep.json (404s).
    row = truth("25")
    with real_web() as web:
        code, found, err = rights(row["image_url"], "--page", row["page_url"], env=proxy_env(web.base))
        asked = list(web.requests)
    assert (code, err) == (0, "")
    _, saved, _ = rights(row["image_url"], "--page", row["page_url"], "--html", str(REAL / row["file"]))
    assert (found["page_source"], saved["page_source"]) == ("fetched", "saved")
    for name in ("license", "license_version", "author", "scope", "evidence", "kept", "page"):
        assert found[name] == saved[name], name
    assert asked.count(row["page_url"]) == 1 and row["image_url"] not in asked
    assert "https://de.globalvoices.org/robots.txt" in asked


def test_the_image_hosts_robots_txt_is_obeyed(mockserver: MockHTTPServer) -> None:
    page = page_url(mockserver.base, "rights cmd", "blog")
    code, found, _ = rights(f"{mockserver.base}/private/lake-blog.jpg", "--page", page, *ALLOW, "--license", "any")
    assert code == 0
    assert (found["opt_out"], found["reason"], found["stage"]) == ("robots_txt", "robots_txt", "before download")


def test_a_served_page_opting_out_by_header(mockserver: MockHTTPServer) -> None:
    page = page_url(mockserver.base, "rights cmd", "noai-header")
    code, found, _ = rights(image_url(mockserver.base, "rights cmd", "noai-header.jpg"), "--page", page, *ALLOW)
    assert code == 0
    assert (found["opt_out"], found["stage"]) == ("noai", "before download")
    assert found["opt_out_detail"].startswith("X-Robots-Tag on the page: noai")


def test_robots_txt_of_the_page_host_is_obeyed(mockserver: MockHTTPServer) -> None:
    base = mockserver.base
    code, found, _ = rights(f"{base}/private/cat.jpg", "--page", f"{base}/private/page.html", *ALLOW)
    assert code == 0
    assert (found["opt_out"], found["page"]) == ("robots_txt_page", None)


def test_the_private_address_guard_applies(mockserver: MockHTTPServer) -> None:
    page = page_url(mockserver.base, "rights cmd", "blog")
    before = len(mockserver.requests)
    code, found, _ = rights(image_url(mockserver.base, "rights cmd", "lake-blog.jpg"), "--page", page)
    assert code == 0
    assert found["page"]["error"] == "refused" and "private_address" in found["page"]["detail"]
    assert (found["license"], found["reason"]) == ("unknown", "license_unnamed")
    assert mockserver.requests[before:] == []


@pytest.mark.parametrize(
    "args",
    [("http://example.org/a.jpg",), ("nope", "--page", "http://example.org/"),
     ("http://example.org/a.jpg", "--page", "http://example.org/", "--html", "/no/such/page.html")],
)  # fmt: skip
def test_bad_input_is_one_line(args: tuple[str, ...]) -> None:
    done = run_scrapy("rights", *args, timeout=120)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.startswith("rights: ") and done.stderr.count("\n") == 1, done.stderr


def test_a_fifo_as_the_saved_page_is_refused_at_once(tmp_path: Path) -> None:
    """``--html`` naming a FIFO nothing writes to: one line and exit 2, not a command that waits forever."""
    fifo = tmp_path / "page.html"
    os.mkfifo(fifo)
    done = run_scrapy("rights", "http://example.org/a.jpg", "--page", "http://example.org/", "--html", str(fifo),
                      timeout=60)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == f"rights: --html {fifo} is a FIFO, not a saved page; give the page's file\n"
