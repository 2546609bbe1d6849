"""The license model: a normalised :class:`License` and the :class:`Permissions` it grants.

Why a model at all: the engines speak different languages about rights. Flickr gives a numeric id,
Openverse a short code, Wikimedia Commons a display name plus a URL and a slug, Bing and Google give
nothing per image (only the usage-rights filter the request used claims something), and the file
itself may carry a URL in its XMP. Everything is normalised to:

* a license **id** from :data:`LICENSE_IDS` (``cc-by-sa``, ``pdm``, ``unknown``...), a **version**
  and a canonical **url** when known;
* the **source** of the evidence: ``api`` (the engine said so for this image), ``engine-filter``
  (the engine's usage-rights filter said so for the whole result list), ``embedded`` (found in the
  file), ``list`` (a user's URL list), ``page`` (the image's source page), ``none``;
* the **permissions** that follow: share, commercial, modify (True / False / None = unknown) and the
  obligations attribution and share-alike.

Reading evidence into a License is :mod:`imagespider.rights.parse`; deciding a policy against it is
:mod:`imagespider.rights.policy`; each engine's own codes live in its module under
``imagespider/engines/``. Stdlib only, no Scrapy.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

LICENSE_IDS: tuple[str, ...] = (
    "cc0",
    "pdm",
    "cc-by",
    "cc-by-sa",
    "cc-by-nd",
    "cc-by-nc",
    "cc-by-nc-sa",
    "cc-by-nc-nd",
    "no-known-restrictions",
    "us-gov",
    "unsplash",
    "pexels",
    "pixabay",
    "all-rights-reserved",
    "cc-unspecified",
    "unknown",
)

#: ``list``: the URL list given to the urls spider (a CSV ``license`` column) said so.
#: ``page``: the image's source page said so (imagespider/rights/page.py).
SOURCES: tuple[str, ...] = ("api", "engine-filter", "embedded", "list", "page", "none")

#: The Creative Commons licenses proper (those with a ``/licenses/<code>/<version>/`` URL).
_CC_CODES = ("by", "by-sa", "by-nd", "by-nc", "by-nc-sa", "by-nc-nd")


# --------------------------------------------------------------------------------------------
# Permissions
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Permissions:
    """What the evidence allows (share, commercial, modify) and what it obliges (attribution,
    share-alike). ``None`` means the evidence does not say, which is not the same as "no"."""

    share: bool | None
    commercial: bool | None
    modify: bool | None
    attribution: bool | None
    share_alike: bool | None

    @classmethod
    def from_dict(cls, data: dict[str, bool | None]) -> Permissions:
        return cls(*(data.get(name) for name in ("share", "commercial", "modify", "attribution", "share_alike")))

    def to_dict(self) -> dict[str, bool | None]:
        return {
            "share": self.share,
            "commercial": self.commercial,
            "modify": self.modify,
            "attribution": self.attribution,
            "share_alike": self.share_alike,
        }


_T, _F, _N = True, False, None

# share, commercial, modify, attribution, share_alike
PERMISSIONS: dict[str, Permissions] = {
    "cc0": Permissions(_T, _T, _T, _F, _F),
    "pdm": Permissions(_T, _T, _T, _F, _F),
    "cc-by": Permissions(_T, _T, _T, _T, _F),
    "cc-by-sa": Permissions(_T, _T, _T, _T, _T),
    "cc-by-nd": Permissions(_T, _T, _F, _T, _F),
    "cc-by-nc": Permissions(_T, _F, _T, _T, _F),
    "cc-by-nc-sa": Permissions(_T, _F, _T, _T, _T),
    "cc-by-nc-nd": Permissions(_T, _F, _F, _T, _F),
    # Flickr Commons "no known copyright restrictions" and US Government works are treated as public
    # domain: free to use, no legal attribution duty. Both are the institution's statement, not a
    # license; Flickr Commons asks for a credit as a courtesy and a US work may hold third-party
    # content. We still record the id, so a stricter user can exclude them by listing ids.
    "no-known-restrictions": Permissions(_T, _T, _T, _F, _F),
    "us-gov": Permissions(_T, _T, _T, _F, _F),
    # Stock sites' own licenses: free use, commercial use and modification, no attribution
    # required, but no redistribution as a collection or on a similar service, so no ``share``.
    "unsplash": Permissions(_F, _T, _T, _F, _F),
    "pexels": Permissions(_F, _T, _T, _F, _F),
    "pixabay": Permissions(_F, _T, _T, _F, _F),
    # Nothing is granted; the obligations are moot, so they stay unknown.
    "all-rights-reserved": Permissions(_F, _F, _F, _N, _N),
    # Every Creative Commons license allows sharing; the rest depends on which one it is.
    "cc-unspecified": Permissions(_T, _N, _N, _N, _N),
    "unknown": Permissions(_N, _N, _N, _N, _N),
}


def permissions_for(license_id: str) -> Permissions:
    """The permissions a license id grants by itself (raises ValueError for an id not in
    :data:`LICENSE_IDS`, since that is a programming error, not bad evidence)."""
    try:
        return PERMISSIONS[license_id]
    except KeyError:
        raise ValueError(f"unknown license id {license_id!r}; expected one of {', '.join(LICENSE_IDS)}") from None


# --------------------------------------------------------------------------------------------
# License
# --------------------------------------------------------------------------------------------

#: Sentinel default: "derive the permissions from the id". Compared by identity, so an explicit
#: ``Permissions(None, ...)`` passed by a caller is kept as given.
_DERIVE = Permissions(None, None, None, None, None)

_LABELS = {
    "no-known-restrictions": "No known copyright restrictions",
    "us-gov": "United States Government Work",
    "unsplash": "Unsplash License",
    "pexels": "Pexels License",
    "pixabay": "Pixabay Content License",
    "all-rights-reserved": "All rights reserved",
    "cc-unspecified": "Creative Commons (license not specified)",
    "unknown": "Unknown license",
}


@dataclass(frozen=True, slots=True)
class License:
    """One piece of license evidence, normalised. Permissions default to those of the id; an
    engine filter that asserted more (or less) passes its own."""

    id: str
    version: str | None = None
    url: str | None = None
    source: str = "none"
    permissions: Permissions = _DERIVE

    def __post_init__(self) -> None:
        if self.id not in PERMISSIONS:
            raise ValueError(f"unknown license id {self.id!r}; expected one of {', '.join(LICENSE_IDS)}")
        if self.source not in SOURCES:
            raise ValueError(f"unknown license source {self.source!r}; expected one of {', '.join(SOURCES)}")
        if self.permissions is _DERIVE:
            object.__setattr__(self, "permissions", PERMISSIONS[self.id])

    @property
    def label(self) -> str:
        """The human name used in ATTRIBUTION.md, in Creative Commons' own short form
        ("CC BY-SA 4.0", "CC BY 2.0 DE" for a ported license, "CC0 1.0")."""
        if self.id in _LABELS:
            return _LABELS[self.id]
        if self.id == "cc0":
            name = "CC0"
        elif self.id == "pdm":
            # Commons "Public domain" has no version: it is a statement, not the PDM tool itself.
            name = "Public Domain Mark" if self.version else "Public domain"
        else:
            name = "CC " + self.id[3:].upper()
        if self.version:
            name += " " + self.version
        elif self.id.startswith("cc-by"):
            name += " (version not stated)"
        jurisdiction = _jurisdiction_of(self.url)
        if jurisdiction:
            name += " " + jurisdiction.upper()
        return name

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> License:
        """Read back the manifest fields written by :meth:`to_dict` (an empty dict is unknown)."""
        if not data.get("license"):
            return unknown()
        permissions = data.get("permissions")
        return cls(
            id=str(data["license"]),
            # A hand-edited row's list, object or number is no version or URL (label() concatenates them).
            version=_manifest_text(data.get("license_version")),
            url=url if isinstance(url := data.get("license_url"), str) else None,
            source=str(data.get("license_source") or "none"),
            permissions=Permissions.from_dict(permissions) if isinstance(permissions, dict) else _DERIVE,
        )

    def to_dict(self) -> dict[str, object]:
        """The manifest fields (``license``, ``license_version``, ``license_url``,
        ``license_source``, ``permissions``)."""
        return {
            "license": self.id,
            "license_version": self.version,
            "license_url": self.url,
            "license_source": self.source,
            "permissions": self.permissions.to_dict(),
        }


#: The license page of each site license (the URL recorded with its id).
SITE_LICENSE_URLS = {
    "unsplash": "https://unsplash.com/license",
    "pexels": "https://www.pexels.com/license/",
    "pixabay": "https://pixabay.com/service/license-summary/",
}


def site_license(license_id: str, source: str) -> License:
    """A stock site's own license (``unsplash``, ``pexels``, ``pixabay``) with its license page."""
    return License(license_id, None, SITE_LICENSE_URLS[license_id], source)


def _manifest_text(value: object) -> str | None:
    """A manifest's version as text: ``"2.0"``, or ``2.0`` written as a number; else None."""
    if isinstance(value, str):
        return value
    return str(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def unknown(source: str = "none") -> License:
    """No usable evidence. ``source`` says who failed to tell us (``api`` when the engine gave a
    code we do not know, ``none`` when nobody said anything)."""
    return License("unknown", source=source)


def _cc_url(license_id: str, version: str | None, jurisdiction: str | None = None) -> str | None:
    """Canonical Creative Commons URL for an id and version, or None when it cannot be built.

    A CC license named without its version ("CC BY-SA" in a page's text) links to the license's
    own page at Creative Commons, which lists its versions: a credit line must link the license,
    and the label says the version was not stated rather than guessing one."""
    if not version:
        if license_id.startswith("cc-by"):
            return f"https://creativecommons.org/licenses/{license_id[3:]}/"
        return None
    if license_id == "cc0":
        return f"https://creativecommons.org/publicdomain/zero/{version}/"
    if license_id == "pdm":
        return f"https://creativecommons.org/publicdomain/mark/{version}/"
    if license_id.startswith("cc-by"):
        url = f"https://creativecommons.org/licenses/{license_id[3:]}/{version}/"
        if jurisdiction:
            url += jurisdiction.lower() + "/"
        return url
    return None


_JURISDICTION_IN_URL = re.compile(r"^https://creativecommons\.org/licenses/[a-z-]+/\d\.\d/([a-z-]+)/$")


def _jurisdiction_of(url: str | None) -> str | None:
    match = _JURISDICTION_IN_URL.match(url or "")
    return match.group(1) if match else None


def cc_license(license_id: str, version: str | None, source: str, jurisdiction: str | None = None) -> License:
    """A CC/public-domain-tool License with its canonical URL filled in."""
    if license_id == "cc0" and version is None:
        version = "1.0"  # there is only one CC0
    return License(license_id, version, _cc_url(license_id, version, jurisdiction), source)


def id_for_code(code: str) -> str | None:
    """Creative Commons URL/short code ("by-nc-sa", "BY-ND-NC") -> license id."""
    code = "-".join(code.lower().split())  # "BY NC ND" as a page may write it
    if code == "by-nd-nc":  # the 1.0 ordering of by-nc-nd
        code = "by-nc-nd"
    return "cc-" + code if code in _CC_CODES else None
