"""Every engine's parser against its result tables (tests/engines/<engine>.py), on the real captures."""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path
from typing import Any

import pytest

import tests.engines
from imagespider.engines import ENGINES

FIXTURES = Path(__file__).parents[1] / "fixtures"
TABLES = {
    info.name: importlib.import_module(f"tests.engines.{info.name}")
    for info in pkgutil.iter_modules(tests.engines.__path__)
}
CASES = [
    pytest.param(module, case, id=f"{name}:{case['fixture']}")
    for name, module in sorted(TABLES.items())
    for case in module.RESULTS
]


@pytest.mark.parametrize(("module", "case"), CASES)
def test_the_parser_reads_what_the_table_says(module: Any, case: dict[str, Any]) -> None:
    results = module.parse(FIXTURES / case["fixture"])
    assert len(results) == case["count"]
    for index, fields in case["results"].items():
        got = {name: getattr(results[index], name) for name in fields}
        assert got == fields, f"result {index} of {case['fixture']}"


def test_every_registered_engine_has_a_table() -> None:
    assert set(TABLES) == set(ENGINES)
