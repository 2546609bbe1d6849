"""What the review page asks of a store (imagespider/review/session.py): a class's pages in file-name
order from the index, its filter menus, and filters by license, engine, query and drop risk."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from imagespider.review.session import Filters, ReviewSession, risks_of
from tests.review_stores import kept_row, write_store


@pytest.fixture
def session(tmp_path: Path) -> Iterator[ReviewSession]:
    root = tmp_path / "data"
    rows = [kept_row(root, "cat", n, size=(320, 300)) for n in range(30)]
    rows[3]["license"] = "cc-unspecified"
    rows[4]["rights"] = {"ai_generated": True}
    rows += [kept_row(root, "cat", 99, size=(64, 48), query="kitten"), kept_row(root, "dog", 50)]
    write_store(root, rows)
    review = ReviewSession(root)
    review.open()
    yield review
    review.close()


def test_a_class_is_read_a_page_at_a_time_in_file_name_order(session: ReviewSession) -> None:
    assert session.classes() == [{"label": "cat", "count": 31}, {"label": "dog", "count": 1}]
    first = session.items("cat", 0, 10, Filters())
    second = session.items("cat", 10, 10, Filters())
    assert first["total"] == 31 and len(first["items"]) == 10 and len(second["items"]) == 10
    names = [item["file"] for item in first["items"] + second["items"]]
    assert names == sorted(names) and len(set(names)) == 20
    assert session.items("cat", 30, 500, Filters())["items"][0]["file"] > names[-1]
    assert session.items("nope", 0, 10, Filters()) == {"total": 0, "offset": 0, "items": []}


def test_filters_by_license_engine_query_and_drop_risk(session: ReviewSession) -> None:
    def files(**filters: str) -> int:
        return int(session.items("cat", 0, 500, Filters.from_query(filters))["total"])

    assert files(license="cc-unspecified") == 1 == files(risk="cc-unspecified")
    assert files(engine="bing") + files(engine="flickr") == 31
    assert files(query="kitten") == 1
    assert files(risk="ai-generated") == 1
    assert files(risk="small") == 1
    assert files(risk="small", query="cat") == 0
    assert files(risk="anything-else") == 31  # an unknown risk filters nothing
    facets = session.facets("cat")
    assert dict(map(tuple, facets["query"])) == {"cat": 30, "kitten": 1}
    assert {name for name, _ in facets["risk"]} == {"cc-unspecified", "ai-generated", "small"}


def test_risks_of_a_damaged_row_are_none() -> None:
    assert risks_of({"width": "abc", "height": [1], "rights": "x", "license": 5}) == []
