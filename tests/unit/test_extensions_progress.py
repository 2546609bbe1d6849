"""The progress lines, the summary and the "kept nothing" verdict, on counts alone."""

from __future__ import annotations

from collections import Counter

from imagespider.extensions.progress import ProgressExtension, QueryProgress, dropped_text


class _Crawler:
    stats = None


def extension(*queries: QueryProgress) -> ProgressExtension:
    ext = ProgressExtension(_Crawler(), 0)  # type: ignore[arg-type]
    for progress in queries:
        ext.queries[(progress.engine, progress.query, progress.label)] = progress
    return ext


def test_a_resumed_query_counts_the_whole_job_and_this_run() -> None:
    progress = QueryProgress("bing", "cat", "cat", 200, kept=25, earlier=175)
    assert progress.line() == "bing 'cat' (cat): kept 200/200 (25 in this run), dropped 0"
    assert QueryProgress("bing", "cat", "cat", 200, kept=25).line() == "bing 'cat' (cat): kept 25/200, dropped 0"


def test_summary_names_the_finish_reason_once() -> None:
    ext = extension(QueryProgress("bing", "cat", "cat", 5, kept=5, dropped=Counter(http_error=2)))
    ext.reason = "finished"
    lines = ext.summary_lines()
    assert lines[-1] == "summary: 1 query, kept 5 in this run, dropped 2 (http_error 2); finish reason finished"
    assert "finished: finished" not in "\n".join(lines)


def test_nothing_kept_only_when_results_came_in_and_none_was_kept() -> None:
    assert extension(QueryProgress("bing", "cat", "cat", 5)).nothing_kept_line() is None
    assert extension(QueryProgress("bing", "cat", "cat", 5, kept=1, dropped=Counter(empty=3))).nothing_kept_line() is None
    line = extension(
        QueryProgress("bing", "cat", "cat", 5, dropped=Counter(license_not_shareable=200, private_address=60)),
        QueryProgress("bing", "dog", "dog", 5),
    ).nothing_kept_line()
    assert line is not None and "\n" not in line
    assert line.startswith("kept nothing: all 260 results were dropped (license_not_shareable 200, private_address 60)")
    assert "fix: " in line and "-a license=any" in line


def test_dropped_text_ranks_reasons() -> None:
    assert dropped_text(Counter(a=1, b=3)) == "dropped 4 (b 3, a 1)"
    assert dropped_text(Counter()) == "dropped 0"


def test_a_search_query_is_one_line_that_counts_its_engines() -> None:
    progress = QueryProgress("search", "cat", "cat", 20, kept=20, engines=Counter(google=5, bing=15))
    assert progress.line() == "search 'cat' (cat): kept 20/20 (bing 15, google 5), dropped 0"
    resumed = QueryProgress("search", "cat", "cat", 20, kept=5, earlier=15, engines=Counter(google=5))
    assert resumed.line() == "search 'cat' (cat): kept 20/20 (5 in this run; google 5), dropped 0"


def test_nothing_kept_of_one_result_is_singular() -> None:
    line = extension(QueryProgress("bing", "cat", "cat", 5, dropped=Counter(private_address=1))).nothing_kept_line()
    assert line is not None and line.startswith("kept nothing: the only result was dropped (private_address 1)")
