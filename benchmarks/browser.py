#!/usr/bin/env python
"""The browser path against its floor: scrolling the mock Bing and reading results (issue 19).

Run from the project root::

    .venv/bin/python benchmarks/browser.py                    # 250/500/1000-result scrolls, 20 queries
    .venv/bin/python benchmarks/browser.py --sizes 1000 --queries 0 --repeat 2 --json out.json
    .venv/bin/python benchmarks/browser.py --parse-cost 250 500 1000   # parsing alone, old vs new

The mock engines (``tests/mockserver``) run in their own process and play Bing from the real
capture: 35 results in the page, 35 more per ``/images/async`` fragment after 0.4 s, every third
batch behind the "See more" button. ``/s/<N>/images/search`` holds exactly N results.

Two contenders, each its own child process, one after the other:

- ``floor``: a minimal Playwright script (:func:`child_floor`): the same Chromium and launch options,
  images/fonts/media blocked as imagespider blocks them, the same wheel scrolling and pause, the
  "See more" click, and one ``evaluate`` at the end reading every result's image URL.
- ``imagespider``: ``scrapy runspider benchmarks/browser_spider.py``: the real ``bing`` spider
  through scrapy-playwright, with the download left out (see that file).

Rows: wall time from spawn to exit (start-up included), results read per second, CPU seconds of
the driving Python process alone (where parsing happens: this is the figure a quadratic re-read of
the page shows), CPU seconds of the whole tree (Chromium and Playwright's driver included), and the
peak memory (PSS, so shared pages count once) summed over the Chromium processes (sampled every 0.2 s from /proc).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from throughput import compile_project  # benchmarks/throughput.py: the standard library only at import

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "benchmarks"
STEP_PAUSE = 0.15  # imagespider's SCROLL_STEP_PAUSE default, used by both contenders
WAIT_TIMEOUT = 8.0  # imagespider's SCROLL_WAIT_TIMEOUT default
PAGES = 4  # imagespider's PLAYWRIGHT_MAX_PAGES_PER_CONTEXT default
RESULT = "a.iusc"
MORE = "div.expandButton a[role=button], a.btn_seemore"
_REMAINING = "() => document.documentElement.scrollHeight - (window.scrollY + window.innerHeight)"
_GREW = "([selector, n]) => document.querySelectorAll(selector).length > n"
_LINKS = "() => Array.from(document.querySelectorAll('a.iusc'), a => JSON.parse(a.getAttribute('m')).murl)"
CLOCK = os.sysconf("SC_CLK_TCK")
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")


# --------------------------------------------------------------------------- the floor


async def _floor_query(context: Any, url: str, total: int) -> int:
    page = await context.new_page()
    await page.goto(url, wait_until="domcontentloaded")
    while await page.locator(RESULT).count() < total:
        before = await page.locator(RESULT).count()
        for _ in range(40):
            remaining = await page.evaluate(_REMAINING)
            if remaining <= 0:
                break
            await page.mouse.wheel(0, min(remaining, random.randint(500, 900)))
            await asyncio.sleep(STEP_PAUSE)
        more = page.locator(MORE).first
        if await more.is_visible():
            await more.click(timeout=2000)
        try:
            await page.wait_for_function(_GREW, arg=[RESULT, before], timeout=WAIT_TIMEOUT * 1000)
        except Exception:  # noqa: BLE001 (Playwright's TimeoutError: no more results)
            break
    links = await page.evaluate(_LINKS)
    await page.close()
    return len(set(links[:total]))


async def _floor(base: str, queries: list[str], total: int) -> int:
    from playwright.async_api import async_playwright  # noqa: PLC0415

    sys.path.insert(0, str(ROOT))
    from imagespider.browser import default_launch_options  # noqa: PLC0415

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(**default_launch_options())
        context = await browser.new_context()

        async def route(route: Any) -> None:
            if route.request.resource_type in ("image", "font", "media"):
                await route.abort()
            else:
                await route.continue_()

        await context.route("**/*", route)
        gate = asyncio.Semaphore(PAGES)

        async def one(query: str) -> int:
            async with gate:
                return await _floor_query(context, f"{base}/s/{total}/images/search?q={query}", total)

        counts = await asyncio.gather(*(one(query) for query in queries))
        await browser.close()
    return sum(counts)


def child_floor(base: str, queries: str, total: str) -> None:
    read = asyncio.run(_floor(base, queries.split(","), int(total)))
    print(json.dumps({"read": read}))


# --------------------------------------------------------------------------- measuring


@dataclass
class Row:
    contender: str
    scenario: str
    results: int
    seconds: float
    per_second: float
    python_cpu: float
    tree_cpu: float
    chromium_mb: float


def _stat(pid: int) -> tuple[int, float, int, str] | None:
    """(parent pid, CPU seconds, RSS bytes, command name) of one process, from /proc."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    name = text[text.index("(") + 1 : text.rindex(")")]
    fields = text[text.rindex(")") + 2 :].split()
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / CLOCK, int(fields[21]) * PAGE_SIZE, name


def _pss(pid: int) -> int:
    """Proportional set size in bytes: Chromium's processes share much memory, so RSS summed over
    them would count it several times."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


class Sampler(threading.Thread):
    """Samples the child's own CPU and the summed RSS of the Chromium processes under it."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.python_cpu, self.chromium_peak = pid, 0.0, 0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(0.2):
            stats = {pid: s for pid in map(int, filter(str.isdigit, os.listdir("/proc"))) if (s := _stat(pid))}
            children: dict[int, list[int]] = {}
            for pid, (ppid, *_rest) in stats.items():
                children.setdefault(ppid, []).append(pid)
            tree, todo = [], [self.pid]
            while todo:
                pid = todo.pop()
                tree.append(pid)
                todo.extend(children.get(pid, []))
            own = stats.get(self.pid)
            if own:
                self.python_cpu = own[1]
            chromium = sum(_pss(p) for p in tree if p in stats and re.search("chrom|headless", stats[p][3]))
            self.chromium_peak = max(self.chromium_peak, chromium)


def run(contender: str, scenario: str, command: list[str], expected: int, log: Path) -> Row:
    start = time.perf_counter()
    with log.open("w") as out:
        child = subprocess.Popen(command, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)  # noqa: S603
        sampler = Sampler(child.pid)
        sampler.start()
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - start
    sampler.done.set()
    sampler.join()
    text = log.read_text(errors="replace")
    if child.returncode != 0:
        raise SystemExit(f"{contender} {scenario} failed ({child.returncode}); see {log}:\n{text[-2000:]}")
    match = re.search(r'"read": (\d+)', text)
    read = int(match.group(1)) if match else 0
    if read != expected:
        raise SystemExit(f"{contender} {scenario} read {read} results, expected {expected}:\n{text[-2000:]}")
    return Row(
        contender, scenario, read, round(seconds, 2), round(read / seconds, 1), round(sampler.python_cpu, 2),
        round(usage.ru_utime + usage.ru_stime, 2), round(sampler.chromium_peak / 2**20),
    )


def commands(base: str, queries: list[str], total: int, store: Path) -> dict[str, list[str]]:
    return {
        "floor": [sys.executable, __file__, "_floor", base, ",".join(queries), str(total)],
        "imagespider": [
            sys.executable, "-m", "scrapy", "runspider", str(BENCH / "browser_spider.py"),
            *_query_args(queries, store), "-a", f"limit={total}", "-a", "license=any",
            "-s", f"BING_SEARCH_URL={base}/s/{total}/images/search", "-s", f"IMAGES_STORE={store}",
            "-s", f"SCROLL_STEP_PAUSE={STEP_PAUSE}", "-s", f"SCROLL_WAIT_TIMEOUT={WAIT_TIMEOUT}",
            "-s", f"PLAYWRIGHT_MAX_PAGES_PER_CONTEXT={PAGES}", "-s", "LOG_LEVEL=INFO", "-s", "TELNETCONSOLE_ENABLED=False",
        ],
    }


def _query_args(queries: list[str], store: Path) -> list[str]:
    """``-a q=`` for one query, else a queries file (one a line) beside the store."""
    if len(queries) == 1:
        return ["-a", f"q={queries[0]}"]
    path = store.with_suffix(".queries.txt")
    path.write_text("".join(f"{query}\n" for query in queries), encoding="utf-8")
    return ["-a", f"queries={path}"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def table(rows: list[Row]) -> str:
    floors = {row.scenario: row.seconds for row in rows if row.contender == "floor"}
    lines = [
        "| scenario | contender | results | seconds | results/s | Python CPU s | tree CPU s | Chromium MB | x floor |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        ratio = row.seconds / floors[row.scenario] if row.scenario in floors else float("nan")
        lines.append(
            f"| {row.scenario} | {row.contender} | {row.results} | {row.seconds:.2f} | {row.per_second:.1f} | "
            f"{row.python_cpu:.2f} | {row.tree_cpu:.2f} | {row.chromium_mb:.0f} | {ratio:.2f} |"
        )
    return "\n".join(lines + slopes(rows))


def slopes(rows: list[Row]) -> list[str]:
    """Seconds per extra 1,000 results between the smallest and largest one-query scroll: the
    cost of reading, without the start-up both contenders pay once (Scrapy and two Playwright
    drivers for imagespider, one driver for the floor)."""
    lines = []
    single = {}
    for row in rows:
        if row.scenario.startswith("1 query"):
            single.setdefault(row.contender, []).append(row)
    per_1000 = {}
    for contender, runs in single.items():
        low, high = min(runs, key=lambda r: r.results), max(runs, key=lambda r: r.results)
        if high.results > low.results:
            per_1000[contender] = (high.seconds - low.seconds) / (high.results - low.results) * 1000
            cpu = (high.python_cpu - low.python_cpu) / (high.results - low.results) * 1000
            lines.append(
                f"\n{contender}: {per_1000[contender]:.1f} s and {cpu:.2f} Python CPU s per extra 1,000 results "
                f"({low.results} -> {high.results})"
            )
    if "floor" in per_1000 and "imagespider" in per_1000:
        lines.append(f"marginal cost x floor: {per_1000['imagespider'] / per_1000['floor']:.2f}")
    return lines


def parse_cost(sizes: list[int]) -> str:
    """CPU seconds the Bing parser spends to read N results scrolled in 35 at a time: re-reading the
    whole page after each scroll (what spiders/scrolling.py did before issue 19) against reading
    each appended fragment once. Pages and fragments are the mock's (tests/mockserver), built
    beforehand: only parsing is timed, in this process, so the figures are free of the browser."""
    sys.path.insert(0, str(ROOT))
    from imagespider.engines import bing  # noqa: PLC0415
    from tests.mockserver import BATCH, _bing_capture, bing_rows  # noqa: PLC0415

    shell, _ = _bing_capture()
    lines = ["| results | whole page re-read (s) | appended fragments (s) | ratio |", "|---:|---:|---:|---:|"]
    for total in sizes:
        base = "http://127.0.0.1:1"
        fragments = [bing_rows(base, "cat", total, first, BATCH) for first in range(0, total, BATCH)]
        pages = [
            shell.replace('<div id="results-placeholder"></div>', "".join(fragments[: k + 1]))
            for k in range(len(fragments))
        ]
        start = time.process_time()
        whole = sum(len(bing.parse_results(page)) for page in pages)
        old = time.process_time() - start
        start = time.process_time()
        new_count = len(bing.parse_results(pages[0])) + sum(len(bing.parse_results(f)) for f in fragments[1:])
        new = time.process_time() - start
        assert new_count == total and whole >= total
        lines.append(f"| {total} | {old:.2f} | {new:.2f} | {old / new:.1f} |")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    if argv and argv[0] == "_floor":
        child_floor(*argv[1:])
        return 0
    if argv and argv[0] == "--parse-cost":
        print(parse_cost([int(n) for n in (argv[1:] or ["250", "500", "1000"])]))
        return 0
    compile_project()
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="250,500,1000", help="one-query scrolls of these many results")
    parser.add_argument("--queries", type=int, default=20, help="then this many queries at once (0: skip)")
    parser.add_argument("--per-query", type=int, default=105, help="results per query in that run")
    parser.add_argument("--repeat", type=int, default=1, help="run each row this many times, keep the fastest")
    parser.add_argument("--only", default="floor,imagespider")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    port = free_port()
    server = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "tests.mockserver", "--port", str(port)], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    assert server.stdout is not None
    server.stdout.readline()  # "serving on ..."
    base = f"http://127.0.0.1:{port}"
    scenarios = [(f"1 query, {n} results", ["cat"], int(n)) for n in args.sizes.split(",") if n]
    if args.queries:
        scenarios.append(
            (f"{args.queries} queries x {args.per_query}", [f"q{i}" for i in range(args.queries)], args.per_query)
        )
    rows: list[Row] = []
    try:
        with tempfile.TemporaryDirectory(prefix="browser-bench-") as tmp:
            for scenario, queries, total in scenarios:
                for contender in args.only.split(","):
                    best = None
                    for attempt in range(args.repeat):
                        store = Path(tmp) / f"store-{len(rows)}-{attempt}"
                        command = commands(base, queries, total, store)[contender]
                        row = run(contender, scenario, command, total * len(queries), Path(tmp) / "log.txt")
                        print(f"  {row}", file=sys.stderr, flush=True)
                        best = row if best is None or row.seconds < best.seconds else best
                    assert best is not None
                    rows.append(best)
    finally:
        server.terminate()
        server.wait()
    print(table(rows))
    print(f"\n{platform.processor() or platform.machine()}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}")
    if args.json:
        args.json.write_text(json.dumps([asdict(row) for row in rows], indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
