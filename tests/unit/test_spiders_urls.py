"""imagespider/spiders/urls.py in-process: its arguments (the policy judged before the file is
read), one quota per label under ``-a limit``, and the item each row becomes: a manifest row keeps
where it was found and what it recorded, a plain list is its own query. The crawls are in
tests/crawl/test_urls.py."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from scrapy.utils.test import get_crawler

from imagespider.errors import ArgumentError
from imagespider.rights.model import cc_license
from imagespider.spiders.urls import DEFAULT_LABEL, UrlsSpider, parse_urls_args
from tests.manifest_rows import row
from tests.settings import project_values

SHA = "cd" * 32


def spider(**kwargs: str) -> UrlsSpider:
    crawler = get_crawler(UrlsSpider, project_values())
    return UrlsSpider.from_crawler(crawler, **kwargs)


def test_arguments_are_checked_policy_first_and_the_list_read(tmp_path: Path) -> None:
    with pytest.raises(ArgumentError, match="no URL list given"):
        parse_urls_args({}, "share")
    with pytest.raises(ArgumentError, match="license=comercial"):
        parse_urls_args({"path": str(tmp_path / "missing.txt"), "license": "comercial"}, "share")
    with pytest.raises(ArgumentError, match="URL list not found"):
        parse_urls_args({"path": str(tmp_path / "missing.txt")}, "share")
    with pytest.raises(ArgumentError, match="limt"):
        parse_urls_args({"path": "x", "limt": "3"}, "share")
    listing = tmp_path / "list.txt"
    listing.write_text("https://h/1.jpg\n", encoding="utf-8")
    args = parse_urls_args({"path": str(listing), "limit": "3"}, "share")
    assert (args.limit, str(args.policy), args.urls.rows[0].label) == (3, "share", DEFAULT_LABEL)
    assert parse_urls_args({"path": str(listing), "limit": " "}, "any").limit is None


def test_one_quota_per_label_only_under_a_limit(tmp_path: Path) -> None:
    listing = tmp_path / "list.csv"
    listing.write_text("url,label\nhttps://h/1.jpg,cat\nhttps://h/2.jpg,dog\nhttps://h/3.jpg,cat\n", encoding="utf-8")
    limited = spider(path=str(listing), limit="2", license="any")
    assert {label: quota.limit for label, quota in limited.quotas.items()} == {"cat": 2, "dog": 2}
    assert spider(path=str(listing), license="any").quotas == {}


def test_a_manifest_row_keeps_where_it_was_found_and_a_list_row_is_its_own_query(tmp_path: Path) -> None:
    manifest = tmp_path / "metadata.jsonl"
    manifest.write_text(json.dumps(row(7, cc_license("cc-by", "2.0", "api"), sha256=SHA)) + "\n", encoding="utf-8")
    made = spider(path=str(manifest))
    item = made.build_item(made.args.urls.rows[0])
    assert (item.query, item.engine, item.label, item.title) == ("cat", "flickr", "cat", "Cat 7")
    assert (item.license.id, item.license.source, item.expected_sha256) == ("cc-by", "api", SHA)
    listing = tmp_path / "mine.txt"
    listing.write_text("https://h/1.jpg\n", encoding="utf-8")
    plain = spider(path=str(listing), label="Holiday Pics", license="any")
    item = plain.build_item(plain.args.urls.rows[0])
    assert (item.query, item.engine, item.label, item.license.id) == ("mine.txt", "urls", "holiday-pics", "unknown")


def test_a_manifest_rows_thumbnail_flag_survives_a_rebuild(tmp_path: Path) -> None:
    """A Google thumbnail kept as such (is_thumbnail) is still flagged when the manifest is fetched again."""
    manifest = tmp_path / "metadata.jsonl"
    rows = [{**row(1, cc_license("cc-by", "2.0", "api")), "is_thumbnail": True}, row(2, cc_license("cc-by", "2.0", "api"))]
    rows.append({**row(3, cc_license("cc-by", "2.0", "api")), "is_thumbnail": "true"})  # only JSON true counts
    manifest.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    made = spider(path=str(manifest))
    assert [made.build_item(r).is_thumbnail for r in made.args.urls.rows] == [True, False, False]


def test_a_bad_limit_is_named_per_label(tmp_path: Path) -> None:
    # The urls spider's -a limit counts images per label; the message said "per query".
    listing = tmp_path / "list.txt"
    listing.write_text("https://h/1.jpg\n", encoding="utf-8")
    with pytest.raises(ArgumentError, match=r"^limit must be a whole number of images per label, got -a limit=ten"):
        parse_urls_args({"path": str(listing), "limit": "ten"}, "share")
