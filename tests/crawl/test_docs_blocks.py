"""The blocks of README.md and docs/ a user pastes, run as written against the demo engines
(tests/mockserver) on 127.0.0.1: only what cannot be kept on a test machine changes (each engine's
endpoint setting, where the store goes, files a line names). tests/docs.py finds each block by its
``<!-- run: NAME -->`` marker; tests/unit/test_docs.py checks every such name is read by a test."""

from __future__ import annotations

import json
import re
import shlex
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import docs
from tests.conftest import PROJECT, run_scrapy, scrapy_env
from tests.crawl.conftest import ENDPOINTS, FAST_SCROLL, Crawl, CrawlResult, read_jsonl
from tests.mockserver import MockHTTPServer
from tests.mockserver.pages import image_url, page_url


def split_line(line: str) -> tuple[dict[str, str], list[str]]:
    """A shell line's ``VAR=value`` prefixes and its words, ``.venv/bin/`` dropped from the command."""
    words = shlex.split(line)
    env = {}
    while words and re.fullmatch(r"[A-Z_]+=.*", words[0]):
        name, _, value = words.pop(0).partition("=")
        env[name] = value
    words[0] = words[0].removeprefix(".venv/bin/")
    return env, words


class DocCrawls:
    """Runs a documented ``scrapy crawl`` line through the ``crawl`` fixture (mock endpoints, a store of
    its own), with the files it names made in a scratch folder."""

    def __init__(self, crawl: Crawl, folder: Path) -> None:
        self.crawl = crawl
        self.folder = folder
        (folder / "classes.txt").write_text("cat\ndog: dog\n", encoding="utf-8")

    def __call__(self, line: str, **settings: object) -> CrawlResult:
        env, words = split_line(line)
        assert words[:2] == ["scrapy", "crawl"], line
        spider, args = words[2], words[3:]
        store = self.folder / f"store-{spider}-{len(list(self.folder.iterdir()))}"
        for index, word in enumerate(args):
            name, _, value = word.partition("=")
            if name in ("queries", "path") and not value.startswith("/"):
                args[index] = f"{name}={self.folder / value}"
            elif name == "IMAGES_STORE" and not re.match(r"^\w+://|/", value):
                store = self.folder / value  # the fixture's own -s IMAGES_STORE, where CrawlResult looks
                args[index - 1 : index + 1] = ["", ""]
        args = [arg for arg in args if arg]
        browser = FAST_SCROLL if spider in ("bing", "google", "search") else {}
        return self.crawl(spider, *args, store=store, env=env, settings={**browser, **settings})


@pytest.fixture
def doc_crawl(crawl: Crawl, tmp_path: Path) -> DocCrawls:
    return DocCrawls(crawl, tmp_path)


def kept(result: CrawlResult) -> list[dict]:
    return read_jsonl(result.store / "metadata.jsonl")


def test_the_first_crawl_keeps_images_under_the_default_policy(doc_crawl: DocCrawls) -> None:
    """README's first crawl (the setup block's first line, after ``bash setup.sh &&``): no license
    argument, so the default share policy; Commons names each file's license, so images are kept."""
    first = docs.commands(docs.block("setup"))[0]
    assert first.startswith("bash setup.sh && ")
    line = first.removeprefix("bash setup.sh && ")
    assert "license=" not in line
    result = doc_crawl(line)
    result.assert_ok()
    rows = kept(result)
    assert rows, result.output[-3000:]
    assert {row["license_source"] for row in rows} == {"api"}
    assert all(row["license"] not in ("unknown", "cc-unspecified") for row in rows)
    crawls = read_jsonl(result.store / "crawls.jsonl")
    assert crawls[-1]["settings"].get("LICENSE_POLICY", "share") == "share", crawls[-1]["settings"]


def test_the_bing_example_after_it(doc_crawl: DocCrawls) -> None:
    """README's Bing lines: under share only images whose page or file names a license; with
    license=any everything not opted out, so more."""
    share, anything = docs.commands(docs.block("first-crawl-bing"))
    assert "license=" not in share and share.endswith("-a limit=200")
    assert anything.endswith("-a license=any")
    shared, everything = doc_crawl(share), doc_crawl(anything)
    everything.assert_ok()
    assert "Traceback" not in shared.output
    assert all(row["license"] not in ("unknown", "cc-unspecified") for row in kept(shared))
    assert len(kept(everything)) > len(kept(shared))
    if not kept(shared):
        assert "failed_nothing_kept" in shared.output and "license_unnamed" in shared.output


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def demo_engines() -> Iterator[tuple[int, list[str]]]:
    """docs/troubleshooting.md's demo-engines command, started as written (on a free port, not 8000),
    with the commands it prints."""
    (line,) = docs.commands(docs.block("demo-engines"))
    _, words = split_line(line)
    assert words[:4] == ["python", "-m", "tests.mockserver", "--port"] and words[4] == "8000"
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "tests.mockserver", "--port", str(port)], cwd=PROJECT, env=scrapy_env(),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        assert server.stdout is not None
        printed = [server.stdout.readline() for _ in range(6)]
        yield port, [line.strip() for line in printed[1:]]
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_the_demo_engines_print_a_command_per_engine_and_the_documented_one_keeps_images(
    demo_engines: tuple[int, list[str]], tmp_path: Path
) -> None:
    port, printed = demo_engines
    assert [split_line(line)[1][2] for line in printed] == list(ENDPOINTS)
    for line, (setting, _) in zip(printed, ENDPOINTS.values(), strict=True):
        assert line.startswith(".venv/bin/scrapy crawl ") and f"-s {setting}=http://127.0.0.1:{port}" in line
    (line,) = docs.commands(docs.block("demo-crawl"))
    line = line.replace("127.0.0.1:8000", f"127.0.0.1:{port}").replace("IMAGES_STORE=data-demo", f"IMAGES_STORE={tmp_path / 'data-demo'}")
    _, words = split_line(line)
    commons = next(printed_line for printed_line in printed if " crawl commons " in printed_line)
    assert f"COMMONS_API_URL=http://127.0.0.1:{port}/w/api.php" in commons
    done = subprocess.run(
        [sys.executable, "-m", *words], cwd=PROJECT, env=scrapy_env(), capture_output=True, text=True, timeout=300, check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert read_jsonl(tmp_path / "data-demo" / "metadata.jsonl"), "the demo crawl under the default policy kept nothing"


def mock_endpoints(base: str) -> list[str]:
    """``-s NAME=URL`` for every engine's endpoint on the mock server."""
    return [option for name, path in ENDPOINTS.values() for option in ("-s", f"{name}={base}{path}")]


def run_documented(line: str, doc_crawl: DocCrawls, mockserver: MockHTTPServer, tmp_path: Path) -> tuple[int, str, int]:
    """Any documented ``scrapy`` line: crawls through ``doc_crawl``; ``enginecheck`` with every engine on
    the mock; ``rights`` with IMAGE_URL and PAGE_URL an image and its page there (saved-page.html a copy
    of the page). Returns the exit status, the output and the images a crawl kept."""
    env, words = split_line(line)
    assert words[0] == "scrapy", line
    if words[1] == "crawl":
        if any(word.startswith("path=other/") for word in words):
            made = doc_crawl("scrapy crawl openverse -a q=cat -a limit=3 -a license=any")
            (tmp_path / "other").mkdir(exist_ok=True)
            (tmp_path / "other" / "metadata.jsonl").write_bytes((made.store / "metadata.jsonl").read_bytes())
        result = doc_crawl(line)
        return result.returncode, result.output, len(kept(result))
    args = words[2:]
    if words[1] == "enginecheck":
        args += mock_endpoints(mockserver.base) + [f"-s{name}={value}" for name, value in FAST_SCROLL.items()]
    elif words[1] == "rights":
        page, image = page_url(mockserver.base, "rights cmd", "blog"), image_url(mockserver.base, "rights cmd", "lake-blog.jpg")
        saved = tmp_path / "saved-page.html"
        if "saved-page.html" in args:
            import urllib.request

            with urllib.request.urlopen(page, timeout=30) as answer:  # noqa: S310 (the mock on 127.0.0.1)
                saved.write_bytes(answer.read())
        args = [{"IMAGE_URL": image, "PAGE_URL": page, "saved-page.html": str(saved)}.get(arg, arg) for arg in args]
        args += ["-s", "ALLOW_PRIVATE_ADDRESSES=True"]
    done = run_scrapy(words[1], *args, env={**env}, timeout=300)
    return done.returncode, done.stdout + done.stderr, 0


SPIDER_LINES = docs.commands(docs.block("spiders"))


def line_ids(lines: list[str]) -> list[str]:
    return [f"{index}-{split_line(line)[1][1]}-{split_line(line)[1][2] if len(split_line(line)[1]) > 2 else ''}" for index, line in enumerate(lines)]


@pytest.mark.parametrize("line", SPIDER_LINES, ids=line_ids(SPIDER_LINES))
def test_spiders_page_commands(line: str, doc_crawl: DocCrawls, mockserver: MockHTTPServer, tmp_path: Path) -> None:
    """docs/spiders.md's first block, line by line: each exits 0, and each crawl keeps images."""
    code, output, images = run_documented(line, doc_crawl, mockserver, tmp_path)
    assert "Traceback" not in output, output[-3000:]
    assert code == 0, output[-3000:]
    assert images > 0 or " crawl " not in f" {line} ", output[-3000:]


SEARCH_LINES = docs.commands(docs.block("search")) + docs.commands(docs.block("enginecheck"))


@pytest.mark.parametrize("line", SEARCH_LINES, ids=line_ids(SEARCH_LINES))
def test_search_and_enginecheck_commands(line: str, doc_crawl: DocCrawls, mockserver: MockHTTPServer, tmp_path: Path) -> None:
    """docs/spiders.md's search and enginecheck blocks: each exits 0 against the demo engines."""
    code, output, images = run_documented(line, doc_crawl, mockserver, tmp_path)
    assert "Traceback" not in output, output[-3000:]
    assert code == 0, output[-3000:]
    assert images > 0 or " crawl " not in f" {line} ", output[-3000:]


RIGHTS_LINES = docs.commands(docs.block("rights"))


@pytest.mark.parametrize("line", RIGHTS_LINES, ids=line_ids(RIGHTS_LINES))
def test_rights_commands(line: str, doc_crawl: DocCrawls, mockserver: MockHTTPServer, tmp_path: Path) -> None:
    """docs/licenses.md's scrapy rights lines: one JSON verdict each, the image kept (the page names CC BY 2.0)."""
    code, output, _ = run_documented(line, doc_crawl, mockserver, tmp_path)
    assert code == 0, output[-3000:]
    verdict = json.loads(output[: output.rindex("}") + 1])
    assert (verdict["license"], verdict["kept"]) == ("cc-by", True), verdict
