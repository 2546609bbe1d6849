"""Browser start-up choices (``imagespider.browser``), proven without starting a browser.

What is proven here:
- the default launch options are headless, run as root on a closed network (``--no-sandbox``,
  ``--disable-background-networking``), and name only an executable that exists;
- ``browser_problem`` gives one line telling how to install Chromium when the named executable is
  missing or not executable, and None for an executable that exists;
- ``abort_request`` skips pixels (image, font, media) but lets markup and scripts load.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from imagespider.browser import CHROMIUM_ARGS, abort_request, browser_problem, default_launch_options


def test_default_launch_options() -> None:
    options = default_launch_options()
    assert options["headless"] is True
    assert "--no-sandbox" in options["args"]
    assert "--disable-background-networking" in options["args"]
    executable = options.get("executable_path")
    if executable is not None:
        assert os.path.isfile(executable) and os.access(executable, os.X_OK)
        assert browser_problem(options) is None


def test_default_launch_options_are_a_fresh_copy() -> None:
    options = default_launch_options()
    options["args"].append("--kiosk")
    assert "--kiosk" not in CHROMIUM_ARGS
    assert "--kiosk" not in default_launch_options()["args"]


@pytest.mark.parametrize("where", ["/nonexistent/chrome", "relative/missing/chrome", "a directory"])
def test_missing_executable(where: str, tmp_path: Path) -> None:
    executable = str(tmp_path) if where == "a directory" else where
    problem = browser_problem({"executable_path": executable, "headless": True})
    assert problem is not None
    assert "\n" not in problem
    assert "chromium" in problem.lower()
    assert "install" in problem


def test_executable_that_is_not_executable(tmp_path: Path) -> None:
    fake = tmp_path / "chrome"
    fake.write_text("#!/bin/sh\n")
    fake.chmod(0o644)
    problem = browser_problem({"executable_path": str(fake)})
    assert problem is not None and str(fake) in problem and "\n" not in problem


def test_existing_executable_is_no_problem() -> None:
    assert browser_problem({"executable_path": sys.executable}) is None


@pytest.mark.parametrize(
    ("resource_type", "aborted"),
    [
        ("image", True),
        ("font", True),
        ("media", True),
        ("document", False),
        ("script", False),
        ("xhr", False),
        ("fetch", False),
    ],
)
def test_abort_request(resource_type: str, aborted: bool) -> None:
    request = SimpleNamespace(resource_type=resource_type, url="https://www.bing.com/x")
    assert abort_request(request) is aborted
