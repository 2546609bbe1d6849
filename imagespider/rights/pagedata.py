"""Reading structured data's values from a page: microdata and RDFa properties (by the item
they belong to) and JSON-LD values (literals, value objects, names, URLs), as
imagespider/rights/pagereader.py and pagestructured.py turn them into statements. Pure: lxml
elements and parsed JSON in, values out.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from imagespider.rights.pagemarkup import element_text, raw_text

#: schema.org types whose statements are about one image.
IMAGE_TYPES = frozenset({"imageobject", "photograph"})


def schema_types(value: Any) -> set[str]:
    """schema.org type names, lower case, without vocabulary URL or prefix."""
    names: list[str] = []
    for item in json_values(value):
        names += str(item).split()
    return {re.split(r"[/#:]", name.rstrip("/"))[-1].lower() for name in names if name}


def prop_names(element: Any) -> list[str]:
    raw = (element.get("itemprop") or "") + " " + (element.get("property") or "") + " " + (element.get("rel") or "")
    return [re.split(r"[/#:]", name.rstrip("/"))[-1].lower() for name in raw.split() if name]


def rel_names(element: Any) -> set[str]:
    """The names :func:`prop_names` took from ``rel``: their value is the link."""
    return {re.split(r"[/#:]", name.rstrip("/"))[-1].lower() for name in (element.get("rel") or "").split()}


def scope_of(element: Any) -> Any:
    for ancestor in element.iterancestors():
        if ancestor.get("itemscope") is not None or ancestor.get("typeof") is not None:
            return ancestor
    return None


def is_scope(element: Any) -> bool:
    return element.get("itemscope") is not None or element.get("typeof") is not None


def props_by_scope(root: Any) -> dict[Any, list[tuple[str, tuple[Any, Any]]]]:
    """(property, (element, value)) for the properties of every item under ``root`` (itself
    included), not of items nested in it (a nested item's value is its element, read by
    :func:`nested_name`). One pass over the tree: asking each item in turn walks nested items'
    elements once per enclosing item, quadratic on a page of items nested in items."""
    owner: dict[Any, Any] = {}
    out: dict[Any, list[tuple[str, tuple[Any, Any]]]] = {}
    for element in root.iterdescendants():
        if not isinstance(element.tag, str):
            continue
        parent = element.getparent()
        scope = parent if is_scope(parent) else owner.get(parent)
        owner[element] = scope
        if scope is None or not (element.get("itemprop") or element.get("property")):
            continue
        nested = is_scope(element)
        rels = rel_names(element)
        for prop in prop_names(element):
            value = element if nested else prop_value(element, prop in rels)
            out.setdefault(scope, []).append((prop, (element, value)))
    return out


#: Longest text read from an element as a property's value (a URL written as text).
MAX_PROP_TEXT = 4096


def prop_value(element: Any, link: bool = False) -> str:
    """A property's value. RDFa 1.1: an element with ``rel`` links to its ``href``, and its
    ``property`` is then its text (the CC license chooser's ``<a property="cc:attributionName"
    rel="cc:attributionURL" href="URL">Name</a>``); ``link`` asks for the ``rel``'s value."""
    if element.get("content"):
        return str(element.get("content"))
    if link or element.get("itemprop") or not (element.get("rel") or element.get("rev")):
        for attr in ("href", "src", "resource", "datetime"):
            if element.get(attr):
                return str(element.get(attr))
    return raw_text(element, MAX_PROP_TEXT)


def nested_name(element: Any, props: dict[Any, list[tuple[str, tuple[Any, Any]]]]) -> str:
    """A nested item's name (``props`` is :func:`props_by_scope` of the page)."""
    for prop, (_, value) in props.get(element, []):
        if prop in ("name", "legalname") and isinstance(value, str) and value.strip():
            return value
    return element_text(element)


def json_nodes(data: Any, depth: int = 0) -> Iterator[dict[str, Any]]:
    """Every object of a JSON-LD document that has a type or a license (graphs, lists and
    nested values included)."""
    if depth > 20:
        return
    if isinstance(data, list):
        for item in data:
            yield from json_nodes(item, depth + 1)
    elif isinstance(data, dict):
        if "@type" in data or "license" in data or "contentUrl" in data:
            yield data
        for key, value in data.items():
            if key not in ("creator", "author", "copyrightHolder") and isinstance(value, (dict, list)):
                yield from json_nodes(value, depth + 1)


def json_values(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def json_scalar(value: Any) -> str:
    """A JSON-LD literal as text: a string or number, a value object's ``@value``
    (``{"@value": "Jane", "@language": "en"}``), or the first of a list of those; "" otherwise
    (never the repr of an object)."""
    for item in value if isinstance(value, list) else [value]:
        if isinstance(item, dict):
            item = item.get("@value")
        if isinstance(item, str) or (isinstance(item, (int, float)) and not isinstance(item, bool)):
            return str(item)
    return ""


def json_text(value: Any) -> str:
    if isinstance(value, dict) and "@value" not in value:
        return json_scalar(value.get("@id")) or json_scalar(value.get("url")) or json_scalar(value.get("name"))
    return json_scalar(value)


def json_name(value: Any) -> str:
    if isinstance(value, dict) and "@value" not in value:
        return json_scalar(value.get("name")) or json_scalar(value.get("legalName"))
    return json_scalar(value)


def json_url(value: Any) -> str | None:
    if isinstance(value, dict):
        return json_scalar(value.get("url")) or json_scalar(value.get("sameAs")) or None
    return None
