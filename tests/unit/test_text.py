"""imagespider/text.py: web text made safe where it enters (lone surrogates replaced, control
characters dropped), and the store writing any row whatever its text. An item cleaning its
fields is in test_items.py, the ``bad_row`` drop in test_pipelines_rowcheck.py, a URL list of
mistyped rows in test_spiders_urllist.py."""

from __future__ import annotations

import json
from pathlib import Path

from imagespider.dataset.store.files import MANIFEST
from imagespider.dataset.store.local import Dataset
from imagespider.text import clean_text, clean_value


def test_clean_text_replaces_surrogates_and_drops_controls() -> None:
    assert clean_text("a\ud800b\udfffc") == "a\ufffdb\ufffdc"
    assert clean_text("t\x00i\x1bt\x7fl\x85e\tkeeps\ntabs") == "title\tkeeps\ntabs"
    assert clean_value({"k\x00": ["\ud83d", 3, None]}) == {"k": ["\ufffd", 3, None]}


def test_the_store_writes_any_row_whatever_its_text(tmp_path: Path) -> None:
    dataset = Dataset(tmp_path)
    dataset.open()
    dataset.add({"file_name": "cat/x.jpg", "title": "bad \ud800 surrogate\x00"})
    dataset.reject({"url": "http://h/\udfff"})
    dataset.close()
    row = json.loads((tmp_path / MANIFEST).read_bytes())
    assert row["title"] == "bad \ufffd surrogate"
