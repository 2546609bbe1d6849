#!/usr/bin/env bash
# Set up imagespider on a fresh machine: a virtualenv in .venv with the pinned runtime requirements
# (test-only packages: requirements-test.txt, installed by README's test command),
# and a Chromium for the engine pages. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")"
export PIP_DISABLE_PIP_VERSION_CHECK=1

python3 -m venv .venv
.venv/bin/pip install -q -r requirements.txt

# Chromium: Playwright's own build when it can be downloaded, else the system package.
if .venv/bin/python -c "import sys; from imagespider.browser import browser_problem, default_launch_options; sys.exit(bool(browser_problem(default_launch_options())))" 2>/dev/null; then
  echo "setup: Chromium found"
elif command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  echo "setup: installed Debian's chromium"
elif command -v apt-get >/dev/null 2>&1 && command -v sudo >/dev/null 2>&1; then
  sudo DEBIAN_FRONTEND=noninteractive apt-get update -qq
  sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  echo "setup: installed Debian's chromium"
elif .venv/bin/playwright install chromium; then
  echo "setup: installed Playwright's Chromium"
else
  echo "setup: no Chromium: install one (apt-get install chromium, or .venv/bin/playwright install chromium)" >&2
  exit 1
fi
# redis-server: distributed crawls (README "Scaling out") and their tests start one on loopback.
if ! command -v redis-server >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null \
    || { $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
         $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null; } \
    || echo "setup: could not install redis-server (needed only by distributed crawls and their tests)" >&2
fi
echo "setup: done. A crawl: .venv/bin/scrapy crawl bing -a q=cat -a limit=20"
echo "setup: the tests: .venv/bin/pip install -q -r requirements-test.txt && .venv/bin/python -m pytest"
