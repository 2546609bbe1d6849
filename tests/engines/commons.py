"""Wikimedia Commons: a real MediaWiki query answer with extmetadata (tests/fixtures/README.md section 5)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from imagespider.engines import EngineResult, commons


def parse(path: Path) -> list[EngineResult]:
    return commons.parse_query(path.read_text(encoding="utf-8")).results


RESULTS: list[dict[str, Any]] = [
    {
        "fixture": "commons_query_allimages_imageinfo_extmetadata_openverse_catalog.json",
        "count": 9,
        "results": {
            0: {
                "image_url": "https://upload.wikimedia.org/wikipedia/commons/f/fb/Minchinmavida_Volcano.jpg",
                "page_url": "https://commons.wikimedia.org/wiki/File:Minchinmavida_Volcano.jpg",
                "title": "Minchinmavida Volcano",
                "width": 1440,
                "height": 1440,
                "author": "The original uploader was Elvezio at Italian Wikipedia.",
                "license_code": "Public domain",
                "engine_id": "18263872",
            },
        },
    },
]
