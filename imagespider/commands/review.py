"""``scrapy review [STORE]``: review a local store in the browser; ``--undo REVIEW_ID`` reverses one.

The server (imagespider/review/server.py) holds the store's lock while it runs, as a crawl does,
and stops on Ctrl-C. Exit status 2 for a store that names nothing usable (or an ``s3://`` one:
review works on local stores only), 1 when the store is refused (locked, unreadable, not a store)
or the undo cannot be done, and when the store's documents could not be rewritten after the
review (one line; ``scrapy publish`` rewrites them).
"""

from __future__ import annotations

import argparse
import logging
import os
import webbrowser
from pathlib import Path

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from imagespider.commands.storecommand import StoreCommand
from imagespider.dataset.objectstore.config import is_object_store
from imagespider.dataset.store.files import MANIFEST
from imagespider.dataset.store.lock import StoreRefused
from imagespider.dataset.store.reviewapply import ReviewError
from imagespider.review.server import ReviewServer
from imagespider.review.session import ReviewSession

logger = logging.getLogger("imagespider")


class Command(StoreCommand, ScrapyCommand):
    def syntax(self) -> str:
        return "[store]"

    def short_desc(self) -> str:
        return "Review a local store in the browser: remove, relabel, resolve near duplicates (or --undo one)"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)  # type: ignore[misc]
        parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: a free one)")
        parser.add_argument("--no-browser", action="store_true", help="print the page's address, open no browser")
        parser.add_argument("--undo", metavar="REVIEW_ID", help="reverse an applied review (see reviews.jsonl)")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        settings = self.store_settings()
        if len(args) > 1:
            raise UsageError("name at most one store")
        try:
            uri = self.store_uri(args[0] if args else None)
        except Exception as error:  # noqa: BLE001  (ArgumentError: one line)
            logger.error("%s", error)
            self.exitcode = 2
            return
        if is_object_store(uri):
            logger.error("%s: review works on local stores only; copy the store to a folder to review it", uri[:200])
            self.exitcode = 2
            return
        if not 0 <= opts.port <= 65535:
            logger.error("--port must be from 1 to 65535 (0: a free port), got %d", opts.port)
            self.exitcode = 2
            return
        root = Path(uri.removeprefix("file://"))
        if not (root / MANIFEST).is_file():
            logger.error("%s is not a store: it holds no %s (a crawl makes one); check the path", root, MANIFEST)
            self.exitcode = 1
            return
        session = ReviewSession(root, max(0, settings.getint("DEDUP_MAX_DISTANCE", 6)))
        try:
            session.open()
        except StoreRefused as error:
            logger.error("%s", error)
            self.exitcode = 1
            return
        try:
            self.exitcode = self._undo(session, opts.undo) if opts.undo else self._serve(session, opts)
        finally:
            session.close()

    def _undo(self, session: ReviewSession, review_id: str) -> int:
        try:
            review = session.undo(review_id)
        except ReviewError as error:
            logger.error("%s", error)
            return 1
        logger.info(
            "undid review %s: %d images back in their classes, %d back from .removed",
            review.review_id, len(review.moved), len(review.removed),
        )
        return _documents_status(session)

    def _serve(self, session: ReviewSession, opts: argparse.Namespace) -> int:
        try:
            server = ReviewServer(session, opts.port)
        except OSError as error:
            logger.error("cannot listen on 127.0.0.1:%d: %s; choose another --port", opts.port, error.strerror)
            return 2
        # The documents may be older than the store (a review cut short and finished on open).
        session.write_documents()
        _mark_lock(session)
        try:  # from the line that tells the user Ctrl-C stops it, Ctrl-C ends cleanly
            print(f"review {session.root} at {server.url}  (Ctrl-C to stop)", flush=True)
            if not opts.no_browser:
                webbrowser.open(server.url)
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
        return _documents_status(session)


def _documents_status(session: ReviewSession) -> int:
    """Exit 1 when the review's last rebuild of the documents left some unwritten: the files and
    the manifest are right, but ATTRIBUTION.md, report.html or the card describe the store as it
    was. ``scrapy publish`` rebuilds them under the store's lock once the cause is fixed."""
    if not session.unwritten:
        return 0
    logger.error(
        "%s not written in %s: see above why; once that is fixed, scrapy publish %s writes the store's documents again",
        ", ".join(session.unwritten), session.root, session.root,
    )
    return 1


def _mark_lock(session: ReviewSession) -> None:
    """Say in the lock file that a review holds the store, so a crawl refused meanwhile says so."""
    fd = session.dataset._lock_fd  # noqa: SLF001 (the store's own lock, held for the session)
    if fd is not None:
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()} review\n".encode("ascii"), 0)
