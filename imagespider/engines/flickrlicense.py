"""Flickr's license ids and the policy as its ``license=`` filter: the license mapping of the
Flickr provider (imagespider/engines/flickr.py). Pure.
"""

from __future__ import annotations

import re

from imagespider.rights.model import License, cc_license
from imagespider.rights.parse import from_long_name, from_short_name, from_url
from imagespider.rights.policy import Policy

#: Flickr license ids as documented (Flickr API docs and Openverse's LICENSE_INFO). Ids 11+
#: (CC 4.0) exist but their numbers are not checked, so they are left to the table loaded at
#: run time with :func:`license_table_from_getinfo`.
LICENSES: dict[str, tuple[str, str | None]] = {
    "0": ("all-rights-reserved", None),
    "1": ("cc-by-nc-sa", "2.0"),
    "2": ("cc-by-nc", "2.0"),
    "3": ("cc-by-nc-nd", "2.0"),
    "4": ("cc-by", "2.0"),
    "5": ("cc-by-sa", "2.0"),
    "6": ("cc-by-nd", "2.0"),
    "7": ("no-known-restrictions", None),
    "8": ("us-gov", None),
    "9": ("cc0", "1.0"),
    "10": ("pdm", "1.0"),
}


def license_of(license_id: str, table: dict[str, License] | None = None) -> License:
    """A photo's ``license`` field. The run-time table (from ``flickr.photos.licenses.getInfo``)
    is preferred because Flickr adds ids; the built-in table covers 0..10 when it could not be
    loaded. An id in neither is unknown, source ``api``."""
    key = str(license_id).strip()
    if table and key in table:
        return table[key]
    if key in LICENSES:
        lic_id, version = LICENSES[key]
        return cc_license(lic_id, version, "api")  # no URL is built for the non-CC ids
    return License("unknown", None, None, "api")


_NAMES = {
    "all rights reserved": "all-rights-reserved",
    "no known copyright restrictions": "no-known-restrictions",
    "united states government work": "us-gov",
}


def _license_from_name(name: str) -> License | None:
    """Flickr ``licenses.getInfo`` names: the fixed ones above, "Public Domain Dedication (CC0)",
    "Public Domain Mark", "Attribution 4.0 International (CC BY 4.0)", "Attribution-NonCommercial
    License"..."""
    name = " ".join(name.split())
    if name.lower() in _NAMES:
        return License(_NAMES[name.lower()], None, None, "api")
    inner = re.search(r"\(([^()]+)\)\s*$", name)  # "... (CC BY 4.0)"
    if inner:
        found = from_short_name(inner.group(1), "api")
        if found is not None:
            return found
    return from_short_name(name, "api") or from_long_name(name, "api")


def license_table_from_getinfo(payload: dict) -> dict[str, License]:
    """Parse a ``flickr.photos.licenses.getInfo`` response into ``{id: License}``. Each entry is
    mapped by its URL when that is a CC URL, else by its name; an entry we cannot read becomes
    unknown (so a policy rejects it rather than trusting a guess). A non-CC URL (Flickr Commons'
    usage page, usa.gov) is kept as the license URL since it is where the statement lives."""
    entries = ((payload or {}).get("licenses") or {}).get("license") or []
    table: dict[str, License] = {}
    for entry in entries:
        key = str(entry.get("id", "")).strip()
        if not key:
            continue
        url = (entry.get("url") or "").strip()
        name = (entry.get("name") or "").strip()
        found = from_url(url, "api") if url else None
        if found is None and name:
            found = _license_from_name(name)
            if found is not None and url and found.url is None:
                found = License(found.id, found.version, url, "api")
        table[key] = found or License("unknown", None, url or None, "api")
    return table


def license_ids_for(policy: Policy, table: dict[str, License] | None = None) -> list[str] | None:
    """Flickr ``license=`` ids whose license passes the policy, from the run-time table when given
    (else the built-in one), in numeric order. None for ``any`` (no filter). An empty list means
    no Flickr license fits: the caller must not search at all, since an empty ``license=`` would
    mean "no filter" to Flickr."""
    if policy.is_any:
        return None
    if table is None:
        table = {key: license_of(key) for key in LICENSES}
    ids = [key for key, lic in table.items() if policy.check(lic) is None]
    # isascii: "²".isdigit() is True and int("²") a ValueError (the table comes from Flickr).
    return sorted(ids, key=lambda k: (0, int(k), "") if k.isascii() and k.isdigit() and len(k) < 20 else (1, 0, k))
