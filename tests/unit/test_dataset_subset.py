"""publish_subset on real files: a hostile row's file name is never followed outside the store."""

from __future__ import annotations

import json
from pathlib import Path

from imagespider.dataset.subset import publish_subset
from imagespider.rights.policy import Policy


def test_a_row_naming_a_file_outside_the_store_is_left_out(tmp_path: Path) -> None:
    store, out = tmp_path / "store", tmp_path / "out"
    (store / "cat").mkdir(parents=True)
    (store / "cat" / "a.jpg").write_bytes(b"a")
    (tmp_path / "secret.jpg").write_bytes(b"secret")
    rows = [
        {"file_name": "cat/a.jpg", "label": "cat", "license": "cc0", "sha256": "a" * 64},
        {"file_name": "../secret.jpg", "label": "cat", "license": "cc0", "sha256": "b" * 64},
        {"file_name": "cat/gone.jpg", "label": "cat", "license": "cc0", "sha256": "c" * 64},
        {"file_name": "cat/b.jpg", "label": "cat", "license": "unknown", "sha256": "d" * 64},
    ]
    (store / "metadata.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    subset = publish_subset(store, out, Policy.parse("share"))
    assert subset.images == 1 and dict(subset.left_out) == {"file_missing": 2, "license_unnamed": 1}
    assert not (tmp_path / "secret.jpg").samefile(out / "cat" / "a.jpg")
    assert not list(out.rglob("secret.jpg"))
    assert [json.loads(line)["file_name"] for line in (out / "metadata.jsonl").read_text().splitlines()] == ["cat/a.jpg"]
