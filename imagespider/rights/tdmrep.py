"""The W3C TDMRep site file, ``/.well-known/tdmrep.json``: parsed, and matched against a URL.

TDMRep (the W3C community group's TDM Reservation Protocol, spec copied in
tests/fixtures/tdmrep/, tests/fixtures/README.md) lets an origin reserve text and data mining rights for paths of
its site: a JSON array of rules ``{"location": <pattern>, "tdm-reservation": 0|1,
"tdm-policy": <url>}``. As the spec says: a pattern is matched against the URL's path the way
robots.txt paths are (imagespider/rights/pathmatch.py); the first rule that matches is the one that counts ("the
most specific match is the first in sequence"); no match, a missing file or a broken one means
``tdm-reservation`` is unset. A ``tdm-reservation`` other than 0 or 1 is a protocol error that
leaves the rule unset, so such a rule is skipped.

Pure: text and URLs in, frozen dataclasses out. The fetching is imagespider/sitesignals/sitefiles.py.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from imagespider.rights.pathmatch import matches, url_path

__all__ = ["TdmRule", "TdmRules", "parse_tdmrep"]


@dataclass(frozen=True, slots=True)
class TdmRule:
    location: str
    reserved: bool
    policy: str | None = None

    def matches(self, path: str) -> bool:
        """robots.txt path matching (Google's reading, which the spec points to)."""
        return matches(self.location, path)

    def describe(self) -> str:
        policy = f", tdm-policy {self.policy}" if self.policy else ""
        return f'tdmrep.json rule "location": "{self.location}", tdm-reservation {int(self.reserved)}{policy}'


@dataclass(frozen=True, slots=True)
class TdmRules:
    """An origin's rules, in file order."""

    rules: tuple[TdmRule, ...] = ()

    def rule_for(self, url: str) -> TdmRule | None:
        """The first rule whose location matches the URL's path (and query), or None."""
        path = url_path(url)
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
