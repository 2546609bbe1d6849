"""Reading a page's words for rights: notices ("All rights reserved" in any language, a
copyright line), captions and credits (a license named, a stock site's, an agency's or a © holder's
reservation, an author), and licenses granted in running text. A part of
:class:`~imagespider.rights.pagereader.PageReader` (the rules are in imagespider/rights/page.py's
docstring and docs/licenses.md); the words themselves are in imagespider/rights/pagewords.py.
"""

from __future__ import annotations

from typing import Any

from imagespider.rights.model import License
from imagespider.rights.pageindex import PageIndex
from imagespider.rights.pagemarkup import (
    ARR,
    CAPTION_CLASS,
    SKIP_TEXT,
    clean_text,
    element_text,
    is_license_link,
    raw_text,
    text_block,
)
from imagespider.rights.pagestatement import MAX_PAGE_STATEMENTS, RANK_NOTICE, RANK_TEXT, Statement, text_license
from imagespider.rights.pagewords import (
    COPYRIGHT,
    LICENSE_WORDS,
    covers_text_only,
    credit_holder,
    grants_itself,
    is_credit,
    licenses_in,
    most_restrictive,
    names_agency,
    reserves,
    site_license_in,
)

#: How much of one text node is scanned for a notice or a license.
MAX_NOTICE_SCAN = 20_000


class TextReading:
    """The PageReader methods that read words (see the module docstring)."""

    index: PageIndex
    captions: set[Any]
    #: Statements kept so far (tie() counts them).
    tied: int
    running: set[Any]
    root: Any

    def _text(self) -> None:
        for element in self.root.iter():
            if self.tied > MAX_PAGE_STATEMENTS:
                return  # the page says too much to weigh: page.py keeps none of it
            # A comment's or script's own text is not the page's, but the text after it is (a
            # footer's "<!-- year script --> All rights reserved").
            skipped = not isinstance(element.tag, str) or element.tag in SKIP_TEXT
            if not skipped and (element.tag == "figcaption" or CAPTION_CLASS.search(element.get("class") or "")):
                self._caption(element)
            own: str | None = None if skipped else element.text
            for said, owner in ((own, element), (element.tail, element.getparent())):
                if not said or owner is None or owner.tag in SKIP_TEXT or said.isspace():
                    continue
                said = said[:MAX_NOTICE_SCAN]  # a notice is short: a huge text node is not scanned whole
                if ARR.search(said):
                    self._notice_statement(owner, said, "All rights reserved")
                elif COPYRIGHT.search(said) and not self._in_caption(owner):
                    self._notice_statement(owner, said, "©")
                if LICENSE_WORDS.search(said):
                    self._running_text(owner)

    def _notice_statement(self, owner: Any, said: str, words: str) -> None:
        """A reservation ("All rights reserved" in any language) or a copyright line ("© 2020
        Publisher"): all rights reserved where it applies; one about the text alone is recorded
        as such, never applied to an image."""
        notice = self._notice(owner, said)
        if words == "©" and (
            len(notice) > 200 or reserves(notice) or licenses_in(notice) or self._licensed_block(owner)
        ):
            return  # a copyright sign in running text or next to a license is no notice of its own
        lic = License("all-rights-reserved", source="page")
        statement = Statement("license", notice, f'{owner.tag} text "{words}"', RANK_NOTICE, lic)
        said_here = [text_license(statement) if covers_text_only(notice) else statement]
        said_here.append(Statement("copyright", notice, f"{owner.tag} text"))
        if self._chrome(owner) is not None:
            # A footer's or sidebar's notice is the site's, page-wide: not its logo's.
            self.index.page += said_here
            self.tied += len(said_here)
            return
        for one in said_here:
            self.tie(owner, one)

    def _licensed_block(self, owner: Any) -> bool:
        """The sentence around a copyright sign names a license ("Copyright: © 2006 Almeida et al.
        This is an open-access article distributed under the terms of the Creative Commons
        Attribution License"): the author's copyright, licensed, not reserved."""
        block = text_block(owner)
        return block is not None and bool(licenses_in(" ".join(raw_text(block, 1500).split())))

    def _in_caption(self, element: Any) -> bool:
        for ancestor in (element, *element.iterancestors()):
            if ancestor in self.captions:
                return True
            if ancestor.tag in ("body", "article", "main"):
                break
        return False

    def _caption(self, element: Any) -> None:
        """A caption or credit element of the content, read whole (see _credit_statements)."""
        if self._chrome(element) is not None or len(raw_text(element, 601)) > 600:
            return
        text = element_text(element)
        if not text:
            return
        self.captions.add(element)
        hrefs = tuple(str(a.get("href") or "") for a in element.iter("a"))
        for statement in credit_statements(text, f"{element.tag} text", hrefs):
            self._tie_only(element, statement, caption=True)

    def _running_text(self, owner: Any) -> None:
        """A license granted in running text ("distributed under the terms of the Creative Commons
        Attribution License", "Lizenz: CC BY-NC"): the article's, so its figures'."""
        block = text_block(owner)
        if block is None or block in self.running or self._in_caption(block):
            return
        self.running.add(block)
        if any(is_license_link(a) for a in block.iter("a", "link")):
            return  # read as a rel="license" link, with what it says of its scope
        text = " ".join(raw_text(block, 1500).split())
        credit = len(text) < 300 and is_credit(text)  # "Foto: Jane (CC BY 2.0)" in a plain <p>
        found = licenses_in(text) if grants_itself(text) or credit else []
        if not found:
            return
        chosen = most_restrictive(found)
        if chosen is None:
            return
        statement = Statement("license", clean_text(text), f"{block.tag} text (running)", RANK_TEXT, chosen)
        self.tie(block, text_license(statement) if covers_text_only(text) else statement)


def credit_statements(text: str, where: str, hrefs: tuple[str, ...], image: bool = False) -> list[Statement]:
    """What a caption, credit or alt text says: a license it names (the most restrictive when
    it names several: a montage "CC0 ... und ... CC BY 4.0"), a stock site's license ("Photo by
    X on Unsplash"), or, for a copyright line or a credit naming an agency or stock library,
    all rights reserved with the holder as author; a plain credit ("Foto: Jane") names the
    author only. ``image``: the text is about the image by definition (og:image:copyright)."""
    found = licenses_in(text)
    if found:
        chosen = most_restrictive(found)
        if chosen is None:  # licenses that cannot be ordered: each recorded, none applied
            return [Statement("license", text, where, RANK_TEXT, lic) for lic in dict.fromkeys(found)]
        return [Statement("license", text, where, RANK_TEXT, chosen)]
    site = site_license_in(text, hrefs)
    holder = credit_holder(text)
    if site is not None:
        return [Statement("license", text, f"{where} (stock site credit)", RANK_TEXT, site)] + (
            [Statement("credit", holder, where)] if holder else []
        )
    if reserves(text) or COPYRIGHT.search(text) or names_agency(text) or image:
        lic = License("all-rights-reserved", source="page")
        out = [Statement("license", text, f"{where} (credit)", RANK_NOTICE, lic)]
        return out + ([Statement("credit", holder, where)] if holder else [])
    if is_credit(text) and holder:
        return [Statement("credit", holder, where)]
    return []
