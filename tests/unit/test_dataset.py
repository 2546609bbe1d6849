"""imagespider/dataset/: its subpackages, named by job, import only those below them (issue 31 item 4),
in the order docs/development.md lists them; ``crawlstore.py`` sits above them all."""

from __future__ import annotations

import ast
from pathlib import Path

DATASET = Path(__file__).resolve().parents[2] / "imagespider" / "dataset"
#: Bottom first: each may import itself and those before it.
ORDER = ("neardup", "store", "documents", "objectstore", "export")


def upward_imports(root: Path) -> list[str]:
    """``path: module`` for each import (at the top or inside a function) of a dataset subpackage
    by one listed before it in :data:`ORDER`."""
    found = []
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root).parts
        if len(parts) < 2 or parts[0] not in ORDER:
            continue
        mine = ORDER.index(parts[0])
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [node.module or ""] if isinstance(node, ast.ImportFrom) else (
                [alias.name for alias in node.names] if isinstance(node, ast.Import) else [])
            for name in names:
                target = name.split(".")
                if target[:2] == ["imagespider", "dataset"] and len(target) > 2 and target[2] in ORDER:
                    if ORDER.index(target[2]) > mine:
                        found.append(f"{path.relative_to(root).as_posix()}: {name}")
    return found


def test_the_subpackages_point_down() -> None:
    assert upward_imports(DATASET) == []


def test_the_docs_list_the_subpackages_in_this_order() -> None:
    text = (DATASET.parents[1] / "docs" / "development.md").read_text(encoding="utf-8")
    shown = [text.index(f"  - `{name}/`") for name in ORDER]
    assert shown == sorted(shown)


def test_an_upward_import_is_seen(tmp_path: Path) -> None:
    (tmp_path / "store").mkdir()
    (tmp_path / "store" / "x.py").write_text("def f():\n    from imagespider.dataset.export.publish import y\n")
    (tmp_path / "export").mkdir()
    (tmp_path / "export" / "y.py").write_text("import imagespider.dataset.store.local\n")
    assert upward_imports(tmp_path) == ["store/x.py: imagespider.dataset.export.publish"]
