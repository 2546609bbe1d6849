"""Reading a page's structured data for rights: microdata and RDFa items, and JSON-LD (schema.org
``license``, ``creator``, ``creditText``, ``copyrightNotice``, an ImageObject's ``contentUrl``, an
article's ``image``). A part of :class:`~imagespider.rights.pagereader.PageReader`.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import lxml.etree
import lxml.html

from imagespider.rights.model import License
from imagespider.rights.pagedata import (
    IMAGE_TYPES,
    json_name,
    json_nodes,
    json_scalar,
    json_text,
    json_url,
    json_values,
    nested_name,
    prop_names,
    prop_value,
    props_by_scope,
    rel_names,
    schema_types,
    scope_of,
)
from imagespider.rights.pageindex import PageIndex
from imagespider.rights.pagemarkup import clean_text, license_statement_of
from imagespider.rights.pagestatement import NAMED_CLOSENESS, RANK_NOTICE, RANK_STRUCTURED, ImageTarget, Statement


class StructuredReading:
    """The PageReader methods that read structured data (see the module docstring)."""

    index: PageIndex
    root: Any

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
