"""Temporary folders a crawl works in and removes at its end, and those a killed crawl left behind.

A crawl into an object store indexes the bucket's rows in a scratch folder
(imagespider/dataset/objectstore/dataset.py), and ``scrapy enginecheck`` crawls into a throwaway store
(imagespider/commands/enginecheck.py); both remove their folder when they end. A process killed
with SIGKILL (a distributed worker stopped hard, the OOM killer) cannot, and its folder would stay
in the temporary folder for good: an object store's index grows with the bucket. So each folder
names its owner (``.owner``: the process id and its start time, which a reused process id does
not share), and making a new one first removes those of the same kind whose owner is gone. A
folder without an owner file (being made right now, or made by an older version) is left alone.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from pathlib import Path

logger = logging.getLogger(__name__)

OWNER = ".owner"


def process_start(pid: int) -> str | None:
    """When process ``pid`` started (clock ticks since boot, from /proc), or None if there is no
    such process; ``""`` where /proc cannot say (not Linux): then the pid alone is compared."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except FileNotFoundError:
        if Path("/proc/self/stat").exists():
            return None
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return None
        except PermissionError:
            pass
        return ""
    except OSError:
        return ""
    fields = stat.rpartition(")")[2].split()
    return fields[19] if len(fields) > 19 else ""


def owner_is_gone(folder: Path) -> bool:
    """True when ``folder``'s owner file names a process that no longer runs."""
    try:
        pid_text, _, started = (folder / OWNER).read_text(encoding="ascii").strip().partition(" ")
        pid = int(pid_text)
    except (OSError, ValueError, UnicodeDecodeError):
        return False  # no owner (yet): not ours to judge
    if pid <= 0:
        return False
    now = process_start(pid)
    return now is None or (bool(now) and bool(started) and now != started)


def sweep_stale(prefix: str, parent: Path | None = None) -> list[Path]:
    """Remove the folders ``<parent>/<prefix>*`` whose owner is gone; return them."""
    parent = Path(parent or tempfile.gettempdir())
    removed = []
    try:
        candidates = [path for path in parent.iterdir() if path.name.startswith(prefix)]
    except OSError:
        return []
    for folder in candidates:
        if folder.is_dir() and not folder.is_symlink() and owner_is_gone(folder):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
            logger.info("removed %s, left by a crawl that was killed", folder)
    return removed


def make_scratch(prefix: str, parent: Path | None = None) -> Path:
    """A new temporary folder owned by this process, after removing the stale ones of its kind."""
    sweep_stale(prefix, parent)
    folder = Path(tempfile.mkdtemp(prefix=prefix, dir=parent))
    pid = os.getpid()
    (folder / OWNER).write_text(f"{pid} {process_start(pid) or ''}\n", encoding="ascii")
    return folder
