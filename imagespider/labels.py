"""Folder names from labels and queries: safe on every OS, never outside the store."""

from __future__ import annotations

import hashlib
import re
import unicodedata

MAX_LABEL_LENGTH = 80
#: Names Windows refuses as files or folders, whatever the extension.
_WINDOWS_RESERVED = frozenset(
    {"con", "prn", "aux", "nul"}
    | {f"com{i}" for i in range(1, 10)}
    | {f"lpt{i}" for i in range(1, 10)}
)
_UNSAFE = re.compile(r"[^\w-]+")
_DASHES = re.compile(r"-{2,}")


def safe_label(text: str) -> str:
    """A folder name for ``text``: letters of any script, digits, ``_`` and ``-`` only.

    ``../../etc``, absolute paths, NUL and path separators cannot survive; an empty result or a
    Windows device name gets a stable suffix so the folder still exists and stays distinct.
    """
    normal = unicodedata.normalize("NFKC", text).casefold()
    slug = _DASHES.sub("-", _UNSAFE.sub("-", normal)).strip("-_")
    slug = slug[:MAX_LABEL_LENGTH].strip("-_")
    if not slug or slug in _WINDOWS_RESERVED:
        slug = f"{slug or 'query'}-{short_hash(text)}"
    return slug


def short_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:8]
