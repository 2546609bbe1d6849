"""Manifest rows built in tests, for the documents rendered from a store (attribution, report, card)."""

from __future__ import annotations

from typing import Any

from imagespider.rights.model import License

#: Web text with every kind of markup a title could smuggle in.
EVIL_TITLE = '[x](javascript:alert(1)) **bold** <script>alert(2)</script> `code` _em_ # h | t'


def row(n: int, lic: License, **extra: Any) -> dict[str, Any]:
    base = {
        "file_name": f"cat/{n:064x}.jpg",
        "label": "cat",
        "query": "cat",
        "engine": "flickr",
        "image_url": f"https://img.example/{n}.jpg",
        "page_url": f"https://photos.example/{n}",
        "title": f"Cat {n}",
        "author": f"Author {n}",
        "author_url": f"https://photos.example/people/{n}",
        "width": 640,
        "height": 480,
        "format": "JPEG",
        **lic.to_dict(),
    }
    return base | extra


CC_BY_2 = License("cc-by", "2.0", "https://creativecommons.org/licenses/by/2.0/", "api")
CC_BY_SA_4 = License("cc-by-sa", "4.0", "https://creativecommons.org/licenses/by-sa/4.0/", "api")
