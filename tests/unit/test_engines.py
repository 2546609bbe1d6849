"""The engine registry (imagespider/engines/__init__.py): docs/spiders.md's engines table is made from it; and the
JSON answer check the API engines share."""

from __future__ import annotations

from pathlib import Path

import pytest

from imagespider.engines import ENGINES, endpoint_setting_names, engines_table, json_object, secret_setting_names

SPIDERS_PAGE = Path(__file__).parents[2] / "docs" / "spiders.md"


def _readme_table() -> str:
    lines = SPIDERS_PAGE.read_text(encoding="utf-8").splitlines()
    start = lines.index("| engine | spider | license per image (quality) | endpoint setting | key | limits and pacing |")
    end = next(i for i in range(start, len(lines)) if not lines[i].startswith("|"))
    return "\n".join(lines[start:end]) + "\n"


def test_readme_engines_table_is_the_registry() -> None:
    assert _readme_table() == engines_table(), (
        "docs/spiders.md's engines table differs from ENGINES: paste imagespider.engines.engines_table()'s output there"
    )


def test_the_table_has_one_row_per_engine() -> None:
    rows = engines_table().splitlines()[2:]
    assert [row.split("|")[2].strip() for row in rows] == [f"`{name}`" for name in ENGINES]


def test_endpoint_and_secret_settings_come_from_the_registry() -> None:
    assert "FLICKR_API_URL" in endpoint_setting_names() and "BING_SEARCH_URL" in endpoint_setting_names()
    assert set(secret_setting_names()) == {"FLICKR_API_KEY", "OPENVERSE_CLIENT_ID", "OPENVERSE_CLIENT_SECRET"}


class ShapeError(ValueError):
    pass


@pytest.mark.parametrize(
    ("payload", "words"),
    [(b"[1, 2]", "a JSON list, not an object"), ("<html>", "not JSON"), (b"\xff\xfe", "not JSON"), (3, "a JSON int")],
)
def test_an_answer_that_is_not_a_json_object_is_the_engines_shape_error(payload: object, words: str) -> None:
    with pytest.raises(ShapeError, match=words):
        json_object(payload, ShapeError)  # type: ignore[arg-type]


def test_a_json_object_or_mapping_is_the_answer() -> None:
    assert json_object(b'{"a": 1}', ShapeError) == {"a": 1}
    answer = {"b": 2}
    assert json_object(answer, ShapeError) is answer



def test_every_engine_is_a_provider_registered_under_its_name() -> None:
    from imagespider.engines import Provider

    for name, engine in ENGINES.items():
        assert isinstance(engine.provider, Provider) and engine.provider.name == name


@pytest.mark.parametrize(("package_name", "allowed_local"), [
    ("engines", ("imagespider.engines", "imagespider.rights")),
    ("rights", ("imagespider.rights",)),
])
def test_engines_and_rights_stay_pure(package_name: str, allowed_local: tuple[str, ...]) -> None:
    """Providers build calls and read answers; crawling is the spiders' (imagespider/spiders/runner.py).
    rights/ reads and decides; fetching is imagespider/sitesignals/'s (issue 31). A module of either
    importing Scrapy, Twisted or Playwright would make its parser untestable alone."""
    import ast

    package = Path(__file__).resolve().parents[2] / "imagespider" / package_name
    found = []
    for path in sorted(package.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [alias.name for alias in node.names] if isinstance(node, ast.Import) else (
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            )
            for name in names:
                top = name.split(".")[0]
                if top in ("scrapy", "twisted", "playwright", "scrapy_playwright", "scrapy_redis") or (
                    top == "imagespider" and not name.startswith(allowed_local)
                ):
                    found.append(f"{path.name}: {name}")
    assert found == []
