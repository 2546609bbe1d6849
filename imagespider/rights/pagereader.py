"""Reading one parsed page into a :class:`~imagespider.rights.pageindex.PageIndex`: its images, the
statements tied to each, its page-wide statements and its opt-outs (the rules are in
imagespider/rights/page.py's docstring). Pure: an lxml document in, the index filled.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import replace
from typing import Any
from urllib.parse import urljoin

import lxml.etree
import lxml.html

from imagespider.rights.headers import AI_OPT_OUT_DIRECTIVES
from imagespider.rights.pageindex import PageIndex
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
    BADGE,
    DC_LICENSE,
    DC_RIGHTS,
    IMAGE_ATTRS,
    LICENSE_RELS,
    SRCSET_ATTRS,
    about_text,
    badge_deed,
    clean_text,
    element_text,
    is_icon,
    is_license_link,
    license_statement_of,
    srcset_urls,
    text_block,
)
from imagespider.rights.pagestatement import (
    NAMED_CLOSENESS,
    RANK_LINK,
    RANK_REL_LICENSE,
    RANK_STRUCTURED,
    RANK_TEXT,
    ImageTarget,
    Statement,
    text_license,
)
from imagespider.rights.pagestructured import StructuredReading
from imagespider.rights.pagetext import TextReading, credit_statements
from imagespider.rights.parse import from_url
from imagespider.rights.rsl import RSL_TYPE

#: Meta tags some publishers use for the copyright or credit of their page's own image.
IMAGE_RIGHTS_META = frozenset({"og:image:copyright", "og:image:credit", "og:image:rights", "twitter:image:credit"})

class PageReader(TextReading, StructuredReading):
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
        self.tied = 0
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
        self.tied += 1
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
                self.principal_statements += credit_statements(content, f"meta[{name}]", (), image=True)
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
                    said = credit_statements(alt, "img[alt]", ())
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
