"""The user's intended use (``-a license=``), decided against a License.

A :class:`Policy` lists requirements on permissions and/or explicit license ids. The rule that
keeps a dataset clean: an unknown permission never satisfies a requirement. Each engine turns a
policy into its own server-side filter (``imagespider/engines/``) with :func:`permissions_needed`;
the pipelines still check every item, since an engine's claim is only evidence. Stdlib only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from imagespider.rights.model import LICENSE_IDS, PERMISSIONS, License

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


#: License ids that name no license: an engine's bare "Creative Commons" claim, and nothing at all.
UNNAMED_IDS = frozenset({"cc-unspecified", "unknown"})


def is_named(lic: License) -> bool:
    """The license is named: a Creative Commons license (its deed can be cited), a public-domain
    tool or mark, a public-domain statement (no known restrictions, US Government work), or an
    explicit "All rights reserved". Not named: ``cc-unspecified`` and ``unknown``."""
    return lic.id not in UNNAMED_IDS


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
        rejected.jsonl.

        A requirement (share, commercial, modify) is met only by a *named* license (see
        :func:`is_named`): an engine filter's "some Creative Commons license" cannot be honoured,
        since its attribution needs the license's name and link. An unknown permission never
        satisfies a requirement either: a dataset that may be shared must not hold an image
        merely not known to be unshareable."""
        if self.is_any:
            return None
        if self.allowed_ids and lic.id not in self.allowed_ids:
            return "license_unnamed" if not is_named(lic) else "license_not_in_list"
        if self.requirements and not is_named(lic):
            return "license_unnamed"
        for requirement in REQUIREMENTS:
            if requirement not in self.requirements:
                continue
            if getattr(lic.permissions, requirement) is True:
                continue
            return _REASONS[requirement]
        return None

    def check_named(self, lic: License) -> str | None:
        """:meth:`check` for what is known before the image is downloaded: a license not named
        yet passes (the file's own metadata may still name it, and is read after download);
        a named one that fails the policy saves the download."""
        return self.check(lic) if is_named(lic) else None

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


def permissions_needed(policy: Policy) -> set[str] | None:
    """The permissions every license the policy allows is sure to grant, or None when the policy
    allows something that is not known to be shareable (then no engine CC filter may be used, or
    it would hide results the policy keeps)."""
    needed = set(policy.requirements)
    if policy.allowed_ids:
        perms = [PERMISSIONS[i] for i in policy.allowed_ids]
        for requirement in REQUIREMENTS:
            if all(getattr(p, requirement) is True for p in perms):
                needed.add(requirement)
    if "share" not in needed and not policy.requirements:
        # Only ids, and one of them (all-rights-reserved, unknown) may not be shareable.
        return None
    return needed
