"""Imports point down, never round (issue 31): the layer table docs/development.md shows, checked.

Every module of imagespider/ is read with ``ast`` (nothing is imported), and each of its imports of
imagespider is an edge: at module level, inside functions, and under ``if TYPE_CHECKING:``. Type-only
imports count: a module naming another's class depends on it as surely as one calling it (mypy
follows them, and a cycle through them is still a knot a newcomer must untie; rights/page.py and
rights/pagereader.py were one). What ``ast`` cannot see is not checked: a component named by a
string (settings.py's component paths, a ``load_object`` of a setting).

A failure names the module, the import and what to do. To add a package or module, add it to
:data:`LAYERS` and to the table in docs/development.md (test_the_docs_show_this_table).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import networkx as nx
import pytest
import scrapy

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "imagespider"

#: The layers, bottom to top. A module may import its own layer and the ones below. Each entry is
#: a name under imagespider/: a package (its modules and subpackages with it) or a module;
#: ``__init__`` is imagespider/__init__.py. The longest entry a module's name starts with places it,
#: so one module may sit apart from its package by an entry of its own.
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("base", (
        "__init__", "errors", "text", "outcomes", "failures", "items", "query", "quota", "logformatter",
        "scrapy_compat", "rights", "engines",
    )),
    ("store", ("dataset",)),
    ("components", (
        "browser", "sitesignals", "distributed", "pipelines", "extensions", "downloadermiddlewares",
        "spidermiddlewares", "review",
    )),
    ("spiders", ("spiders",)),
    ("commands", ("commands", "settings")),
)

#: The one module allowed Scrapy's private names (tests/unit/test_scrapy_compat.py checks each).
SCRAPY_COMPAT = "imagespider.scrapy_compat"


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def modules() -> dict[str, tuple[Path, ast.Module]]:
    return {module_name(path): (path, ast.parse(path.read_text(encoding="utf-8"), str(path)))
            for path in sorted(PACKAGE.rglob("*.py"))}


def layer_of(module: str) -> int | None:
    """The layer of a module, by the longest table entry its name starts with (None: not in the table)."""
    name = module.removeprefix("imagespider.") if module != "imagespider" else "__init__"
    found: tuple[int, int] | None = None  # (entry length, layer)
    for layer, (_, entries) in enumerate(LAYERS):
        for entry in entries:
            if (name == entry or name.startswith(entry + ".")) and (found is None or len(entry) > found[0]):
                found = (len(entry), layer)
    return None if found is None else found[1]


def imports(module: str, tree: ast.Module, is_package: bool) -> Iterator[tuple[str, int]]:
    """The imagespider modules ``module`` imports, with the line of each import. ``from a import b``
    is an import of a.b when that is a module, else of a. A parent package imported implicitly
    (``import a.b`` runs a/__init__.py) is not an edge: every module would depend on its package."""
    known = modules()
    for node in ast.walk(tree):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                here = module.split(".") if is_package else module.split(".")[:-1]
                here = here[: len(here) - node.level + 1]
                base = ".".join([*here, base] if base else here)
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base for alias in node.names]
        for target in targets:
            if target.split(".")[0] != "imagespider":
                continue
            while target not in known and "." in target:
                target = target.rsplit(".", 1)[0]
            if target != module:
                yield target, node.lineno


@cache
def graph() -> nx.DiGraph:
    """Modules and their imports; each edge keeps the line of its first import."""
    g = nx.DiGraph()
    for module, (path, tree) in modules().items():
        g.add_node(module)
        for target, line in imports(module, tree, path.name == "__init__.py"):
            if not g.has_edge(module, target):
                g.add_edge(module, target, line=line)
    return g


def where(module: str) -> str:
    return str(modules()[module][0].relative_to(ROOT))


def test_every_module_has_a_layer() -> None:
    missing = [where(m) for m in modules() if layer_of(m) is None]
    assert missing == [], (
        f"not in the layer table: {', '.join(missing)}; add the package or module to LAYERS in "
        "tests/unit/test_layers.py and to the table of docs/development.md"
    )


def test_no_module_imports_a_higher_layer() -> None:
    upward = []
    for module, target, data in graph().edges(data=True):
        low, high = layer_of(module), layer_of(target)
        if low is not None and high is not None and high > low:
            upward.append(
                f"{where(module)}:{data['line']} imports {target} ({LAYERS[high][0]} is above {LAYERS[low][0]})"
            )
    assert upward == [], (
        "imports point up: move the shared piece down a layer, or pass the object in; "
        "docs/development.md, Layers\n" + "\n".join(upward)
    )


def test_there_is_no_import_cycle() -> None:
    g = graph()
    knots = []
    # networkx's strongly connected components (Tarjan's, iteratively): every module of a cycle,
    # then one cycle through them to show.
    for component in nx.strongly_connected_components(g):
        if len(component) > 1:
            cycle = [edge[0] for edge in nx.find_cycle(g.subgraph(component))]
            knots.append(" -> ".join([*cycle, cycle[0]]) + f" (of {len(component)} modules knotted together)")
    assert knots == [], "import cycles: move what both sides need below them\n" + "\n".join(sorted(knots))


def test_the_checks_can_fail() -> None:
    """The control: the graph sees an import inside a function and one under TYPE_CHECKING, and
    layer_of places by the longest entry, so a test above can fail."""
    tree = ast.parse(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from imagespider.spiders.base import x\n"
        "def f():\n    from ..commands import crawl\n    import imagespider.rights.model\n"
    )
    found = dict(imports("imagespider.dataset.store", tree, is_package=False))
    assert set(found) == {"imagespider.spiders.base", "imagespider.commands.crawl", "imagespider.rights.model"}
    assert layer_of("imagespider.dataset.store") == 1 and layer_of("imagespider.spiders.base") == 3
    assert layer_of("imagespider.nothere") is None and layer_of("imagespider") == 0


# Scrapy's private names -------------------------------------------------------------------------


def _private_names(trees: list[ast.Module]) -> set[str]:
    """Names starting with one underscore that these modules define (functions, classes,
    attributes and variables assigned)."""
    names: set[str] = set()
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                names.add(node.name)
            elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
                names.add(node.attr)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                names.add(node.id)
    return {n for n in names if n.startswith("_") and not n.startswith("__")}


def _private_scrapy_uses(tree: ast.Module, scrapys: set[str], ours: set[str]) -> Iterator[tuple[int, str]]:
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "scrapy":
            parts = (node.module or "").split(".") + [alias.name for alias in node.names]
            if any(p.startswith("_") and not p.startswith("__") for p in parts):
                yield node.lineno, ast.unparse(node)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "scrapy" and any(p.startswith("_") for p in alias.name.split(".")):
                    yield node.lineno, ast.unparse(node)
        elif isinstance(node, ast.Attribute) and node.attr in scrapys and node.attr not in ours:
            yield node.lineno, ast.unparse(node)
        elif (
            isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
            and node.func.id in ("getattr", "hasattr", "setattr", "delattr") and len(node.args) > 1
            and isinstance(node.args[1], ast.Constant) and node.args[1].value in scrapys - ours
        ):
            yield node.lineno, ast.unparse(node)


@pytest.fixture(scope="module")
def scrapy_private() -> set[str]:
    source = Path(scrapy.__file__).parent
    return _private_names([ast.parse(p.read_text(encoding="utf-8")) for p in source.rglob("*.py")])


def test_only_scrapy_compat_uses_scrapys_private_names(scrapy_private: set[str]) -> None:
    """``from scrapy... import _x``, and ``obj._x`` (or ``getattr(obj, "_x")``) where Scrapy defines
    ``_x`` and imagespider does not: a Scrapy upgrade may change them, so they live in
    imagespider/scrapy_compat.py, whose tests say what changed. (A private name Scrapy and
    imagespider both define is read as ours: the cost of not importing anything.)"""
    trees = {m: tree for m, (_, tree) in modules().items()}
    ours = _private_names(list(trees.values()))
    found = [
        f"{where(module)}:{line}: {text}"
        for module, tree in trees.items() if module != SCRAPY_COMPAT
        for line, text in _private_scrapy_uses(tree, scrapy_private, ours)
    ]
    assert found == [], (
        "Scrapy's private API outside imagespider/scrapy_compat.py: move it there behind a function "
        "and test the assumption in tests/unit/test_scrapy_compat.py\n" + "\n".join(found)
    )


def test_the_private_name_check_can_fail(scrapy_private: set[str]) -> None:
    tree = ast.parse(
        "from scrapy.pipelines.media import _MediaRequestFiltered\nimport scrapy._private\n"
        "request._set_url(u)\ngetattr(engine, '_slot')\nself._own\n"
    )
    found = {text for _, text in _private_scrapy_uses(tree, scrapy_private, ours={"_own"})}
    assert found == {
        "from scrapy.pipelines.media import _MediaRequestFiltered", "import scrapy._private",
        "request._set_url", "getattr(engine, '_slot')",
    }


# The table itself --------------------------------------------------------------------------------


def test_every_table_entry_names_a_module_or_package() -> None:
    """A package moved or removed leaves no row behind, and no entry is in two layers."""
    entries = [entry for _, group in LAYERS for entry in group]
    assert len(entries) == len(set(entries)), "an entry is in two layers"
    stale = [e for e in entries if e != "__init__" and f"imagespider.{e}" not in modules()]
    assert stale == [], f"LAYERS names what imagespider/ no longer has: {', '.join(stale)}; take it out here and in docs"


def docs_table(text: str) -> list[tuple[str, set[str]]]:
    """The layer table of docs/development.md's "Layers" section, top to bottom: each row's layer
    and the names in backticks of its second cell."""
    section = text.split("\n## Layers\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("|")][2:]  # after the header and ---
    table = []
    for row in rows:
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        table.append((cells[0].strip("`* "), set(re.findall(r"`([^`]+)`", cells[1]))))
    return table


def test_the_docs_show_this_table() -> None:
    text = (ROOT / "docs" / "development.md").read_text(encoding="utf-8")
    assert "\n## Layers\n" in text, "docs/development.md has lost its Layers section"
    shown = docs_table(text)
    ours = [(name, set(entries)) for name, entries in reversed(LAYERS)]
    assert shown == ours, (
        "docs/development.md's layer table (top to bottom) differs from LAYERS in tests/unit/test_layers.py: "
        "make them say the same"
    )


def test_a_docs_table_that_differs_is_seen() -> None:
    row = "| {} | {} | job |"
    text = "\n".join([
        "## Layers", "", "| Layer | Modules | Job |", "|---|---|---|",
        row.format("commands", "`commands`, `settings`"), row.format("**store**", "`dataset`"), "", "## Next", "| a | b |",
    ])
    assert docs_table("# Development\n" + text) == [("commands", {"commands", "settings"}), ("store", {"dataset"})]
