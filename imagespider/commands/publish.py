"""``scrapy publish [STORE]``: assemble a store's metadata.jsonl, rejected.jsonl and documents.

For a store a single crawl wrote, its end already did this; for an object store filled by
several workers (docs/scaling.md) this is the step that makes it a dataset. The work is in
imagespider/dataset/export/publish.py. Exit status 2 for a store that names nothing usable or a manifest
that is not JSON Lines, 1 when the store is refused (locked, unreadable) or a document could not
be written (one ERROR line each).

``--license POLICY --to FOLDER`` publishes the part of a store the policy keeps, from a folder or
an object store, into a new local folder (imagespider/dataset/export/subset.py); an object store that
fails midway leaves nothing in the folder (one line, exit 1).
"""

from __future__ import annotations

import argparse
import logging

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from imagespider.commands.settings_check import check_settings
from imagespider.commands.storecommand import StoreCommand
from imagespider.dataset.export.publish import publish_local, publish_objects
from imagespider.dataset.export.subset import Subset, publish_object_subset, publish_subset
from imagespider.dataset.objectstore.config import is_object_store
from imagespider.dataset.store.lock import StoreRefused
from imagespider.errors import ArgumentError
from imagespider.rights.policy import Policy, PolicyError

logger = logging.getLogger("imagespider")


class Command(StoreCommand, ScrapyCommand):
    def syntax(self) -> str:
        return "[store]"

    def short_desc(self) -> str:
        return "Assemble a store (default IMAGES_STORE; a folder or s3://bucket/prefix) from its rows"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--license", help="publish only the images this license policy keeps (the values of "
                                               "-a license=: share, commercial, modify, license ids), into --to")
        parser.add_argument("--to", help="the new or empty folder the --license subset is published into")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        settings = self.store_settings()
        if len(args) > 1:
            raise UsageError("name at most one store")
        license, to = getattr(opts, "license", None), getattr(opts, "to", None)  # a Namespace built by hand has neither
        if license or to:
            self._publish_subset(args, license, to)
            return
        try:
            uri = self.store_uri(args[0] if args else None)
        except ArgumentError as error:
            logger.error("%s", error)
            self.exitcode = 2
            return
        if is_object_store(uri):
            from imagespider.dataset.objectstore.client import ObjectStore
            from imagespider.dataset.objectstore.config import ObjectStoreConfig, store_errors, store_failure

            try:
                check_settings(settings)  # PUBLISH_ORPHAN_GRACE=abc: one line, not a traceback
                config = ObjectStoreConfig.from_settings(uri, settings)
            except ArgumentError as error:
                logger.error("%s", error)
                self.exitcode = 2
                return
            try:
                result = publish_objects(ObjectStore(config), settings.getfloat("PUBLISH_ORPHAN_GRACE"))
            except store_errors() as error:  # no such bucket, credentials refused, nothing listening
                logger.error("%s", store_failure(uri, error))
                self.exitcode = 1
                return
        else:
            try:
                result = publish_local(uri.removeprefix("file://"))
            except StoreRefused as error:
                logger.error("%s", error)
                self.exitcode = error.exitcode
                return
        if result.failed:  # each already said in one ERROR line
            logger.error("published %s in part: %s not written", uri, ", ".join(result.failed))
            self.exitcode = 1
            return
        logger.info(
            "published %s: %d images, %d rejected, %d orphans set aside",
            uri, result.images, result.rejected, len(result.orphans),
        )

    def _publish_subset(self, args: list[str], license: str | None, to: str | None) -> None:
        """``--license POLICY --to FOLDER``: the part of a store (local or object) the policy keeps, as a
        local dataset of its own."""
        try:
            if not (license and to):
                raise ArgumentError("--license and --to go together: scrapy publish --license share --to shared/")
            try:
                policy = Policy.parse(license)
            except PolicyError as error:
                raise ArgumentError(str(error).replace("-a license=", "--license ")) from None
            uri = self.store_uri(args[0] if args else None)
            if is_object_store(uri):
                subset = self._object_subset(uri, to, policy)
                if subset is None:
                    return
            else:
                subset = publish_subset(uri.removeprefix("file://"), to, policy)
        except ArgumentError as error:
            logger.error("%s", error)
            self.exitcode = 2
            return
        except StoreRefused as error:
            logger.error("%s", error)
            self.exitcode = error.exitcode
            return
        self._said(subset, policy, to)

    def _object_subset(self, uri: str, to: str, policy: Policy) -> Subset | None:
        """The subset of an object store, into a local folder; None when the store failed (said, exit 1)."""
        from imagespider.dataset.objectstore.client import ObjectStore
        from imagespider.dataset.objectstore.config import ObjectStoreConfig, store_errors, store_failure

        store = ObjectStore(ObjectStoreConfig.from_settings(uri, self.settings))
        try:
            return publish_object_subset(store, to, policy)
        except store_errors() as error:  # no such bucket, credentials refused, nothing listening
            logger.error("%s; nothing was written into %s", store_failure(uri, error), to)
            self.exitcode = 1
            return None

    def _said(self, subset: Subset, policy: Policy, to: str) -> None:
        reasons = ", ".join(f"{reason} {count}" for reason, count in subset.left_out.most_common())
        logger.info("published %d images the license policy %s keeps into %s%s", subset.images, policy, to,
                    f"; left out {subset.left_out.total()} ({reasons})" if subset.left_out else "")
        if subset.failed:
            logger.error("published %s in part: %s not written", to, ", ".join(subset.failed))
            self.exitcode = 1
