"""Weighing a downloaded image's rights evidence against what the engine declared.

The order is the project's contract: an owner's opt-out from text and data mining wins over any
license and any policy; then the most explicit license statement wins. A machine-readable
license in the file (XMP ``cc:license``, a Creative Commons ``WebStatement``) is the author's
own word and overrules everything else; a license read from free text (usage terms, a copyright
notice) overrules only weak evidence (an engine filter's claim, or none), so a camera's default
"All rights reserved" does not undo a license the author chose on Flickr.
"""

from __future__ import annotations

from dataclasses import dataclass

from imagespider.rights.embedded import EmbeddedRights, data_mining_prohibited
from imagespider.rights.headers import HeaderSignals
from imagespider.rights.model import License
from imagespider.rights.parse import from_url, parse_evidence

WEAK_SOURCES = frozenset({"none", "engine-filter"})


@dataclass(frozen=True, slots=True)
class Verdict:
    license: License
    #: Reason code when the owner opted out of text and data mining, else None.
    opt_out: str | None = None
    detail: str = ""


def weigh(declared: License, embedded: EmbeddedRights, headers: HeaderSignals) -> Verdict:
    opt_out = _opt_out(embedded, headers)
    final = _license(declared, embedded)
    if opt_out:
        return Verdict(final, *opt_out)
    return Verdict(final)


def _opt_out(embedded: EmbeddedRights, headers: HeaderSignals) -> tuple[str, str] | None:
    if headers.noai:
        return "noai", f"X-Robots-Tag: {headers.x_robots_tag}"
    if headers.tdm_reservation:
        policy = f" (policy {headers.tdm_policy})" if headers.tdm_policy else ""
        return "tdm_reservation", f"tdm-reservation: 1{policy}"
    if data_mining_prohibited(embedded.data_mining):
        return "data_mining_prohibited", f"IPTC PLUS Data Mining: {embedded.data_mining}"
    return None


def _license(declared: License, embedded: EmbeddedRights) -> License:
    explicit = _from_urls(embedded.license_url, embedded.web_statement)
    if explicit is not None:
        return explicit
    if declared.source in WEAK_SOURCES:
        for text in (embedded.usage_terms, embedded.copyright):
            found = parse_evidence(text, "embedded") if text else None
            if found is not None:
                return found
    return declared


def _from_urls(*urls: str | None) -> License | None:
    for url in urls:
        found = from_url(url, "embedded") if url else None
        if found is not None:
            return found
    return None
