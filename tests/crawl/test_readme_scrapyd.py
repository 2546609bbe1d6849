"""docs/scrapyd.md's "Deploy to Scrapyd" steps, as written: its ``scrapyd.conf`` block starts a real Scrapyd,
its ``[deploy:local]`` credentials and ``scrapyd-deploy`` command deploy to it, in that order.

Only what cannot be kept on a test machine is changed: the port (a free one) and the eggs, dbs
and logs folders (a temporary folder). Every other line is the page's own, read by Scrapyd's
own config parser, so an inline ``; comment`` in a value would break the start as it did for users.
"""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
from collections.abc import Iterator
from configparser import ConfigParser
from pathlib import Path

import pytest

from tests import docs
from tests.conftest import PROJECT
from tests.mockserver import MockHTTPServer
from tests.servers import Scrapyd, copy_of_project, free_port, scrapyd_server, without_project_path

PAGE = (PROJECT / "docs" / "scrapyd.md").read_text(encoding="utf-8")
SECTION = PAGE[PAGE.index("# Deploy to Scrapyd") : PAGE.index("## Scheduled crawls")]


def readme_scrapyd_conf() -> str:
    conf = docs.block("scrapyd-conf")
    assert "[scrapyd]" in conf
    return conf


def readme_deploy_target() -> str:
    target = docs.block("scrapyd-deploy-target")
    assert "[deploy:local]" in target
    return target


def readme_deploy_command() -> list[str]:
    (command,) = docs.commands(docs.block("scrapyd-deploy"))
    assert "scrapyd-deploy" in command
    return shlex.split(command)


def test_scrapyd_conf_values_hold_no_inline_comment() -> None:
    parser = ConfigParser()  # as Scrapyd reads it: no inline comment prefixes
    parser.read_string(readme_scrapyd_conf())
    section = parser["scrapyd"]
    assert section["bind_address"] == "127.0.0.1"
    assert section["http_port"] == "6800"
    assert section["username"] == "spider" and section["password"] == "change-me"
    assert section["items_dir"] == ""
    assert all(";" not in value and "#" not in value for value in section.values())


def test_credentials_come_before_the_deploy_command() -> None:
    assert SECTION.index("[deploy:local]") < SECTION.index("scrapyd-deploy local")


def test_the_tracked_target_already_reads_the_credentials_from_the_environment() -> None:
    """Nobody edits the tracked scrapy.cfg to deploy (the clone stays clean): the page's target is the file's."""
    parser = ConfigParser(interpolation=None)
    parser.read(PROJECT / "scrapy.cfg")
    readme = ConfigParser(interpolation=None)
    readme.read_string(readme_deploy_target())
    assert dict(parser["deploy:local"]) == dict(readme["deploy:local"])
    assert parser["deploy:local"]["username"] == "${SCRAPYD_USERNAME}"
    assert parser["deploy:local"]["password"] == "${SCRAPYD_PASSWORD}"


def test_what_a_deploy_leaves_is_ignored_by_git() -> None:
    ignored = subprocess.run(
        ["git", "check-ignore", "build/lib/x.py", "imagespider.egg-info/PKG-INFO", "project.egg-info/x"],  # noqa: S607
        cwd=PROJECT, capture_output=True, text=True, check=False,
    ).stdout.split()
    assert ignored == ["build/lib/x.py", "imagespider.egg-info/PKG-INFO", "project.egg-info/x"]


@pytest.fixture(scope="module")
def readme_scrapyd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scrapyd]:
    home = tmp_path_factory.mktemp("readme-scrapyd")
    port = free_port()
    conf = readme_scrapyd_conf()
    replaced = {"http_port": str(port), "eggs_dir": str(home / "eggs"), "dbs_dir": str(home / "dbs"),
                "logs_dir": str(home / "logs")}
    for key, value in replaced.items():
        conf, count = re.subn(rf"(?m)^{key}\s*=.*$", f"{key} = {value}", conf)
        assert count == 1, key
    with scrapyd_server(home, conf, port, ("spider", "change-me")) as server:
        yield server


def test_readme_steps_start_scrapyd_and_deploy(readme_scrapyd: Scrapyd, mockserver: MockHTTPServer, tmp_path: Path) -> None:
    project = copy_of_project(tmp_path)
    cfg = (project / "scrapy.cfg").read_text(encoding="utf-8")  # the tracked file: only the port changes
    assert "http://127.0.0.1:6800/" in cfg
    (project / "scrapy.cfg").write_text(cfg.replace("http://127.0.0.1:6800/", readme_scrapyd.url), encoding="utf-8")
    command = readme_deploy_command()
    env = without_project_path()
    while "=" in command[0]:  # VAR=value prefixes, as the shell reads them
        name, _, value = command.pop(0).partition("=")
        env[name] = value
    assert command[0] == ".venv/bin/scrapyd-deploy"
    result = subprocess.run(
        [sys.executable, "-m", "scrapyd_client.deploy", *command[1:]],
        cwd=project, env=env, capture_output=True, text=True, timeout=120, check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert '"status": "ok"' in result.stdout
    spiders = readme_scrapyd.call("listspiders.json?project=imagespider")
    assert {"bing", "google", "flickr"} <= set(spiders["spiders"])

    # Step 5, the schedule.json call as written: only the port, the store (a temporary folder) and,
    # so the job never leaves 127.0.0.1, the engine's endpoint on the mock server change.
    (schedule,) = docs.commands(docs.block("scrapyd-schedule"))
    words = shlex.split(schedule.replace("http://127.0.0.1:6800/", readme_scrapyd.url))
    assert words[0] == "curl" and "-u" in words
    words = [f"setting=IMAGES_STORE={tmp_path / 'cats'}" if word.startswith("setting=IMAGES_STORE=") else word for word in words]
    words += ["-d", f"setting=BING_SEARCH_URL={mockserver.base}/images/search", "-d", "setting=ALLOW_PRIVATE_ADDRESSES=True"]
    answer = subprocess.run(words, capture_output=True, text=True, timeout=60, check=True).stdout
    assert json.loads(answer)["status"] == "ok", answer
    job = json.loads(answer)["jobid"]
    jobs = readme_scrapyd.call("listjobs.json?project=imagespider")
    assert job in {entry["id"] for state in ("pending", "running", "finished") for entry in jobs[state]}
    readme_scrapyd.call("cancel.json", [("project", "imagespider"), ("job", job)])
