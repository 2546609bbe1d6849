"""Small modules with one job (issue 31): no module of imagespider/ is over MAX_LINES lines.

A module that grows past it does more than one thing: split it by job (docs/development.md, the
module map). A module that may stay longer for now is listed in EXCEPTIONS with its size when
listed and a one-line reason; the test also fails when an exception has grown or is no longer
needed, so the list only shrinks.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "imagespider"
MAX_LINES = 400

#: module path (from the repository root) -> (its lines when listed, why it may be longer for now).
EXCEPTIONS: dict[str, tuple[int, str]] = {}


def sizes(package: Path) -> dict[str, int]:
    """Lines of every module under ``package``, by path from its parent folder."""
    out = {}
    for path in sorted(package.rglob("*.py")):
        with path.open("rb") as handle:
            out[path.relative_to(package.parent).as_posix()] = sum(1 for _ in handle)
    return out


def over_limit(package: Path, exceptions: dict[str, tuple[int, str]]) -> dict[str, int]:
    return {name: size for name, size in sizes(package).items() if size > MAX_LINES and name not in exceptions}


def test_no_module_is_over_the_limit() -> None:
    over = over_limit(PACKAGE, EXCEPTIONS)
    assert not over, f"modules over {MAX_LINES} lines, split each by job (docs/development.md): {over}"


def test_every_exception_is_still_needed_and_has_not_grown() -> None:
    found = sizes(PACKAGE)
    for name, (listed, _reason) in EXCEPTIONS.items():
        assert name in found, f"{name} is gone: remove it from EXCEPTIONS"
        assert found[name] > MAX_LINES, f"{name} is {found[name]} lines now: remove it from EXCEPTIONS"
        assert found[name] <= listed, f"{name} grew from {listed} to {found[name]} lines: split it instead"


def test_a_module_over_the_limit_is_found(tmp_path: Path) -> None:
    package = tmp_path / "imagespider" / "sub"
    package.mkdir(parents=True)
    (package / "small.py").write_text("x = 1\n" * MAX_LINES)
    (package / "large.py").write_text("x = 1\n" * (MAX_LINES + 1))
    assert over_limit(tmp_path / "imagespider", {}) == {"imagespider/sub/large.py": MAX_LINES + 1}
    assert over_limit(tmp_path / "imagespider", {"imagespider/sub/large.py": (401, "a reason")}) == {}
