"""The lean install, checked on the files a newcomer follows: README's two commands (set up and
crawl; set up and test), .ci/run running exactly the second, setup.sh's closing hint, and a runtime requirements file
without the test-only packages (several GB of torch a crawler or a Scrapyd server never uses)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]
TEST_ONLY = {"pytest", "hypothesis", "datasets", "torch", "torchvision"}


def requirement_names(path: Path) -> set[str]:
    names = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#")[0].strip()
        if line and not line.startswith("-"):
            names.add(re.split(r"[=<>;\[ ]", line)[0].lower())
    return names


def readme_commands() -> tuple[str, str]:
    """README's crawl command and test command, from the first bash block: two commands, each
    setting up first, so either works on a fresh clone."""
    block = re.search(r"## Set up, crawl, test\n+```bash\n(.*?)```", (PROJECT / "README.md").read_text(), re.DOTALL)
    assert block is not None
    lines = [line.split("  #")[0].strip() for line in block.group(1).splitlines() if line.strip()]
    assert len(lines) == 2, lines
    crawl, tests = lines
    assert crawl.startswith("bash setup.sh && ") and "scrapy crawl" in crawl
    assert tests.startswith("bash setup.sh && ") and "pytest" in tests
    return crawl, tests


def test_runtime_requirements_hold_no_test_package() -> None:
    runtime = requirement_names(PROJECT / "requirements.txt")
    assert not runtime & TEST_ONLY
    assert {"scrapy", "scrapyd", "scrapy-playwright", "pillow"} <= runtime
    assert TEST_ONLY <= requirement_names(PROJECT / "requirements-test.txt")
    assert "-r requirements.txt" in (PROJECT / "requirements-test.txt").read_text()


def test_the_crawler_imports_no_test_package() -> None:
    for path in (PROJECT / "imagespider").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            else:
                continue
            assert not {name.split(".")[0] for name in names} & TEST_ONLY, (path, names)


def test_ci_runs_exactly_readme_commands() -> None:
    _, tests = readme_commands()
    assert "requirements-test.txt" in tests
    commands = [
        line.strip() for line in (PROJECT / ".ci" / "run").read_text().splitlines()
        if line.strip() and not line.startswith(("#", "set ", "cd "))
    ]
    assert commands == [tests]


def test_setup_hint_matches_readme() -> None:
    setup_sh = (PROJECT / "setup.sh").read_text()
    crawl, tests = readme_commands()
    assert tests.removeprefix("bash setup.sh && ") in setup_sh
    assert "requirements-test.txt" not in next(line for line in setup_sh.splitlines() if "pip install" in line)
