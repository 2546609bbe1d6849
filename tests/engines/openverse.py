"""Openverse: real recorded API answers (tests/fixtures/README.md, "Openverse (real recorded API responses)")."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import json5

from imagespider.engines import EngineResult, openverse


def parse(path: Path) -> list[EngineResult]:
    """A talkback tape (JSON5): the API's answer is its ``res.body``."""
    body = json5.loads(path.read_text(encoding="utf-8"))["res"]["body"]
    return openverse.parse_search(json.dumps(body).encode()).results


RESULTS: list[dict[str, Any]] = [
    {
        "fixture": "openverse/openverse_images_q_birds_license_type_commercial.json5",
        "count": 20,
        "results": {
            0: {
                "image_url": "https://live.staticflickr.com/224/525739466_c4c510624e_b.jpg",
                "page_url": "https://www.flickr.com/photos/8259942@N04/525739466",
                "title": "A bird in UCD campus",
                "width": 1024,
                "height": 1024,
                "author": "asinensis",
                "license_code": "by",
                "license_version": "2.0",
                "engine_id": "d3a2d9fd-14c0-4120-b875-a210c80fa601",
            },
        },
    },
    {"fixture": "openverse/openverse_images_q_querywithnoresults.json5", "count": 0, "results": {}},
]
