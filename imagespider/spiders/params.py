"""Spider arguments: parsed and validated once, before any request is made.

Each argument has one small parser; a spider combines the shared ones (``q``, ``queries``,
``label``, ``limit``, ``license``) with its own filters. Every error is an :class:`ArgumentError`
whose text is one line saying what to change. (Plain functions rather than pydantic models:
there are a dozen scalar arguments, and pydantic's multi-line errors would need rewriting anyway.)
"""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from imagespider.dataset.store.labels import safe_label, with_suffix
from imagespider.errors import ArgumentError, shown
from imagespider.query import Query
from imagespider.rights.policy import Policy, PolicyError

DEFAULT_LIMIT = 100
MAX_LIMIT = 1_000_000
#: A queries file bigger than this (half a million queries or so) is refused, not read into memory.
MAX_QUERIES_FILE_BYTES = 16 * 2**20
SHARED_ARGUMENTS = ("q", "queries", "label", "limit", "license", "mode")
#: ``-a mode=``: what ``limit`` counts. ``add``: images this crawl keeps per query (a JOBDIR job counts
#: all its runs); ``top-up``: images the store holds per class, so a nightly job refreshes a
#: class to ``limit`` instead of growing it.
MODES = ("add", "top-up")


@dataclass(frozen=True)
class ArgumentHelp:
    """One spider argument as ``scrapy describe <spider>`` shows it."""

    name: str
    meaning: str
    default: str
    choices: tuple[str, ...] = ()


def shared_argument_help(default_policy: str) -> list[ArgumentHelp]:
    """The arguments every search spider takes (docs/spiders.md)."""
    return [
        ArgumentHelp("q", "one query", "none: q or queries is required"),
        ArgumentHelp("queries", "a file, one query a line; 'label: query' when the label is one word; # comments",
                     "none"),
        ArgumentHelp("label", "the folder (class) name for q", "a slug of the query (red fox -> red-fox)"),
        ArgumentHelp("limit", f"images to keep per query, 1-{MAX_LIMIT:,}", str(DEFAULT_LIMIT)),
        ArgumentHelp("license", "the intended use: any, share, commercial, modify, a combination, or license ids",
                     f"{default_policy} (setting LICENSE_POLICY)", ("any", "share", "commercial", "modify")),
        ArgumentHelp("mode", "what limit counts: add = images this crawl (or JOBDIR job) keeps per query; "
                     "top-up = images the store holds per class (a nightly job refreshes, not grows)",
                     "add", MODES),
    ]


def filter_help(filters: Mapping[str, Mapping[str, str]]) -> list[ArgumentHelp]:
    """An engine's own filters: each value the user may give, the engine's default when absent."""
    return [
        ArgumentHelp(name, "engine filter", "strict" if name == "safe" else "the engine's own", tuple(choices))
        for name, choices in filters.items()
    ]


@dataclass(frozen=True)
class SearchArgs:
    queries: tuple[Query, ...]
    limit: int
    policy: Policy
    #: Engine filter codes chosen by the user, by argument name (``{"size": "imagesize-large"}``).
    filters: Mapping[str, str] = field(default_factory=dict)
    #: One-line warnings about how the arguments were read; the spider logs them once.
    warnings: tuple[str, ...] = ()
    #: One of MODES.
    mode: str = "add"


def parse_search_args(
    spider: str,
    kwargs: Mapping[str, str],
    filters: Mapping[str, Mapping[str, str]],
    default_policy: str,
    own: Sequence[str] = (),
) -> SearchArgs:
    """Validate every ``-a`` of a search spider; ``filters`` maps argument -> {value: code};
    ``own`` names the spider's further arguments (parsed by the spider itself)."""
    reject_unknown(spider, kwargs, sorted(set(SHARED_ARGUMENTS) | set(filters) | set(own)))
    queries = parse_queries(kwargs.get("q"), kwargs.get("queries"), kwargs.get("label"))
    warnings: tuple[str, ...] = ()
    if kwargs.get("queries") and not (kwargs.get("q") or "").strip():
        note = labelled_lines_warning(kwargs["queries"])
        warnings = (note,) if note else ()
    return SearchArgs(
        queries=queries,
        limit=parse_limit(kwargs.get("limit")),
        policy=requested_policy(kwargs.get("license"), default_policy),
        filters={
            name: parse_choice(name, kwargs[name], choices)
            for name, choices in filters.items()
            if kwargs.get(name)
        },
        warnings=warnings,
        mode=parse_mode(kwargs.get("mode")),
    )


#: The arguments Scrapyd adds to the ones a job is scheduled with (its launcher passes them as -a).
SCRAPYD_ARGUMENTS = ("_job", "_version")


def reject_unknown(spider: str, kwargs: Mapping[str, str], known: Sequence[str]) -> None:
    """An ``-a`` the spider does not take is a typo: say which ones it takes. Only Scrapyd's own
    underscore names pass: Scrapy sets every ``-a`` as an attribute of the spider, and one named
    like ours (``-a _idle=1``) replaced a method the crawl calls."""
    for name in kwargs:
        if name not in known and name not in SCRAPYD_ARGUMENTS:
            raise ArgumentError(
                f"unknown argument -a {shown(name)}= for spider {spider}; use one of: {', '.join(known)}"
            )


def parse_mode(value: str | None) -> str:
    mode = (value or "add").strip().lower() or "add"
    if mode not in MODES:
        raise ArgumentError(f"unknown mode {value!r}; use -a mode= one of: {', '.join(MODES)}")
    return mode


def parse_limit(value: str | None, per: str = "query") -> int:
    """``-a limit``: images to keep ``per`` query (search spiders) or label (``urls``)."""
    if value is None or str(value).strip() == "":
        return DEFAULT_LIMIT
    try:
        limit = int(str(value).strip())
    except ValueError:
        raise ArgumentError(
            f"limit must be a whole number of images per {per}, got -a limit={shown(value)}; e.g. -a limit=100"
        ) from None
    if not 1 <= limit <= MAX_LIMIT:
        raise ArgumentError(f"limit must be between 1 and {MAX_LIMIT}, got -a limit={limit}")
    return limit


def parse_policy(value: str, given_as: str = "-a license") -> Policy:
    try:
        return Policy.parse(value)
    except PolicyError as error:
        raise ArgumentError(str(error).replace("-a license=", f"{given_as}=")) from None


def requested_policy(license: str | None, default_policy: str) -> Policy:
    """``-a license=``, else the LICENSE_POLICY setting; a bad one is named as the user gave it,
    not as an ``-a license=`` they never typed."""
    if license:
        return parse_policy(license)
    return parse_policy(default_policy, given_as="-s LICENSE_POLICY")


def parse_choice(name: str, value: str, choices: Mapping[str, str]) -> str:
    key = value.strip().lower()
    if key not in choices:
        raise ArgumentError(
            f"unknown {name} {value!r}; use -a {name}= one of: {', '.join(choices)}"
        )
    return choices[key]


def parse_queries(q: str | None, queries_file: str | None, label: str | None) -> tuple[Query, ...]:
    """One ``q``, or a ``queries`` file with one query per line (``label: query`` optional)."""
    label = (label or "").strip() or None  # a blank label (a form field left empty) is none
    if q is not None and not q.strip() and queries_file:
        q = None  # a blank q beside a queries file (a form left empty) is no query
    if q and queries_file:
        raise ArgumentError("give either -a q=QUERY or -a queries=FILE, not both")
    if q is not None:
        text = q.strip()
        if not text:
            raise ArgumentError("the query is empty; give one with -a q=cat")
        return (Query(text, safe_label(label) if label else safe_label(text)),)
    if queries_file is None:
        raise ArgumentError("no query given; use -a q=cat or -a queries=FILE (one query per line)")
    if label:
        raise ArgumentError("-a label= applies to -a q= only; in a queries file write 'label: query'")
    return _dedupe_labels(_read_queries_file(queries_file))


def _read_queries_file(path: str) -> list[tuple[str, str | None]]:
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            # /dev/zero would be read until memory runs out; a pipe or /dev/stdin waits forever.
            raise ArgumentError(
                f"cannot read queries file {shown(path)}: not a regular file; give a text file, one query per line"
            )
        with open(path, "rb") as handle:
            data = handle.read(MAX_QUERIES_FILE_BYTES + 1)
        if len(data) > MAX_QUERIES_FILE_BYTES:
            raise ArgumentError(
                f"queries file {shown(path)} is over {MAX_QUERIES_FILE_BYTES // 2**20} MiB; "
                "split it across several crawls"
            )
        text = data.decode("utf-8-sig")  # a BOM (Windows Notepad) is not part of the first query
    except ArgumentError:
        raise
    except FileNotFoundError:
        raise ArgumentError(
            f"queries file not found: {shown(path)}; give an existing file with -a queries=FILE"
        ) from None
    except (OSError, ValueError) as error:  # ValueError: not UTF-8, or a NUL byte in the path
        raise ArgumentError(f"cannot read queries file {shown(path)}: {shown(error)}") from None
    entries: list[tuple[str, str | None]] = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        label = label_of(line)
        if label is not None:
            entries.append((line.partition(": ")[2].strip(), label))
        else:
            entries.append((line, None))
    if not entries:
        raise ArgumentError(f"queries file {shown(path)} holds no query; write one per line")
    return entries


def label_of(line: str) -> str | None:
    """The label of a ``label: query`` line: the text before the first ``": "`` when it is one
    word (no spaces) and a query follows; else None, and the whole line is the query
    (``Star Wars: The Force Awakens poster`` is a query, not a folder ``star-wars``)."""
    label, sep, query = line.partition(": ")
    label = label.strip()
    if not sep or not label or not query.strip() or any(ch.isspace() for ch in label):
        return None
    return label


def labelled_lines_warning(path: str, shown_max: int = 3) -> str | None:
    """One line naming the queries whose line was read as ``label: query``, so a colon that
    belonged to the query (``Alien: Covenant poster``) does not go unnoticed."""
    lines = [
        line.strip() for line in Path(path).read_text(encoding="utf-8-sig").splitlines()
        if not line.strip().startswith("#") and label_of(line.strip()) is not None
    ]
    if not lines:
        return None
    examples = "; ".join(
        f"{label_of(line)!r} <- {line.partition(': ')[2].strip()!r}" for line in lines[:shown_max]
    )
    more = f" and {len(lines) - shown_max} more" if len(lines) > shown_max else ""
    return (
        f"queries file {shown(path)}: {len(lines)} line(s) read as 'label: query' (label <- query: "
        f"{examples}{more}); if a colon belongs to the query, put a label in front of it "
        "('alien-covenant: Alien: Covenant poster')"
    )


def _dedupe_labels(entries: list[tuple[str, str | None]]) -> tuple[Query, ...]:
    """Labels from the file are kept as given (two queries may share a label on purpose);
    two different queries whose automatic slugs collide get distinct folders."""
    queries: list[Query] = []
    auto_owner: dict[str, str] = {}
    for text, label in entries:
        if label:
            queries.append(Query(text, safe_label(label)))
            continue
        slug = safe_label(text)
        owner = auto_owner.setdefault(slug, text)
        if owner != text:
            slug = with_suffix(slug, text)
        queries.append(Query(text, slug))
    return tuple(dict.fromkeys(queries))  # a repeated line is one query; order kept
