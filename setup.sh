#!/usr/bin/env bash
# Set up imagespider on a fresh machine: a virtualenv in .venv with the pinned runtime requirements
# (test-only packages: requirements-test.txt, installed by README's test command),
# and a Chromium for the engine pages. Safe to run again.
# Every step says what it does; a failure names the step, the command and what to try, so a newcomer
# whose apt is busy (unattended-upgrades holds its lock for minutes) knows to wait rather than debug.
# SETUP_APT_TRIES / SETUP_APT_WAIT: how often and how many seconds apart a held apt lock is retried.
set -euo pipefail
cd "$(dirname "$0")"
export PIP_DISABLE_PIP_VERSION_CHECK=1
APT_TRIES="${SETUP_APT_TRIES:-10}"
APT_WAIT="${SETUP_APT_WAIT:-30}"
LOG="$(mktemp)"
trap 'rm -f "$LOG"' EXIT
STEP=""

step() { STEP="$1"; echo "setup: $STEP"; }

# fail COMMAND TRY: the one message a failed step leaves (with the command's own last lines).
fail() {
  echo "setup: failed while $STEP" >&2
  echo "setup:   command: $1" >&2
  if [ -s "$LOG" ]; then tail -n 5 "$LOG" | sed 's/^/setup:   | /' >&2; fi
  echo "setup:   try: $2" >&2
  exit 1
}

# lock_holder: the process holding apt's or dpkg's lock, as "pid N (name)", from fuser, else apt's own message.
lock_holder() {
  local pids pid
  pids="$(fuser /var/lib/dpkg/lock-frontend /var/lib/dpkg/lock /var/lib/apt/lists/lock /var/cache/apt/archives/lock 2>/dev/null | tr -s ' ' '\n' | grep -E '^[0-9]+$' | sort -u | tr '\n' ' ' || true)"
  if [ -n "$pids" ]; then
    for pid in $pids; do printf 'pid %s (%s) ' "$pid" "$(ps -o comm= -p "$pid" 2>/dev/null || echo '?')"; done
  else
    grep -oE 'held by process [0-9]+( \([^)]*\))?' "$LOG" | head -n 1 | sed 's/held by process /pid /' || echo "an unknown process"
  fi
}

# apt ARGS...: apt-get as root (sudo when not root), retrying while another process holds its lock.
# Returns apt's status; its output is in $LOG.
apt() {
  local try=1 status
  local sudo=()
  if [ "$(id -u)" != 0 ]; then sudo=(sudo); fi
  while :; do
    status=0
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -qq "$@" >"$LOG" 2>&1 || status=$?
    if [ "$status" = 0 ] || ! grep -qiE 'could not (get|open) lock|unable to acquire the dpkg|is another process using it' "$LOG"; then
      return "$status"
    fi
    if [ "$try" -ge "$APT_TRIES" ]; then
      echo "setup: apt's lock is still held after $APT_TRIES tries, by $(lock_holder)" >&2
      return "$status"
    fi
    echo "setup: apt is busy (its lock is held by $(lock_holder)); waiting ${APT_WAIT}s (try $try of $APT_TRIES)"
    sleep "$APT_WAIT"
    try=$((try + 1))
  done
}

can_apt() { command -v apt-get >/dev/null 2>&1 && { [ "$(id -u)" = 0 ] || command -v sudo >/dev/null 2>&1; }; }

browser_ok() {
  .venv/bin/python -c "import sys; from imagespider.browser import browser_problem, default_launch_options; sys.exit(bool(browser_problem(default_launch_options())))" >/dev/null 2>&1
}

step "creating the virtualenv .venv (python3 -m venv)"
python3 -m venv .venv >"$LOG" 2>&1 \
  || fail "python3 -m venv .venv" "install Python's venv module (Debian: apt-get install python3-venv), then run bash setup.sh again"

step "installing the runtime requirements into .venv (pip install -r requirements.txt)"
.venv/bin/pip install -q -r requirements.txt >"$LOG" 2>&1 \
  || fail ".venv/bin/pip install -q -r requirements.txt" "check the network or proxy (pip reads HTTPS_PROXY), then run bash setup.sh again"

step "looking for a Chromium for the engine pages"
if browser_ok; then
  echo "setup: Chromium found"
else
  installed=""
  apt_problem="apt-get is not available (or not root and no sudo)"
  if can_apt; then
    step "installing Debian's chromium (apt-get update; apt-get install chromium)"
    if apt update && apt install -y chromium && browser_ok; then
      installed="Debian's chromium"
    else
      apt_problem="$(tail -n 1 "$LOG")"
      echo "setup: Debian's chromium could not be installed: ${apt_problem:-apt-get failed}"
    fi
  fi
  if [ -z "$installed" ]; then
    step "installing Playwright's Chromium instead (.venv/bin/playwright install chromium)"
    if .venv/bin/playwright install chromium >"$LOG" 2>&1 && browser_ok; then
      installed="Playwright's Chromium"
    else
      fail ".venv/bin/playwright install chromium (after: apt-get install chromium: $apt_problem)" \
        "install a Chromium yourself (apt-get install chromium, or .venv/bin/playwright install --with-deps chromium), then run bash setup.sh again"
    fi
  fi
  echo "setup: installed $installed"
fi

# redis-server: distributed crawls (README "Scaling out") and their tests start one on loopback.
if ! command -v redis-server >/dev/null 2>&1 && can_apt; then
  step "installing redis-server (only distributed crawls and their tests need it)"
  apt install -y redis-server || { apt update && apt install -y redis-server; } \
    || echo "setup: could not install redis-server (needed only by distributed crawls and their tests): $(tail -n 1 "$LOG")" >&2
fi
echo "setup: done. A crawl: .venv/bin/scrapy crawl bing -a q=cat -a limit=20"
echo "setup: the tests: .venv/bin/pip install -q -r requirements-test.txt && .venv/bin/python -m pytest"
