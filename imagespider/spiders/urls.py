"""urls: download a list of image URLs through the same pipelines as the search spiders.

``scrapy crawl urls -a path=FILE`` reads plain text, a CSV with a ``url`` column, or the
``metadata.jsonl`` of another crawl (see imagespider/spiders/urllist.py). Given a manifest it rebuilds
that dataset: same labels and, since names are SHA-256 based, the same file names; every
download must match its recorded ``sha256``, and one that does not is dropped as ``changed``
(one that is gone as ``http_error`` etc.), listed in rejected.jsonl, never silently replaced.

No engine is asked anything, so there is no paging to pace: every row is handed out at once,
unless ``-a limit=N`` caps the kept images per label (a :class:`Quota` per label, as a search
spider has per query). The license policy applies as everywhere: a plain list says nothing about
rights, so under the default policy (``share``) a row is kept only when its source page (a CSV
``page_url`` column) or the file itself names a license (a warning says so at the start); give a
CSV ``license`` column, or ``-a license=any`` for in-house use.
A manifest's recorded license is the declared evidence, with its recorded source.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scrapy.exceptions import CloseSpider, NotConfigured
from scrapy.settings import BaseSettings

from imagespider.browser import PLAIN_HTTP_HANDLERS
from imagespider.dataset.crawlstore import store_of
from imagespider.dataset.objectstore.dataset import ObjectDataset
from imagespider.dataset.store import resume
from imagespider.dataset.store.local import Dataset
from imagespider.distributed.chunks import RowChunks, chunk_span
from imagespider.distributed.feed import OTHER_LIST, OtherList
from imagespider.distributed.worker import fingerprint
from imagespider.errors import FAILURE_PREFIX, ArgumentError
from imagespider.items import ImageItem
from imagespider.quota import Quota
from imagespider.rights.policy import Policy
from imagespider.spiders.params import ArgumentHelp, parse_limit, reject_unknown, requested_policy
from imagespider.spiders.quotaspider import QuotaSpider
from imagespider.spiders.urllist import UrlList, UrlRow, read_url_list

logger = logging.getLogger(__name__)

ARGUMENTS = ("path", "label", "limit", "license")
DEFAULT_LABEL = "images"
#: Rows of a distributed job's chunk asked of Redis in one round trip ("kept by another worker?").
KNOWN_BATCH = 500


@dataclass(frozen=True)
class UrlsArgs:
    path: str
    urls: UrlList
    policy: Policy
    #: Kept images per label; None = keep every row that passes.
    limit: int | None


def parse_urls_args(kwargs: Mapping[str, str], default_policy: str) -> UrlsArgs:
    reject_unknown("urls", kwargs, ARGUMENTS)
    path = (kwargs.get("path") or "").strip()
    if not path:
        raise ArgumentError("no URL list given; use -a path=FILE (text, CSV with a url column, or metadata.jsonl)")
    limit = kwargs.get("limit")
    return UrlsArgs(
        path=path,
        # The policy first: a bad -a license= is reported before the file is read.
        policy=requested_policy(kwargs.get("license"), default_policy),
        limit=parse_limit(limit, per="label") if limit is not None and str(limit).strip() else None,
        urls=read_url_list(path, (kwargs.get("label") or "").strip() or DEFAULT_LABEL),
    )


class UrlsSpider(QuotaSpider[UrlsArgs, str]):
    name = "urls"
    #: No page is rendered: no Playwright driver is started (the project's scrapy-playwright
    #: handlers start two, ~1 s of start-up, at the first request).
    custom_settings = {"DOWNLOAD_HANDLERS": PLAIN_HTTP_HANDLERS}  # noqa: RUF012 (Scrapy's own attribute)

    @classmethod
    def check_arguments(cls, kwargs: Mapping[str, str], settings: BaseSettings) -> UrlsArgs:
        """Parse every ``-a`` and read the list."""
        return parse_urls_args(kwargs, settings["LICENSE_POLICY"])

    def make_quotas(self) -> dict[str, Quota]:
        limit = self.args.limit
        return {} if limit is None else {row.label: Quota(limit) for row in self.args.urls.rows}

    def quota_key(self, item: ImageItem) -> str:
        return item.label

    @classmethod
    def argument_help(cls, settings: BaseSettings) -> list[ArgumentHelp]:
        """The ``-a`` arguments, defaults and choices, for ``scrapy describe``."""
        return [
            ArgumentHelp("path", "a URL list: text (one URL a line), CSV with a url column, or a metadata.jsonl",
                         "none: required"),
            ArgumentHelp("label", "the folder of rows that name none", DEFAULT_LABEL),
            ArgumentHelp("license", "the intended use: any, share, commercial, modify, a combination, or ids",
                         f"{settings['LICENSE_POLICY']} (setting LICENSE_POLICY)",
                         ("any", "share", "commercial", "modify")),
            ArgumentHelp("limit", "images to keep per label", "no cap"),
        ]

    async def start(self) -> AsyncIterator[Any]:
        urls = self.args.urls
        stats = self.crawler.stats
        assert stats is not None
        stats.set_value("imagespider/urls/rows", len(urls.rows))
        if urls.skipped:
            stats.set_value("imagespider/urls/skipped_rows", urls.skipped)
            logger.warning(
                "urls: skipped %d bad rows of %s (%s%s)",
                urls.skipped, self.args.path, "; ".join(urls.notes), "; ..." if urls.skipped > len(urls.notes) else "",
            )
        logger.info("urls: %d images to fetch from %s (%s)", len(urls.rows), self.args.path, urls.kind)
        if not self.args.policy.is_any and all(row.license.id == "unknown" for row in urls.rows):
            logger.warning(
                "urls: %s declares no license, so -a license=%s keeps a row only if its page or file "
                "names one (license_unnamed otherwise); add a license column (CSV) or use -a license=any",
                self.args.path, self.args.policy,
            )
        dataset = self._dataset()
        if dataset is not None:
            # A job resumed with its JOBDIR keeps ``limit`` per label in all, not ``limit`` more.
            for label, kept in resume.kept_per_label_by_this_job_from_counts(
                self.crawler.settings, dataset.count_by_label()
            ).items():
                if label in self.quotas:
                    self.quotas[label].kept = min(kept, self.quotas[label].limit)
        chunks = None
        if self.worker is not None:
            # A distributed job: this worker fetches the chunks of rows the job's list hands it.
            listed = fingerprint(f"{row.label} {row.image_url}" for row in urls.rows)
            chunks = RowChunks(self.worker.feed, len(urls.rows), self.worker.config.chunk_rows, listed)
            try:
                await self.worker.io.call(chunks.seed)
            except OtherList as error:
                logger.error("urls: %s", error)
                raise CloseSpider(FAILURE_PREFIX + OTHER_LIST) from None
            chunks.watch(self.crawler)
            self.worker.busy_sources.append(chunks.busy)
        async for chunk, row, kept_by_the_job in self._rows(chunks):
            if kept_by_the_job or (dataset is not None and dataset.has_url(row.image_url, row.label)):
                # Kept by an earlier crawl: not fetched again, and not a rejection either.
                stats.inc_value("imagespider/skipped/already_in_dataset")
                continue
            if dataset is not None and dataset.removed_in_review(row.image_url):
                # Removed by a person in `scrapy review`: not fetched into this store again.
                stats.inc_value("imagespider/skipped/reviewed_removed")
                continue
            quota = self.quotas.get(row.label)
            if quota is not None:
                if not await quota.acquire():
                    continue  # this label is full; later rows may be of another label
            item = self.build_item(row)
            if chunks is not None and chunk is not None:
                chunks.started(chunk, item)
            yield item

    async def _rows(self, chunks: RowChunks | None) -> AsyncIterator[tuple[str | None, UrlRow, bool]]:
        """Each row, its chunk, and whether a worker of the job kept its URL already. That is
        asked of Redis :data:`KNOWN_BATCH` rows at a time, not row by row: Scrapy takes a
        spider's items as fast as they come, so the rows of a batch are all in the pipelines
        at once, and a Redis that stalls then stops no download of them (issue 28). Asked row
        by row, a stall froze the list at the row it was on, however many were left to fetch."""
        rows = self.args.urls.rows
        if chunks is None or self.worker is None:
            for row in rows:
                yield None, row, False
            return
        async for chunk in chunks.take():
            span = rows[chunk_span(chunk)]
            for first in range(0, len(span), KNOWN_BATCH):
                batch = span[first:first + KNOWN_BATCH]
                known = await self.worker.has_urls([(row.image_url, row.label) for row in batch])
                for row, kept in zip(batch, known, strict=True):
                    yield chunk, row, kept

    def _dataset(self) -> Dataset | ObjectDataset | None:
        try:
            return store_of(self.crawler)
        except NotConfigured:
            return None

    def build_item(self, row: UrlRow) -> ImageItem:
        return ImageItem(
            image_url=row.image_url,
            label=row.label,
            # A manifest row keeps where it was first found; a plain list is its own query.
            query=row.query if row.query is not None else Path(self.args.path).name,
            engine=row.engine or self.name,
            page_url=row.page_url,
            title=row.title,
            author=row.author,
            author_url=row.extra.get("author_url"),
            site=row.extra.get("site"),
            license=row.license,
            expected_sha256=row.expected_sha256,
            is_thumbnail=row.is_thumbnail,
        )
