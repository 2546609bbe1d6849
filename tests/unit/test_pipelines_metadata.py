"""imagespider/pipelines/metadata.py: a kept item becomes one manifest row the moment it is kept,
counted as kept, by license, and by each malformed metadata block (which never stops an image)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from scrapy.utils.test import get_crawler

from imagespider.extensions.dataset import DatasetExtension
from imagespider.items import ImageItem
from imagespider.pipelines.metadata import MetadataExportPipeline
from imagespider.rights.model import cc_license


def test_a_kept_item_is_one_row_and_counted(tmp_path: Path) -> None:
    crawler = get_crawler(settings_dict={
        "IMAGES_STORE": str(tmp_path), "EXTENSIONS": {"imagespider.extensions.dataset.DatasetExtension": 0},
    })
    crawler.stats.open_spider()  # type: ignore[union-attr, call-arg]
    pipeline = MetadataExportPipeline.from_crawler(crawler)
    item = ImageItem(image_url="https://h/a.jpg", label="cat", query="cat", engine="flickr", title="A cat",
                     author="Ada", license=cc_license("cc-by", "2.0", "api"))
    item.file_name, item.sha256, item.rights = "cat/a.jpg", "ab" * 32, {"malformed": ["xmp", "iptc"]}
    assert asyncio.run(pipeline.process_item(item)) is item
    plain = ImageItem(image_url="https://h/b.jpg", label="cat", query="cat", engine="bing")
    plain.file_name = "cat/b.jpg"
    asyncio.run(pipeline.process_item(plain))
    stats = crawler.stats.get_stats()  # type: ignore[union-attr]
    assert (stats["imagespider/kept"], stats["imagespider/kept/license/cc-by"],
            stats["imagespider/kept/license/unknown"]) == (2, 1, 1)
    assert stats["imagespider/rights/malformed/xmp"] == stats["imagespider/rights/malformed/iptc"] == 1
    crawler.get_extension(DatasetExtension).dataset.close()  # type: ignore[union-attr]
    rows = [json.loads(line) for line in (tmp_path / "metadata.jsonl").read_text().splitlines()]
    assert [(r["file_name"], r["license"], r["license_version"]) for r in rows] == [
        ("cat/a.jpg", "cc-by", "2.0"), ("cat/b.jpg", "unknown", None),
    ]
    assert rows[0]["attribution"].startswith('"A cat" by Ada')
