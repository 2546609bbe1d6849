"""report.html rendered from rows built here: a gallery, charts and the rejected table, escaped, self-contained."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

from imagespider.dataset.documents.report import MAX_REJECTED_ROWS, render_report
from imagespider.rights.model import unknown
from tests.manifest_rows import CC_BY_2, EVIL_TITLE, row


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
