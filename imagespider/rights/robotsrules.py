"""robots.txt lines beyond Allow/Disallow that say how content may be used: ``Content-Signal``
(Cloudflare's Content Signals), ``Content-Usage`` (IETF AI Preferences, draft-ietf-aipref-attach)
and ``License`` (RSL 1.0: the URL of the site's RSL document, read by imagespider/rights/rsl.py).

A ``Content-Signal`` or ``Content-Usage`` line may start with a path (``Content-Usage: /photos/
train-ai=n``); without one it covers the whole site. Within a group the rule with the longest
matching path counts, as for Allow/Disallow; rules of equal length that disagree give the no.
Every group is read, whichever agents it names, and so are lines before the first group: these
lines state what the owner lets anyone do with the content, not which crawler may fetch it, and
a dataset built here serves the very use a "no" addressed to any crawler refuses (opt-out wins).
``License`` lines are site-wide wherever they stand (RSL 1.0 puts them outside groups).

Pure: robots.txt text in, rules out (imagespider/rights/aipref.py reads the values). The file was
already cut to ROBOTS_MAX_BYTES; at most :data:`MAX_RULES` rules and :data:`MAX_LICENSES` License
URLs are kept.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from imagespider.rights.aipref import signal_reservation, usage_reservation
from imagespider.rights.pathmatch import matches, url_path

__all__ = ["RobotsRules", "UsageRule", "parse_robots_rules"]

MAX_RULES = 1000
MAX_LICENSES = 4
#: A directive name; the line is split at its first colon with str.partition, not a regular
#: expression: ``(.*?)\s*$`` took 45 s on one 100 KB line of spaces (quadratic backtracking).
_KEY = re.compile(r"[A-Za-z][A-Za-z_ -]*")
_DIRECTIVES = {"content-signal": "Content-Signal", "content-usage": "Content-Usage"}


@dataclass(frozen=True, slots=True)
class UsageRule:
    """One ``Content-Signal`` or ``Content-Usage`` line."""

    directive: str
    #: The path the line names, or "" when it names none (the whole site).
    path: str
    value: str
    line: int
    #: The term that reserves training (``ai-train=no``, ``train-ai=n``), or None.
    reserved: str | None

    @property
    def pattern(self) -> str:
        return self.path or "/"

    def describe(self) -> str:
        path = f"{self.path} " if self.path else ""
        return f'robots.txt line {self.line} "{self.directive}: {path}{self.value}"'


@dataclass(frozen=True, slots=True)
class RobotsRules:
    #: Each group's rules (the lines before the first User-agent are a group of their own).
    groups: tuple[tuple[UsageRule, ...], ...] = ()
    #: ``License:`` URLs as written (relative ones are resolved by the caller).
    licenses: tuple[str, ...] = ()
    #: Directive lines seen whose value says nothing readable, by directive.
    unreadable: tuple[str, ...] = ()

    def directives(self) -> frozenset[str]:
        return frozenset(rule.directive for group in self.groups for rule in group)

    def reservation(self, directive: str, url: str) -> UsageRule | None:
        """The rule of ``directive`` that reserves training for ``url``, or None."""
        path = url_path(url)
        for group in self.groups:
            best: list[UsageRule] = []
            for rule in group:
                if rule.directive != directive or not matches(rule.pattern, path):
                    continue
                if not best or len(rule.pattern) > len(best[0].pattern):
                    best = [rule]
                elif len(rule.pattern) == len(best[0].pattern):
                    best.append(rule)
            found = next((rule for rule in best if rule.reserved), None)
            if found is not None:
                return found
        return None


def parse_robots_rules(text: str) -> RobotsRules:
    groups: list[list[UsageRule]] = [[]]
    licenses: list[str] = []
    unreadable: list[str] = []
    count = 0
    previous_was_agent = False
    for number, raw in enumerate(text.splitlines(), 1):
        key, sep, value = raw.split("#", 1)[0].partition(":")
        key, value = key.strip(), value.strip()
        if not sep or not _KEY.fullmatch(key):
            continue
        key = key.lower()
        if key in ("user-agent", "useragent", "user agent"):
            if not previous_was_agent:
                groups.append([])
            previous_was_agent = True
            continue
        previous_was_agent = False
        if key == "license":
            if value and len(licenses) < MAX_LICENSES:
                licenses.append(value)
        elif key in _DIRECTIVES and count < MAX_RULES:
            rule = _rule(_DIRECTIVES[key], value, number)
            if rule is None:
                unreadable.append(_DIRECTIVES[key])
                continue
            groups[-1].append(rule)
            count += 1
    return RobotsRules(tuple(tuple(g) for g in groups if g), tuple(licenses), tuple(unreadable))


def _rule(directive: str, value: str, number: int) -> UsageRule | None:
    path = ""
    head, _, rest = value.partition(" ")
    if head.startswith(("/", "*")) and "=" not in head:
        path, value = head, rest.strip()
    if "=" not in value:
        return None
    reserved = signal_reservation(value) if directive == "Content-Signal" else usage_reservation(value)
    return UsageRule(directive, path, value, number, reserved)
