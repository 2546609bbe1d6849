"""The resume baseline: a job run with JOBDIR counts only what it kept itself."""

from __future__ import annotations

import json
from pathlib import Path

from scrapy.settings import Settings

from imagespider.dataset.store import resume
from imagespider.query import Query


def test_a_job_counts_only_the_rows_kept_since_it_started(tmp_path: Path) -> None:
    settings = Settings({"JOBDIR": str(tmp_path / "job")})
    old = [{"engine": "bing", "query": "cat", "label": "cat"}] * 3
    assert resume.kept_by_this_job(settings, old, "bing") == {}
    baseline = json.loads((tmp_path / "job" / resume.BASELINE).read_text())
    assert list(baseline.values()) == [3]
    now = [*old, *[{"engine": "bing", "query": "cat", "label": "cat"}] * 2, {"engine": "google", "query": "cat", "label": "cat"}]
    assert resume.kept_by_this_job(settings, now, "bing") == {Query("cat", "cat"): 2}
    assert resume.kept_by_this_job(Settings(), now, "bing") == {}
