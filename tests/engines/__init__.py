"""What each engine's parser must read from its real captures, as data (one module per engine).

Each module names its engine and defines ``parse(path) -> list[EngineResult]`` (how the capture is
read and handed to the engine's parser) and ``RESULTS``: one entry per capture in tests/fixtures/
(where each came from: tests/fixtures/README.md) with the number of results and, by index, the
fields a result must have. tests/unit/test_engines_results.py checks every entry. A change in an
engine's markup is then a fix in its engine module and an edit of its table here.
"""
