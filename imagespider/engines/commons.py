"""Wikimedia Commons: its ``extmetadata`` license fields read into the license model.

Commons records a license for every file (``LicenseShortName``, ``LicenseUrl``, ``License``), so
its evidence is authoritative (source ``api``).
"""

from __future__ import annotations

import re

from imagespider.rights.model import License, cc_license, id_for_code, unknown
from imagespider.rights.parse import from_short_name, from_url


def license_of(short_name: str | None, url: str | None = None, slug: str | None = None) -> License:
    """Wikimedia Commons extmetadata: ``LicenseShortName``, ``LicenseUrl`` and ``License`` (the
    slug). The URL wins when it is a CC URL (it is the most precise, jurisdiction included), then
    the short name, then the slug. Deliberately simple: only Creative Commons and public domain are
    recognised; GFDL, FAL, OGL, "Attribution only" and the like become ``unknown`` (source ``api``),
    which a ``share`` policy rejects. That loses some free images but never keeps a wrong one."""
    if url:
        found = from_url(url, "api")
        if found is not None:
            return found
    if short_name:
        found = from_short_name(short_name, "api")
        if found is not None:
            return found
    if slug:
        found = _license_from_slug(slug)
        if found is not None:
            return found
    if short_name or url or slug:
        return License("unknown", None, None, "api")
    return unknown()


def _license_from_slug(slug: str) -> License | None:
    """Commons ``License`` slugs: "cc-by-sa-4.0", "cc-by-sa-3.0-de", "cc-zero", "pd", "pd-usgov..."."""
    slug = slug.strip().lower()
    if slug.startswith("pd-usgov"):
        return License("us-gov", None, None, "api")
    if slug in ("pd", "pd-self", "public-domain"):
        return License("pdm", None, None, "api")
    if slug in ("cc-zero", "cc0", "cc0-1.0"):
        return cc_license("cc0", "1.0", "api")
    match = re.fullmatch(r"cc-(by-nd-nc|by(?:-nc)?(?:-sa|-nd)?)(?:-(\d\.\d))?(?:-([a-z]{2,}))?", slug)
    if match:
        license_id = id_for_code(match.group(1))
        assert license_id is not None
        return cc_license(license_id, match.group(2), "api", match.group(3))
    return None
