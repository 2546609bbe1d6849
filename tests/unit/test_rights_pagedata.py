"""imagespider/rights/pagedata.py: structured data's values (schema.org types, JSON-LD nodes,
microdata properties by their item)."""

from __future__ import annotations

import lxml.html

from imagespider.rights.pagedata import json_nodes, props_by_scope, schema_types


def test_schema_types_drops_vocabulary_and_case() -> None:
    assert schema_types(["https://schema.org/ImageObject", "schema:Photograph Thing"]) == {
        "imageobject", "photograph", "thing",
    }
    assert schema_types(None) == set()


def test_json_nodes_walks_graphs_but_not_into_people() -> None:
    data = {"@graph": [{"@type": "WebPage", "primaryImageOfPage": {"@type": "ImageObject", "license": "x"}},
                       {"author": {"@type": "Person", "name": "A"}}]}
    types = [node.get("@type") for node in json_nodes(data)]
    assert types == ["WebPage", "ImageObject"]


def test_microdata_props_stay_inside_their_own_item() -> None:
    root = lxml.html.fromstring(
        '<div itemscope itemtype="https://schema.org/ImageObject"><meta itemprop="license" content="https://l/">'
        '<span itemprop="author" itemscope><span itemprop="name">Mo</span></span></div>'
    )
    props = dict((name, value) for name, (_, value) in props_by_scope(root).get(root, []))
    assert props["license"] == "https://l/"
    assert "name" not in props  # the author's own name belongs to the nested item
    assert props["author"].get("itemprop") == "author"
