"""``crawls.jsonl``: the store's run history, one row per crawl that wrote into it.

A store grows over many crawls (a nightly job, a second engine, a resumed job); the manifest says
what is in it, this file says how it got there: which spider, with which arguments and the
settings that change the result, when, what it kept and dropped and how it ended. Each row also
carries the crawl's whole Scrapy stats (``stats``), the file on disk that img2dataset users expect
per shard. It is one file at the store's root rather than a ``stats/`` folder, because every
folder at the root is a class to torchvision's ``ImageFolder`` (an empty one is an error there).

Pure functions; the rows are written by :mod:`imagespider.extensions.record` while the crawl still
holds the store's lock, and read by the report (:mod:`imagespider.dataset.documents.report`).
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from imagespider.dataset.store.durable import replace_durably
from imagespider.dataset.store.files import CRAWLS
from imagespider.dataset.store.jsonl import append_row, json_object, read_jsonl, read_lines

#: Settings that change what a crawl keeps, recorded with each crawl (when they are set).
SETTINGS_THAT_MATTER = (
    "IMAGES_STORE", "JOBDIR", "LICENSE_POLICY", "DEDUP", "DEDUP_MAX_DISTANCE", "IMAGES_MIN_WIDTH",
    "IMAGES_MIN_HEIGHT", "IMAGES_MAX_PIXELS", "DOWNLOAD_MAXSIZE", "ROBOTSTXT_OBEY", "ALLOW_PRIVATE_ADDRESSES",
    "USER_AGENT", "BING_SEARCH_URL", "GOOGLE_SEARCH_URL", "FLICKR_API_URL", "FLICKR_SIZE",
)  # fmt: skip

#: The per-reason drop counters in Scrapy's stats: ``imagespider/dropped/<reason>``.
_DROPPED = "imagespider/dropped/"


def new_crawl_id(spider: str, started: datetime, job: str | None = None) -> str:
    """``20261130T063123Z-bing-3f1a9c``: sortable by start, unique enough; Scrapyd's job id when given."""
    stamp = started.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    return f"{stamp}-{spider}-{job or secrets.token_hex(3)}"


def jsonable(value: Any) -> Any:
    """Stats values as JSON: datetimes as ISO text, anything else unknown as its ``str``."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(timespec="seconds")
    if isinstance(value, Mapping):
        return {str(key): jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(item) for item in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def dropped_by_reason(stats: Mapping[str, Any]) -> dict[str, int]:
    """``{reason: count}`` from ``imagespider/dropped/<reason>`` (not the ``license/<id>`` breakdown)."""
    reasons = {
        key.removeprefix(_DROPPED): int(value)
        for key, value in stats.items()
        if key.startswith(_DROPPED) and "/" not in key.removeprefix(_DROPPED)
    }
    return dict(sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0])))


def crawl_row(
    *, crawl_id: str, spider: str, arguments: Mapping[str, Any], settings: Mapping[str, Any],
    start: datetime, end: datetime, finish_reason: str, queries: list[dict[str, Any]], stats: Mapping[str, Any],
) -> dict[str, Any]:
    """One ``crawls.jsonl`` row."""
    return {
        "id": crawl_id,
        "spider": spider,
        "arguments": {key: str(value) for key, value in arguments.items()},
        "settings": jsonable(dict(settings)),
        "start": jsonable(start),
        "end": jsonable(end),
        "kept": int(stats.get("imagespider/kept", 0)),
        "dropped": dropped_by_reason(stats),
        "finish_reason": finish_reason,
        "queries": queries,
        "stats": jsonable(dict(stats)),
    }


def append_crawl(root: Path, row: Mapping[str, Any]) -> None:
    """Append one row with one ``write()`` (a killed crawl never leaves half a row)."""
    fd = os.open(root / CRAWLS, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        append_row(fd, dict(row))
    finally:
        os.close(fd)


def amend_crawl(root: Path, row: Mapping[str, Any]) -> bool:
    """Replace the last row of ``crawls.jsonl`` with ``row``'s id by ``row`` (a crawl whose end
    turned out worse after its row was written: documents not written); the file is rewritten
    whole and renamed over the old one, so a kill leaves either. False when no row has that id.
    Read as every reader of the store's files reads (:func:`read_lines`), and copied a piece at a
    time: every other line's bytes stay as they were, a torn last line included."""
    path = root / CRAWLS
    found = None
    for line in read_lines(path):
        old = json_object(line.raw)
        if old is not None and old.get("id") == row.get("id"):
            found = line
    if found is None:
        return False
    fd, temp = tempfile.mkstemp(dir=root, prefix=f".{CRAWLS}.", suffix=".tmp")
    try:
        with path.open("rb") as source, os.fdopen(fd, "wb") as handle:
            left = found.offset
            while left and (piece := source.read(min(left, 1 << 20))):
                handle.write(piece)
                left -= len(piece)
            handle.write((json.dumps(dict(row), ensure_ascii=False) + "\n").encode("utf-8"))
            source.seek(found.offset + found.length)
            shutil.copyfileobj(source, handle)
        os.chmod(temp, 0o644)
        replace_durably(Path(temp), path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return True


def read_crawls(root: Path) -> Iterator[dict[str, Any]]:
    """The rows of ``crawls.jsonl``, oldest first, read as every JSON-lines file of the store is
    (imagespider/dataset/store/jsonl.py): a torn last line left out, an unreadable line skipped with a
    warning; no file, no rows. Each row comes typed as :func:`crawl_row` writes it (see
    :func:`typed_crawl`), so a hand-edited row cannot stop the report or the card."""
    return (typed_crawl(row) for row in read_jsonl(root / CRAWLS))


def _count(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else 0


def typed_crawl(row: Mapping[str, Any]) -> dict[str, Any]:
    """A ``crawls.jsonl`` row with every field its readers use of the type :func:`crawl_row`
    gives it: a field of another type (``"arguments": "x"``, ``"kept": "many"``, a query that is
    not an object) is read as empty, the rest of the row kept."""
    out = dict(row)
    for name in ("arguments", "settings", "stats"):
        if not isinstance(out.get(name), Mapping):
            out[name] = {}
    for name in ("id", "spider", "start", "end", "finish_reason"):
        if out.get(name) is not None and not isinstance(out[name], str):
            out[name] = None
    out["kept"] = _count(out.get("kept"))
    dropped = out.get("dropped")
    out["dropped"] = {str(k): v for k, v in dropped.items() if _count(v)} if isinstance(dropped, Mapping) else {}
    queries = out.get("queries")
    out["queries"] = [
        {**query, "kept": _count(query.get("kept")),
         "limit": query["limit"] if _count(query.get("limit")) else None,
         "label": query["label"] if isinstance(query.get("label"), str) else None}
        for query in (queries if isinstance(queries, list) else []) if isinstance(query, Mapping)
    ]  # fmt: skip
    return out
