"""Spawning's ``/ai.txt``: robots.txt syntax addressed to AI dataset builders.

Spawning's generator writes groups of ``User-Agent`` lines with ``Allow`` / ``Disallow`` rules,
mostly by file type (``Disallow: *.jpg``), or the whole site (``Disallow: /`` and ``Disallow: *``,
as the ai.robots.txt project's own ai.txt does). It is read as RFC 9309 reads robots.txt: the
group naming our token, else the ``*`` group; the longest matching rule wins and an ``Allow``
wins a tie. A URL it disallows is reserved from AI training (reason ``ai_txt``): the file exists
to say which content datasets may not use. Paths match as in imagespider/rights/pathmatch.py.

Pure: text in, the rule out. Written here rather than with Protego so the drop can name the rule.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from imagespider.rights.pathmatch import matches, url_path

__all__ = ["AiTxt", "AiTxtRule", "parse_ai_txt"]

#: Rules kept per file (a generated ai.txt lists a few dozen file types).
MAX_RULES = 2000
#: A directive name; lines are split with str.partition (a ``(.*?)\s*$`` pattern backtracks
#: quadratically on a long run of spaces).
_KEY = re.compile(r"[A-Za-z][A-Za-z_ -]*")


@dataclass(frozen=True, slots=True)
class AiTxtRule:
    allow: bool
    path: str
    line: int

    def describe(self) -> str:
        return f'ai.txt line {self.line} "{"Allow" if self.allow else "Disallow"}: {self.path}"'


@dataclass(frozen=True, slots=True)
class AiTxt:
    #: (lower-cased agent tokens, rules) per group, in file order.
    groups: tuple[tuple[frozenset[str], tuple[AiTxtRule, ...]], ...] = ()

    def disallowing(self, url: str, token: str) -> AiTxtRule | None:
        """The Disallow rule that reserves ``url`` for ``token`` (our agent), or None."""
        token = token.lower()
        rules = [r for agents, rules in self.groups if token in agents for r in rules]
        if not any(token in agents for agents, _ in self.groups):
            rules = [r for agents, rules in self.groups if "*" in agents for r in rules]
        path = url_path(url)
        best: AiTxtRule | None = None
        for rule in rules:
            if not rule.path or not matches(rule.path, path):
                continue  # an empty Disallow allows everything
            if best is None or len(rule.path) > len(best.path) or (len(rule.path) == len(best.path) and rule.allow):
                best = rule
        return best if best is not None and not best.allow else None


def parse_ai_txt(text: str) -> AiTxt | None:
    """The file's groups, or None when it has none (not an ai.txt: an HTML page, a 200 "not found")."""
    groups: list[tuple[set[str], list[AiTxtRule]]] = []
    previous_was_agent, count = False, 0
    for number, raw in enumerate(text.splitlines(), 1):
        key, sep, value = raw.split("#", 1)[0].partition(":")
        key, value = key.strip(), value.strip()
        if not sep or not _KEY.fullmatch(key):
            continue
        key = key.lower().replace("_", "-").replace(" ", "-")
        if key == "user-agent":
            if not previous_was_agent:
                groups.append((set(), []))
            groups[-1][0].add(value.lower())
            previous_was_agent = True
            continue
        previous_was_agent = False
        if key in ("allow", "disallow") and groups and count < MAX_RULES:
            groups[-1][1].append(AiTxtRule(key == "allow", value.split()[0] if value else "", number))
            count += 1
    if not groups:
        return None
    return AiTxt(tuple((frozenset(agents), tuple(rules)) for agents, rules in groups))
