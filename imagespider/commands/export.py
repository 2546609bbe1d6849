"""``scrapy export OUT``: training-ready shards (WebDataset tar, Parquet) from a store.

The store is IMAGES_STORE (or ``--store``), local or an object store; the work is done by
imagespider/dataset/export/exporter.py. Exit status 2 for bad options or a manifest that is not JSON Lines;
1 when the store holds no rows or cannot be read, the output folder cannot be made or written (a
full disk: the previous export is left whole), another export is writing to it, or any row was left
out (one ERROR line per kind, the rows listed in shards.json).
"""

from __future__ import annotations

import argparse
import logging
import sqlite3
from pathlib import Path

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from imagespider.commands.storecommand import StoreCommand
from imagespider.dataset.export.exporter import ENCODINGS, FORMATS, RESIZE_MODES, SHARDS_MANIFEST, ExportConfig, export
from imagespider.dataset.export.folder import ExportBusy
from imagespider.dataset.export.sources import open_source
from imagespider.dataset.objectstore.config import is_object_store, store_errors, store_failure
from imagespider.dataset.store.lock import StoreRefused
from imagespider.dataset.store.repair import check_manifest
from imagespider.errors import ArgumentError

logger = logging.getLogger("imagespider")

_UNITS = {"k": 1 << 10, "m": 1 << 20, "g": 1 << 30}


def byte_size(text: str) -> int:
    """``500M``, ``1G``, ``4096``: a size in bytes."""
    value = text.strip().lower().removesuffix("b")
    factor = _UNITS.get(value[-1:], 1)
    number = value[:-1] if value[-1:] in _UNITS else value
    try:
        return int(float(number) * factor)
    except (ValueError, OverflowError):  # OverflowError: "inf", "1e400"
        raise argparse.ArgumentTypeError(f"not a size: {text!r} (e.g. 500M, 1G)") from None


def _inside(folder: Path, store: Path) -> bool:
    """Whether ``folder`` is the store's folder or one under it (links resolved)."""
    folder, store = folder.resolve(), store.resolve()
    return folder == store or store in folder.parents


class Command(StoreCommand, ScrapyCommand):
    def syntax(self) -> str:
        return "[options] <output folder>"

    def short_desc(self) -> str:
        return "Write a store's images as WebDataset and/or Parquet shards, with shards.json"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--store", help="the store to read (default: IMAGES_STORE); a folder or s3://bucket/prefix")
        defaults = ExportConfig()  # the command's defaults are the config's own
        parser.add_argument(
            "--format", default=",".join(defaults.formats), help=f"comma list of {', '.join(FORMATS)} (default: both)"
        )
        parser.add_argument("--shard-size", type=int, default=defaults.shard_size,
                            help=f"samples per shard at most (default {defaults.shard_size})")
        parser.add_argument("--shard-bytes", type=byte_size, default=defaults.shard_bytes,
                            help=f"image bytes per shard at most (default {defaults.shard_bytes >> 30}G)")
        parser.add_argument("--resize", type=int, help="scale the shorter side to this many pixels")
        parser.add_argument("--resize-mode", default=defaults.resize_mode, choices=RESIZE_MODES)
        parser.add_argument("--encode", default=defaults.encode, choices=ENCODINGS,
                            help=f"re-encode (default: {defaults.encode})")
        parser.add_argument("--quality", type=int, default=defaults.quality,
                            help=f"JPEG/WebP quality when encoding ({defaults.quality})")
        parser.add_argument("--workers", type=int, default=defaults.workers,
                            help=f"images transformed at once ({defaults.workers})")
        parser.add_argument("--license", default=defaults.license,
                            help="export only the rows this license policy keeps, the values of -a license= "
                                 "(share, commercial, modify, license ids; default: any)")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        settings = self.store_settings()
        if len(args) != 1 or not args[0].strip():
            # "" would be the working directory: shards and shards.json among the project's files.
            raise UsageError("name one output folder, such as shards")
        try:
            config = ExportConfig(
                formats=tuple(name.strip() for name in opts.format.split(",") if name.strip()),
                shard_size=opts.shard_size, shard_bytes=opts.shard_bytes, resize=opts.resize,
                resize_mode=opts.resize_mode, encode=opts.encode, quality=opts.quality, workers=opts.workers,
                license=opts.license,
            )
        except ValueError as error:
            raise UsageError(str(error)) from None
        try:
            uri = self.store_uri(opts.store)
            source = open_source(uri, settings)
        except ArgumentError as error:  # no folder named, or gs:// without its endpoint
            logger.error("%s", error)
            self.exitcode = 2
            return
        if not is_object_store(uri) and _inside(Path(args[0]), Path(uri.removeprefix("file://"))):
            # Its webdataset/, parquet/ would be classes to torchvision's ImageFolder, with no image.
            logger.error("the output folder %s is inside the store %s: name one outside it", args[0], uri)
            self.exitcode = 2
            return
        if not is_object_store(uri):
            try:  # the rule every reader of a local store follows (imagespider/dataset/store/repair.py)
                check_manifest(uri.removeprefix("file://"))
            except StoreRefused as error:
                logger.error("%s", error)
                self.exitcode = error.exitcode
                return
        try:
            Path(args[0]).mkdir(parents=True, exist_ok=True)
        except OSError as error:  # a file of that name, no permission...
            logger.error("cannot write the shards in %s: %s", args[0], error.strerror or error)
            self.exitcode = 1
            return
        try:
            result = export(source, args[0], config, origin=uri)
        except store_errors() as error:  # an object store: no such bucket, credentials refused...
            logger.error("%s", store_failure(uri, error))
            self.exitcode = 1
            return
        except ExportBusy as error:
            logger.error("%s", error)
            self.exitcode = 1
            return
        except (OSError, sqlite3.Error) as error:  # a full disk, a folder turned read-only
            reason = getattr(error, "strerror", None) or str(error).splitlines()[0]
            logger.error("cannot write the shards in %s: %s; the previous export there is left as it was",
                         args[0], reason)
            self.exitcode = 1
            return
        logger.info(
            "exported %d images from %s into %d shard files in %s", result.samples, uri, len(result.shards), args[0]
        )
        if not result.card_written:
            logger.warning("left %s as it is (not an export's card): this set's card was not written; "
                           "export into another folder to have one", Path(args[0]) / "README.md")
        if result.policy_left_out:
            reasons = ", ".join(f"{reason} {count}" for reason, count in result.policy_left_out.most_common())
            logger.info("left out %d rows the license policy %s does not keep (%s); the store keeps them",
                        result.policy_left_out.total(), config.license, reasons)
        # Each kind of row left out is one ERROR line and exit status 1: the export is not the store.
        for kind, what in (
            ("missing", "whose file is missing"),
            ("unreadable", "whose file is unreadable, not a regular file, changed since kept, or does not decode"),
            ("invalid", "that are damaged (no file name, no sha256, or a sha256 twice)"),
        ):
            if result.counts[kind]:
                logger.error("left out %d rows %s: listed in %s; first: %s", result.counts[kind], what,
                             Path(args[0]) / SHARDS_MANIFEST, getattr(result, kind)[0])
                self.exitcode = 1
        if not result.samples:
            logger.error("%s holds no exportable image (is it the right store?)", uri)
            self.exitcode = 1
