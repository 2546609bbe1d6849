"""Reading the ``urls`` spider's input: a list of image URLs in one of three shapes.

* plain text: one URL per line; blank lines and ``#`` comments are skipped;
* CSV (``.csv``): a ``url`` column (``image_url`` is accepted too), optional ``label``,
  ``title``, ``page_url``, ``author``, ``license`` columns;
* a manifest (``.jsonl``, or any file whose first entry starts with ``{``): the
  ``metadata.jsonl`` of another crawl. Each row keeps its label, its metadata, its recorded
  license (as declared evidence, with its recorded source) and its ``sha256``, which the
  download must match: this is how a dataset that may not be redistributed is shared.

Pure: no Scrapy, no network. A problem with the whole file (missing, unreadable, a CSV without
a url column, nothing usable in it) is an :class:`ArgumentError` with one line; a bad row is
skipped and counted in :attr:`UrlList.skipped`, with the first few reasons kept for the log.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from imagespider.dataset.store.labels import safe_label
from imagespider.errors import ArgumentError, shown
from imagespider.rights.model import License, unknown
from imagespider.rights.parse import parse_evidence

TEXT, CSV, MANIFEST = "text", "csv", "manifest"
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
#: Reasons for skipped rows kept for the log; the rest are only counted.
_NOTES_KEPT = 5


@dataclass(frozen=True)
class UrlRow:
    """One image to fetch, with what the list says about it."""

    image_url: str
    label: str
    title: str | None = None
    page_url: str | None = None
    author: str | None = None
    license: License = field(default_factory=unknown)
    #: The bytes' SHA-256 recorded in a manifest; None for plain lists.
    expected_sha256: str | None = None
    #: From a manifest: where the image was first found, and the rest of its row.
    query: str | None = None
    engine: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    #: A manifest row's ``is_thumbnail``: its URL is an engine's thumbnail (only ``true`` counts).
    is_thumbnail: bool = False


@dataclass
class UrlList:
    kind: str
    rows: list[UrlRow]
    skipped: int = 0
    notes: list[str] = field(default_factory=list)

    def skip(self, where: str, why: str) -> None:
        self.skipped += 1
        if len(self.notes) < _NOTES_KEPT:
            self.notes.append(f"{where}: {why}")


def read_url_list(path: str, default_label: str) -> UrlList:
    """Read ``path``; rows without a label get ``default_label`` (made folder-safe)."""
    try:
        if Path(path).exists() and not Path(path).is_dir() and not Path(path).is_file():
            # /dev/zero would be read until memory runs out; a pipe or /dev/stdin waits forever.
            raise ArgumentError(f"cannot read URL list {shown(path)}: not a regular file; give a file of image URLs")
        text = Path(path).read_text(encoding="utf-8-sig")
    except ArgumentError:  # a ValueError too: not to be caught below
        raise
    except FileNotFoundError:
        raise ArgumentError(f"URL list not found: {shown(path)}; give an existing file with -a path=FILE") from None
    except IsADirectoryError:
        raise ArgumentError(f"-a path={shown(path)} is a folder; give a file of image URLs") from None
    except (OSError, ValueError) as error:  # ValueError: not UTF-8, or a NUL byte in the path
        raise ArgumentError(f"cannot read URL list {shown(path)}: {shown(error)}") from None
    kind = _kind_of(path, text)
    label = safe_label(default_label)
    found = UrlList(kind, [])
    if kind == CSV:
        _read_csv(text, path, label, found)
    elif kind == MANIFEST:
        _read_manifest(text, label, found)
    else:
        _read_text(text, label, found)
    if not found.rows:
        why = f" ({found.skipped} bad: {found.notes[0]})" if found.skipped else ""
        raise ArgumentError(f"URL list {shown(path)} holds no usable image URL{why}")
    mistyped = [problem for problem in map(_type_problem, found.rows) if problem]
    if len(mistyped) == len(found.rows):
        # Every row would be a bad_row drop: say so now, in one line, rather than crawl for nothing.
        raise ArgumentError(
            f"URL list {shown(path)} holds no usable row: {mistyped[0]} (and so in all {len(mistyped)}); "
            "title, author, author_url, site, query, page_url and engine must be text"
        )
    return found


def _type_problem(row: UrlRow) -> str | None:
    """A row whose text fields are not text is a ``bad_row`` drop when crawled (imagespider/text.py)."""
    for name in ("title", "page_url", "author", "query", "engine"):
        value = getattr(row, name)
        if value is not None and not isinstance(value, str):
            return f"{name} is {type(value).__name__}, not text"
    for name, value in row.extra.items():  # author_url, site
        if not isinstance(value, str):
            return f"{name} is {type(value).__name__}, not text"
    return None


def _kind_of(path: str, text: str) -> str:
    suffix = Path(path).suffix.lower()
    if suffix == ".csv":
        return CSV
    if suffix in (".jsonl", ".json", ".ndjson"):
        return MANIFEST
    first = next((line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")), "")
    return MANIFEST if first.startswith("{") else TEXT


def _url_problem(url: str) -> str | None:
    try:
        parts = urlsplit(url)
    except ValueError:  # "Invalid IPv6 URL": http://[abc
        return f"not an http(s) URL: {shown(url[:100])}"
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return f"not an http(s) URL: {shown(url[:100])}"
    return None


def _read_text(text: str, label: str, found: UrlList) -> None:
    for number, line in enumerate(text.splitlines(), 1):
        url = line.strip()
        if not url or url.startswith("#"):
            continue
        problem = _url_problem(url)
        if problem:
            found.skip(f"line {number}", problem)
            continue
        found.rows.append(UrlRow(url, label))


def _cell(row: dict[str, str | None], name: str) -> str | None:
    value = (row.get(name) or "").strip()
    return value or None


def _read_csv(text: str, path: str, label: str, found: UrlList) -> None:
    reader = csv.DictReader(io.StringIO(text))
    try:
        _read_csv_rows(reader, path, label, found)
    except csv.Error as error:
        # A field over the csv module's limit (128 KiB): a quote never closed swallows the rest.
        raise ArgumentError(
            f"cannot read CSV {shown(path)}: the record from line {reader.line_num + 1}: {shown(error)}"
        ) from None


def _read_csv_rows(reader: csv.DictReader[str], path: str, label: str, found: UrlList) -> None:
    columns = {(name or "").strip().lower(): name for name in reader.fieldnames or ()}
    url_column = columns.get("url") or columns.get("image_url")
    if url_column is None:
        raise ArgumentError(
            f"CSV {shown(path)} has no url column (columns: {', '.join(columns) or 'none'}); "
            "name the image URL column 'url'"
        )
    for number, raw in enumerate(reader, 2):
        row = {key: raw.get(original) for key, original in columns.items()}
        url = (raw.get(url_column) or "").strip()
        problem = _url_problem(url) if url else "no url"
        if problem:
            found.skip(f"row {number}", problem)
            continue
        declared = _cell(row, "license")
        lic = (parse_evidence(declared, "list") if declared else None) or unknown()
        found.rows.append(
            UrlRow(
                url,
                safe_label(_cell(row, "label") or label),
                title=_cell(row, "title"),
                page_url=_cell(row, "page_url"),
                author=_cell(row, "author"),
                license=lic,
            )
        )


def _read_manifest(text: str, label: str, found: UrlList) -> None:
    # Split at newlines only: rows are written with ensure_ascii=False, so a title may hold a raw
    # U+2028, U+2029 or U+0085, where str.splitlines() would cut the row in two.
    for number, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except (ValueError, RecursionError):  # RecursionError: arrays nested 100,000 deep
            found.skip(f"line {number}", "not a JSON object")
            continue
        if not isinstance(row, dict):
            found.skip(f"line {number}", "not a JSON object")
            continue
        raw_url = row.get("image_url")
        url = raw_url.strip() if isinstance(raw_url, str) else ""
        problem = _url_problem(url) if url else "no image_url" if raw_url is None else "image_url is not text"
        if not problem and not isinstance(row.get("label") or "", str):
            problem = f"label is {type(row['label']).__name__}, not text"
        sha256 = row.get("sha256")
        if not problem and sha256 is not None and not (isinstance(sha256, str) and _SHA256.match(sha256)):
            problem = f"sha256 is not 64 hex digits: {shown(str(sha256)[:80])}"
        if problem:
            found.skip(f"line {number}", problem)
            continue
        try:
            lic = License.from_dict(row)
        except (ValueError, TypeError) as error:
            found.skip(f"line {number}", f"bad license fields: {shown(error)}")
            continue
        found.rows.append(
            UrlRow(
                url,
                safe_label(str(row.get("label") or label)),
                title=row.get("title"),
                page_url=row.get("page_url"),
                author=row.get("author"),
                license=lic,
                expected_sha256=sha256,
                query=row.get("query"),
                engine=row.get("engine"),
                extra={k: row.get(k) for k in ("author_url", "site") if row.get(k)},
                is_thumbnail=row.get("is_thumbnail") is True,
            )
        )
