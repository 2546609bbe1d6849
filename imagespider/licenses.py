"""The license model: turn any evidence of an image's rights into a :class:`License`, and decide a
:class:`Policy` (the user's intended use) against it.

Why a model at all: the engines speak different languages about rights. Flickr gives a numeric id,
Openverse a short code, Wikimedia Commons a display name plus a URL and a slug, Bing and Google give
nothing per image (only the usage-rights filter the request used claims something), and the file
itself may carry a URL in its XMP. Everything is normalised here to:

* a license **id** from :data:`LICENSE_IDS` (``cc-by-sa``, ``pdm``, ``unknown``...), a **version**
  and a canonical **url** when known;
* the **source** of the evidence: ``api`` (the engine said so for this image), ``engine-filter``
  (the engine's usage-rights filter said so for the whole result list), ``embedded`` (found in the
  file), ``none``;
* the **permissions** that follow: share, commercial, modify (True / False / None = unknown) and the
  obligations attribution and share-alike.

A :class:`Policy` (``-a license=share``) lists requirements on those permissions and/or explicit
license ids. The rule that keeps a dataset clean: an unknown permission never satisfies a
requirement. The same policy also yields the engines' own filters (Bing ``qft``, Google ``tbs``,
Flickr ``license=``) so few results are fetched in vain; the pipeline still checks every item,
since an engine's claim is only evidence.

Stdlib only, no Scrapy: this module is imported by engines, spiders and pipelines alike.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = [
    "FLICKR_LICENSES",
    "LICENSE_IDS",
    "License",
    "Permissions",
    "Policy",
    "PolicyError",
    "bing_license_filter",
    "flickr_license_ids",
    "flickr_table_from_getinfo",
    "from_commons",
    "from_engine_filter",
    "from_flickr",
    "from_openverse",
    "from_spdx",
    "from_url",
    "google_license_filter",
    "parse_evidence",
    "permissions_for",
    "unknown",
]

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
    "all-rights-reserved",
    "cc-unspecified",
    "unknown",
)

#: ``list``: the URL list given to the urls spider (a CSV ``license`` column) said so.
SOURCES: tuple[str, ...] = ("api", "engine-filter", "embedded", "list", "none")

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
_PERMISSIONS: dict[str, Permissions] = {
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
        return _PERMISSIONS[license_id]
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
        if self.id not in _PERMISSIONS:
            raise ValueError(f"unknown license id {self.id!r}; expected one of {', '.join(LICENSE_IDS)}")
        if self.source not in SOURCES:
            raise ValueError(f"unknown license source {self.source!r}; expected one of {', '.join(SOURCES)}")
        if self.permissions is _DERIVE:
            object.__setattr__(self, "permissions", _PERMISSIONS[self.id])

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
            version=data.get("license_version"),  # type: ignore[arg-type]
            url=data.get("license_url"),  # type: ignore[arg-type]
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


def attribution(title: str | None, author: str | None, source_url: str | None, lic: License) -> str:
    """A TASL credit line (Title, Author, Source, License), as Creative Commons recommends:
    ``"Cat" by Jane (https://...) is licensed under CC BY 2.0 (https://...)``."""
    credit = f'"{title}"' if title else "Untitled image"
    if author:
        credit += f" by {author}"
    if source_url:
        credit += f" ({source_url})"
    if lic.id in ("unknown", "cc-unspecified"):
        claim = (
            "license not known" if lic.id == "unknown"
            else "under a Creative Commons license the source did not name"
        )
        return f"{credit}, {claim}"
    credit += f" is {'marked' if lic.id == 'pdm' else 'licensed under'} {lic.label}"
    if lic.url:
        credit += f" ({lic.url})"
    return credit


def unknown(source: str = "none") -> License:
    """No usable evidence. ``source`` says who failed to tell us (``api`` when the engine gave a
    code we do not know, ``none`` when nobody said anything)."""
    return License("unknown", source=source)


def _cc_url(license_id: str, version: str | None, jurisdiction: str | None = None) -> str | None:
    """Canonical Creative Commons URL for an id and version, or None when it cannot be built."""
    if not version:
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


def _cc(license_id: str, version: str | None, source: str, jurisdiction: str | None = None) -> License:
    """A CC/public-domain-tool License with its canonical URL filled in."""
    if license_id == "cc0" and version is None:
        version = "1.0"  # there is only one CC0
    return License(license_id, version, _cc_url(license_id, version, jurisdiction), source)


def _id_for_code(code: str) -> str | None:
    """Creative Commons URL/short code ("by-nc-sa", "BY-ND-NC") -> license id."""
    code = code.lower()
    if code == "by-nd-nc":  # the 1.0 ordering of by-nc-nd
        code = "by-nc-nd"
    return "cc-" + code if code in _CC_CODES else None


# --------------------------------------------------------------------------------------------
# URLs and SPDX ids
# --------------------------------------------------------------------------------------------

_CC_URL = re.compile(
    r"""
    (?:(?:https?:)?//)?(?:www\.)?creativecommons\.org/
    (?:
        licenses/(?P<code>by-nd-nc|by(?:-nc)?(?:-sa|-nd)?)
            (?:/(?P<version>\d\.\d))?
            (?:/(?!deed|legalcode)(?P<jur>[a-z]{2}[a-z-]*))?
      | publicdomain/(?P<pd>zero|mark)/(?P<pdversion>\d\.\d)
      | licenses/(?P<oldpd>publicdomain)
    )
    (?:/(?:deed|legalcode)(?:\.[a-z]{2,3}(?:[-_][a-z0-9]+)*)?(?:\.txt)?)?
    /?
    """,
    re.IGNORECASE | re.VERBOSE,
)


def _license_from_url_match(match: re.Match[str], source: str) -> License:
    if match.group("pd"):
        license_id = "cc0" if match.group("pd").lower() == "zero" else "pdm"
        return _cc(license_id, match.group("pdversion"), source)
    if match.group("oldpd"):
        # The retired "Public Domain Certification" (licenses/publicdomain/): a PD statement.
        return License("pdm", None, "https://creativecommons.org/licenses/publicdomain/", source)
    code_id = _id_for_code(match.group("code"))
    assert code_id is not None  # the regex only admits known codes
    return _cc(code_id, match.group("version"), source, match.group("jur"))


def from_url(url: str, source: str) -> License | None:
    """A Creative Commons license or public-domain-tool URL in any form seen in the wild (http or
    https, www or not, trailing slash or not, ``deed.xx``, ``legalcode[.xx]``, ported jurisdiction,
    query or fragment), or None for anything else. The URL returned is the canonical https form,
    so manifests compare equal whatever the engine wrote."""
    text = (url or "").strip()
    match = _CC_URL.match(text)
    if not match:
        return None
    rest = text[match.end() :]
    if rest and rest[0] not in "?#":
        return None
    return _license_from_url_match(match, source)


_SPDX = re.compile(
    r"""
    CC-(?P<code>BY(?:-NC)?(?:-SA|-ND)?)-(?P<version>\d\.\d)(?:-(?P<jur>[A-Z]{2,}))?
    | (?P<cc0>CC0-1\.0)
    | (?P<pdm>CC-PDM-1\.0)
    | (?P<pddc>CC-PDDC)
    """,
    re.IGNORECASE | re.VERBOSE,
)


def _license_from_spdx_match(match: re.Match[str], source: str) -> License:
    if match.group("cc0"):
        return _cc("cc0", "1.0", source)
    if match.group("pdm"):
        return _cc("pdm", "1.0", source)
    if match.group("pddc"):
        # Public Domain Dedication and Certification: a public-domain statement, no version.
        return License("pdm", None, None, source)
    license_id = _id_for_code(match.group("code"))
    assert license_id is not None
    return _cc(license_id, match.group("version"), source, match.group("jur"))


def from_spdx(identifier: str, source: str) -> License | None:
    """An SPDX license id ("CC-BY-SA-4.0", "CC-BY-3.0-DE", "CC0-1.0", "CC-PDDC", "CC-PDM-1.0").
    Only the Creative Commons family is mapped: an image under MIT or GPL is not our case, so any
    other id is None (no evidence) rather than a guess."""
    match = _SPDX.fullmatch((identifier or "").strip())
    return _license_from_spdx_match(match, source) if match else None


# --------------------------------------------------------------------------------------------
# Short names (Commons, Flickr, free text)
# --------------------------------------------------------------------------------------------

_SHORT_NAME = (
    r"CC[ -]?(?P<code>BY-ND-NC|BY(?:-NC)?(?:-SA|-ND)?)"
    r"(?:[ -](?P<version>\d\.\d)(?:,\s*\d\.\d)*)?"  # Commons multi-version names: keep the first
)
_SHORT_NAME_FULL = re.compile(_SHORT_NAME + r"(?:[ -](?P<jur>[a-z]{2,}))?", re.IGNORECASE)
_CC0_NAME = re.compile(r"CC[ -]?(?:0|zero)(?:[ -]1\.0)?|Public Domain Dedication(?: \(CC0(?: 1\.0)?\))?", re.I)
_PDM_NAME = re.compile(r"Public Domain Mark(?: (?P<version>\d\.\d))?|PDM", re.IGNORECASE)
_PD_NAME = re.compile(r"Public[ -]?domain|PD", re.IGNORECASE)


def _from_short_name(name: str, source: str) -> License | None:
    """A Creative Commons style short name: "CC BY-SA 4.0", "CC BY 2.0 de", "CC0", "Public domain"."""
    name = " ".join(name.split())
    match = _SHORT_NAME_FULL.fullmatch(name)
    if match:
        license_id = _id_for_code(match.group("code"))
        assert license_id is not None
        return _cc(license_id, match.group("version"), source, match.group("jur"))
    if _CC0_NAME.fullmatch(name):
        return _cc("cc0", "1.0", source)
    match = _PDM_NAME.fullmatch(name)
    if match:
        return _cc("pdm", match.group("version"), source)
    if _PD_NAME.fullmatch(name):
        return License("pdm", None, None, source)
    return None


def _from_long_name(name: str, source: str) -> License | None:
    """A spelled-out name: Flickr's "Attribution-NonCommercial-ShareAlike License", Commons'
    UsageTerms "Creative Commons Attribution-Share Alike 3.0 de". The elements are looked up one
    by one, so the 1.0 "Attribution-NoDerivs-NonCommercial" ordering works too."""
    if not re.match(r"\s*(?:creative\s+commons\s+)?attribution\b", name, re.IGNORECASE):
        return None
    code = "by"
    if re.search(r"non-?\s?commercial", name, re.IGNORECASE):
        code += "-nc"
    if re.search(r"share[- ]?alike", name, re.IGNORECASE):
        code += "-sa"
    elif re.search(r"no[- ]?deriv", name, re.IGNORECASE):
        code += "-nd"
    version = re.search(r"\b(\d\.\d)\b", name)
    license_id = _id_for_code(code)
    assert license_id is not None
    return _cc(license_id, version.group(1) if version else None, source)


# --------------------------------------------------------------------------------------------
# Engines with per-image licenses: Openverse, Commons, Flickr
# --------------------------------------------------------------------------------------------


def from_openverse(code: str, version: str | None, url: str | None = None) -> License:
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
        license_id = _id_for_code(code)
    if license_id is None:
        return License("unknown", None, url or None, "api")
    if from_link is not None and from_link.id == license_id and from_link.version == version:
        return from_link
    return _cc(license_id, version, "api")


def from_commons(short_name: str | None, url: str | None = None, slug: str | None = None) -> License:
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
        found = _from_short_name(short_name, "api")
        if found is not None:
            return found
    if slug:
        found = _from_commons_slug(slug)
        if found is not None:
            return found
    if short_name or url or slug:
        return License("unknown", None, None, "api")
    return unknown()


def _from_commons_slug(slug: str) -> License | None:
    """Commons ``License`` slugs: "cc-by-sa-4.0", "cc-by-sa-3.0-de", "cc-zero", "pd", "pd-usgov..."."""
    slug = slug.strip().lower()
    if slug.startswith("pd-usgov"):
        return License("us-gov", None, None, "api")
    if slug in ("pd", "pd-self", "public-domain"):
        return License("pdm", None, None, "api")
    if slug in ("cc-zero", "cc0", "cc0-1.0"):
        return _cc("cc0", "1.0", "api")
    match = re.fullmatch(r"cc-(by-nd-nc|by(?:-nc)?(?:-sa|-nd)?)(?:-(\d\.\d))?(?:-([a-z]{2,}))?", slug)
    if match:
        license_id = _id_for_code(match.group(1))
        assert license_id is not None
        return _cc(license_id, match.group(2), "api", match.group(3))
    return None


#: Flickr license ids as documented (SOURCES.md section 3: Flickr API docs and Openverse's
#: LICENSE_INFO). Ids 11+ (CC 4.0) exist but their numbers are not checked, so they are left to the
#: table loaded at run time with :func:`flickr_table_from_getinfo`.
FLICKR_LICENSES: dict[str, tuple[str, str | None]] = {
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


def from_flickr(license_id: str, table: dict[str, License] | None = None) -> License:
    """A photo's ``license`` field. The run-time table (from ``flickr.photos.licenses.getInfo``)
    is preferred because Flickr adds ids; the built-in table covers 0..10 when it could not be
    loaded. An id in neither is unknown, source ``api``."""
    key = str(license_id).strip()
    if table and key in table:
        return table[key]
    if key in FLICKR_LICENSES:
        lic_id, version = FLICKR_LICENSES[key]
        return _cc(lic_id, version, "api")  # no URL is built for the non-CC ids
    return License("unknown", None, None, "api")


_FLICKR_NAMES = {
    "all rights reserved": "all-rights-reserved",
    "no known copyright restrictions": "no-known-restrictions",
    "united states government work": "us-gov",
}


def _from_flickr_name(name: str) -> License | None:
    """Flickr ``licenses.getInfo`` names: the fixed ones above, "Public Domain Dedication (CC0)",
    "Public Domain Mark", "Attribution 4.0 International (CC BY 4.0)", "Attribution-NonCommercial
    License"..."""
    name = " ".join(name.split())
    if name.lower() in _FLICKR_NAMES:
        return License(_FLICKR_NAMES[name.lower()], None, None, "api")
    inner = re.search(r"\(([^()]+)\)\s*$", name)  # "... (CC BY 4.0)"
    if inner:
        found = _from_short_name(inner.group(1), "api")
        if found is not None:
            return found
    return _from_short_name(name, "api") or _from_long_name(name, "api")


def flickr_table_from_getinfo(payload: dict) -> dict[str, License]:
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
            found = _from_flickr_name(name)
            if found is not None and url and found.url is None:
                found = License(found.id, found.version, url, "api")
        table[key] = found or License("unknown", None, url or None, "api")
    return table


# --------------------------------------------------------------------------------------------
# Engines without per-image licenses: Bing and Google usage-rights filters
# --------------------------------------------------------------------------------------------

# filter code -> (license id, permissions the filter asserts)
_ENGINE_FILTERS: dict[str, tuple[str, Permissions]] = {
    # Bing qft=+filterui:<code>; labels verified on the saved Bing page (SOURCES.md section 1)
    "licenseType-Any": ("cc-unspecified", Permissions(_T, _N, _N, _N, _N)),  # All Creative Commons
    "license-L1": ("pdm", _PERMISSIONS["pdm"]),  # Public domain
    "license-L2_L3_L4_L5_L6_L7": ("cc-unspecified", Permissions(_T, _N, _N, _N, _N)),  # Free to share and use
    "license-L2_L3_L4": ("cc-unspecified", Permissions(_T, _T, _N, _N, _N)),  # ... use commercially
    "license-L2_L3_L5_L6": ("cc-unspecified", Permissions(_T, _N, _T, _N, _N)),  # Free to modify, share, use
    "license-L2_L3": ("cc-unspecified", Permissions(_T, _T, _T, _N, _N)),  # ... and use commercially
    # Google tbs=il:<code>
    "il:cl": ("cc-unspecified", Permissions(_T, _N, _N, _N, _N)),  # Creative Commons licenses
    "il:ol": ("unknown", _PERMISSIONS["unknown"]),  # "Commercial & other licenses": asserts nothing
}


def from_engine_filter(filter_name: str) -> License:
    """The claim an engine's usage-rights filter makes about every result it returned. It names no
    license, hence ``cc-unspecified`` (``pdm`` for Bing's public-domain filter) with just the
    permissions the filter's label promises. A ``filterui:`` / ``+filterui:`` prefix is accepted.
    An unknown filter name raises ValueError: filter names come from our own code, not the web."""
    name = (filter_name or "").strip()
    name = re.sub(r"^\+?filterui:", "", name)
    if name not in _ENGINE_FILTERS:
        raise ValueError(f"unknown engine license filter {filter_name!r}; expected one of {', '.join(_ENGINE_FILTERS)}")
    license_id, permissions = _ENGINE_FILTERS[name]
    return License(license_id, None, None, "engine-filter", permissions)


# --------------------------------------------------------------------------------------------
# Free text (embedded XMP/IPTC/EXIF, page text)
# --------------------------------------------------------------------------------------------

_EVIDENCE_CC_URL = re.compile(r"(?<![\w.])" + _CC_URL.pattern, re.IGNORECASE | re.VERBOSE)
_EVIDENCE_SPDX = re.compile(r"(?<![\w-])(?:" + _SPDX.pattern + r")(?![\w-]|\.\d)", re.IGNORECASE | re.VERBOSE)
_EVIDENCE_SHORT = re.compile(r"(?<![\w-])" + _SHORT_NAME + r"(?![\w-]|\.\d)", re.IGNORECASE)
_EVIDENCE_LONG = re.compile(
    r"creative\s+commons\s+attribution"
    r"(?:[- ]+(?:non-?\s?commercial|share[- ]?alike|no[- ]?deriv(?:ative)?s))*"
    r"(?:\s+(?:license\s+)?\d\.\d)?",
    re.IGNORECASE,
)
_EVIDENCE_CC0 = re.compile(r"(?<![\w-])CC[ -]?(?:0|zero)(?![\w-])|public\s+domain\s+dedication", re.IGNORECASE)
_EVIDENCE_PDM = re.compile(r"public\s+domain\s+mark(?:\s+(\d\.\d))?", re.IGNORECASE)
_EVIDENCE_PD = re.compile(r"public[\s-]+domain", re.IGNORECASE)
_EVIDENCE_ARR = re.compile(r"all\s+rights\s+reserved", re.IGNORECASE)


def parse_evidence(text: str, source: str) -> License | None:
    """Best effort on free text such as an XMP ``xmpRights:WebStatement`` / ``cc:license`` or an
    IPTC copyright notice. Tried from the most to the least precise: a CC URL, an SPDX id, a short
    name ("CC BY-NC 4.0"), a long name ("Creative Commons Attribution-ShareAlike 4.0"), CC0, the
    Public Domain Mark, "public domain", and finally "All rights reserved". None when nothing is
    recognisable. A jurisdiction is taken from URLs only: in prose "CC BY 4.0 by Jane" the "by"
    is not Belarus."""
    if not text:
        return None
    match = _EVIDENCE_CC_URL.search(text)
    if match:
        return _license_from_url_match(match, source)
    match = _EVIDENCE_SPDX.search(text)
    if match:
        return _license_from_spdx_match(match, source)
    match = _EVIDENCE_SHORT.search(text)
    if match:
        license_id = _id_for_code(match.group("code"))
        assert license_id is not None
        return _cc(license_id, match.group("version"), source)
    match = _EVIDENCE_LONG.search(text)
    if match:
        return _from_long_name(match.group(0), source)
    if _EVIDENCE_CC0.search(text):
        return _cc("cc0", "1.0", source)
    match = _EVIDENCE_PDM.search(text)
    if match:
        return _cc("pdm", match.group(1), source)
    if _EVIDENCE_PD.search(text):
        return License("pdm", None, None, source)
    if _EVIDENCE_ARR.search(text):
        return License("all-rights-reserved", None, None, source)
    return None


# --------------------------------------------------------------------------------------------
# Policy
# --------------------------------------------------------------------------------------------

REQUIREMENTS: tuple[str, ...] = ("share", "commercial", "modify")

_REASONS = {
    "share": "license_not_shareable",
    "commercial": "license_noncommercial",
    "modify": "license_no_derivatives",
}

_POLICY_HELP = "use any, share, commercial, modify or license ids such as cc0,pdm,cc-by"


def _shown(text: str) -> str:
    """As typed, or quoted when a control character would break the one-line message."""
    return text if text.isprintable() else repr(text)


class PolicyError(ValueError):
    """A license policy the user wrote that we cannot read. ``str(e)`` is one line saying what to
    change, since it is shown as-is for a bad ``-a license=``."""


@dataclass(frozen=True)
class Policy:
    """The intended use: requirements on permissions and/or an explicit list of license ids.
    Both empty means ``any``."""

    requirements: frozenset[str] = frozenset()
    allowed_ids: frozenset[str] = frozenset()

    @classmethod
    def parse(cls, text: str) -> Policy:
        """Read ``-a license=`` / ``LICENSE_POLICY``: words and ids separated by commas or spaces,
        case-insensitive. ``any`` must stand alone, since combining it with a requirement is
        ambiguous."""
        raw = text if isinstance(text, str) else ""
        words = [w for w in re.split(r"[\s,]+", raw.strip().lower()) if w]
        if not words:
            raise PolicyError(f"empty license policy in -a license={_shown(raw.strip())}; {_POLICY_HELP}")
        requirements: set[str] = set()
        allowed: set[str] = set()
        for word in words:
            if word == "any":
                continue
            if word in REQUIREMENTS:
                requirements.add(word)
            elif word in LICENSE_IDS:
                allowed.add(word)
            else:
                raise PolicyError(
                    f"unknown license policy word {word!r} in -a license={_shown(raw.strip())}; {_POLICY_HELP}"
                )
        if "any" in words and (requirements or allowed):
            raise PolicyError(
                f"license policy 'any' cannot be combined with other words in -a license={_shown(raw.strip())}; "
                "use any alone, or only requirements and license ids"
            )
        return cls(frozenset(requirements), frozenset(allowed))

    @property
    def is_any(self) -> bool:
        return not self.requirements and not self.allowed_ids

    def check(self, lic: License) -> str | None:
        """None when the license fits the intended use, else a reason code for stats and
        rejected.jsonl. An unknown permission never satisfies a requirement: a dataset that may be
        shared must not hold an image merely not known to be unshareable."""
        if self.is_any:
            return None
        if self.allowed_ids and lic.id not in self.allowed_ids:
            return "license_unknown" if lic.id == "unknown" else "license_not_in_list"
        for requirement in REQUIREMENTS:
            if requirement not in self.requirements:
                continue
            if getattr(lic.permissions, requirement) is True:
                continue
            return "license_unknown" if lic.id == "unknown" else _REASONS[requirement]
        return None

    def __str__(self) -> str:
        """Canonical text (requirements, then ids, in a fixed order); ``Policy.parse`` reads it back."""
        if self.is_any:
            return "any"
        words = [r for r in REQUIREMENTS if r in self.requirements]
        words += [i for i in LICENSE_IDS if i in self.allowed_ids]
        return ",".join(words)


# --------------------------------------------------------------------------------------------
# Engine-side filters derived from a policy
# --------------------------------------------------------------------------------------------


def _needed(policy: Policy) -> set[str] | None:
    """The permissions every license the policy allows is sure to grant, or None when the policy
    allows something that is not known to be shareable (then no engine CC filter may be used, or
    it would hide results the policy keeps)."""
    needed = set(policy.requirements)
    if policy.allowed_ids:
        perms = [_PERMISSIONS[i] for i in policy.allowed_ids]
        for requirement in REQUIREMENTS:
            if all(getattr(p, requirement) is True for p in perms):
                needed.add(requirement)
    if "share" not in needed and not policy.requirements:
        # Only ids, and one of them (all-rights-reserved, unknown) may not be shareable.
        return None
    return needed


def bing_license_filter(policy: Policy) -> str | None:
    """The narrowest Bing ``qft`` license filter (``+filterui:`` not included) that still returns
    every result the policy could keep: public domain when only cc0/pdm are listed, otherwise the
    filter matching the commercial/modify requirements (explicit ids imply the permissions they
    all share), "All Creative Commons" for plain sharing. None means do not filter.

    Bing results are labelled from the filter (:func:`from_engine_filter`): ``cc-unspecified``,
    or ``pdm`` under ``license-L1``. So a policy listing ids keeps Bing results only if it lists
    those ids; with ``license=cc0`` alone every Bing result is dropped, as it should be, since Bing
    never tells CC0 apart."""
    if policy.is_any:
        return None
    if policy.allowed_ids and policy.allowed_ids <= {"cc0", "pdm"}:
        return "license-L1"
    needed = _needed(policy)
    if needed is None:
        return None
    if {"commercial", "modify"} <= needed:
        return "license-L2_L3"
    if "commercial" in needed:
        return "license-L2_L3_L4"
    if "modify" in needed:
        return "license-L2_L3_L5_L6"
    return "licenseType-Any"


def google_license_filter(policy: Policy) -> str | None:
    """Google ``tbs`` usage-rights value: ``il:cl`` (Creative Commons) for any policy that needs a
    shareable license; Google has nothing finer. None for ``any`` and for id lists that include a
    non-shareable id (all-rights-reserved, unknown), for the same reason as Bing."""
    if policy.is_any or _needed(policy) is None:
        return None
    return "il:cl"


def flickr_license_ids(policy: Policy, table: dict[str, License] | None = None) -> list[str] | None:
    """Flickr ``license=`` ids whose license passes the policy, from the run-time table when given
    (else the built-in one), in numeric order. None for ``any`` (no filter). An empty list means
    no Flickr license fits: the caller must not search at all, since an empty ``license=`` would
    mean "no filter" to Flickr."""
    if policy.is_any:
        return None
    if table is None:
        table = {key: from_flickr(key) for key in FLICKR_LICENSES}
    ids = [key for key, lic in table.items() if policy.check(lic) is None]
    return sorted(ids, key=lambda k: (0, int(k), "") if k.isdigit() else (1, 0, k))
