"""Evidence in words and links, read into a :class:`~imagespider.rights.model.License`.

Creative Commons URLs in every form seen in the wild, SPDX ids, short names ("CC BY-SA 4.0"),
spelled-out names ("Attribution-NonCommercial License") and free text (an XMP usage-terms field,
an IPTC copyright notice). Only the Creative Commons family and public-domain statements are
recognised: anything else is no evidence rather than a guess. Stdlib only.
"""

from __future__ import annotations

import re

from imagespider.rights.model import License, cc_license, id_for_code

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
        return cc_license(license_id, match.group("pdversion"), source)
    if match.group("oldpd"):
        # The retired "Public Domain Certification" (licenses/publicdomain/): a PD statement.
        return License("pdm", None, "https://creativecommons.org/licenses/publicdomain/", source)
    code_id = id_for_code(match.group("code"))
    assert code_id is not None  # the regex only admits known codes
    return cc_license(code_id, match.group("version"), source, match.group("jur"))


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
        return cc_license("cc0", "1.0", source)
    if match.group("pdm"):
        return cc_license("pdm", "1.0", source)
    if match.group("pddc"):
        # Public Domain Dedication and Certification: a public-domain statement, no version.
        return License("pdm", None, None, source)
    license_id = id_for_code(match.group("code"))
    assert license_id is not None
    return cc_license(license_id, match.group("version"), source, match.group("jur"))


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
    r"CC[ -]?(?P<code>BY[- ]ND[- ]NC|BY(?:[- ]NC)?(?:[- ]SA|[- ]ND)?)"
    r"(?:[ -](?P<version>\d\.\d)(?:,\s*\d\.\d)*)?"  # Commons multi-version names: keep the first
)
_SHORT_NAME_FULL = re.compile(_SHORT_NAME + r"(?:[ -](?P<jur>[a-z]{2,}))?", re.IGNORECASE)
_CC0_NAME = re.compile(r"CC[ -]?(?:0|zero)(?:[ -]1\.0)?|Public Domain Dedication(?: \(CC0(?: 1\.0)?\))?", re.I)
_PDM_NAME = re.compile(r"Public Domain Mark(?: (?P<version>\d\.\d))?|PDM", re.IGNORECASE)
_PD_NAME = re.compile(r"Public[ -]?domain|PD", re.IGNORECASE)


def from_short_name(name: str, source: str) -> License | None:
    """A Creative Commons style short name: "CC BY-SA 4.0", "CC BY 2.0 de", "CC0", "Public domain"."""
    name = " ".join(name.split())
    match = _SHORT_NAME_FULL.fullmatch(name)
    if match:
        license_id = id_for_code(match.group("code"))
        assert license_id is not None
        return cc_license(license_id, match.group("version"), source, match.group("jur"))
    if _CC0_NAME.fullmatch(name):
        return cc_license("cc0", "1.0", source)
    match = _PDM_NAME.fullmatch(name)
    if match:
        return cc_license("pdm", match.group("version"), source)
    if _PD_NAME.fullmatch(name):
        return License("pdm", None, None, source)
    return None


def from_long_name(name: str, source: str) -> License | None:
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
    license_id = id_for_code(code)
    assert license_id is not None
    return cc_license(license_id, version.group(1) if version else None, source)


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
        license_id = id_for_code(match.group("code"))
        assert license_id is not None
        return cc_license(license_id, match.group("version"), source)
    match = _EVIDENCE_LONG.search(text)
    if match:
        return from_long_name(match.group(0), source)
    if _EVIDENCE_CC0.search(text):
        return cc_license("cc0", "1.0", source)
    match = _EVIDENCE_PDM.search(text)
    if match:
        return cc_license("pdm", match.group(1), source)
    if _EVIDENCE_PD.search(text):
        return License("pdm", None, None, source)
    if _EVIDENCE_ARR.search(text):
        return License("all-rights-reserved", None, None, source)
    return None


def all_licenses_in(text: str, source: str) -> list[License]:
    """Every Creative Commons license or public-domain statement a text names, in the order
    written (a montage's credit "CC0 1.0 ... und ... (CC BY 4.0)" names two); each stretch of text
    is read once, by the most precise form that matches it. "All rights reserved" is not one."""
    if not text:
        return []
    found: list[tuple[int, int, License]] = []

    def free(start: int, end: int) -> bool:
        return all(end <= s or start >= e for s, e, _ in found)

    readers = (
        (_EVIDENCE_CC_URL, lambda m: _license_from_url_match(m, source)),
        (_EVIDENCE_SPDX, lambda m: _license_from_spdx_match(m, source)),
        (_EVIDENCE_SHORT, lambda m: cc_license(str(id_for_code(m.group("code"))), m.group("version"), source)),
        (_EVIDENCE_LONG, lambda m: from_long_name(m.group(0), source)),
        (_EVIDENCE_CC0, lambda m: cc_license("cc0", "1.0", source)),
        (_EVIDENCE_PDM, lambda m: cc_license("pdm", m.group(1), source)),
        (_EVIDENCE_PD, lambda m: License("pdm", None, None, source)),
    )
    for pattern, read in readers:
        for match in pattern.finditer(text):
            if free(match.start(), match.end()):
                lic = read(match)
                if lic is not None:
                    found.append((match.start(), match.end(), lic))
    return [lic for _, _, lic in sorted(found, key=lambda f: f[0])]
