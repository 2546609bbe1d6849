"""``scrapy export`` and ``scrapy publish`` run as a user runs them, on stores and folders that
went wrong (issue 28 items 5, 6, 7): a bad row, a link to /dev/zero or a FIFO in the store, a full
disk, two exports into one folder. Each ends with one line per kind of failure, a non-zero exit
and no traceback, and never leaves a half-replaced export behind.

The full disk is real: ``RLIMIT_FSIZE`` set in the child process (Python ignores SIGXFSZ, so a
write past the limit fails with EFBIG, "File too large"), as no tmpfs can be mounted here.
"""

from __future__ import annotations

import fcntl
import hashlib
import io
import json
import os
import resource
import subprocess
import tarfile
from pathlib import Path
from typing import Any

from PIL import Image

from tests.conftest import PROJECT, run_scrapy, scrapy_command, scrapy_env


def make_store(root: Path, count: int, size: int = 48) -> list[dict[str, Any]]:
    """A store as a crawl leaves it: ``<label>/<sha256>.png`` and one row each in metadata.jsonl."""
    rows = []
    for n in range(count):
        buffer = io.BytesIO()
        Image.effect_noise((size, size), 40 + n).convert("RGB").save(buffer, "PNG")
        data = buffer.getvalue()
        sha = hashlib.sha256(data).hexdigest()
        label = "cat" if n % 2 else "dog"
        (root / label).mkdir(parents=True, exist_ok=True)
        (root / label / f"{sha}.png").write_bytes(data)
        rows.append({"file_name": f"{label}/{sha}.png", "label": label, "sha256": sha, "title": f"image {n}",
                     "license": "cc0", "image_url": f"https://img.example.com/{n}.png"})
    write_rows(root, rows)
    return rows


def write_rows(root: Path, rows: list[dict[str, Any]]) -> None:
    (root / "metadata.jsonl").write_text("".join(json.dumps(row) + "\n" for row in rows))


def errors(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if " ERROR: " in line]


def folder_bytes(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file() and p.name != ".export.lock"}


def assert_whole_export(out: Path) -> None:
    """shards.json lists only shards that exist, with their bytes, and each tar holds what it says."""
    manifest = json.loads((out / "shards.json").read_text())
    listed = {shard["path"] for shard in manifest["shards"]}
    on_disk = {p.relative_to(out).as_posix() for p in out.glob("*/shard-*")}
    assert listed == on_disk
    for shard in manifest["shards"]:
        path = out / shard["path"]
        assert hashlib.sha256(path.read_bytes()).hexdigest() == shard["sha256"]
        if shard["format"] == "webdataset":
            with tarfile.open(path) as tar:
                assert len(tar.getnames()) == 2 * shard["samples"]
    assert not [p for p in out.rglob("*") if p.name.startswith(".export-") or p.name.endswith(".tmp")]


def test_bad_rows_are_listed_and_exit_1_not_a_traceback(tmp_path: Path) -> None:
    """A lone surrogate in a title and a NUL in a file_name crashed the export with a traceback."""
    store = tmp_path / "store"
    rows = make_store(store, 4)
    rows[1]["title"] = "a lone \ud800 surrogate"
    rows[2]["file_name"] = rows[2]["file_name"].replace("/", "/\x00")
    write_rows(store, rows)
    result = run_scrapy("export", str(tmp_path / "out"), "--store", str(store))
    assert result.returncode == 1, result.stderr[-3000:]
    assert "Traceback" not in result.stderr
    lines = errors(result.stderr)
    assert len(lines) == 1 and "left out 1 rows that are damaged" in lines[0], lines
    manifest = json.loads((tmp_path / "out" / "shards.json").read_text())
    assert manifest["samples"] == 3 and manifest["invalid"] == ["row 3: file_name names no file in the store"]
    with tarfile.open(tmp_path / "out" / "webdataset" / "shard-000000.tar") as tar:
        titles = [json.load(tar.extractfile(name))["title"] for name in tar.getnames() if name.endswith(".json")]
    assert "a lone \ufffd surrogate" in titles
    assert_whole_export(tmp_path / "out")


def test_a_link_to_dev_zero_or_a_fifo_in_the_store_is_never_read(tmp_path: Path) -> None:
    """Item 7: export read a link to /dev/zero until memory ran out, and waited on a FIFO for good."""
    store = tmp_path / "store"
    rows = make_store(store, 4)
    zero, fifo = store / rows[0]["file_name"], store / rows[1]["file_name"]
    zero.unlink()
    zero.symlink_to("/dev/zero")
    fifo.unlink()
    os.mkfifo(fifo)
    result = run_scrapy("export", str(tmp_path / "out"), "--store", str(store), timeout=120)
    assert result.returncode == 1, result.stderr[-3000:]
    assert "Traceback" not in result.stderr
    lines = errors(result.stderr)
    assert len(lines) == 1 and "left out 2 rows whose file is unreadable" in lines[0], lines
    assert "a symbolic link, not a file" in result.stderr and "not a regular file (a FIFO)" in result.stderr
    manifest = json.loads((tmp_path / "out" / "shards.json").read_text())
    assert manifest["samples"] == 2 and sorted(manifest["unreadable"]) == sorted([rows[0]["file_name"], rows[1]["file_name"]])


def _file_size_limit(size: int):  # noqa: ANN202
    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (size, resource.getrlimit(resource.RLIMIT_FSIZE)[1]))

    return limit


def test_a_full_disk_leaves_the_previous_export_whole(tmp_path: Path) -> None:
    """Item 5: a full disk ended with a pyarrow traceback, the old shards.json beside shards already
    replaced and an unlisted shard-000001.tar."""
    store, out = tmp_path / "store", tmp_path / "out"
    make_store(store, 6, size=200)  # ~120 KB of PNG each
    first = run_scrapy("export", str(out), "--store", str(store), "--shard-size", "2")
    assert first.returncode == 0, first.stderr[-3000:]
    before = folder_bytes(out)
    make_store(store, 8, size=200)  # the store grew: the next export replaces every shard
    args = ["export", str(out), "--store", str(store), "--shard-size", "4"]
    result = subprocess.run(
        scrapy_command(*args), cwd=PROJECT, env=scrapy_env(), capture_output=True, text=True, timeout=300,
        preexec_fn=_file_size_limit(300_000),  # a shard of 4 images does not fit; one of 2 did
    )
    assert result.returncode == 1, result.stderr[-3000:]
    assert "Traceback" not in result.stderr
    lines = errors(result.stderr)
    assert len(lines) == 1 and f"cannot write the shards in {out}: File too large" in lines[0], lines
    assert "previous export there is left as it was" in lines[0]
    assert folder_bytes(out) == before
    assert_whole_export(out)


def test_a_second_export_into_a_folder_being_written_is_refused(tmp_path: Path) -> None:
    store, out = tmp_path / "store", tmp_path / "out"
    make_store(store, 3)
    out.mkdir()
    with (out / ".export.lock").open("w") as held:  # as an export in progress holds it
        fcntl.flock(held, fcntl.LOCK_EX)
        result = run_scrapy("export", str(out), "--store", str(store))
    assert result.returncode == 1, result.stderr[-3000:]
    lines = errors(result.stderr)
    assert len(lines) == 1 and "another export is writing to" in lines[0], lines
    assert not (out / "shards.json").exists()


def test_two_exports_at_once_leave_one_whole_export(tmp_path: Path) -> None:
    """Two exports into one folder gave a shards.json listing absent shards and a tar of 40
    members that said 3: now one is refused (or they ran one after the other)."""
    store, out = tmp_path / "store", tmp_path / "out"
    make_store(store, 120, size=160)
    runs = [  # resized and re-encoded one at a time: each takes seconds, so the two overlap
        subprocess.Popen(
            scrapy_command("export", str(out), "--store", str(store), "--shard-size", str(size), "--resize", "150",
                           "--encode", "png", "--workers", "1"),
            cwd=PROJECT, env=scrapy_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        )
        for size in (3, 7)
    ]
    for run in runs:
        stderr = run.communicate(timeout=300)[1]
        assert "Traceback" not in stderr
        assert run.returncode == 0 or (run.returncode == 1 and "another export is writing to" in stderr), stderr[-3000:]
    assert_whole_export(out)


def test_publish_that_writes_only_some_documents_exits_1(tmp_path: Path) -> None:
    """Item 6: publish exited 0 having written only README.md, ATTRIBUTION.md and report.html failed."""
    store = tmp_path / "store"
    make_store(store, 3)
    (store / "ATTRIBUTION.md").mkdir()  # a folder where the document goes: it cannot be written
    result = run_scrapy("publish", str(store))
    assert result.returncode == 1, result.stderr[-3000:]
    assert "Traceback" not in result.stderr
    lines = errors(result.stderr)
    assert any("could not write ATTRIBUTION.md" in line for line in lines), lines
    assert lines[-1].endswith("published " + str(store) + " in part: ATTRIBUTION.md not written")
    assert (store / "report.html").exists() and (store / "README.md").exists()


def test_publish_of_rows_with_a_lone_surrogate_writes_every_document(tmp_path: Path) -> None:
    store = tmp_path / "store"
    rows = make_store(store, 3)
    rows[0]["title"] = "a lone \ud800 surrogate"
    write_rows(store, rows)
    result = run_scrapy("publish", str(store))
    assert result.returncode == 0, result.stderr[-3000:]
    assert not errors(result.stderr)
    assert "a lone \ufffd surrogate" in (store / "ATTRIBUTION.md").read_text()
