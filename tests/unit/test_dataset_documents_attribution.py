"""ATTRIBUTION.md, from rows built here: grouping, counts, wording, escaping (the credit line's own
wording and escaping: test_dataset_store_credit.py)."""

from __future__ import annotations

import re

from imagespider.dataset.documents.attribution import render_attribution
from imagespider.rights.model import License, unknown
from tests.manifest_rows import CC_BY_2, CC_BY_SA_4, EVIL_TITLE, row


def tasl_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("- ")]


def test_one_line_per_image_grouped_by_license_with_counts() -> None:
    rows = [row(i, CC_BY_2) for i in range(3)] + [row(10 + i, CC_BY_SA_4) for i in range(2)]
    rows.append(row(20, unknown(), author=None, author_url=None))
    text = render_attribution(rows)
    assert len(tasl_lines(text)) == 6
    headings = [line for line in text.splitlines() if line.startswith("## ")]
    assert headings == ["## CC BY 2.0 (3 images)", "## CC BY-SA 4.0 (2 images)", "## Unknown license (1 image)"]
    section = text.split("## CC BY-SA 4.0")[1].split("## ")[0]
    assert len(tasl_lines(section)) == 2
    assert "This dataset holds 6 images." in text


def test_a_line_names_title_author_source_and_license_with_links() -> None:
    (line,) = tasl_lines(render_attribution([row(1, CC_BY_2)]))
    assert line.startswith('- "Cat 1" by [Author 1](https://photos.example/people/1)')
    assert "source: [photos.example](https://photos.example/1)" in line
    assert "licensed under [CC BY 2.0](https://creativecommons.org/licenses/by/2.0/)" in line
    assert f"File: cat/{1:064x}.jpg" in line


def test_missing_parts_read_plainly() -> None:
    line = tasl_lines(render_attribution([row(1, unknown(), title=None, author=None, page_url=None)]))[0]
    assert line.startswith("- Untitled image, source: [img.example](https://img.example/1.jpg)")
    assert "license not known" in line
    pdm = License("pdm", "1.0", "https://creativecommons.org/publicdomain/mark/1.0/", "api")
    assert "marked [Public Domain Mark 1.0](" in render_attribution([row(2, pdm)])


def test_markdown_in_titles_and_authors_is_text() -> None:
    text = render_attribution([row(1, CC_BY_2, title=EVIL_TITLE + "\nline2", author="*Eve*](x)")])
    (line,) = tasl_lines(text)
    assert "\n- " not in line and "line2" in line  # a newline cannot start a block
    # No unescaped markup character survives from the title or author.
    user_part = line.split(", source:")[0]
    without_escapes = re.sub(r"\\.", "", user_part)
    assert not re.search(r"[*`<>|#_]", without_escapes.replace('- "', "", 1))
    assert "](javascript:" not in line
    assert "\\[x\\]\\(javascript:alert\\(1\\)\\)" in line
    assert "\\<script\\>" in line


def test_only_http_urls_become_links() -> None:
    (line,) = tasl_lines(
        render_attribution([row(1, CC_BY_2, author_url="javascript:alert(1)", page_url="data:text/html,x",
                                image_url="https://img.example/a b(1).jpg")])
    )
    assert "javascript" not in line and "data:" not in line
    assert "by Author 1," in line  # the author is named, not linked
    assert "(https://img.example/a%20b%281%29.jpg)" in line  # cannot close the link early


def test_output_is_stable_whatever_the_row_order() -> None:
    rows = [row(i, CC_BY_2) for i in range(5)]
    assert render_attribution(rows) == render_attribution(list(reversed(rows)))


def test_a_license_id_we_do_not_know_reads_as_unknown() -> None:
    text = render_attribution([row(1, CC_BY_2, license="gpl-3")])
    assert "## Unknown license (1 image)" in text
