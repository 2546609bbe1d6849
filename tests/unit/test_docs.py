"""README.md and docs/: the MkDocs site builds with --strict (a broken link or anchor fails), every
block a user would paste is run by a test or says why not, and no figure that drifts (test counts,
timings, dates) stands outside docs/performance.md, whose every table says when and on what it was
measured."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests import docs

PROJECT = docs.PROJECT


def mkdocs_build(project: Path, site: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=project, capture_output=True, text=True, timeout=120, check=False,
    )


def test_the_site_builds_strictly(tmp_path: Path) -> None:
    result = mkdocs_build(PROJECT, tmp_path / "site")
    assert result.returncode == 0, result.stderr
    built = {path.parent.name for path in (tmp_path / "site").glob("*/index.html")}
    assert {"spiders", "licenses", "output", "settings", "scrapyd", "scaling", "performance", "troubleshooting",
            "development"} <= built


@pytest.mark.parametrize("link", ["[gone](nowhere.md)", "[gone](settings.md#no-such-heading)"])
def test_a_broken_link_fails_the_build(tmp_path: Path, link: str) -> None:
    copy = tmp_path / "project"
    copy.mkdir()
    shutil.copy(PROJECT / "mkdocs.yml", copy / "mkdocs.yml")
    shutil.copytree(PROJECT / "docs", copy / "docs")
    with (copy / "docs" / "index.md").open("a", encoding="utf-8") as page:
        page.write(f"\nSee {link}.\n")
    result = mkdocs_build(copy, tmp_path / "site")
    assert result.returncode != 0
    assert "nowhere.md" in result.stderr or "no-such-heading" in result.stderr


def test_every_docs_page_is_in_the_nav() -> None:
    config = (PROJECT / "mkdocs.yml").read_text(encoding="utf-8")
    for page in (PROJECT / "docs").glob("*.md"):
        assert f": {page.name}\n" in config, page.name


def test_every_block_a_user_would_paste_is_run_or_says_why_not() -> None:
    """A block in a language (bash, python, ini...) carries <!-- run: NAME --> or <!-- not-run: reason -->;
    a picture (a folder tree, a command's output) is marked ``text``; a fence without a language is neither."""
    blocks = docs.all_blocks()
    assert len(blocks) > 20
    unmarked = [f"{b.page}:{b.line}" for b in blocks if b.lang != "text" and b.marker is None]
    assert unmarked == [], "mark each with <!-- run: NAME --> (and a test reading it) or <!-- not-run: reason -->"
    bare = [f"{b.page}:{b.line}" for b in blocks if not b.lang]
    assert bare == [], "give each fence a language (text for a picture)"
    assert all(b.note for b in blocks if b.marker), "a marker needs a name or a reason"
    names = [b.note for b in blocks if b.marker == "run"]
    assert len(names) == len(set(names)), names


def test_every_block_marked_run_is_read_by_a_test() -> None:
    """``docs.block("NAME")`` in some test for every <!-- run: NAME --> (a marker nothing reads runs nothing)."""
    sources = "\n".join(path.read_text(encoding="utf-8") for path in (PROJECT / "tests").rglob("test_*.py"))
    names = [b.note for b in docs.all_blocks() if b.marker == "run"]
    assert len(names) >= 15
    assert [name for name in names if f'block("{name}")' not in sources] == []


def test_the_readme_is_a_front_page() -> None:
    readme = (PROJECT / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) <= 250
    for page in ("spiders", "licenses", "output", "settings", "scrapyd", "troubleshooting", "development"):
        assert f"(docs/{page}.md" in readme, page


#: Figures that drift as the code or the machine changes: test counts, "about N minutes", timings and
#: sizes given as "about"/"~", dated measurements, per-item CPU costs, peak memory.
DRIFT = [
    re.compile(r"\b\d[\d,]*\s+(?:unit |crawl )?tests\b"),
    re.compile(r"(?:\b(?:about|around|roughly)\s*|~\s*)\d[\d,.]*(?:-\d[\d,.]*)?\s*"
               r"(?:us|ms|s|seconds?|min|minutes?|hours?|KB|kB|MB|GB|MiB|GiB)\b"),
    re.compile(r"\b(?:half a|about a|\d[\d.]*)\s+minutes?\b"),
    re.compile(r"\b20\d\d-\d\d-\d\d\b"),
    re.compile(r"\b\d[\d.]*\s*(?:CPU )?(?:ms|us) (?:an?|per) (?:image|page|row|decode)\b"),
    re.compile(r"\bpeak(?:s| at)?\s+(?:about\s+)?\d[\d,.-]*\s*(?:MB|MiB|GB|GiB)\b"),
]


def drifting_figures(text: str) -> list[str]:
    return [match.group(0) for line in text.splitlines() for pattern in DRIFT for match in pattern.finditer(line)]


def test_the_drift_patterns_find_what_they_are_for() -> None:
    old = ("The suite (about\n1,600 tests) runs: about 11 minutes on 2 cores; half a minute once done (about 770 MB).\n"
           "trafilatura adds ~45 ms a page. Measured 2026-11-30. peak 314-321 MiB.")
    assert {"1,600 tests", "about 11 minutes", "half a minute", "about 770 MB", "~45 ms", "2026-11-30",
            "peak 314-321 MiB"} <= set(drifting_figures(old))
    assert drifting_figures("20 calls a minute, 200 a day; PUBLISH_ORPHAN_GRACE (600 s); a 34 MB robots.txt") == []


def test_no_drifting_figure_outside_the_performance_page() -> None:
    found = {
        str(path.relative_to(PROJECT)): figures
        for path in docs.pages()
        if path.name != "performance.md" and (figures := drifting_figures(path.read_text(encoding="utf-8")))
    }
    assert found == {}, "move measurements to docs/performance.md, under a table saying when and on what"


def test_every_performance_table_says_when_and_on_what() -> None:
    """Each table's section (from its heading) has 'measured <date> ... on <machine>' before it."""
    lines = (PROJECT / "docs" / "performance.md").read_text(encoding="utf-8").splitlines()
    heading, fence, undated = 0, False, []
    for index, line in enumerate(lines):
        if line.startswith("```"):
            fence = not fence
        if fence:
            continue
        if line.startswith("#"):
            heading = index
        if line.startswith("|") and not lines[index - 1].startswith("|"):
            intro = "\n".join(lines[heading:index])
            if not re.search(r"[Mm]easured[^|]*?\b20\d\d-\d\d-\d\d\b[^|]*?\bon\b", intro):
                undated.append(f"{index + 1}: {line[:60]}")
    assert len([line for line in lines if line.startswith("|---")]) >= 8
    assert undated == []


def test_every_spider_argument_is_on_the_spiders_page() -> None:
    """Each ``-a`` argument any spider takes (as ``scrapy describe`` lists it), and each engine filter's
    choices, stand in docs/spiders.md as code."""
    from scrapy.spiderloader import get_spider_loader

    from tests.settings import project_settings

    settings = project_settings({})
    loader = get_spider_loader(settings)
    page = (PROJECT / "docs" / "spiders.md").read_text(encoding="utf-8")
    missing = []
    spiders = sorted(loader.list())
    assert {"bing", "google", "flickr", "openverse", "commons", "search", "urls"} <= set(spiders)
    for name in spiders:
        spidercls = loader.load(name)
        assert f"`{name}`" in page, name
        for argument in getattr(spidercls, "argument_help", lambda _: [])(settings):
            if f"`{argument.name}`" not in page and f"`-a {argument.name}=" not in page:
                missing.append(f"{name}: {argument.name}")
            if argument.name in ("size", "type", "color", "aspect", "time", "sort"):
                missing += [f"{name}: {argument.name}={choice}" for choice in argument.choices if f"`{choice}`" not in page]
    assert missing == []


def test_a_local_build_of_the_site_is_ignored_by_git() -> None:
    """``mkdocs build`` writes site/ in the project: the clone stays clean."""
    ignored = subprocess.run(
        ["git", "check-ignore", "site/index.html", "docs/index.md"],  # noqa: S607
        cwd=PROJECT, capture_output=True, text=True, check=False,
    ).stdout.split()
    assert ignored == ["site/index.html"]
