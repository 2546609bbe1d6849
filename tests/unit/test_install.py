"""The lean install, checked on the files a newcomer follows: README's two commands (its block marked
``<!-- run: setup -->``, tests/docs.py) (set up and
crawl; set up and test), .ci/run running exactly the second, setup.sh's closing hint, and a runtime requirements file
without the test-only packages (several GB of torch a crawler or a Scrapyd server never uses)."""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
from pathlib import Path

from tests import docs

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
    readme = (PROJECT / "README.md").read_text(encoding="utf-8")
    assert readme.index("## Set up, crawl, test") < readme.index("<!-- run: setup -->") < readme.index("\n## ", readme.index("## Set up"))
    lines = [line.split("  #")[0].strip() for line in docs.block("setup").splitlines() if line.strip()]
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


# setup.sh's steps and failure paths, run on a copy of the script with stub commands first on PATH (python3 makes
# a .venv whose python/pip/playwright are stubs; apt-get, fuser, ps and sudo are stubs): what a newcomer reads
# when apt is busy, when Debian has no chromium, or when nothing gives a browser.
STUBS = {
    "python3": """#!/bin/bash
mkdir -p .venv/bin
for tool in pip playwright python; do cp "$STUB_DIR/venv-$tool" ".venv/bin/$tool"; chmod +x ".venv/bin/$tool"; done
""",
    "venv-pip": "#!/bin/bash\nexit 0\n",
    "venv-python": '#!/bin/bash\n[ -e "$STUB_DIR/browser" ]\n',
    "venv-playwright": """#!/bin/bash
echo "playwright $*" >> "$STUB_DIR/calls"
if [ "$STUB_PLAYWRIGHT" = ok ]; then touch "$STUB_DIR/browser"; exit 0; fi
echo "Error: Download failed: ENOTFOUND playwright.azureedge.net" >&2; exit 1
""",
    "apt-get": """#!/bin/bash
echo "apt-get $*" >> "$STUB_DIR/calls"
case "$STUB_APT" in
  locked) echo "E: Could not get lock /var/lib/dpkg/lock-frontend. It is held by process 4242 (unattended-upgr)" >&2
          echo "E: Unable to acquire the dpkg frontend lock (/var/lib/dpkg/lock-frontend), is another process using it?" >&2
          exit 100;;
  nochromium) case "$*" in *chromium*) echo "E: Unable to locate package chromium" >&2; exit 100;; esac;;
  ok) case "$*" in *chromium*) touch "$STUB_DIR/browser";; esac;;
esac
exit 0
""",
    "fuser": '#!/bin/bash\n[ "$STUB_APT" = locked ] && echo " 4242"\nexit 0\n',
    "ps": "#!/bin/bash\necho unattended-upgr\n",
    "sudo": '#!/bin/bash\nexec "$@"\n',
    "redis-server": "#!/bin/bash\nexit 0\n",
}


def run_setup(tmp_path: Path, apt: str, playwright: str) -> tuple[subprocess.CompletedProcess[str], str]:
    project = tmp_path / "project"
    stubs = tmp_path / "stubs"
    project.mkdir()
    stubs.mkdir()
    shutil.copy(PROJECT / "setup.sh", project / "setup.sh")
    (project / "requirements.txt").write_text("scrapy\n")
    for name, text in STUBS.items():
        (stubs / name).write_text(text)
        (stubs / name).chmod(0o755)
    env = {
        "PATH": f"{stubs}:/usr/bin:/bin", "STUB_DIR": str(stubs), "STUB_APT": apt, "STUB_PLAYWRIGHT": playwright,
        "SETUP_APT_TRIES": "3", "SETUP_APT_WAIT": "0", "HOME": str(tmp_path),
    }
    result = subprocess.run([shutil.which("bash") or "/bin/bash", str(project / "setup.sh")], env=env, capture_output=True, text=True, timeout=60)
    calls = (stubs / "calls").read_text() if (stubs / "calls").exists() else ""
    return result, calls


def test_setup_says_each_step_and_installs_debian_chromium(tmp_path: Path) -> None:
    result, calls = run_setup(tmp_path, apt="ok", playwright="fail")
    assert result.returncode == 0, result.stderr
    for words in ("creating the virtualenv", "installing the runtime requirements", "looking for a Chromium",
                  "installing Debian's chromium", "installed Debian's chromium", "setup: done"):
        assert words in result.stdout
    assert "playwright" not in calls


def test_setup_waits_for_a_held_apt_lock_then_names_the_holder(tmp_path: Path) -> None:
    result, calls = run_setup(tmp_path, apt="locked", playwright="fail")
    assert result.returncode == 1
    assert calls.count("apt-get -qq update") == 3
    assert "apt is busy" in result.stdout and "try 1 of 3" in result.stdout
    assert "still held after 3 tries, by pid 4242 (unattended-upgr)" in result.stderr
    assert "playwright install chromium" in calls  # tried before giving up
    assert "setup: failed while installing Playwright's Chromium" in result.stderr
    assert "command: .venv/bin/playwright install chromium" in result.stderr
    assert "try: install a Chromium yourself" in result.stderr
    assert "Traceback" not in result.stderr


def test_setup_falls_back_to_playwright_when_debian_has_no_chromium(tmp_path: Path) -> None:
    result, calls = run_setup(tmp_path, apt="nochromium", playwright="ok")
    assert result.returncode == 0, result.stderr
    assert "Debian's chromium could not be installed: E: Unable to locate package chromium" in result.stdout
    assert "installed Playwright's Chromium" in result.stdout
