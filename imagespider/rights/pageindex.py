"""One page read once (:class:`PageIndex`) and what it says about one image of it (:class:`PageEvidence`).

imagespider/rights/page.py reads a page into an index (with
:class:`~imagespider.rights.pagereader.PageReader` and its mixins, which fill this class) and
its docstring gives the rules; the index and its answers live here, below both, so the readers
name the class they fill without importing page.py, which imports them (docs/development.md, "Layers").

Pure: dataclasses and the decision among statements; no parsing, no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from imagespider.rights.model import License
from imagespider.rights.pagelayout import is_platform_notice, platform_of
from imagespider.rights.pagestatement import (
    MAX_STATEMENTS,
    ImageTarget,
    Statement,
    best_statement,
    first_of_kind,
    first_page_value,
    license_key,
    url_keys,
)
from imagespider.rights.pagewords import most_restrictive

ARR_ID = "all-rights-reserved"


@dataclass(frozen=True, slots=True)
class PageEvidence:
    """What a page says about one image of it."""

    page_url: str
    #: The license that applies to the image (source ``page``), or None.
    license: License | None = None
    #: The statement it was read from.
    license_statement: Statement | None = None
    #: ``image`` (tied to this image), ``page`` (the page's one license), or None.
    scope: str | None = None
    #: The image was found on the page (by one of its URLs).
    image_found: bool = False
    author: str | None = None
    author_url: str | None = None
    credit: str | None = None
    copyright: str | None = None
    acquire_license_page: str | None = None
    #: (reason, detail) when the page opts out of text and data mining: ``noai`` or ``tdm_reservation``.
    opt_out: tuple[str, str] | None = None
    tdm_policy: str | None = None
    #: Every statement weighed for this image, for the record.
    statements: tuple[Statement, ...] = ()
    #: Why no license applies although statements exist (several page-wide licenses...).
    note: str | None = None
    #: Statements of one scope that disagree about the image (the most restrictive applies, or
    #: none when they cannot be ordered).
    conflict: tuple[Statement, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """The manifest's ``rights.page``: the page, the element and value the license came from,
        and the other evidence (absent values are left out)."""
        out: dict[str, Any] = {"url": self.page_url, "image_found": self.image_found}
        if self.license_statement is not None:
            out["scope"] = self.scope
            out["element"] = self.license_statement.element
            out["value"] = self.license_statement.value
        if self.license is not None:
            out["license"] = self.license.id
        for name in ("author", "author_url", "credit", "copyright", "acquire_license_page", "tdm_policy", "note"):
            value = getattr(self, name)
            if value:
                out[name] = value
        if self.opt_out:
            out["opt_out"] = self.opt_out[0]
            out["opt_out_detail"] = self.opt_out[1]
        if self.statements:
            out["statements"] = [s.to_dict() for s in self.statements[:MAX_STATEMENTS]]
        if self.conflict:
            out["conflict"] = [s.to_dict() for s in self.conflict[:MAX_STATEMENTS]]
        return out


@dataclass
class PageIndex:
    """One page read once: its images with their statements, its page-wide statements and its
    opt-out. :meth:`evidence_for` answers for any image URL."""

    url: str
    targets: list[ImageTarget] = field(default_factory=list)
    page: list[Statement] = field(default_factory=list)
    #: Statements of the main content tied to no image (for the principal image).
    content: list[Statement] = field(default_factory=list)
    #: Statements of content blocks holding several images, by block (ImageTarget.groups).
    groups: list[list[tuple[int, Statement]]] = field(default_factory=list)
    opt_out: tuple[str, str] | None = None
    tdm_policy: str | None = None
    #: Why the page's statements were not kept (too many to weigh), or None.
    overflow: str | None = None
    #: RSL documents the page names (``<link rel="license" type="application/rsl+xml">`` or a
    #: ``Link`` header of that type): read by the license pipeline, not as a license.
    rsl_links: list[str] = field(default_factory=list)

    def weight(self) -> int:
        """How much this index holds (images and statements), for the page cache's budget."""
        return 1 + len(self.targets) + self.statement_count()

    def statement_count(self) -> int:
        return (
            len(self.page) + len(self.content) + sum(len(g) for g in self.groups)
            + sum(len(t.statements) for t in self.targets)
        )

    def evidence_for(self, image_url: str) -> PageEvidence:
        if self.overflow:
            return PageEvidence(page_url=self.url, opt_out=self.opt_out, tdm_policy=self.tdm_policy, note=self.overflow)
        matched = self._match(image_url)
        principal = any(t.principal for t in matched)
        tied = [pair for target in matched for pair in target.statements]
        own = [(c, s) for c, s in tied if s.scope == "image"]
        content = [(c, s) for c, s in tied if s.scope != "image"]
        # A content block's reservation (an article's "All rights reserved") covers every image
        # of the block; its licenses, and the main content's statements tied to no image, only
        # the page's principal image (an article's license is for its lead image, not for a
        # file-history thumbnail beside it).
        blocks = [pair for target in matched for number in target.groups for pair in self.groups[number]]
        if principal and not any(target.groups for target in matched):
            # Named only by the page's metadata (og:image): every content block speaks of it.
            blocks = [pair for group in self.groups for pair in group]
        content += [(c, s) for c, s in blocks if principal or (s.license is not None and s.license.id == ARR_ID)]
        if principal:
            content += [(0, s) for s in self.content]
        chosen: Statement | None = None
        scope: str | None = None
        note: str | None = None
        conflict: tuple[Statement, ...] = ()
        for level, pairs in (("image", own), ("content", content)):
            chosen, conflict = decide(pairs)
            if chosen is not None or conflict:
                scope = level if chosen is not None else None
                break
        if conflict and chosen is None:
            note = "the page's statements about this image disagree and none is the most restrictive: none applied"
        elif conflict:
            strictest = chosen.license.id if chosen.license else "none"
            note = f"the page's statements about this image disagree: the most restrictive, {strictest}, applies"
        if chosen is None and not conflict:
            chosen, note = self._page_wide(matched, principal)
            scope = "page" if chosen is not None else None
        pairs = own + content
        author = first_of_kind(pairs, "author")
        credit = first_of_kind(pairs, "credit")
        statements = [s for _, s in sorted(pairs, key=lambda p: (-p[0], p[1].rank))]
        if scope not in ("image", "content"):
            statements += [s for s in self._page_statements(principal) if s.kind in ("license", "text_license")]
        return PageEvidence(
            page_url=self.url,
            license=chosen.license if chosen else None,
            license_statement=chosen,
            scope=scope,
            image_found=bool(matched),
            author=author or credit,
            author_url=first_of_kind(pairs, "author_url"),
            credit=credit,
            copyright=first_of_kind(pairs, "copyright") or first_page_value(self.page + self.content, "copyright"),
            acquire_license_page=first_of_kind(pairs, "acquire_license_page"),
            opt_out=self.opt_out,
            tdm_policy=self.tdm_policy,
            statements=tuple(dict.fromkeys(statements)),
            note=note,
            conflict=conflict,
        )

    def _page_statements(self, principal: bool) -> list[Statement]:
        """The page-wide statements for an image: the head's, chrome's and, unless the image is
        the principal one (which reads them as its content), the content's tied to no image."""
        return self.page if principal else self.page + self.content

    def _page_wide(self, matched: list[ImageTarget], principal: bool) -> tuple[Statement | None, str | None]:
        """A page-wide statement applies only to an image the page shows, off photo-sharing and
        social platforms (whose own notice is not their users'), and only when it is the one
        license the page states anywhere: on a gallery of several licenses it cannot be told
        which one is meant."""
        page_licenses = [s for s in self._page_statements(principal) if s.kind == "license"]
        if not page_licenses:
            return None, None
        if not matched:
            return None, "the page does not show this image: its page-wide statements do not apply"
        platform = platform_of(self.url)
        if platform:
            # A blog's own header or sidebar statement there is its user's; the copyright line
            # naming the platform is the platform's.
            page_licenses = [s for s in page_licenses if s.license is None or not is_platform_notice(s.value, platform)]
            if not page_licenses:
                return None, "a photo-sharing or social platform's own copyright line is not its users'"
        every = page_licenses + [s for t in self.targets for _, s in t.statements if s.kind == "license"]
        every += [s for g in self.groups for _, s in g if s.kind == "license"]
        if principal:
            every += [s for s in self.content if s.kind == "license"]
        stated = {license_key(s.license) if s.license is not None else s.value for s in every}
        if len(stated) == 1:
            return min(page_licenses, key=lambda s: s.rank), None
        return None, f"the page states {len(stated)} licenses, none of them for this image"

    def _match(self, image_url: str) -> list[ImageTarget]:
        keys = url_keys(image_url)
        if not keys:
            return []
        exact = [t for t in self.targets if keys[0] in t.exact]
        if exact:
            return exact
        loose = [t for t in self.targets if keys[1] in t.loose]
        return loose if _one_image(loose) else []


def _one_image(targets: list[ImageTarget]) -> bool:
    """Whether targets matched only loosely (no query, no size suffix) are one image, known by
    URLs they share (an <img> and the JSON-LD naming its file, a resized copy linking to the
    full-size file). Images told apart only by their query (every /_next/image?url=... of a
    Next.js page, a photo.php?id=...) share the loose key: which one is meant cannot be told."""
    if len(targets) <= 1:
        return True
    holders: dict[str, list[int]] = {}
    for number, target in enumerate(targets):
        for key in target.exact:
            holders.setdefault(key, []).append(number)
    reached, todo = {0}, [0]
    while todo:  # every target and URL visited once: linear in the URLs
        for key in targets[todo.pop()].exact:
            for number in holders.pop(key, ()):
                if number not in reached:
                    reached.add(number)
                    todo.append(number)
    return len(reached) == len(targets)


def decide(pairs: list[tuple[int, Statement]]) -> tuple[Statement | None, tuple[Statement, ...]]:
    """The license statement that applies among those of one scope, and the statements that
    disagree (empty when they agree). A credit's reservation ("© Jane/AFP") yields to a license
    named closer to the image; otherwise the most restrictive license applies, the most explicit
    statement of it chosen; licenses that cannot be ordered give none."""
    licenses = [(c, s) for c, s in pairs if s.kind == "license"]
    if not licenses:
        return None, ()
    named = [(c, s) for c, s in licenses if s.license is not None]
    if not named:
        return best_statement(licenses), ()
    granted = [c for c, s in named if s.license is not None and s.license.id != "all-rights-reserved"]
    if granted:
        nearest = max(granted)
        named = [(c, s) for c, s in named if not (s.element.endswith("(credit)") and c < nearest)]
    ordered = sorted(named, key=lambda p: (-p[0], p[1].rank))  # closest, then most explicit
    kinds = {s.license.id for _, s in ordered if s.license is not None}
    strictest = most_restrictive([s.license for _, s in ordered if s.license is not None])
    disagree = tuple(dict.fromkeys(s for _, s in ordered)) if len(kinds) > 1 else ()
    if strictest is None:
        return None, disagree
    return next(s for _, s in ordered if s.license is not None and s.license.id == strictest.id), disagree
