"""What earlier runs of a job kept, so a job resumed with its ``JOBDIR`` ends at ``limit``.

Semantics: a crawl keeps ``limit`` *new* images per query (results already in the store's
manifest are skipped, not counted). A job run with ``-s JOBDIR=...`` is one crawl however many
times it is stopped and started: its first run writes the manifest's per-query counts to
``<JOBDIR>/imagespider-baseline.json`` before keeping anything, and every later run counts the
rows above that baseline as already kept by the job.

Why a file of our own and not ``spider.state``: Scrapy saves ``spider.state`` only when the
spider closes cleanly, so after a SIGKILL it would be lost and the job would keep ``limit`` more.
This file is written once, atomically, before the first row, and never changes.

Results this job rejected in an earlier run are not fetched again when it resumes (they would
be downloaded and rejected a second time, listed twice in ``rejected.jsonl``): the rows of
``rejected.jsonl`` stamped (``at``) since the baseline was written are this job's. Rejections of
earlier crawls are tried again: a host that timed out last week may answer now.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Collection, Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from imagespider.query import Query

BASELINE = "imagespider-baseline.json"


def _key(row: Mapping[str, Any]) -> str:
    return json.dumps([row.get("engine"), row.get("query"), row.get("label")], ensure_ascii=False)


def kept_by_this_job(
    settings: Any, rows: Iterable[Mapping[str, Any]], engine: str | Collection[str]
) -> dict[Query, int]:
    """Rows per query that earlier runs of this job kept; empty without ``JOBDIR``. ``engine``
    may be several (the ``search`` spider's rows name the engine that found each image)."""
    counts = Counter((row.get("engine"), row.get("query"), row.get("label")) for row in rows)
    return kept_by_this_job_from_counts(settings, counts, engine)


def kept_by_this_job_from_counts(
    settings: Any, store_counts: Mapping[tuple[Any, Any, Any], int], engine: str | Collection[str]
) -> dict[Query, int]:
    """:func:`kept_by_this_job` from the store's rows per ``(engine, query, label)`` (its index,
    imagespider/dataset/store/index.py), so a resumed job never reads the manifest."""
    jobdir = settings.get("JOBDIR")
    if not jobdir:
        return {}
    engines = {engine} if isinstance(engine, str) else set(engine)
    counts = Counter(
        {_key({"engine": e, "query": q, "label": lab}): n for (e, q, lab), n in store_counts.items() if e in engines}
    )
    path = Path(jobdir) / BASELINE
    if path.exists():
        baseline: dict[str, int] = json.loads(path.read_text(encoding="utf-8"))
    else:
        baseline = dict(counts)
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".tmp")
        partial.write_text(json.dumps(baseline, ensure_ascii=False), encoding="utf-8")
        os.replace(partial, path)  # whole or absent, even if the process dies here
    kept: dict[Query, int] = {}
    for key, count in counts.items():
        _, query, label = json.loads(key)
        extra = count - baseline.get(key, 0)
        if extra > 0:
            kept[Query(query, label)] = kept.get(Query(query, label), 0) + extra
    return kept


def rejected_by_this_job(settings: Any, rejected: Iterable[Mapping[str, Any]]) -> set[tuple[str, str]]:
    """``(url, label)`` of the ``rejected`` rows written by earlier runs of this JOBDIR job;
    empty without ``JOBDIR`` or on a job's first run (no baseline yet)."""
    jobdir = settings.get("JOBDIR")
    path = Path(jobdir) / BASELINE if jobdir else None
    if path is None or not path.exists():
        return set()
    # ``at`` has whole seconds: a row of the same second as the baseline is this job's.
    since = datetime.fromtimestamp(int(path.stat().st_mtime), UTC)
    found: set[tuple[str, str]] = set()
    for row in rejected:
        try:
            at = datetime.fromisoformat(str(row.get("at")))
        except ValueError:
            continue
        if at.tzinfo is not None and at >= since and row.get("url"):
            found.add((str(row["url"]), str(row.get("label") or "")))
    return found


def kept_in_store(rows: Iterable[Mapping[str, Any]]) -> Counter[str]:
    """Rows per label in the whole store (``-a mode=top-up`` counts these toward ``limit``)."""
    return Counter(str(row.get("label") or "") for row in rows)


#: The urls spider's baseline: rows per label when its job first ran (its quotas are per label).
LABEL_BASELINE = "imagespider-baseline-labels.json"


def kept_per_label_by_this_job(settings: Any, rows: Iterable[Mapping[str, Any]]) -> Counter[str]:
    """Rows per label that earlier runs of this ``JOBDIR`` job kept (the ``urls`` spider, whose
    ``limit`` is per label); empty without ``JOBDIR`` or on the job's first run, which writes the
    baseline, once and atomically, as :func:`kept_by_this_job` does."""
    return kept_per_label_by_this_job_from_counts(settings, kept_in_store(rows))


def kept_per_label_by_this_job_from_counts(settings: Any, counts: Mapping[str, int]) -> Counter[str]:
    """:func:`kept_per_label_by_this_job` from the store's rows per label (its index,
    imagespider/dataset/store/index.py), so a resumed job never reads the manifest."""
    jobdir = settings.get("JOBDIR")
    if not jobdir:
        return Counter()
    path = Path(jobdir) / LABEL_BASELINE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".tmp")
        partial.write_text(json.dumps(dict(counts), ensure_ascii=False), encoding="utf-8")
        os.replace(partial, path)
        return Counter()
    baseline: dict[str, int] = json.loads(path.read_text(encoding="utf-8"))
    earlier = {label: count - baseline.get(label, 0) for label, count in counts.items()}
    return Counter({label: extra for label, extra in earlier.items() if extra > 0})
