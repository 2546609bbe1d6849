"""imagespider/commands/settings_check.py: a numeric or flag setting out of range, a dict setting
that is not JSON, an engine endpoint that is not an http(s) URL, or a store that cannot be a folder
we write is refused before the crawl with one line naming what to change. (PAGE_* limits are also
checked in test_sitesignals_pages.py with the page reader's config.)"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from scrapy.settings import Settings

from imagespider.commands.settings_check import check_settings, check_shapes, check_store_path
from imagespider.errors import ArgumentError
from tests.settings import project_settings


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("IMAGES_MIN_WIDTH", "abc", "IMAGES_MIN_WIDTH must be a whole number, got -s IMAGES_MIN_WIDTH=abc"),
        ("IMAGES_WORKERS", "0", "IMAGES_WORKERS must be from 1 to 256, got -s IMAGES_WORKERS=0"),
        ("IMAGES_WORKERS", "257", "IMAGES_WORKERS must be from 1 to 256"),
        ("SCROLL_WAIT_TIMEOUT", "0.01", "SCROLL_WAIT_TIMEOUT must be at least 0.1"),
        ("DOWNLOAD_TIMEOUT", "soon", "DOWNLOAD_TIMEOUT must be a number, got -s DOWNLOAD_TIMEOUT=soon"),
        ("DEDUP", "maybe", "DEDUP must be True or False, got -s DEDUP=maybe"),
        ("RETRY_TIMES", "-1\nx", "RETRY_TIMES must be a whole number, got -s RETRY_TIMES='-1\\nx'"),
        ("ROBOTSTXT_CRAWL_DELAY_MAX", "ten", "ROBOTSTXT_CRAWL_DELAY_MAX must be a number"),
        ("ROBOTSTXT_CRAWL_DELAY_MAX", "-1", "ROBOTSTXT_CRAWL_DELAY_MAX must be at least 0"),
    ],
)
def test_a_bad_number_or_flag_is_one_line(name: str, value: str, message: str) -> None:
    with pytest.raises(ArgumentError) as refused:
        check_settings(project_settings({name: value}))
    assert str(refused.value).startswith(message) and "\n" not in str(refused.value)


def test_the_projects_own_settings_pass() -> None:
    check_settings(project_settings())
    check_shapes(project_settings())
    check_settings(Settings())  # nothing set: nothing to refuse


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("PLAYWRIGHT_LAUNCH_OPTIONS", "{not json", "PLAYWRIGHT_LAUNCH_OPTIONS must be a JSON object"),
        ("BING_SEARCH_URL", "file:///etc/passwd", "BING_SEARCH_URL must be an http(s) URL"),
        ("FLICKR_API_URL", "https://", "FLICKR_API_URL must be an http(s) URL"),
    ],
)
def test_a_bad_dict_or_endpoint_is_one_line(name: str, value: str, message: str) -> None:
    with pytest.raises(ArgumentError, match=re.escape(message)):
        check_shapes(project_settings({name: value}))


def test_the_store_must_be_a_writable_folder(tmp_path: Path) -> None:
    check_store_path(str(tmp_path / "new" / "store"))
    assert (tmp_path / "new" / "store").is_dir()
    (tmp_path / "file").write_text("x")
    with pytest.raises(ArgumentError, match="is a file, not a folder"):
        check_store_path(str(tmp_path / "file"))
    with pytest.raises(ArgumentError, match="is under /proc"):
        check_store_path("/proc/self/data")
    with pytest.raises(ArgumentError, match="cannot be created"):
        check_store_path(str(tmp_path / "file" / "below"))


@pytest.mark.parametrize(
    ("check", "value"),
    [
        ("number", {"DOWNLOAD_TIMEOUT": "nan"}),
        ("number", {"IMAGES_CHECK_TIMEOUT": "inf"}),
        ("shape", {"FLICKR_API_URL": "http://[x/"}),
        ("store", "~nosuchuser-imagespider/x"),
        ("store", "/tmp/a\x00b"),
    ],
)
def test_odd_values_are_one_line_errors_not_tracebacks(check: str, value: Any) -> None:
    """nan passed every range check (nan < low is False); an unclosed IPv6 bracket raised
    ValueError from urlsplit; ~nosuchuser RuntimeError and a NUL byte ValueError from pathlib."""
    from scrapy.settings import Settings

    from imagespider.commands.settings_check import check_settings, check_shapes, check_store_path
    from tests.settings import project_values

    with pytest.raises(ArgumentError) as refused:
        if check == "store":
            check_store_path(value)
        else:
            (check_settings if check == "number" else check_shapes)(Settings(project_values(value)))
    assert "\n" not in str(refused.value)
