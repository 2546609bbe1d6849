"""ATTRIBUTION.md and report.html rendered from rows built here: grouping, counts, escaping."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

from imagespider.dataset.attribution import md_text, render_attribution
from imagespider.dataset.report import MAX_REJECTED_ROWS, render_report
from imagespider.rights.model import License, unknown

EVIL_TITLE = '[x](javascript:alert(1)) **bold** <script>alert(2)</script> `code` _em_ # h | t'


def row(n: int, lic: License, **extra: Any) -> dict[str, Any]:
    base = {
        "file_name": f"cat/{n:064x}.jpg",
        "label": "cat",
        "query": "cat",
        "engine": "flickr",
        "image_url": f"https://img.example/{n}.jpg",
        "page_url": f"https://photos.example/{n}",
        "title": f"Cat {n}",
        "author": f"Author {n}",
        "author_url": f"https://photos.example/people/{n}",
        "width": 640,
        "height": 480,
        "format": "JPEG",
        **lic.to_dict(),
    }
    return base | extra


CC_BY_2 = License("cc-by", "2.0", "https://creativecommons.org/licenses/by/2.0/", "api")
CC_BY_SA_4 = License("cc-by-sa", "4.0", "https://creativecommons.org/licenses/by-sa/4.0/", "api")


def tasl_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("- ")]


# -- ATTRIBUTION.md ----------------------------------------------------------------------


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


def test_md_text_folds_whitespace_and_control_characters() -> None:
    assert md_text("a\n\tb\x00c") == "a bc"


def test_output_is_stable_whatever_the_row_order() -> None:
    rows = [row(i, CC_BY_2) for i in range(5)]
    assert render_attribution(rows) == render_attribution(list(reversed(rows)))


def test_a_license_id_we_do_not_know_reads_as_unknown() -> None:
    text = render_attribution([row(1, CC_BY_2, license="gpl-3")])
    assert "## Unknown license (1 image)" in text


# -- report.html -------------------------------------------------------------------------


class Collect(HTMLParser):
    """Every tag with its attributes, and the text, as a browser's parser sees them."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(html: str) -> Collect:
    parser = Collect()
    parser.feed(html)
    return parser


def rejected(n: int, reason: str) -> dict[str, Any]:
    return {"url": f"https://img.example/r{n}.jpg", "label": "cat", "engine": "bing", "reason": reason,
            "detail": f"detail {n}", "page_url": f"https://p.example/{n}", "at": "2026-01-01T00:00:00+00:00"}


def test_gallery_has_one_relative_lazy_image_per_row() -> None:
    rows = [row(i, CC_BY_2) for i in range(3)] + [row(9, unknown(), label="dog", file_name="dog/x y.png")]
    page = parse(render_report(rows, []))
    images = [attrs for tag, attrs in page.tags if tag == "img"]
    assert len(images) == 4
    assert all(attrs["loading"] == "lazy" for attrs in images)
    assert {attrs["src"] for attrs in images} == {f"cat/{i:064x}.jpg" for i in range(3)} | {"dog/x%20y.png"}


def test_no_external_resources_and_no_script() -> None:
    html = render_report([row(1, CC_BY_2)], [rejected(1, "http_error")])
    page = parse(html)
    assert not [t for t, _ in page.tags if t in ("script", "link", "iframe", "object", "embed")]
    for tag, attrs in page.tags:
        if tag in ("img", "source"):
            assert "://" not in (attrs.get("src") or "")
    assert "Content-Security-Policy" in html


def test_web_text_is_escaped_everywhere() -> None:
    evil = row(1, CC_BY_2, title=EVIL_TITLE, author='"><img src=x onerror=alert(3)>',
               author_url="javascript:alert(4)", engine="<b>bing</b>", label="<i>cat</i>")
    html = render_report([evil], [rejected(1, "<svg onload=alert(5)>") | {"detail": "<script>x</script>"}])
    page = parse(html)
    assert not [t for t, _ in page.tags if t in ("script", "b", "i")]
    assert all(tag != "svg" or "onload" not in attrs for tag, attrs in page.tags)
    assert [attrs for tag, attrs in page.tags if tag == "img"] and all(
        "onerror" not in attrs for tag, attrs in page.tags
    )
    assert all(not (attrs.get("href") or "").startswith("javascript") for _, attrs in page.tags)
    text = "".join(page.text)
    assert EVIL_TITLE in text and "<svg onload=alert(5)>" in text and "<script>x</script>" in text


def test_charts_count_engines_licenses_and_reasons() -> None:
    rows = [row(i, CC_BY_2) for i in range(3)] + [row(5, unknown(), engine="bing")]
    drops = [rejected(i, "duplicate") for i in range(4)] + [rejected(9, "http_error")]
    page = parse(render_report(rows, drops))
    charts = [attrs["aria-label"] for tag, attrs in page.tags if (attrs.get("class") or "") == "chart"]
    assert charts == ["Kept per class", "Kept per engine", "Kept per license", "Rejected per reason"]
    titles = [attrs["title"] for tag, attrs in page.tags if (attrs.get("class") or "") == "bar"]
    expected_counts = ("flickr: 3", "bing: 1", "CC BY 2.0: 3", "Unknown license: 1", "duplicate: 4", "http_error: 1", "cat: 4")
    for expected in expected_counts:
        assert expected in titles
    bars = [attrs for tag, attrs in page.tags if (attrs.get("class") or "") == "fill"]
    assert len(bars) == 1 + 2 + 2 + 2


def test_rejected_table_is_capped_with_a_note() -> None:
    drops = [rejected(i, "http_error") for i in range(MAX_REJECTED_ROWS + 5)]
    html = render_report([], drops)
    table = html.split('<table id="rejected">')[1]
    assert table.count("<tr>") == MAX_REJECTED_ROWS + 1  # the header row
    assert f"Showing the newest {MAX_REJECTED_ROWS:,} of {MAX_REJECTED_ROWS + 5:,}" in html
    assert f"detail {MAX_REJECTED_ROWS + 4}<" in table  # the newest first
    assert "http_error: 1,005" in html  # the chart still counts them all


def test_a_file_name_outside_the_store_is_not_an_image() -> None:
    rows = [row(1, CC_BY_2, file_name="../../etc/passwd"), row(2, CC_BY_2, file_name="/etc/passwd"),
            row(3, CC_BY_2, file_name="file:///etc/passwd")]
    page = parse(render_report(rows, []))
    assert not [attrs for tag, attrs in page.tags if tag == "img"]


def test_empty_store_renders() -> None:
    html = render_report([], [])
    assert "No image kept yet." in html and "Nothing was rejected." in html
