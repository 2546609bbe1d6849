"""ImageItem: one image result, from the engine's description to the row kept in the manifest."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from imagespider.rights.model import License, unknown
from imagespider.text import clean_text, text_or_problem

#: The fields that hold text from the web, cleaned when an item is made (imagespider/text.py).
TEXT_FIELDS = (
    "image_url", "label", "query", "engine", "page_url", "thumbnail_url", "title", "author", "author_url", "site",
    "date_taken",
)  # fmt: skip


@dataclass
class ImageItem:
    # What the spider knows before download.
    image_url: str
    label: str
    query: str
    engine: str
    page_url: str | None = None
    thumbnail_url: str | None = None
    title: str | None = None
    author: str | None = None
    author_url: str | None = None
    site: str | None = None
    date_taken: str | None = None
    tags: list[str] = field(default_factory=list)
    #: The license evidence: what the engine declared until the download is judged, then the
    #: verdict (imagespider.rights.evidence.weigh). An object until the manifest row is written.
    license: License = field(default_factory=unknown)
    #: The engine's own rights statements (keys: imagespider.engines.ENGINE_RIGHTS_FIELDS).
    engine_rights: dict[str, Any] = field(default_factory=dict)
    #: ``image_url`` is the engine's thumbnail: the engine showed no full-size image for it.
    is_thumbnail: bool = False
    #: ImagesPipeline's input and output fields.
    image_urls: list[str] = field(default_factory=list)
    images: list[dict[str, Any]] = field(default_factory=list)
    # What the download proves (set by DatasetImagesPipeline.media_downloaded on the item that
    # triggered the download; a second item with the same URL gets none of it: a duplicate).
    file_name: str | None = None
    width: int | None = None
    height: int | None = None
    format: str | None = None
    bytes: int | None = None
    sha256: str | None = None
    #: Perceptual hash, 16 hex digits (imagespider.dataset.neardup.phash), for near-duplicate detection.
    phash: str | None = None
    retrieved_at: str | None = None
    #: The rights evidence seen in the file and its response headers.
    rights: dict[str, Any] = field(default_factory=dict)
    #: The SHA-256 the bytes must have (a rebuild from a manifest, the urls spider); other
    #: bytes are dropped as ``changed``. Not a manifest column.
    expected_sha256: str | None = None
    #: Why this item's input is unusable (text of the wrong type): dropped as ``bad_row``
    #: (imagespider/pipelines/rowcheck.py) before anything is fetched. Not a manifest column.
    problem: str | None = None

    def __post_init__(self) -> None:
        # Text from the web is cleaned here, once: every spider makes its results into items.
        for name in TEXT_FIELDS:
            value, problem = text_or_problem(getattr(self, name), name)
            if problem:
                self.problem = self.problem or problem
            setattr(self, name, value if value is not None or name not in _REQUIRED else "")
        tags = self.tags if isinstance(self.tags, list | tuple) else []
        self.tags = [clean_text(tag) for tag in tags if isinstance(tag, str)]
        if not self.image_urls:
            self.image_urls = [self.image_url]


_REQUIRED = ("image_url", "label", "query", "engine")
