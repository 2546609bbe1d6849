"""robots.txt path patterns (RFC 9309, Google's reading): matched in linear time.

Every site file that names paths the robots.txt way uses this: TDMRep's ``location``, robots.txt
``Content-Signal`` / ``Content-Usage`` rules, an RSL ``<content url>``, ai.txt's Allow/Disallow.
A pattern is a prefix of the URL's path (and query), ``*`` any characters, a final ``$`` the end;
matching is case-sensitive, after percent-decoding unreserved characters.

Not a regular expression: the site writes the pattern and ``.*a.*a.*a...b`` backtracks
exponentially on a long path (seconds at 30 characters), on the reactor thread.

Pure: strings in, a bool out.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

__all__ = ["matches", "normalise", "url_path"]

_UNRESERVED = re.compile(r"%([0-9A-Fa-f]{2})")
_UNRESERVED_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")


def normalise(path: str) -> str:
    """Percent-decode unreserved characters only (``%7E`` is ``~``, ``%2F`` stays)."""
    return _UNRESERVED.sub(
        lambda m: chr(int(m.group(1), 16)) if chr(int(m.group(1), 16)) in _UNRESERVED_CHARS else m.group(0).upper(),
        path,
    )


def url_path(url: str) -> str:
    """The URL's path and query as patterns are matched against them ("/" when empty)."""
    parts = urlsplit(url)
    return normalise(parts.path or "/") + (f"?{parts.query}" if parts.query else "")


_PATTERNS: dict[str, tuple[tuple[str, ...], bool]] = {}


def _pattern(location: str) -> tuple[tuple[str, ...], bool]:
    """A pattern as its literal parts between ``*`` and whether a final ``$`` anchors it."""
    cached = _PATTERNS.get(location)
    if cached is None:
        anchored = location.endswith("$")
        body = normalise(location[:-1] if anchored else location)
        if not body.startswith(("/", "*")):
            body = "/" + body
        cached = (tuple(body.split("*")), anchored)
        if len(_PATTERNS) < 4096 and len(location) <= 512:  # a bounded cache: no site's 500 KiB path
            _PATTERNS[location] = cached
    return cached


def matches(location: str, path: str) -> bool:
    """Whether ``path`` (from :func:`url_path`) matches the pattern ``location``.

    Wildcard matching in linear time: the first part is a prefix, each middle part is found
    leftmost after the one before (leftmost is never worse for ``*``-only patterns), the last
    ends the path when anchored."""
    parts, anchored = _pattern(location)
    if not path.startswith(parts[0]):
        return False
    pos = len(parts[0])
    if len(parts) == 1:
        return pos == len(path) if anchored else True
    for part in parts[1:-1]:
        found = path.find(part, pos)
        if found < 0:
            return False
        pos = found + len(part)
    last = parts[-1]
    if anchored:
        return len(path) - len(last) >= pos and path.endswith(last)
    return path.find(last, pos) >= 0
