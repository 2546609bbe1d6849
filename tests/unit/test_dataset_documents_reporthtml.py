"""The pieces the report pages are built of (imagespider/dataset/documents/reporthtml.py).

What is proven here:
- only http(s) URLs become links, attribute-escaped; link text is escaped;
- an image path is relative to the page, URL-quoted, and none at all when it would point outside
  the store (absolute, ``..``, a scheme, a backslash);
- a chart shows at most ``most`` bars, the rest summed in one, biggest first;
- an image's figure links its original, shows its thumbnail lazily and its license as a badge.
"""

from __future__ import annotations

import pytest

from imagespider.dataset.documents.reporthtml import bar_chart, figure, href, html_page, image_src, link, plural
from tests.manifest_rows import CC_BY_2, row


@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:text/html,x", "ftp://x.example/", "", None, "https:// x"])
def test_only_http_urls_become_links(url: object) -> None:
    assert href(url) is None
    assert link("<b>", url) == "&lt;b&gt;"


def test_links_are_escaped() -> None:
    assert href('https://x.example/?a=1&b="2"') == "https://x.example/?a=1&amp;b=&quot;2&quot;"
    assert link("a<b", "http://x.example/").startswith('<a href="http://x.example/" rel="noopener')


@pytest.mark.parametrize(
    "name", ["../../etc/passwd", "/etc/passwd", "file:///etc/passwd", "cat\\x.jpg", "cat//x.jpg", "", None]
)
def test_an_image_path_outside_the_store_is_none(name: object) -> None:
    assert image_src(name) is None


def test_image_paths_are_relative_and_quoted() -> None:
    assert image_src("dog/x y.png") == "dog/x%20y.png"
    assert image_src("dog/x.png", "../") == "../dog/x.png"


def test_a_chart_sums_what_does_not_fit() -> None:
    chart = bar_chart("Kept", {f"c{n}": n + 1 for n in range(10)}, most=4)
    assert chart.count('class="bar"') == 4
    assert "7 others" in chart and ">28<" in chart  # 1 + 2 + ... + 7
    assert chart.index("c9") < chart.index("c8")
    assert "nothing yet" in bar_chart("Empty", {})


def test_a_figure_links_its_original_and_shows_its_license() -> None:
    kept = row(1, CC_BY_2)
    html = figure(kept, {kept["file_name"]: ".thumbs/cat/1.webp"})
    assert f'<a href="{kept["file_name"]}"><img src=".thumbs/cat/1.webp"' in html and 'loading="lazy"' in html
    assert 'class="badge"' in html and "CC BY 2.0" in html and "640×480" in html


def test_the_page_shell_forbids_anything_external() -> None:
    html = html_page("a <title>", "<p>body</p>")
    assert html.startswith("<!DOCTYPE html>") and "default-src 'none'" in html and "a &lt;title&gt;" in html
    assert plural(1, "class", "classes") == "1 class" and plural(2000, "image") == "2,000 images"


@pytest.mark.parametrize(("width", "height"), [("abc", 10), (10, [1]), ({"a": 1}, 5), (True, True)])
def test_a_damaged_size_is_left_out_not_the_whole_report(width: object, height: object) -> None:
    """A hand-edited row's ``"width": "abc"`` raised ValueError in int(): report.html was not
    written at all (documents.py logs it), for one row."""
    html = figure({**row(1, CC_BY_2), "width": width, "height": height}, {})
    assert "×" not in html


def test_a_size_is_shown() -> None:
    assert "640×480 " in figure({**row(1, CC_BY_2), "width": 640, "height": 480}, {})
