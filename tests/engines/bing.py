"""Bing Images: the two real 2026 result pages (tests/fixtures/README.md section 1)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from imagespider.engines import EngineResult, bing


def parse(path: Path) -> list[EngineResult]:
    return bing.parse_results(path.read_text(encoding="utf-8"))


RESULTS: list[dict[str, Any]] = [
    {
        "fixture": "bing_images_search_golang_gopher_2026.html",
        "count": 47,  # 35 results and the 12 of the "related" carousel
        "results": {
            0: {
                "image_url": "https://vectorseek.com/wp-content/uploads/2023/03/Golang-Gopher-Logo-Vector.jpg",
                "page_url": "https://vectorseek.com/vector_logo/golang-gopher-logo-vector/",
                "thumbnail_url": "https://ts4.mm.bing.net/th?id=OIP.LQQi0et0FFshviPhL18q9QHaHa&pid=15.1",
                "title": "Golang Gopher Logo PNG (Transparent) SVG AI – Free Download",
                "width": 1000,
                "height": 1000,
                "site": "vectorseek.com",
                "license_code": None,  # Bing gives no per-image license
                "engine_id": "2d0422d1eb74145b21be23e12f5f2af5",
            },
        },
    },
    {
        "fixture": "bing_images_search_filter_age_year_2026.html",
        "count": 27,
        "results": {
            0: {
                "image_url": "https://fbi.cults3d.com/uploaders/20060779/illustration-file/"
                "9407aa86-1de0-4ed5-8e44-9118c39ee156/GolangGopher.png",
                "page_url": "https://cults3d.com/en/3d-model/art/go-golang-gopher-mascots",
                "width": 1080,
                "height": 1080,
                "engine_id": "ca5f4ace6a99eaf7792b4c35897b74af",
            },
        },
    },
]
