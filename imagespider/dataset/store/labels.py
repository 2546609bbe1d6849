"""Folder names from labels and queries: safe on every OS, never outside the store."""

from __future__ import annotations

import hashlib
import re
import unicodedata

MAX_LABEL_LENGTH = 80
#: File systems allow 255 bytes per name; leave room for a "-<hash>" suffix.
MAX_LABEL_BYTES = 200
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
    slug = _cut(slug).strip("-_")
    if not slug or slug in _WINDOWS_RESERVED:
        slug = with_suffix(slug or "query", text)
    return slug


def _cut(slug: str) -> str:
    slug = slug[:MAX_LABEL_LENGTH]
    while len(slug.encode("utf-8")) > MAX_LABEL_BYTES:
        slug = slug[:-1]
    return slug


def with_suffix(slug: str, text: str) -> str:
    """``slug`` made distinct by a hash of ``text``, still within the length limits."""
    suffix = f"-{short_hash(text)}"
    return _cut(slug)[: MAX_LABEL_LENGTH - len(suffix)].strip("-_") + suffix


def short_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:8]
