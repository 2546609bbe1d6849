"""Flickr: a real flickr.photos.search answer (tests/fixtures/README.md section 3)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from imagespider.engines import EngineResult, flickr


def parse(path: Path) -> list[EngineResult]:
    return flickr.parse_search(path.read_bytes()).results


RESULTS: list[dict[str, Any]] = [
    {
        "fixture": "flickr_photos_search_extras_openverse_catalog.json",
        "count": 30,
        "results": {
            0: {
                "image_url": "https://live.staticflickr.com/65535/49514337848_bbdbb5f761_b.jpg",
                "page_url": "https://www.flickr.com/photos/7478087@N06/49514337848",
                "thumbnail_url": "https://live.staticflickr.com/65535/49514337848_bbdbb5f761_t.jpg",
                "title": "Warsy (\u00e9glise) \u2022 7433",
                "width": 660,
                "height": 1024,
                "site": "flickr.com",
                "author": "markustrois",
                "author_url": "https://www.flickr.com/photos/7478087@N06/",
                "license_code": "1",
                "date_taken": "2011-11-05 15:54:37",
                "tags": (),
                "engine_id": "49514337848",
            },
        },
    },
]
