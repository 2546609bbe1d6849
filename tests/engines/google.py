"""Google Images: the reconstructed udm=2 page (tests/fixtures/README.md section 2(a)), and the real
captures of a udm=2 page saved as rendered (June 2025) and of the basic page (February 2026).

``parse`` gives every result the page shows: those with an image URL, then the tiles with none
(``image_url`` empty: the spider opens their previews in the browser)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from imagespider.engines import EngineResult, google


def parse(path: Path) -> list[EngineResult]:
    page = google.parse_results(path.read_text(encoding="utf-8"))
    return page.results + page.without_image


RESULTS: list[dict[str, Any]] = [
    {
        "fixture": "google_images_udm2_reconstructed.html",
        "count": 22,  # 21 records and the tile Ou7TileOnly0Qz, whose only thumbnail is inline
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
    {
        "fixture": "google_udm2_rendered_no_scripts_chateau-chalon_2025-06-14.html",
        "count": 200,
        "results": {
            0: {
                "image_url": "",  # no script data; its thumbnail is an inline data: URI
                "page_url": "https://www.tripadvisor.jp/Tourism-g2208191-Chateau_Chalon_Jura_Bourgogne_Franche_Comte-Vacations.html",
                "title": "シャトー・シャロン 2025: 行く前に！見どころをチェック - トリップアドバイザー",
                "site": "トリップアドバイザー",
                "engine_id": "OTmJOqJBiXeaNM",
                "is_thumbnail": False,
            },
        },
    },
    {
        "fixture": "google_isch_basic_nojs_papaya_2026-02.html",
        "count": 20,
        "results": {
            4: {
                "image_url": "https://encrypted-tbn0.gstatic.com/images?q=tbn:ANd9GcTe4rEMJP5DcKzPRFdQrT1l9O44j03nlNtu7qqCUql8ZYoBORGCQ8QI9lWxGA&s",
                "page_url": "https://stock.adobe.com/search?k=papaya.",
                "title": "Papaya. Images – Browse...",
                "site": "stock.adobe.com",
                "is_thumbnail": True,
                "license_code": None,
            },
        },
    },
]
