"""Reading one parsed page into a :class:`~imagespider.rights.page.PageIndex`: its images, the
statements tied to each, its page-wide statements and its opt-outs (the rules are in
imagespider/rights/page.py's docstring). Pure: an lxml document in, the index filled.
"""

from __future__ import annotations

import json
from bisect import bisect_left
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin

import lxml.etree
import lxml.html

from imagespider.rights.headers import AI_OPT_OUT_DIRECTIVES
from imagespider.rights.model import License
from imagespider.rights.pagemarkup import (
    ARR,
    BADGE,
    CAPTION_CLASS,
    DC_LICENSE,
    DC_RIGHTS,
    IMAGE_ATTRS,
    IMAGE_TYPES,
    LICENSE_RELS,
    NAMED_CLOSENESS,
    RANK_LINK,
    RANK_NOTICE,
    RANK_REL_LICENSE,
    RANK_STRUCTURED,
    RANK_TEXT,
    SKIP_TEXT,
    SRCSET_ATTRS,
    ImageTarget,
    Statement,
    about_text,
    badge_deed,
    clean_text,
    element_text,
    is_icon,
    is_license_link,
    json_name,
    json_nodes,
    json_text,
    json_url,
    json_values,
    license_statement_of,
    nested_name,
    prop_names,
    prop_value,
    props_by_scope,
    rel_names,
    schema_types,
    scope_of,
    srcset_urls,
    text_block,
    text_license,
)
from imagespider.rights.parse import from_url, parse_evidence

if TYPE_CHECKING:
    from imagespider.rights.page import PageIndex


class PageReader:
    """Fills a PageIndex from a parsed document."""

    def __init__(self, index: PageIndex, root: lxml.html.HtmlElement, page_url: str, token: str) -> None:
        self.index = index
        self.root = root
        self.token = token.strip().lower()
        base = root.xpath("//base[@href]/@href")
        self.base = page_url
        if base:
            try:
                self.base = urljoin(page_url, str(base[0]).strip())
            except ValueError:  # a <base> that is not a URL is ignored, as browsers do
                pass
        #: Content images (badges left out), each with its target.
        self.images: dict[Any, ImageTarget] = {}
        self.depth: dict[Any, int] = {}
        self.order: dict[Any, int] | None = None
        #: Per element: the content images inside it, as (position, img) in page order. Each
        #: statement asks its ancestors; asking the tree again each time is quadratic on a page
        #: of thousands of notices or images in one block.
        self.inside: dict[Any, list[tuple[int, Any]]] = {}
        #: Per element: its text as a notice (read once however many notices it holds).
        self.notices: dict[Any, str] = {}
        #: Per item (itemscope/typeof): its properties, read in one pass (see _scopes).
        self.props: dict[Any, list[tuple[str, tuple[Any, Any]]]] = {}
        #: Per text block: whether its sentence is about the site's text (see about_text).
        self.about: dict[Any, bool] = {}
        generator = " ".join(str(g) for g in root.xpath("//meta[@name='generator']/@content"))
        #: MediaWiki's site-wide license (rel=license in the head and footer) is the wiki's text
        #: license; its images carry their own (Wikipedia articles show files of every license).
        self.mediawiki = generator.lower().startswith("mediawiki")

    def read(self) -> None:
        self._meta()
        self._collect_images()
        self._links_and_badges()
        self._text()
        self._scopes()
        self._json_ld()

    # -- helpers ---------------------------------------------------------------------------

    def url(self, value: object) -> str | None:
        text = str(value or "").strip()
        if not text or text.startswith(("data:", "javascript:", "#")):
            return None
        try:
            return urljoin(self.base, text)
        except ValueError:
            return None

    def tie(self, element: Any, statement: Statement) -> bool:
        """Tie a statement to the image(s) of the closest element holding one, or to the page.
        In a container with several images (a gallery written without a cell per image) the
        statement goes to the image just before it, as captions follow their images."""
        position = self._position(element)
        for ancestor in (element, *element.iterancestors()):
            if ancestor.tag in ("body", "html", "head"):
                break
            inside = self._images_inside(ancestor)
            if not inside:
                continue
            before = bisect_left(inside, position, key=lambda pair: pair[0])
            img = inside[before - 1][1] if before else inside[0][1]
            self.images[img].statements.append((self._depth(ancestor), statement))
            return False
        self.index.page.append(statement)
        return True

    def _images_inside(self, element: Any) -> list[tuple[int, Any]]:
        if element not in self.inside:
            self.inside[element] = [(self._position(img), img) for img in element.iter("img") if img in self.images]
        return self.inside[element]

    def _notice(self, owner: Any, text: str) -> str:
        if owner not in self.notices:
            self.notices[owner] = element_text(owner)
        return self.notices[owner] or clean_text(text)

    def _about_text(self, element: Any) -> bool:
        block = text_block(element)
        if block is None:
            return False
        if block not in self.about:
            self.about[block] = about_text(block)
        return self.about[block]

    def _depth(self, element: Any) -> int:
        if element not in self.depth:
            self.depth[element] = sum(1 for _ in element.iterancestors())
        return self.depth[element]

    def _position(self, element: Any) -> int:
        if self.order is None:
            self.order = {el: i for i, el in enumerate(self.root.iter())}
        return self.order.get(element, 0)

    # -- the parts -------------------------------------------------------------------------

    def _meta(self) -> None:
        for meta in self.root.iter("meta"):
            name = (meta.get("name") or meta.get("property") or "").strip().lower()
            content = clean_text(meta.get("content"))
            if not name or not content:
                continue
            if name in ("robots", self.token) and self.index.opt_out is None:
                tokens = {t.strip().lower() for t in content.split(",")}
                if tokens & AI_OPT_OUT_DIRECTIVES:
                    self.index.opt_out = ("noai", f'<meta name="{name}" content="{content}">')
            elif name == "tdm-reservation" and content == "1" and self.index.opt_out is None:
                self.index.opt_out = ("tdm_reservation", "<meta name=\"tdm-reservation\" content=\"1\">")
            elif name == "tdm-policy":
                self.index.tdm_policy = self.index.tdm_policy or content
            elif name in DC_LICENSE:
                self.index.page.append(license_statement_of(content, f"meta[name={name}]", RANK_STRUCTURED, self.url))
            elif name in DC_RIGHTS:
                self.index.page.append(license_statement_of(content, f"meta[name={name}]", RANK_TEXT, self.url))

    def _collect_images(self) -> None:
        for img in self.root.iter("img"):
            src = img.get("src") or ""
            if BADGE.match(src.strip()) or any(is_license_link(a) for a in img.iterancestors("a")) or is_icon(img):
                continue
            target = ImageTarget()
            for attr in IMAGE_ATTRS:
                target.add_url(self.url(img.get(attr)))
            for attr in SRCSET_ATTRS:
                for url in srcset_urls(img.get(attr)):
                    target.add_url(self.url(url))
            parent = img.getparent()
            if parent is not None and parent.tag == "picture":
                for source in parent.iter("source"):
                    for url in srcset_urls(source.get("srcset")):
                        target.add_url(self.url(url))
            for link in img.iterancestors("a"):
                target.add_url(self.url(link.get("href")))  # a link to the full-size file
                break
            if target.exact:
                self.images[img] = target
                self.index.targets.append(target)

    def _links_and_badges(self) -> None:
        for element in self.root.iter("a", "link", "area"):
            rels = {r.lower() for r in (element.get("rel") or "").split()}
            href = element.get("href")
            url = self.url(href)
            if not url:
                continue
            if rels & LICENSE_RELS:
                statement = license_statement_of(url, f"{element.tag}[rel=license]", RANK_REL_LICENSE, self.url)
                if element.tag == "link":
                    self.index.page.append(text_license(statement) if self.mediawiki else statement)
                elif self.tie(element, statement) and (self.mediawiki or self._about_text(element)):
                    self.index.page[-1] = text_license(statement)
                continue
            if "cc:attributionurl" in rels:
                self.tie(element, Statement("author_url", url, f"{element.tag}[rel=cc:attributionURL]"))
            lic = from_url(url, "page")
            if lic is not None and element.tag == "a":
                statement = Statement("license", url, "a[href] (Creative Commons deed)", RANK_LINK, lic)
                self._tie_only(element, statement)
        for img in self.root.iter("img"):
            match = BADGE.match((img.get("src") or "").strip())
            if not match or any(is_license_link(a) for a in img.iterancestors("a")):
                continue
            lic = from_url(badge_deed(match), "page")
            if lic is not None:
                statement = Statement(
                    "license", clean_text(img.get("src")), "img (Creative Commons badge)", RANK_LINK, lic
                )
                self._tie_only(img, statement)

    def _tie_only(self, element: Any, statement: Statement) -> None:
        """A deed link or badge without rel="license" is a statement only near an image: a
        page-wide link to a CC deed may merely talk about the license."""
        page = len(self.index.page)
        self.tie(element, statement)
        del self.index.page[page:]

    def _text(self) -> None:
        for element in self.root.iter():
            # A comment's or script's own text is not the page's, but the text after it is (a
            # footer's "<!-- year script --> All rights reserved").
            skipped = not isinstance(element.tag, str) or element.tag in SKIP_TEXT
            if not skipped and (element.tag == "figcaption" or CAPTION_CLASS.search(element.get("class") or "")):
                text = element_text(element)
                lic = parse_evidence(text, "page") if text else None
                if lic is not None and lic.id != "all-rights-reserved":
                    self._tie_only(element, Statement("license", text, f"{element.tag} text", RANK_TEXT, lic))
            own: str | None = None if skipped else element.text
            for said, owner in ((own, element), (element.tail, element.getparent())):
                if not said or owner is None or owner.tag in SKIP_TEXT or not ARR.search(said):
                    continue
                notice = self._notice(owner, said)
                lic = License("all-rights-reserved", source="page")
                where = f'{owner.tag} text "All rights reserved"'
                self.tie(owner, Statement("license", notice, where, RANK_NOTICE, lic))
                self.tie(owner, Statement("copyright", notice, f"{owner.tag} text"))

    def _scopes(self) -> None:
        """Microdata (itemscope/itemprop) and RDFa (typeof/property) items."""
        for element in self.root.xpath("//*[@property or @itemprop]"):
            if scope_of(element) is None:  # CC's license chooser: cc:attributionName with no item
                rels = rel_names(element)
                for prop in prop_names(element):
                    value = prop_value(element, prop in rels)
                    for statement in self._prop_statement(prop, element, value, "", "rdfa"):
                        self.tie(element, statement)
        self.props = props_by_scope(self.root)
        for scope in self.root.xpath("//*[@itemscope or @typeof]"):
            types = schema_types(scope.get("itemtype") or scope.get("typeof"))
            props = self.props.get(scope, [])
            name = sorted(types)[0] if types else "item"
            syntax = "microdata" if scope.get("itemscope") is not None else "rdfa"
            statements = []
            for prop, (element, value) in props:
                statements += self._prop_statement(prop, element, value, name, syntax)
            if types & IMAGE_TYPES or any(p == "contenturl" for p, _ in props):
                target = ImageTarget()
                for prop, (_, value) in props:
                    if prop in ("contenturl", "url", "image"):
                        target.add_url(self.url(value))
                for img in scope.iter("img"):
                    if img in self.images:
                        target.exact |= self.images[img].exact
                        target.loose |= self.images[img].loose
                target.add_url(self.url(scope.get("about") or scope.get("resource")))
                target.statements += [(NAMED_CLOSENESS, s) for s in statements]
                self.index.targets.append(target)
            else:
                self.index.page += [s for s in statements if s.kind in ("license", "copyright")]

    def _prop_statement(self, prop: str, element: Any, value: Any, type_name: str, syntax: str) -> list[Statement]:
        where = f"{syntax} {type_name}.{prop}" if type_name else f"{syntax} {prop}"
        if isinstance(value, lxml.html.HtmlElement):  # a nested item: a Person or Organization
            value = nested_name(value, self.props)
            if not value:
                return []
        text = clean_text(value)
        if not text:
            return []
        if prop == "license":
            return [license_statement_of(text, where, RANK_STRUCTURED, self.url)]
        kinds = {
            "creator": "author", "author": "author", "attributionname": "author", "credittext": "credit",
            "copyrightnotice": "copyright", "copyrightholder": "copyright",
            "acquirelicensepage": "acquire_license_page", "attributionurl": "author_url",
        }
        kind = kinds.get(prop)
        if not kind:
            return []
        if kind in ("acquire_license_page", "author_url"):
            text = self.url(text) or text
        return [Statement(kind, text, where)]

    def _json_ld(self) -> None:
        for script in self.root.xpath('//script[contains(translate(@type, "LDJSON", "ldjson"), "ld+json")]'):
            try:
                data = json.loads(script.text or "", strict=False)
            except (ValueError, RecursionError):
                continue
            for node in json_nodes(data):
                self._json_ld_node(node)

    def _json_ld_node(self, node: dict[str, Any]) -> None:
        types = schema_types(node.get("@type"))
        name = sorted(types)[0] if types else "node"
        where = f"json-ld {name}"
        statements: list[Statement] = []
        for key, kind in (
            ("license", "license"), ("acquireLicensePage", "acquire_license_page"), ("creditText", "credit"),
            ("copyrightNotice", "copyright"), ("copyrightHolder", "copyright"), ("creator", "author"),
            ("author", "author"),
        ):
            for value in json_values(node.get(key)):
                text = clean_text(json_name(value) if kind in ("author", "copyright") else json_text(value))
                if not text:
                    continue
                if kind == "license":
                    statements.append(license_statement_of(text, f"{where}.license", RANK_STRUCTURED, self.url))
                else:
                    if kind == "acquire_license_page":
                        text = self.url(text) or text
                    statements.append(Statement(kind, text, f"{where}.{key}"))
                if kind == "author":
                    url = json_url(value)
                    if url and self.url(url):
                        statements.append(Statement("author_url", str(self.url(url)), f"{where}.{key}.url"))
        if types & IMAGE_TYPES or "contentUrl" in node:
            target = ImageTarget()
            for key in ("contentUrl", "url", "@id"):
                for value in json_values(node.get(key)):
                    target.add_url(self.url(json_text(value)))
            target.statements += [(NAMED_CLOSENESS, s) for s in statements]
            self.index.targets.append(target)
        else:
            self.index.page += [s for s in statements if s.kind in ("license", "copyright")]


# -- pure helpers ------------------------------------------------------------------------------
