"""Text from the web, made safe once, where it enters the crawl (issue 13).

Titles, authors, URLs and queries come from strangers: an engine's page, an API's JSON, a URL
list or another crawl's manifest. Two things in them broke the store: a lone UTF-16 surrogate
(valid in JSON's ``\\ud800`` escapes and in Python strings, not encodable as UTF-8) failed the
row's write after its file was written; and a list, dict or number where text belongs was copied
into the manifest, which then no longer loaded in Hugging Face ``datasets``. So every text field
of an :class:`~imagespider.items.ImageItem` goes through :func:`clean_text` when the item is
made, and a value of the wrong type marks the item for a ``bad_row`` drop
(imagespider/pipelines/rowcheck.py) instead of a crash. The store cleans every row once more
before writing it (:func:`clean_value`), so no text can fail a write.
"""

from __future__ import annotations

import re
from typing import Any

#: Lone surrogates (never valid in UTF-8): replaced by U+FFFD, as a decoder would.
_SURROGATES = re.compile("[\ud800-\udfff]")
#: C0 and C1 control characters and DEL, but tab, newline and carriage return (text keeps its lines).
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def clean_text(text: str) -> str:
    """``text`` with lone surrogates replaced (U+FFFD) and control characters dropped."""
    if text.isascii() and text.isprintable():  # most text: nothing to replace, no regex pass
        return text
    return _CONTROLS.sub("", _SURROGATES.sub("\ufffd", text))


def text_or_problem(value: Any, name: str) -> tuple[str | None, str | None]:
    """(clean text or None, None) for text or nothing; (None, why) for any other type."""
    if value is None:
        return None, None
    if isinstance(value, str):
        return clean_text(value), None
    return None, f"{name} is {type(value).__name__} {str(value)[:60]!r}, not text"


def clean_value(value: Any) -> Any:
    """Every string in a row (dicts, lists) cleaned; other values as they are."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        return {clean_text(str(key)): clean_value(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [clean_value(item) for item in value]
    return value
