"""imagespider/settings.py: every setting of the project's own (not Scrapy's, not scrapy-playwright's
PLAYWRIGHT_*) has a comment saying what it is, and a row in docs/settings.md; the typed
values a crawl is configured from are read from it with their types."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import scrapy.settings.default_settings as scrapy_defaults

import imagespider.settings as project
from tests.settings import project_settings

PROJECT = Path(__file__).resolve().parents[2]
LINES = (PROJECT / "imagespider" / "settings.py").read_text(encoding="utf-8").splitlines()
ASSIGNMENT = re.compile(r"^([A-Z][A-Z0-9_]*) = ")


def own_settings() -> list[tuple[int, str]]:
    """(line index, name) of every setting the project defines for itself."""
    found = []
    for index, line in enumerate(LINES):
        match = ASSIGNMENT.match(line)
        if match and not hasattr(scrapy_defaults, match.group(1)) and not match.group(1).startswith("PLAYWRIGHT_"):
            found.append((index, match.group(1)))
    return found


def documented_settings() -> set[str]:
    """The names that start a row of docs/settings.md's tables (one or two names in the first cell)."""
    page = (PROJECT / "docs" / "settings.md").read_text(encoding="utf-8")
    names: set[str] = set()
    for cell in re.findall(r"^\| ((?:`[A-Z][A-Z0-9_]+`(?:, )?)+) \|", page, re.MULTILINE):
        names.update(re.findall(r"`([A-Z][A-Z0-9_]+)`", cell))
    return names


def test_the_project_defines_settings_of_its_own() -> None:
    names = {name for _, name in own_settings()}
    assert {"LICENSE_POLICY", "BING_SEARCH_URL", "SCROLL_WAIT_TIMEOUT", "PAGE_EVIDENCE"} <= names
    assert all(getattr(project, name) is not None for name in names)


def test_every_own_setting_is_commented() -> None:
    """A comment right above it, or above the group of settings it stands in (one comment for a
    pair such as OPENVERSE_CLIENT_ID and OPENVERSE_CLIENT_SECRET)."""
    uncommented = []
    for index, name in own_settings():
        above = index - 1
        while above >= 0 and ASSIGNMENT.match(LINES[above]):
            above -= 1
        if above < 0 or not LINES[above].startswith("#"):
            uncommented.append(name)
    assert uncommented == []


def test_every_own_setting_is_in_the_settings_page() -> None:
    table = documented_settings()
    assert [name for _, name in own_settings() if name not in table] == []


def test_settings_read_as_a_crawl_reads_them() -> None:
    settings = project_settings({"SCROLL_WAIT_TIMEOUT": "2.5", "IMAGES_MIN_WIDTH": "100"})
    assert settings.getfloat("SCROLL_WAIT_TIMEOUT") == 2.5
    assert settings.getint("IMAGES_MIN_WIDTH") == 100
    assert settings["LICENSE_POLICY"] == project.LICENSE_POLICY == "share"
    assert settings["ROBOTSTXT_OBEY"] is True


def test_scrapys_extensions_are_kept_but_the_remote_control_is_not_even_imported() -> None:
    """Start-up (issue 19): a ``None`` in EXTENSIONS still imports the extension, and Scrapy's
    remote control imports aiohttp; leaving it out of EXTENSIONS_BASE does not."""
    kept = set(scrapy_defaults.EXTENSIONS_BASE) - {"scrapy.extensions.remote_control.RemoteControl"}
    assert set(project.EXTENSIONS_BASE) == kept
    script = (
        "import sys\n"
        "from scrapy.utils.conf import build_component_list\n"
        "from scrapy.utils.project import get_project_settings\n"
        "settings = get_project_settings()\n"
        "build_component_list(settings.get_component_priority_dict_with_base('EXTENSIONS'))\n"
        "print(sorted(name for name in ('aiohttp', 'scrapy.extensions.remote_control') if name in sys.modules))\n"
    )
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run([sys.executable, "-c", script], cwd=root, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def settings_read_in_code() -> set[str]:
    """Every setting name the package reads by a literal name (``settings.getint("NAME")``,
    ``settings["NAME"]``), its own and Scrapy's."""
    read: set[str] = set()
    for path in (PROJECT / "imagespider").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        read |= set(re.findall(r"""settings\.get\w*\(\s*["']([A-Z][A-Z0-9_]+)["']""", text))
        read |= set(re.findall(r"""settings\[\s*["']([A-Z][A-Z0-9_]+)["']\s*\]""", text))
    return read


def test_every_setting_the_project_defines_or_reads_is_in_the_settings_page() -> None:
    """A user finds any setting by name in docs/settings.md: those settings.py sets (Scrapy's and
    scrapy-playwright's included) and those the code reads, each a row of one of its tables."""
    defined = {match.group(1) for line in LINES if (match := ASSIGNMENT.match(line))}
    read = settings_read_in_code()
    assert {"MEDIA_ALLOW_REDIRECTS", "TWISTED_REACTOR", "LICENSE_POLICY"} <= defined
    assert {"AWS_ENDPOINT_URL", "DNSCACHE_SIZE"} <= read
    missing = sorted((defined | read) - documented_settings())
    assert missing == [], f"add a row for each to a table of docs/settings.md: {missing}"
