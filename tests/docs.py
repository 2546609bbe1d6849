"""The fenced blocks of README.md and docs/*.md, for the tests that run them (tests/unit/test_docs.py,
tests/crawl/test_docs_blocks.py and the tests that read one block each).

A block a user would paste carries an HTML comment on the line above its fence: ``<!-- run: NAME -->``
(a test runs it, reading it with ``block("NAME")``) or ``<!-- not-run: reason -->``. Blocks of ``text``
are pictures (a folder tree, a command's output) and need neither."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
FENCE = re.compile(r"^(\s*)```(\S*)\s*$")
MARKER = re.compile(r"^\s*<!--\s*(run|not-run):\s*(.*?)\s*-->\s*$")


@dataclass(frozen=True)
class Block:
    page: str  # "README.md" or "docs/<name>.md"
    line: int  # the opening fence's line, 1-based
    lang: str
    marker: str | None  # "run", "not-run" or None
    note: str  # the run name, or the reason it is not run
    text: str  # the block's lines, the fence's indentation removed


def pages() -> list[Path]:
    return [PROJECT / "README.md", *sorted((PROJECT / "docs").glob("*.md"))]


def page_blocks(path: Path) -> list[Block]:
    lines = path.read_text(encoding="utf-8").splitlines()
    found: list[Block] = []
    index = 0
    while index < len(lines):
        opening = FENCE.match(lines[index])
        if not opening:
            index += 1
            continue
        indent, lang = opening.groups()
        end = next(i for i in range(index + 1, len(lines)) if lines[i].strip() == "```")
        above = next((lines[i] for i in range(index - 1, -1, -1) if lines[i].strip()), "")
        marker = MARKER.match(above)
        body = "".join(line.removeprefix(indent) + "\n" for line in lines[index + 1 : end])
        found.append(
            Block(
                page=str(path.relative_to(PROJECT)), line=index + 1, lang=lang,
                marker=marker.group(1) if marker else None, note=marker.group(2) if marker else "", text=body,
            )
        )
        index = end + 1
    return found


def all_blocks() -> list[Block]:
    return [found for path in pages() for found in page_blocks(path)]


def block(name: str) -> str:
    """The text of the block marked ``<!-- run: NAME -->``: exactly one in README.md and docs/."""
    named = [found for found in all_blocks() if found.marker == "run" and found.note == name]
    assert len(named) == 1, f"{len(named)} blocks are marked <!-- run: {name} --> in README.md and docs/"
    return named[0].text


def commands(text: str) -> list[str]:
    """A shell block's commands: comments dropped, backslash continuations joined."""
    joined = re.sub(r"\\\n\s*", " ", text)
    found = []
    for line in joined.splitlines():
        line = re.split(r"\s+#\s", line, maxsplit=1)[0].strip()
        if line and not line.startswith("#"):
            found.append(line)
    return found
