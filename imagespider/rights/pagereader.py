"""Reading one parsed page into a :class:`~imagespider.rights.page.PageIndex`: its images, the
statements tied to each, its page-wide statements and its opt-outs (the rules are in
imagespider/rights/page.py's docstring). Pure: an lxml document in, the index filled.
"""

from __future__ import annotations

import json
from bisect import bisect_left
from dataclasses import replace
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin

import lxml.etree
import lxml.html

from imagespider.rights.headers import AI_OPT_OUT_DIRECTIVES
from imagespider.rights.model import License
from imagespider.rights.pagelayout import (
    background_urls,
    file_key,
    is_chrome,
    is_content_root,
    is_decoration,
    is_download_link,
    principal_urls,
    unwrap_archive,
)
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
    json_scalar,
    json_text,
    json_url,
    json_values,
    license_statement_of,
    nested_name,
    prop_names,
    prop_value,
    props_by_scope,
    raw_text,
    rel_names,
    schema_types,
    scope_of,
    srcset_urls,
    text_block,
    text_license,
)
from imagespider.rights.pagewords import (
    COPYRIGHT,
    LICENSE_WORDS,
    covers_text_only,
    credit_holder,
    grants,
    is_credit,
    licenses_in,
    most_restrictive,
    names_agency,
    reserves,
    site_license_in,
)
from imagespider.rights.parse import from_url
from imagespider.rights.rsl import RSL_TYPE

#: How much of one text node is scanned for a notice or a license.
MAX_NOTICE_SCAN = 20_000
#: Meta tags some publishers use for the copyright or credit of their page's own image.
IMAGE_RIGHTS_META = frozenset({"og:image:copyright", "og:image:credit", "og:image:rights", "twitter:image:credit"})

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
        self.inside: dict[tuple[Any, int], list[tuple[int, Any]]] = {}
        #: Per element: its text as a notice (read once however many notices it holds).
        self.notices: dict[Any, str] = {}
        #: Per item (itemscope/typeof): its properties, read in one pass (see _scopes).
        self.props: dict[Any, list[tuple[str, tuple[Any, Any]]]] = {}
        #: Per text block: whether its sentence is about the site's text (see about_text).
        self.about: dict[Any, bool] = {}
        #: Per element: the chrome element it sits in (pagelayout.chrome_of), None for content.
        self.chrome: dict[Any, Any] = {}
        self.in_content: dict[Any, bool] = {}
        #: Tags of elements shown as a CSS background image (targets like <img>).
        self.bg_tags: set[str] = set()
        #: Content blocks holding statements: (block, region) -> PageIndex.groups number.
        self.group_ids: dict[tuple[Any, int], int] = {}
        #: Caption and credit elements of the content, read whole by _caption.
        self.captions: set[Any] = set()
        #: Text blocks already read for a license in running text.
        self.running: set[Any] = set()
        #: Image URLs that JSON-LD names as an article's image.
        self.json_images: list[str] = []
        #: Statements the page's metadata makes about its principal image (og:image:copyright...).
        self.principal_statements: list[Statement] = []
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
        self._principal()

    # -- helpers ---------------------------------------------------------------------------

    def url(self, value: object) -> str | None:
        text = str(value or "").strip()
        if not text or text.startswith(("data:", "javascript:", "#")):
            return None
        try:
            return urljoin(self.base, text)
        except ValueError:
            return None

    def tie(self, element: Any, statement: Statement, caption: bool = False) -> list[Statement] | None:
        """Tie a statement to the image(s) of the closest element holding one in the same part of
        the page (content, or the same sidebar/footer), or keep it page-wide; returns the list it
        was kept in when it was not tied. In a container with several images (a gallery written
        without a cell per image) the statement goes to the image just before it, as captions
        follow their images; one that is not a caption also belongs to the container's block
        (scope ``content``), which the page's principal image reads."""
        region = self._chrome(element)
        position = self._position(element)
        for ancestor in (element, *element.iterancestors()):
            if ancestor.tag in ("body", "html", "head"):
                break
            inside = self._images_inside(ancestor, region)
            if not inside:
                continue
            before = bisect_left(inside, position, key=lambda pair: pair[0])
            img = inside[before - 1][1] if before else inside[0][1]
            depth = self._depth(ancestor)
            self.images[img].statements.append((depth, replace(statement, scope="image")))
            if len(inside) > 1 and not caption:
                self._group(ancestor, region, inside, depth, replace(statement, scope="content"))
            return None
        kept = self.index.page if region is not None else self.index.content
        kept.append(replace(statement, scope="page" if region is not None else "content"))
        return kept

    def _group(self, block: Any, region: Any, inside: list[tuple[int, Any]], depth: int, statement: Statement) -> None:
        key = (block, id(region))
        number = self.group_ids.get(key)
        if number is None:
            number = self.group_ids[key] = len(self.index.groups)
            self.index.groups.append([])
            for _, img in inside:
                self.images[img].groups.append(number)
        self.index.groups[number].append((depth, statement))

    def _chrome(self, element: Any) -> Any:
        """pagelayout.chrome_of, each element computed once from its parent's answer (a page
        nested thousands deep is walked once, not once per element)."""
        path = []
        node = element
        while node is not None and node not in self.chrome and node.tag not in ("body", "html"):
            path.append(node)
            node = node.getparent()
        if node is None or node not in self.chrome:
            outer, inside = None, False
        else:
            outer, inside = self.chrome[node], self.in_content[node]
        for node in reversed(path):
            if is_content_root(node):
                outer, inside = None, True
            elif outer is None and is_chrome(node, inside):
                outer = node
            self.chrome[node], self.in_content[node] = outer, inside
        return self.chrome.get(element, outer)

    def _images_inside(self, element: Any, region: Any) -> list[tuple[int, Any]]:
        key = (element, id(region))
        if key not in self.inside:
            self.inside[key] = [
                (self._position(img), img) for img in element.iter("img", *self.bg_tags)
                if img in self.images and self._chrome(img) is region
            ]
        return self.inside[key]

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
            elif name in IMAGE_RIGHTS_META:
                # The page's metadata on its own image (og:image:copyright "Jane Doe/Reuters").
                self.principal_statements += self._credit_statements(content, f"meta[{name}]", (), image=True)
            elif name == "copyright":
                self.index.page.append(Statement("copyright", content, "meta[name=copyright]"))

    def _collect_images(self) -> None:
        for img in self.root.iter("img"):
            src = img.get("src") or ""
            if BADGE.match(src.strip()) or any(is_license_link(a) for a in img.iterancestors("a")) or is_icon(img):
                continue
            if is_decoration(img):
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
                alt = clean_text(img.get("alt") or img.get("title"))
                if alt and self._chrome(img) is None:
                    # The image's own alt text: "Mandelplätzchen, Copyright: CC BY-NC-ND 3.0".
                    said = self._credit_statements(alt, "img[alt]", ())
                    target.statements += [(NAMED_CLOSENESS - 1, replace(s, scope="image")) for s in said]
        for link in self.root.xpath("//a[@href]"):
            if link in self.images or not is_download_link(link):
                continue
            target = ImageTarget()
            target.add_url(self.url(link.get("href")))
            if target.exact:  # "Download" / "Full size" of the photo: the page offers that image
                # The photo's own link, in its share or tool bar: the content's image.
                self.chrome[link], self.in_content[link] = None, True
                self.images[link] = target
                self.index.targets.append(target)
                self.bg_tags.add("a")
        for element in self.root.xpath("//*[@style][contains(@style, 'url(')]"):
            if element.tag == "img" or element in self.images:
                continue
            target = ImageTarget()
            for url in background_urls(element):
                target.add_url(self.url(url))
            if target.exact:  # a photo shown as a CSS background (style="background-image: url(...)")
                self.images[element] = target
                self.index.targets.append(target)
                self.bg_tags.add(str(element.tag))

    def _links_and_badges(self) -> None:
        for element in self.root.iter("a", "link", "area"):
            rels = {r.lower() for r in (element.get("rel") or "").split()}
            href = element.get("href")
            url = self.url(href)
            if not url:
                continue
            if rels & LICENSE_RELS:
                if (element.get("type") or "").strip().lower() == RSL_TYPE:
                    self.index.rsl_links.append(url)  # an RSL document (rights/rsl.py), not a license
                    continue
                statement = license_statement_of(url, f"{element.tag}[rel=license]", RANK_REL_LICENSE, self.url)
                if element.tag == "link":
                    self.index.page.append(text_license(statement) if self.mediawiki else statement)
                    continue
                kept = self.tie(element, statement)
                if kept is not None and (self.mediawiki or self._about_text(element)):
                    kept[-1] = text_license(kept[-1])
                continue
            if "cc:attributionurl" in rels:
                self.tie(element, Statement("author_url", url, f"{element.tag}[rel=cc:attributionURL]"))
            lic = from_url(unwrap_archive(url), "page")
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

    def _tie_only(self, element: Any, statement: Statement, caption: bool = False) -> None:
        """A deed link or badge without rel="license" is a statement only near an image: a
        page-wide link to a CC deed may merely talk about the license."""
        page, content = len(self.index.page), len(self.index.content)
        self.tie(element, statement, caption)
        del self.index.page[page:]
        del self.index.content[content:]

    def _text(self) -> None:
        for element in self.root.iter():
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
        for statement in self._credit_statements(text, f"{element.tag} text", hrefs):
            self._tie_only(element, statement, caption=True)

    def _credit_statements(self, text: str, where: str, hrefs: tuple[str, ...], image: bool = False) -> list[Statement]:
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
        found = licenses_in(text) if grants(text) or credit else []
        if not found:
            return
        chosen = most_restrictive(found)
        if chosen is None:
            return
        statement = Statement("license", clean_text(text), f"{block.tag} text (running)", RANK_TEXT, chosen)
        self.tie(block, text_license(statement) if covers_text_only(text) else statement)

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
                target.statements += [(NAMED_CLOSENESS, replace(s, scope="image")) for s in statements]
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
            if not any(s.kind == "license" for s in statements):
                # An image's own copyright notice or holder, no license named: all rights reserved.
                for notice in [s for s in statements if s.kind == "copyright"][:1]:
                    lic = License("all-rights-reserved", source="page")
                    where = f"{notice.element} (copyright)"
                    statements.append(Statement("license", notice.value, where, RANK_NOTICE, lic))
            target.statements += [(NAMED_CLOSENESS, replace(s, scope="image")) for s in statements]
            self.index.targets.append(target)
        else:
            for value in json_values(node.get("image"))[:8]:
                url = json_text(value) if isinstance(value, dict) else json_scalar(value)
                if url:
                    self.json_images.append(url)
            self.index.page += [s for s in statements if s.kind in ("license", "copyright")]


# -- pure helpers ------------------------------------------------------------------------------

    def _principal(self) -> None:
        """The page's principal image as its metadata names it (og:image, twitter:image,
        <link rel="image_src">, JSON-LD image): a target of its own, and any image of the page
        known by one of its URLs is the principal image too. The main content's statements
        about "the photo" belong to it."""
        target = ImageTarget(principal=True)
        for url in principal_urls(self.root) + self.json_images:
            target.add_url(self.url(url))
        if not target.exact:
            return
        files = {f for f in map(file_key, target.exact) if f}
        for other in self.index.targets:
            if other.exact & target.exact or other.loose & target.loose or files & set(map(file_key, other.exact)):
                other.principal = True
        target.statements += [(NAMED_CLOSENESS, replace(s, scope="image")) for s in self.principal_statements]
        self.index.targets.append(target)
