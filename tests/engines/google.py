"""Google Images: the reconstructed udm=2 page (tests/fixtures/README.md section 2(a): no real capture exists)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from imagespider.engines import EngineResult, google


def parse(path: Path) -> list[EngineResult]:
    return google.parse_results(path.read_text(encoding="utf-8")).results


RESULTS: list[dict[str, Any]] = [
    {
        "fixture": "google_images_udm2_reconstructed.html",
        "count": 21,
        "results": {
            0: {  # the verbatim real snippet quoted in section 2(a)
                "image_url": "https://q5.itc.cn/images01/20240320/e2c7f95da03249c8afee7ca94a017404.jpeg",
                "page_url": "https://www.sohu.com/a/765546267_121922110",
                "title": "盘点十种非常可爱的小猫咪你最喜欢哪一个品种呢_搜狐网",
                "width": 1080,  # the record says [url, 1196, 1080]: HEIGHT, WIDTH (the disputed 2026 reading)
                "height": 1196,
                "license_code": None,
                "engine_id": "Hk4tR2yBq0VxaM",
            },
        },
    },
]
