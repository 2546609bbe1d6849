"""Openverse: its license codes read into the license model.

Openverse gives every result a structured license (``license``, ``license_version``,
``license_url``), so its evidence is authoritative (source ``api``).
"""

from __future__ import annotations

from imagespider.rights.model import License, Permissions, cc_license, id_for_code
from imagespider.rights.parse import from_url


def license_of(code: str, version: str | None, url: str | None = None) -> License:
    """Openverse ``license`` / ``license_version`` / ``license_url``. The code is trusted over the
    URL (it is the structured field); the URL is used only when it names the same license, so a
    ported jurisdiction survives. The retired Sampling licenses (``sampling+``, ``nc-sampling+``)
    are ``cc-unspecified``: they allow non-commercial sharing and sampling with credit, which no
    id of ours describes, so those permissions are asserted explicitly. Any other code is unknown."""
    code = (code or "").strip().lower()
    version = (version or "").strip() or None
    from_link = from_url(url, "api") if url else None
    if code in ("sampling+", "nc-sampling+"):
        return License(
            "cc-unspecified",
            version,
            f"https://creativecommons.org/licenses/{code}/{version or '1.0'}/",
            "api",
            Permissions(share=True, commercial=False, modify=True, attribution=True, share_alike=False),
        )
    if code in ("cc0", "pdm"):
        license_id: str | None = code
        version = version or "1.0"
    else:
        license_id = id_for_code(code)
    if license_id is None:
        return License("unknown", None, url or None, "api")
    if from_link is not None and from_link.id == license_id and from_link.version == version:
        return from_link
    return cc_license(license_id, version, "api")


