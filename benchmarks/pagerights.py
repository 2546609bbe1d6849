#!/usr/bin/env python
"""How well the source-page reader reads rights on real pages (issue 26).

Run from the project root::

    .venv/bin/python benchmarks/pagerights.py            # a line per page, then the totals
    .venv/bin/python benchmarks/pagerights.py --only 25 --json out.json

Reads the real saved pages in ``tests/fixtures/pages/real/`` (54 pages that other projects saved,
their origin in that folder's SOURCES.md) and the truth judged by reading each page
(``truth.json``), runs :func:`imagespider.rights.page.read_page` for the page's principal image,
and sorts each answer into one of:

* ``correct``: the license the truth names (id, and version where the truth gives one);
* ``wrong-permissive``: a license that allows more than the truth (a permission the truth does
  not grant, or an obligation it has dropped): the one answer that must never occur;
* ``wrong-other``: another license, not more permissive (a missing version, a reservation where
  none is stated);
* ``missed-license`` / ``missed-reservation``: nothing, where the page states a license or
  reserves rights;
* ``correct-none``: nothing, where nothing is stated.

Opt-outs are counted apart (found, missed, and false: an opt-out the truth does not hold).
Exit status 1 when any answer is wrong-permissive or an opt-out is missed.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from imagespider.rights.model import PERMISSIONS, License  # noqa: E402
from imagespider.rights.page import PageEvidence, read_page  # noqa: E402

PAGES = ROOT / "tests" / "fixtures" / "pages" / "real"
CATEGORIES = ("correct", "wrong-permissive", "wrong-other", "missed-license", "missed-reservation", "correct-none")


def truth_id(truth: dict[str, Any]) -> str | None:
    """The truth's license as one of our ids (``site-license:unsplash`` is ``unsplash``), None
    for none-stated."""
    value = str(truth["license"])
    if value == "none-stated":
        return None
    return value.split(":", 1)[1] if value.startswith("site-license:") else value


def version_matches(truth: dict[str, Any], lic: License) -> bool:
    """The truth's version ("2.0", "3.0 IGO", "2.0 DE"): its number is the license's version,
    its jurisdiction part of the license's URL."""
    if not truth.get("version"):
        return True
    number, _, jurisdiction = str(truth["version"]).partition(" ")
    if lic.version != number:
        return False
    return not jurisdiction or f"/{jurisdiction.lower()}/" in (lic.url or "")


def more_permissive(found: str, truth: str | None) -> bool:
    """Whether license id ``found`` allows something ``truth`` (None: nothing stated, so
    nothing granted) does not, or drops an obligation it has."""
    got = PERMISSIONS.get(found)
    if got is None:  # an id this benchmark does not know yet: judge it by nothing
        return True
    want = PERMISSIONS.get(truth) if truth else PERMISSIONS["all-rights-reserved"]
    if want is None:
        return False
    for name in ("share", "commercial", "modify"):
        if getattr(got, name) is True and getattr(want, name) is not True:
            return True
    return any(getattr(want, name) is True and getattr(got, name) is False for name in ("attribution", "share_alike"))


def judge(truth: dict[str, Any], found: PageEvidence) -> str:
    want = truth_id(truth)
    lic = found.license
    if lic is None:
        if want is None:
            return "correct-none"
        return "missed-reservation" if want == "all-rights-reserved" else "missed-license"
    if lic.id == want and version_matches(truth, lic):
        return "correct"
    if more_permissive(lic.id, want):
        return "wrong-permissive"
    return "wrong-other"


def opt_out_result(truth: dict[str, Any], found: PageEvidence) -> str | None:
    if truth.get("opt_out"):
        return "found" if found.opt_out else "missed"
    return "false" if found.opt_out else None


def run(only: set[str] | None) -> tuple[list[dict[str, Any]], Counter[str]]:
    truths = json.loads((PAGES / "truth.json").read_text(encoding="utf-8"))
    rows: list[dict[str, Any]] = []
    totals: Counter[str] = Counter()
    for truth in truths:
        if only and truth["nn"] not in only:
            continue
        html = (PAGES / truth["file"]).read_bytes().decode("utf-8", "replace")
        start = time.perf_counter()
        found = read_page(html, truth["page_url"], truth["image_url"])
        seconds = time.perf_counter() - start
        verdict = judge(truth, found)
        opt = opt_out_result(truth, found)
        totals[verdict] += 1
        if opt:
            totals[f"opt-out {opt}"] += 1
        totals["seconds"] += seconds  # type: ignore[assignment]
        lic = found.license
        rows.append({
            "nn": truth["nn"], "site": truth["site"], "verdict": verdict,
            "truth": truth["license"] + (f" {truth['version']}" if truth.get("version") else ""),
            "found": (f"{lic.id} {lic.version or ''}".strip() if lic else "-"),
            "scope": found.scope, "element": found.license_statement.element if found.license_statement else None,
            "image_found": found.image_found, "opt_out": opt, "ms": round(seconds * 1000),
        })
    return rows, totals


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", help="page numbers, comma-separated (01,25)")
    parser.add_argument("--json", help="write the rows and totals here")
    args = parser.parse_args()
    only = {n.strip().zfill(2) for n in args.only.split(",")} if args.only else None
    rows, totals = run(only)
    for row in rows:
        flag = "" if row["verdict"] in ("correct", "correct-none") else "  <--"
        print(
            f"{row['nn']} {row['site'][:20]:20} {row['verdict']:18} truth {row['truth']:28} found {row['found']:22}"
            f" {row['scope'] or '':5} {'img' if row['image_found'] else 'NOIMG'} {row['ms']:5} ms"
            f" {row['element'] or ''}{flag}"
        )
    truths = json.loads((PAGES / "truth.json").read_text(encoding="utf-8"))
    stated = sum(1 for t in truths if truth_id(t) not in (None, "all-rights-reserved") and (not only or t["nn"] in only))
    reserved = sum(1 for t in truths if truth_id(t) == "all-rights-reserved" and (not only or t["nn"] in only))
    print()
    print("| result | pages |")
    print("|---|---|")
    for name in CATEGORIES:
        print(f"| {name} | {totals[name]} |")
    found_licenses = sum(1 for r in rows if r["verdict"] == "correct" and not r["truth"].startswith("all-rights"))
    found_reserved = sum(1 for r in rows if r["verdict"] == "correct" and r["truth"].startswith("all-rights"))
    print(f"| licenses found | {found_licenses} of {stated} |")
    print(f"| reservations found | {found_reserved} of {reserved} |")
    print(f"| opt-outs found | {totals['opt-out found']} of {totals['opt-out found'] + totals['opt-out missed']} "
          f"(false: {totals['opt-out false']}) |")
    print(f"\n{len(rows)} pages read in {totals['seconds']:.2f} s")
    if args.json:
        Path(args.json).write_text(json.dumps({"rows": rows, "totals": dict(totals)}, indent=1), encoding="utf-8")
    return 1 if totals["wrong-permissive"] or totals["opt-out missed"] else 0


if __name__ == "__main__":
    sys.exit(main())
