"""``scrapy rights IMAGE_URL --page PAGE_URL [--html FILE]``: what a crawl would conclude for one
image from its source page, as one JSON object, so a user can see why an image was kept or dropped.

Nothing here decides anything: the verdict is the crawl's own. Without ``--html`` a one-request
crawl (:class:`RightsCheckSpider`, not in SPIDER_MODULES) runs the crawl's license pipeline
(imagespider/pipelines/license.py) on the image, with the same settings: the source page's
robots.txt (our agent and the AI crawlers by name), the site files of the image's and the page's
origins (robots.txt Content-Signal / Content-Usage and RSL licenses, ``tdmrep.json``, ``ai.txt``),
the page itself fetched through Scrapy's downloader (private-address guard, redirects,
``PAGE_MAXSIZE``), then the policy; the image host's robots.txt is asked as the image's download
would ask it. With ``--html`` a saved page is read instead, offline: decoded as
Scrapy decodes a response (BOM, ``<meta charset>``, else detected), bounded by ``PAGE_MAXSIZE``,
only a regular file (a FIFO, a device or a folder is refused, exit 2), read by the same page
reader (imagespider/rights/page.py) and weighed by the same functions; the
sites' own files (robots.txt, tdmrep.json) are not asked. The image itself is never downloaded:
what its file could add (embedded license, opt-out headers) is weighed by a crawl after download,
and the output says which verdicts wait for it (``stage``).

A bad argument is one line on stderr and exit status 2; the JSON goes to stdout.
"""

from __future__ import annotations

import argparse
import json
import os
import stat
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from scrapy import Spider
from scrapy.commands import ScrapyCommand
from scrapy.http import HtmlResponse
from scrapy.settings import SETTINGS_PRIORITIES, BaseSettings, Settings

from imagespider.browser import PLAIN_HTTP_HANDLERS
from imagespider.commands.crawl import set_log_level
from imagespider.commands.quiet import quiet_banner
from imagespider.commands.settings_check import check_settings
from imagespider.errors import ArgumentError, Rejected, shown
from imagespider.items import ImageItem
from imagespider.pipelines.license import (
    LicenseFilterPipeline,
    page_failure,
    policy_drop,
    take_page,
)
from imagespider.rights.aiagents import ai_agents_setting
from imagespider.rights.page import PageEvidence, PageIndex, index_page
from imagespider.rights.policy import Policy
from imagespider.sitesignals.config import PageConfig
from imagespider.sitesignals.pages import PageFailure
from imagespider.sitesignals.robots import RobotsCache
from imagespider.spiders.params import parse_policy
from imagespider.text import clean_value

#: Drop reasons before download that are not an owner's opt-out: the policy's (``license_*``) and
#: the engine's restriction marks. Every other one is (robots.txt, Content-Signal, RSL, TDMRep,
#: ai.txt, the page's noai...), so a signal the pipeline learns is shown as one here too.
NOT_OPT_OUTS = frozenset({"restricted"})
#: Longest URL taken on the command line (browsers and servers refuse far shorter ones).
MAX_URL = 8192
#: Why a statement of each scope applies to the image (PageEvidence.scope).
WHY = {
    "image": "tied to this image: it stands with the image (its figure, caption, credit or gallery cell) "
    "or in structured data naming the image's URL",
    "content": "in the page's main content, about the page's principal image (an article's license or "
    "photo credit), and this is that image",
    "page": "page-wide: the one license statement the page makes, applied to each of its images",
}
_LABEL = "rights"


def checked_url(value: str | None, what: str) -> str:
    """An http(s) URL with a host, as given; raises :class:`ArgumentError` saying what to change."""
    text = (value or "").strip()
    if not text:
        raise ArgumentError(f"give the {what} as an http(s) URL")
    if len(text) > MAX_URL:
        raise ArgumentError(f"the {what} is {len(text)} characters long, more than {MAX_URL}")
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018  (read to check it: a port out of range raises here)
    except ValueError as error:
        raise ArgumentError(f"the {what} {shown(text[:200])} is not a URL: {error}") from None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname or not text.isprintable():
        raise ArgumentError(f"the {what} {shown(text[:200])} is not an http(s) URL with a host")
    return text


def read_saved_page(path: str, maxsize: int) -> bytes | None:
    """The saved page's bytes, or None when it is larger than ``maxsize`` (a crawl would not read
    it either: at most ``maxsize + 1`` bytes are read). Only a regular file is read: a FIFO would
    make the command wait for a writer forever, and a device (``/dev/zero``) never ends. It is
    opened without waiting (``O_NONBLOCK``, which a regular file's reads ignore) and its kind taken
    from the open file, so a FIFO put in its place after a check cannot block the read."""
    if not path.strip():
        raise ArgumentError("--html names no file; give the saved page's path")
    file = Path(path).expanduser()
    try:
        fd = os.open(file, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY)
    except OSError as error:
        raise ArgumentError(f"cannot read --html {shown(path)}: {error.strerror or error}") from None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        if stat.S_ISDIR(info.st_mode):
            raise ArgumentError(f"--html {shown(path)} is a folder; give the saved page's file")
        raise ArgumentError(f"--html {shown(path)} is {_kind(info.st_mode)}, not a saved page; give the page's file")
    with os.fdopen(fd, "rb") as handle:
        if info.st_size > maxsize:
            return None
        try:
            data = handle.read(maxsize + 1)
        except OSError as error:
            raise ArgumentError(f"cannot read --html {shown(path)}: {error.strerror or error}") from None
    return None if len(data) > maxsize else data


def _kind(mode: int) -> str:
    """What a file that is not a regular file nor a folder is, in a user's words."""
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def decoded(data: bytes, page_url: str) -> tuple[str, str]:
    """The page's text and the URL it is read at, as a crawl's response gives them (Scrapy's
    decoding: BOM, ``<meta charset>``, else detected; undecodable bytes replaced)."""
    response = HtmlResponse(url=page_url, body=data)
    return response.text, response.url


@dataclass
class Check:
    """One image's check: the item after the crawl's steps, the drop if any, and the page read."""

    item: ImageItem
    policy: Policy
    drop: Rejected | None = None
    found: PageEvidence | None = None
    #: ``fetched`` (through a crawl's downloader, with the site files) or ``saved`` (``--html``).
    page_source: str = "fetched"
    #: What a crawl would also weigh that this check could not (a saved page's RSL documents).
    unchecked: tuple[str, ...] = ()


def new_item(image_url: str, page_url: str) -> ImageItem:
    """The item a Bing or Google result makes: an image, its page, no license named."""
    return ImageItem(image_url=image_url, label=_LABEL, query="", engine=_LABEL, page_url=page_url)


def check_saved_page(
    image_url: str, page_url: str, data: bytes | None, settings: BaseSettings, policy: Policy
) -> Check:
    """``--html``: the page step and the policy, on a saved page (see the module docstring)."""
    check = Check(new_item(image_url, page_url), policy, page_source="saved")
    config = PageConfig.from_settings(settings)
    if not config.enabled:
        check.item.rights["page"] = {"url": page_url, "error": "disabled", "detail": "PAGE_EVIDENCE is False"}
    elif data is None:
        failure = PageFailure("too_large", f"the page is larger than PAGE_MAXSIZE={config.maxsize} bytes")
        check.item.rights["page"] = page_failure(page_url, failure)
    else:
        text, url = decoded(data, page_url)
        index = index_page(text, url, None, config.user_agent_token)
        check.found = index.evidence_for(image_url)
        if index.rsl_links:
            named = ", ".join(index.rsl_links[:5])
            check.unchecked = (f"the RSL license documents the page links, which a crawl reads: {named}",)
        try:
            take_page(check.item, url, check.found)
        except Rejected as drop:
            check.drop = drop
    if check.drop is None:
        check.drop = policy_drop(check.item.license, policy)
    return check


class RightsCheckSpider(Spider):
    """Runs the crawl's license pipeline on one image (``scrapy rights`` without ``--html``)."""

    name = "rights"
    custom_settings = {  # noqa: RUF012 (Scrapy's own attribute)
        "DOWNLOAD_HANDLERS": PLAIN_HTTP_HANDLERS,
        "ITEM_PIPELINES": {},
        # Nothing is kept: no store is opened, locked or written, no crawl recorded.
        "EXTENSIONS": {"imagespider.extensions.redact.RedactSecretsExtension": -10},
    }

    def __init__(self, image_url: str, page_url: str, policy: Policy, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.args = argparse.Namespace(policy=policy)  # read by crawl_policy, as a search spider's
        self.check = Check(new_item(image_url, page_url), policy)

    @classmethod
    def update_settings(cls, settings: BaseSettings) -> None:
        super().update_settings(settings)
        # Not the user's paused job, nor a distributed job: this is no crawl of theirs.
        settings.set("JOBDIR", None, priority=50)
        settings.set("REDIS_URL", "", priority=50)

    async def start(self) -> AsyncIterator[Any]:
        assert self.crawler is not None
        check, item = self.check, self.check.item
        pipeline = LicenseFilterPipeline(self.crawler)
        try:
            await pipeline.process_item(item)
            await self._image_robots(pipeline)
        except Rejected as drop:
            check.drop = drop
        page = item.rights.get("page")
        if page is not None and "error" not in page:
            index = await pipeline.pages.index(item.page_url or "")  # the same read, kept by the pipeline
            check.found = index.evidence_for(item.image_url) if isinstance(index, PageIndex) else None
        elif page is None and check.drop is None and not pipeline.pages.config.enabled:
            item.rights["page"] = {"url": item.page_url, "error": "disabled", "detail": "PAGE_EVIDENCE is False"}
        return
        yield  # an async generator that yields no request: the checks above are the crawl

    async def _image_robots(self, pipeline: LicenseFilterPipeline) -> None:
        """The image host's robots.txt, as the image's download meets it
        (imagespider/downloadermiddlewares/robotstxt.py)."""
        if not pipeline.obey_robots:
            return
        robots = RobotsCache.of(pipeline.crawler)
        url = self.check.item.image_url
        if not await robots.allowed(url):
            raise Rejected("robots_txt", f"the image host's robots.txt disallows us: {url}")
        agents = ai_agents_setting(pipeline.crawler.settings.get("ROBOTSTXT_AI_AGENTS"))
        if agent := await robots.barring_ai_agent(url, agents):
            raise Rejected("robots_txt_ai", f"robots.txt disallows {agent} (an AI-training crawler) from {url}")


def conclusion(check: Check) -> Any:
    """The JSON object ``scrapy rights`` prints (docs/licenses.md, "scrapy rights")."""
    item, drop, found = check.item, check.drop, check.found
    lic = item.license
    statement = found.license_statement if found is not None else None
    opt_out = drop.reason if drop is not None and is_opt_out(drop.reason) else None
    if drop is not None:
        kept, stage, reason, detail = False, "before download", drop.reason, drop.detail
    elif final := check.policy.check(lic):
        # A license not named yet passes until the file is read; a file that names none is dropped then.
        kept, stage, reason = False, "after download", final
        detail = f"{lic.label} ({lic.source}) fails -a license={check.policy} unless the image file names a license"
    else:
        kept, stage, reason = True, "after download", None
        detail = "kept unless the image file or its download says otherwise"
    # Cleaned as the store cleans every row it writes (imagespider/text.py): what rights.page holds.
    return clean_value({
        "image_url": item.image_url,
        "page_url": item.page_url,
        "license": lic.id,
        "license_version": lic.version,
        "license_url": lic.url,
        "license_source": lic.source,
        "author": item.author,
        "author_url": item.author_url,
        "opt_out": opt_out,
        "opt_out_detail": drop.detail if opt_out and drop is not None else None,
        "scope": found.scope if found is not None and statement is not None else None,
        "evidence": _evidence(found),
        "policy": str(check.policy),
        "kept": kept,
        "stage": stage,
        "reason": reason,
        "detail": detail,
        "page_source": check.page_source,
        "unchecked": list(check.unchecked),
        "page": item.rights.get("page"),
    })


def is_opt_out(reason: str) -> bool:
    return not reason.startswith("license_") and reason not in NOT_OPT_OUTS


def _evidence(found: PageEvidence | None) -> dict[str, Any] | None:
    """The statement the license was read from: its element, what it says, why it applies."""
    if found is None:
        return None
    statement = found.license_statement
    if statement is None:
        why = found.note or ("the page names no license for this image" if found.image_found
                             else "the image was not found on the page, and no page-wide license applies")
        return {"element": None, "text": None, "why": why}
    scope = found.scope or ""
    why = WHY.get(scope, f"scope {scope}" if scope else "the page's statement")
    # A note beside a chosen license says how it was chosen (the most restrictive of several).
    return {"element": statement.element, "text": statement.value, "why": f"{why}; {found.note}" if found.note else why}


def dumped(out: dict[str, Any]) -> bytes:
    """The object as UTF-8 JSON; escaped to ASCII if a page's text cannot be encoded (a lone surrogate)."""
    try:
        return (json.dumps(out, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    except UnicodeEncodeError:
        return (json.dumps(out, ensure_ascii=True, indent=2) + "\n").encode("ascii")


class Command(ScrapyCommand):
    requires_project = True

    def syntax(self) -> str:
        return "IMAGE_URL --page PAGE_URL [--html FILE] [--license POLICY]"

    def short_desc(self) -> str:
        return "Show what a crawl would conclude about an image's rights from its source page (JSON)"

    def long_desc(self) -> str:
        return (
            "Print, as one JSON object, the license, author, opt-out and evidence a crawl would take for "
            "IMAGE_URL from its source page PAGE_URL, and whether the policy keeps it. --html FILE reads a "
            "saved copy of the page instead of fetching it."
        )

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--page", help="the image's source page (required; also the saved page's address)")
        parser.add_argument("--html", help="a saved copy of the page to read instead of fetching it")
        parser.add_argument("--license", help="the policy, as -a license= (default: LICENSE_POLICY)")

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        assert self.settings is not None
        # Quiet unless asked (-L, -s LOG_LEVEL): the answer is the JSON, not the crawl's log.
        if (self.settings.getpriority("LOG_LEVEL") or 0) < SETTINGS_PRIORITIES["cmdline"]:
            self.settings.set("LOG_LEVEL", "WARNING", priority="project")
        set_log_level(self.settings)
        quiet_banner()

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.settings is not None
        try:
            check = self._check(args, opts, self.settings)
        except (ArgumentError, ValueError) as error:  # ValueError: PageConfig's PAGE_MAXSIZE
            print(f"rights: {error}", file=sys.stderr)
            self.exitcode = 2
            return
        if check is None:
            return
        sys.stdout.flush()
        sys.stdout.buffer.write(dumped(conclusion(check)))
        sys.stdout.flush()

    def _check(self, args: list[str], opts: argparse.Namespace, settings: Settings) -> Check | None:
        if len(args) != 1:
            got = f"got {len(args)}: {shown(' '.join(args)[:200])}" if args else "got none"
            raise ArgumentError(f"give one image URL, then --page PAGE_URL ({got})")
        image_url = checked_url(args[0], "image URL")
        page_url = checked_url(opts.page, "source page (--page)")
        check_settings(settings)
        if opts.license is not None:
            policy = parse_policy(opts.license, given_as="--license")
        else:
            policy = parse_policy(str(settings["LICENSE_POLICY"]), given_as="-s LICENSE_POLICY")
        config = PageConfig.from_settings(settings)
        if opts.html is not None:
            return check_saved_page(image_url, page_url, read_saved_page(opts.html, config.maxsize), settings, policy)
        assert self.crawler_process is not None
        crawler = self.crawler_process.create_crawler(RightsCheckSpider)
        self.crawler_process.crawl(crawler, image_url=image_url, page_url=page_url, policy=policy)
        self.crawler_process.start()
        spider = crawler.spider
        if not isinstance(spider, RightsCheckSpider) or self.crawler_process.bootstrap_failed:
            print("rights: the check could not run (see the log above)", file=sys.stderr)
            self.exitcode = 1
            return None
        return spider.check


__all__ = ["Command", "RightsCheckSpider", "check_saved_page", "conclusion"]
