"""What is where in a store (imagespider/dataset/store/files.py).

What is proven here:
- image files are the files named ``<64 hex>.<ext>`` directly in a label folder: not in a dot
  folder (``.orphans``, thumbnails), not deeper, not other names, not folders named like files.
"""

from __future__ import annotations

from pathlib import Path

from imagespider.dataset.store.files import ORPHANS, image_files, iter_image_names


def test_image_files_are_ours_directly_in_a_label_folder(tmp_path: Path) -> None:
    ours = "a" * 64
    for name in [f"cat/{ours}.jpg", f"dog/{ours}.webp", f"{ORPHANS}/cat/{ours}.jpg", f".thumbs/cat/{ours}.jpg",
                 "cat/notes.txt", f"cat/deeper/{ours}.jpg", f"cat/{ours.upper()}.jpg", f"{ours}.jpg"]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"x")
    (tmp_path / "bird" / f"{ours}.png").mkdir(parents=True)
    assert sorted(iter_image_names(tmp_path)) == [f"cat/{ours}.jpg", f"dog/{ours}.webp"]
    assert sorted(image_files(tmp_path)) == [tmp_path / f"cat/{ours}.jpg", tmp_path / f"dog/{ours}.webp"]
