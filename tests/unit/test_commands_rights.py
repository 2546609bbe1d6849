"""``scrapy rights``: its arguments, and its verdict on saved pages (the crawl's own functions).

The fetched case and the command as a user runs it are in tests/crawl/test_rights_command.py."""

from __future__ import annotations

import argparse
import json
import os
import random
import threading
from pathlib import Path

import pytest
from scrapy.settings import Settings

from imagespider.commands.rights import (
    MAX_URL,
    Command,
    check_saved_page,
    checked_url,
    conclusion,
    read_saved_page,
)
from imagespider.errors import ArgumentError, Rejected
from imagespider.rights.policy import Policy

REAL = Path(__file__).parents[1] / "fixtures" / "pages" / "real"
PAGE = "https://blog.example.org/2024/05/lakes/"
IMAGE = "https://blog.example.org/wp-content/uploads/lake.jpg"
FIGURE = (
    '<figure><img src="/wp-content/uploads/lake.jpg" alt="Mist over the lake"><figcaption>Photo: Tom Hall, '
    '<a href="https://creativecommons.org/licenses/by/2.0/">CC BY 2.0</a></figcaption></figure>'
)


def settings(**values: object) -> Settings:
    out = Settings()
    out.setmodule("imagespider.settings", priority="project")
    out.setdict(values, priority="cmdline")
    return out


def options(page: str | None = PAGE, html: str | None = None, license: str | None = None) -> argparse.Namespace:
    return argparse.Namespace(page=page, html=html, license=license)


def run(args: list[str], opts: argparse.Namespace, capsys: pytest.CaptureFixture[str], **values: object):
    command = Command()
    command.settings = settings(**values)
    command.run(args, opts)
    out, err = capsys.readouterr()
    return command.exitcode, out, err


def saved(tmp_path: Path, body: bytes | str, name: str = "page.html") -> str:
    path = tmp_path / name
    path.write_bytes(body.encode("utf-8") if isinstance(body, str) else body)
    return str(path)


# -- arguments ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    ["", "   ", "lake.jpg", "ftp://example.org/a.jpg", "http://", "https:///path", "javascript:alert(1)",
     "http://example.org:99999/a.jpg", "http://[::1/a.jpg", "http://example.org/a\nb.jpg", "x" * (MAX_URL + 1)],
)  # fmt: skip
def test_a_url_that_is_not_http_with_a_host_is_refused(value: str) -> None:
    with pytest.raises(ArgumentError) as raised:
        checked_url(value, "image URL")
    assert "\n" not in str(raised.value)
    assert "image URL" in str(raised.value)


def test_a_url_is_taken_as_given() -> None:
    assert checked_url(" https://Example.org/a.jpg?w=2 ", "image URL") == "https://Example.org/a.jpg?w=2"


@pytest.mark.parametrize(
    ("args", "opts", "message"),
    [
        ([], options(), "give one image URL, then --page PAGE_URL (got none)"),
        ([IMAGE, PAGE], options(), "give one image URL, then --page PAGE_URL (got 2: "),
        ([IMAGE], options(page=None), "give the source page (--page) as an http(s) URL"),
        (["lake.jpg"], options(), "the image URL lake.jpg is not an http(s) URL with a host"),
        ([IMAGE], options(page="file:///etc/passwd"), "the source page (--page) file:///etc/passwd is not an http"),
        ([IMAGE], options(html="/no/such/file.html"), "cannot read --html /no/such/file.html: No such file"),
        ([IMAGE], options(html=""), "--html names no file"),
        ([IMAGE], options(license="cheap"), "unknown license policy word 'cheap' in --license=cheap; use any"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    args: list[str], opts: argparse.Namespace, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(args, opts, capsys)
    assert code == 2
    assert out == ""
    assert err.startswith(f"rights: {message}")
    assert err.count("\n") == 1


def test_a_folder_as_the_saved_page_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run([IMAGE], options(html=str(tmp_path)), capsys)
    assert (code, err) == (2, f"rights: --html {tmp_path} is a folder; give the saved page's file\n")


@pytest.mark.parametrize("kind", ["fifo", "device"])
def test_a_file_that_is_not_regular_is_refused_without_waiting(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str
) -> None:
    """A FIFO (nothing writes to it: opening it to read would wait forever) or /dev/zero (endless):
    refused in one line, exit 2, before anything is read."""
    if kind == "fifo":
        path = tmp_path / "page.html"
        os.mkfifo(path)
        what = "a FIFO"
    else:
        path, what = Path("/dev/zero"), "a character device"
    done: list[tuple[object, str, str]] = []
    worker = threading.Thread(target=lambda: done.append(run([IMAGE], options(html=str(path)), capsys)), daemon=True)
    worker.start()
    worker.join(timeout=20)
    if worker.is_alive() and kind == "fifo":  # let the blocked open go, so the test ends
        os.close(os.open(path, os.O_WRONLY | os.O_NONBLOCK))
    assert done, "the command waited on the file"
    code, out, err = done[0]
    assert (code, out) == (2, "")
    assert err == f"rights: --html {path} is {what}, not a saved page; give the page's file\n"


def test_a_saved_page_over_page_maxsize_is_not_read_whole(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_bytes(b"<p>" * 1000)
    assert read_saved_page(str(page), 3000) == b"<p>" * 1000
    assert read_saved_page(str(page), 2999) is None


def test_bad_settings_are_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    page = saved(tmp_path, FIGURE)
    code, out, err = run([IMAGE], options(html=page), capsys, PAGE_MAXSIZE="0")
    assert (code, out) == (2, "")
    assert err == "rights: PAGE_MAXSIZE must be at least 1, got -s PAGE_MAXSIZE=0\n"
    code, _, err = run([IMAGE], options(html=page), capsys, LICENSE_POLICY="cheap")
    assert code == 2 and err.startswith("rights: unknown license policy word 'cheap' in -s LICENSE_POLICY=cheap;")


# -- the verdict on a saved page -------------------------------------------------------------


def test_a_saved_page_gives_the_crawls_verdict_as_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run([IMAGE], options(html=saved(tmp_path, f"<html><body>{FIGURE}</body></html>")), capsys)
    assert (code, err) == (0, "")
    found = json.loads(out)
    assert (found["license"], found["license_version"], found["license_source"]) == ("cc-by", "2.0", "page")
    assert found["license_url"] == "https://creativecommons.org/licenses/by/2.0/"
    assert found["scope"] == "image"
    assert found["evidence"]["text"] == "https://creativecommons.org/licenses/by/2.0/"
    assert found["evidence"]["element"] and "this image" in found["evidence"]["why"]
    assert (found["opt_out"], found["policy"], found["kept"], found["reason"]) == (None, "share", True, None)
    assert found["page_source"] == "saved"
    assert found["page"]["url"] == PAGE and found["page"]["statements"]


def test_the_policy_is_the_crawls(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    page = saved(tmp_path, f"<body>{FIGURE.replace('/by/2.0/', '/by-nc/4.0/')}</body>")
    found = json.loads(run([IMAGE], options(html=page), capsys)[1])
    assert (found["license"], found["kept"]) == ("cc-by-nc", True)
    found = json.loads(run([IMAGE], options(html=page, license="commercial"), capsys)[1])
    assert (found["kept"], found["stage"], found["reason"]) == (False, "before download", "license_noncommercial")
    assert found["detail"] == "CC BY-NC 4.0 (page) fails -a license=commercial"
    found = json.loads(run([IMAGE], options(html=page), capsys, LICENSE_POLICY="cc-by,cc0")[1])
    assert (found["policy"], found["reason"]) == ("cc0,cc-by", "license_not_in_list")


def test_a_page_naming_nothing_waits_for_the_file(tmp_path: Path) -> None:
    check = check_saved_page(IMAGE, PAGE, b"<p>Nothing about rights.</p>", settings(), Policy.parse("share"))
    found = conclusion(check)
    assert (found["license"], found["scope"], found["kept"]) == ("unknown", None, False)
    assert (found["stage"], found["reason"]) == ("after download", "license_unnamed")
    assert found["evidence"] == {"element": None, "text": None, "why": "the image was not found on the page, and "
                                 "no page-wide license applies"}  # fmt: skip
    assert conclusion(check_saved_page(IMAGE, PAGE, b"<p>x</p>", settings(), Policy.parse("any")))["kept"] is True


def test_an_opt_out_wins_under_any_policy() -> None:
    page = f'<head><meta name="robots" content="noai, noimageai"></head><body>{FIGURE}</body>'.encode()
    found = conclusion(check_saved_page(IMAGE, PAGE, page, settings(), Policy.parse("any")))
    assert (found["opt_out"], found["kept"], found["stage"]) == ("noai", False, "before download")
    assert PAGE in found["opt_out_detail"]
    assert found["page"]["opt_out"] == "noai"


def test_a_saved_page_larger_than_page_maxsize_is_not_read_as_in_a_crawl(tmp_path: Path) -> None:
    page = saved(tmp_path, f"<body>{FIGURE}</body>" + " " * 5000)
    data = read_saved_page(page, 4096)
    assert data is None
    found = conclusion(check_saved_page(IMAGE, PAGE, data, settings(PAGE_MAXSIZE=4096), Policy.parse("share")))
    assert found["page"] == {"url": PAGE, "error": "too_large", "detail": "the page is larger than PAGE_MAXSIZE=4096 bytes"}
    assert (found["license"], found["reason"]) == ("unknown", "license_unnamed")
    with pytest.raises(ArgumentError, match="is a character device"):  # not read at all (it never ends)
        read_saved_page("/dev/zero", 1000)


def test_page_evidence_off_reads_no_page() -> None:
    found = conclusion(check_saved_page(IMAGE, PAGE, FIGURE.encode(), settings(PAGE_EVIDENCE="False"), Policy()))
    assert found["page"]["error"] == "disabled" and found["license"] == "unknown"


@pytest.mark.parametrize(
    ("body", "why"),
    [
        (FIGURE.encode("utf-16"), "UTF-16 with its byte-order mark"),
        (('<meta charset="windows-1252">' + FIGURE.replace("Tom Hall", "Zoë Ærø")).encode("cp1252"), "declared"),
        (b"\x00" * 100 + FIGURE.encode() + b"\x00\xff\xfe", "NUL and stray bytes"),
        (b"\xef\xbb\xbf<?xml version='1.0' encoding='utf-8'?>" + FIGURE.encode(), "BOM and an XML declaration"),
    ],
)
def test_any_encoding_is_read_as_a_crawl_reads_it(body: bytes, why: str) -> None:
    found = conclusion(check_saved_page(IMAGE, PAGE, body, settings(), Policy.parse("share")))
    assert (found["license"], found["license_version"]) == ("cc-by", "2.0"), why


def test_hostile_pages_give_an_answer_not_a_crash() -> None:
    rng = random.Random(26)
    pages = [
        rng.randbytes(200_000),
        b"<div>" * 50_000 + FIGURE.encode(),
        b"<html><body>" + b"<img src='/a.jpg'>" * 20_000 + b"</body></html>",
        b"\x00" * 10_000,
        b"",
        "<p>\u202e\ud7ff\U0010ffff</p>".encode("utf-8", "surrogatepass"),
    ]
    for body in pages:
        found = conclusion(check_saved_page(IMAGE, PAGE, body, settings(), Policy.parse("share")))
        json.dumps(found)
        assert found["license"] in ("unknown", "cc-by")


def test_a_real_saved_page(capsys: pytest.CaptureFixture[str]) -> None:
    """Global Voices (tests/fixtures/pages/real/, truth.json 25): the lead photo's caption credits it
    "Foto: Jorge Mejía Peralta (CC BY 2.0)"."""
    truth = next(row for row in json.loads((REAL / "truth.json").read_text()) if row["nn"] == "25")
    code, out, _ = run([truth["image_url"]], options(page=truth["page_url"], html=str(REAL / truth["file"])), capsys)
    found = json.loads(out)
    assert code == 0
    assert (found["license"], found["license_version"]) == ("cc-by", "2.0")
    assert "CC BY 2.0" in found["evidence"]["text"]


@pytest.mark.parametrize(
    ("reason", "opt_out"),
    [("content_signal", "content_signal"), ("ai_txt", "ai_txt"), ("rsl_prohibited", "rsl_prohibited"),
     ("robots_txt_page", "robots_txt_page"), ("license_not_shareable", None), ("restricted", None)],
)  # fmt: skip
def test_every_drop_but_the_policys_and_the_engines_marks_is_an_opt_out(reason: str, opt_out: str | None) -> None:
    check = check_saved_page(IMAGE, PAGE, FIGURE.encode(), settings(), Policy.parse("share"))
    check.drop = Rejected(reason, "why")
    found = conclusion(check)
    assert (found["opt_out"], found["reason"], found["kept"]) == (opt_out, reason, False)
    assert found["opt_out_detail"] == ("why" if opt_out else None)


def test_a_saved_pages_rsl_link_is_named_as_not_checked() -> None:
    page = f'<head><link rel="license" type="application/rsl+xml" href="/rsl.xml"></head><body>{FIGURE}</body>'
    found = conclusion(check_saved_page(IMAGE, PAGE, page.encode(), settings(), Policy.parse("share")))
    assert found["unchecked"] == [
        "the RSL license documents the page links, which a crawl reads: https://blog.example.org/rsl.xml"
    ]
    assert conclusion(check_saved_page(IMAGE, PAGE, FIGURE.encode(), settings(), Policy.parse("share")))["unchecked"] == []
