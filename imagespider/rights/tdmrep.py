"""The W3C TDMRep site file, ``/.well-known/tdmrep.json``: parsed, and matched against a URL.

TDMRep (the W3C community group's TDM Reservation Protocol, spec copied in
tests/fixtures/tdmrep/, tests/fixtures/README.md) lets an origin reserve text and data mining rights for paths of
its site: a JSON array of rules ``{"location": <pattern>, "tdm-reservation": 0|1,
"tdm-policy": <url>}``. As the spec says: a pattern is matched against the URL's path the way
robots.txt paths are (a prefix; ``*`` any characters; ``$`` the end), case-sensitively, after
percent-decoding unreserved characters; the first rule that matches is the one that counts ("the
most specific match is the first in sequence"); no match, a missing file or a broken one means
``tdm-reservation`` is unset. A ``tdm-reservation`` other than 0 or 1 is a protocol error that
leaves the rule unset, so such a rule is skipped.

Pure: text and URLs in, frozen dataclasses out. The fetching is imagespider/rights/wellknown.py.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

__all__ = ["TdmRule", "TdmRules", "parse_tdmrep"]

_UNRESERVED = re.compile(r"%([0-9A-Fa-f]{2})")
_UNRESERVED_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")


@dataclass(frozen=True, slots=True)
class TdmRule:
    location: str
    reserved: bool
    policy: str | None = None

    def matches(self, path: str) -> bool:
        """robots.txt path matching (Google's reading, which the spec points to)."""
        return _match(_pattern(self.location), path)

    def describe(self) -> str:
        policy = f", tdm-policy {self.policy}" if self.policy else ""
        return f'tdmrep.json rule "location": "{self.location}", tdm-reservation {int(self.reserved)}{policy}'


@dataclass(frozen=True, slots=True)
class TdmRules:
    """An origin's rules, in file order."""

    rules: tuple[TdmRule, ...] = ()

    def rule_for(self, url: str) -> TdmRule | None:
        """The first rule whose location matches the URL's path (and query), or None."""
        parts = urlsplit(url)
        path = _normalise(parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        return next((rule for rule in self.rules if rule.matches(path)), None)

    def reservation(self, url: str) -> TdmRule | None:
        """The matching rule when it reserves TDM rights, else None."""
        rule = self.rule_for(url)
        return rule if rule is not None and rule.reserved else None


def parse_tdmrep(text: str | bytes) -> TdmRules:
    """Read a tdmrep.json body; anything that is not the spec's array of rules gives no rules.

    A body that is not JSON, or not an array, is a broken file: no reservation, as for a missing
    one. Within an array, entries without a string ``location`` or with a ``tdm-reservation``
    other than 0/1 (numbers, or the strings "0"/"1" as some sites write them) are skipped.
    """
    try:
        data = json.loads(text)
    except (ValueError, UnicodeDecodeError, RecursionError):  # RecursionError: "[" * 2000
        return TdmRules()
    if not isinstance(data, list):
        return TdmRules()
    rules: list[TdmRule] = []
    for entry in data:
        if not isinstance(entry, dict):
            continue
        location = entry.get("location")
        reserved = _reservation(entry.get("tdm-reservation"))
        if not isinstance(location, str) or not location or reserved is None:
            continue
        policy = entry.get("tdm-policy")
        rules.append(TdmRule(location, reserved, policy if isinstance(policy, str) and policy else None))
    return TdmRules(tuple(rules))


def _reservation(value: object) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return value == 1
    if isinstance(value, str) and value.strip() in ("0", "1"):
        return value.strip() == "1"
    return None


def _normalise(path: str) -> str:
    """Percent-decode unreserved characters only, as the spec asks (``%7E`` is ``~``, ``%2F`` stays)."""
    return _UNRESERVED.sub(
        lambda m: chr(int(m.group(1), 16)) if chr(int(m.group(1), 16)) in _UNRESERVED_CHARS else m.group(0).upper(),
        path,
    )


_PATTERNS: dict[str, tuple[tuple[str, ...], bool]] = {}


def _pattern(location: str) -> tuple[tuple[str, ...], bool]:
    """A location as its literal parts between ``*`` and whether a final ``$`` anchors it.

    Not a regular expression: the site writes the pattern and ``.*a.*a.*a...b`` backtracks
    exponentially on a long path (seconds at 30 characters), on the reactor thread."""
    cached = _PATTERNS.get(location)
    if cached is None:
        anchored = location.endswith("$")
        body = _normalise(location[:-1] if anchored else location)
        if not body.startswith(("/", "*")):
            body = "/" + body
        cached = (tuple(body.split("*")), anchored)
        if len(_PATTERNS) < 4096:
            _PATTERNS[location] = cached
    return cached


def _match(pattern: tuple[tuple[str, ...], bool], path: str) -> bool:
    """Wildcard matching in linear time: the first part is a prefix, each middle part is found
    leftmost after the one before (leftmost is never worse for ``*``-only patterns), the last
    ends the path when anchored."""
    parts, anchored = pattern
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
