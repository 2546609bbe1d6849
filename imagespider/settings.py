"""imagespider settings. Each custom setting is documented once, here, and in docs/settings.md.

Defaults are safe for the open web: polite concurrency, robots.txt obeyed for image hosts,
bounded downloads. Override any of them with ``-s NAME=VALUE`` or Scrapyd's ``setting=``.
"""

import os
import sys

# Imported here, early, for start-up time only: Scrapy's contextfactory (which this imports) runs
# inspect.stack() at import (scrapy/utils/deprecate.py, create_deprecated_class), whose cost grows
# with the stack's depth times the modules loaded. From the reactor, where the download handler is
# first loaded, that took ~1.2 s of every crawl's start; from here, ~0.6 s (measured with -X importtime).
import scrapy.core.downloader.handlers.http11  # noqa: F401
from scrapy.settings import default_settings as _scrapy_defaults

from imagespider.browser import default_launch_options
from imagespider.rights import aiagents as _aiagents

BOT_NAME = "imagespider"
SPIDER_MODULES = ["imagespider.spiders"]
NEWSPIDER_MODULE = "imagespider.spiders"
#: Our own ``crawl`` command: a bad spider argument ends with one line, not a traceback.
COMMANDS_MODULE = "imagespider.commands"

# --- Engines ----------------------------------------------------------------------------
#: str. Bing Images results page; tests point it at tests/mockserver/__init__.py.
BING_SEARCH_URL = "https://www.bing.com/images/search"
#: str. Google Images results page (``?q=..&udm=2`` is added); tests point it at tests/mockserver/google.py.
GOOGLE_SEARCH_URL = "https://www.google.com/search"

# --- Flickr -----------------------------------------------------------------------------
#: str. Flickr REST endpoint; tests point it at tests/mockserver/__init__.py.
FLICKR_API_URL = "https://api.flickr.com/services/rest/"
#: str. Flickr API key (https://www.flickr.com/services/apps/create/); "" = read the FLICKR_API_KEY
#: environment variable. Never written to logs, stats or the dataset.
FLICKR_API_KEY = ""
#: str. Preferred size letter (o, k, h, l, c, z, m); "" = the largest size a photo offers.
FLICKR_SIZE = ""
#: int, 1-500. Photos per flickr.photos.search call (each call counts against the hourly limit).
FLICKR_PER_PAGE = 100
#: str. flickr.photos.search sort unless -a sort= is given: relevance, date-posted-desc, interestingness-desc...
FLICKR_SORT = "relevance"
#: int. safe_search unless -a safe= is given: 1 safe, 2 moderate, 3 restricted.
FLICKR_SAFE_SEARCH = 1

# --- Openverse --------------------------------------------------------------------------
#: str. Openverse API root (``/v1/images/`` is added); tests point it at tests/mockserver/openverse.py.
OPENVERSE_API_URL = "https://api.openverse.org"
#: str. Registered use (https://api.openverse.org/v1/#tag/auth): both, or neither for anonymous use;
#: "" = read the environment variables of the same names. Never written to logs, stats or the dataset.
OPENVERSE_CLIENT_ID = ""
OPENVERSE_CLIENT_SECRET = ""
#: int. Results per call: 1-20 anonymous, up to 500 registered.
OPENVERSE_PAGE_SIZE = 20
#: float, seconds. Longest wait for a used-up rate limit or a 429; a longer one ends the query with one line.
OPENVERSE_MAX_WAIT = 60.0

# --- Wikimedia Commons -------------------------------------------------------------------
#: str. MediaWiki API endpoint; tests point it at tests/mockserver/commons.py.
COMMONS_API_URL = "https://commons.wikimedia.org/w/api.php"
#: str. Wikimedia's User-Agent policy asks for a name and a way to reach you: put your e-mail or page here.
COMMONS_CONTACT = "https://github.com/imagespider/imagespider"
#: int, 1-50. Files per search call (``gsrlimit``).
COMMONS_PAGE_SIZE = 50
#: int, pixels, 0 = off. Ask Commons for a thumbnail this wide (``iiurlwidth``) and download it
#: instead of the original file (originals can be 50 MB+).
COMMONS_THUMB_WIDTH = 0
#: int, seconds. ``maxlag`` sent with every call: Commons answers "maxlag" when its replicas lag
#: more, and the spider waits and retries, as Wikimedia asks of bots.
COMMONS_MAXLAG = 5

#: dict. Per-slot pacing; image downloads keep their hosts' slots. Flickr allows 3,600 API calls an
#: hour per key (one a second); Openverse anonymous 20 a minute (one every 3 s); Wikimedia asks for
#: calls one at a time.
DOWNLOAD_SLOTS = {
    "flickr-api": {"delay": 1.0, "concurrency": 1, "jitter": 0},
    "openverse-api": {"delay": 3.0, "concurrency": 1, "jitter": 0},
    "commons-api": {"delay": 0.5, "concurrency": 1, "jitter": 0},
}

# --- The browser (only engine result pages use it) -------------------------------------
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
# An engine spider keeps scrapy-playwright only for its page URLs' scheme, Scrapy's own handler
# for the other (imagespider/browser.py, page_download_handlers): one Playwright driver, not two.
DOWNLOAD_HANDLERS = {
    "http": "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler",
    "https": "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler",
}
PLAYWRIGHT_BROWSER_TYPE = "chromium"
#: dict. Playwright's own Chromium when ``playwright install chromium`` was run, else the
#: system ``chromium`` on PATH, headless, with the flags a root user on a closed network needs.
PLAYWRIGHT_LAUNCH_OPTIONS = default_launch_options()
#: The browser sends its own headers, so engines see an ordinary Chromium.
PLAYWRIGHT_PROCESS_REQUEST_HEADERS = None
PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT = 30_000
PLAYWRIGHT_MAX_PAGES_PER_CONTEXT = 4
#: Engine pages render without images, fonts or media: we read markup, not pixels.
PLAYWRIGHT_ABORT_REQUEST = "imagespider.browser.abort_request"

#: float, seconds. How long to wait for a page's script to append results after a scroll.
SCROLL_WAIT_TIMEOUT = 8.0
#: int. Scrolls in a row that bring no new result before a query is taken as exhausted.
SCROLL_MAX_STALLS = 2
#: float, seconds. Pause between the wheel steps of one scroll, as a person reads.
SCROLL_STEP_PAUSE = 0.15

# --- Images -----------------------------------------------------------------------------
#: str. The intended use of the dataset, as -a license= (see docs/licenses.md): any, share,
#: commercial, modify, combinations, or license ids. Default: share (redistributable).
LICENSE_POLICY = "share"

#: bool, default True. Before an image is downloaded, read its source page (page_url) for the
#: license, credit and opt-outs it states, when the engine names no license (Bing, Google, URL
#: lists without one): one extra request per distinct page. False = no page requests; then only
#: an API's or the file's own license can name one (docs/licenses.md).
PAGE_EVIDENCE = True
#: int, bytes, default 2 MiB. A larger source page is not read (evidence of nothing); real article
#: pages weigh 50-500 KB of HTML, so 2 MiB leaves room.
PAGE_MAXSIZE = 2 * 1024 * 1024

ITEM_PIPELINES = {
    # First: a result with text of the wrong type is dropped as bad_row (pipelines/rowcheck.py).
    "imagespider.pipelines.rowcheck.RowCheckPipeline": 50,
    "imagespider.pipelines.license.LicenseFilterPipeline": 100,
    "imagespider.pipelines.images.DatasetImagesPipeline": 200,
    "imagespider.pipelines.metadata.MetadataExportPipeline": 300,
}
EXTENSIONS = {
    # Credentials (settings named *_KEY, *_SECRET, *_TOKEN, *_PASSWORD) masked in every log line.
    "imagespider.extensions.redact.RedactSecretsExtension": -10,
    # One crawls.jsonl row per crawl (with its stats), written before the documents are rebuilt.
    "imagespider.extensions.record.CrawlRecordExtension": -5,
    "imagespider.extensions.dataset.DatasetExtension": 0,
    "imagespider.extensions.progress.ProgressExtension": 10,
    # The crawl ends when its last item settles, not at the engine's next 5 s heartbeat.
    "imagespider.extensions.finish.PromptFinishExtension": 20,
}
#: Scrapy's own extensions but its remote control (REMOTE_CONTROL_ENABLED below): a ``None`` in
#: EXTENSIONS still imports an extension (Scrapy loads each key to compare it), and that one
#: imports aiohttp, ~0.15 s of every start, to find itself disabled. Derived from Scrapy's own
#: list, so an extension a later Scrapy adds is kept.
EXTENSIONS_BASE = {
    name: order
    for name, order in _scrapy_defaults.EXTENSIONS_BASE.items()
    if name != "scrapy.extensions.remote_control.RemoteControl"
}
#: float, seconds, default 30. How often a running crawl logs one progress line per query
#: (kept / limit, dropped by reason); 0 = only the summary at the end. See extensions/progress.py.
PROGRESS_INTERVAL = 30.0
#: str. Where the dataset goes (a folder; see docs/output.md). Under Scrapyd give an absolute path:
#: a relative one resolves against Scrapyd's working directory. One crawl writes it at a time (<store>/.lock).
IMAGES_STORE = "data"
#: float, seconds. An object-store image with no row yet is moved to .orphans/ by a publish only
#: once it is this old: younger, a crawl may be between its image's put and its row's.
PUBLISH_ORPHAN_GRACE = 600.0
#: int, pixels. Smaller images are dropped with reason ``too_small``.
IMAGES_MIN_WIDTH = 64
IMAGES_MIN_HEIGHT = 64
#: int, pixels, default 89,478,485. Larger images are dropped as ``decompression_bomb`` before
#: they are decoded. The one knob: Pillow's own limit (Image.MAX_IMAGE_PIXELS) is set from it.
IMAGES_MAX_PIXELS = 89_478_485
#: int. Workers that verify and hash images off the reactor thread (default: the core count).
IMAGES_WORKERS = os.cpu_count() or 2
#: bool, default True on Linux. The IMAGES_WORKERS are processes (forked when the spider opens), so
#: Pillow's decoding does not hold the GIL the reactor needs; False = threads in the crawl's own
#: process (the default elsewhere: forking a threaded process is only safe enough on Linux).
IMAGES_CHECK_PROCESSES = sys.platform.startswith("linux")
#: int, MiB, default 384. What checking one image may take: estimated from its header first, then
#: enforced with RLIMIT_AS in each check process; more is ``too_costly`` (pipelines/checkpool.py).
IMAGES_CHECK_MEMORY = 384
#: float, seconds, default 15. A check still running then (counted from its start, not its wait for a
#: worker) is ``check_timeout``; its worker alone is replaced.
IMAGES_CHECK_TIMEOUT = 15.0
#: int, default 1000. Frames an animated image may have (all of them together also count against
#: IMAGES_MAX_PIXELS); more is ``too_costly``. Only the first frame is decoded to check it.
IMAGES_MAX_FRAMES = 1000
#: bool, default True. Drop an image whose perceptual hash (manifest ``phash``) is within
#: DEDUP_MAX_DISTANCE of an image already kept in the store (any label, engine or earlier crawl),
#: with reason ``near_duplicate`` naming the kept twin. Same bytes are always ``duplicate``.
DEDUP = True
#: int, bits 0-63, default 6. How many of the 64 pHash bits may differ for two images to count
#: as one: re-encodes and resizes measured 0-4 apart, distinct photos 16+ (see dataset/neardup/phash.py).
DEDUP_MAX_DISTANCE = 6
#: Image CDNs redirect; the media pipeline does not follow redirects unless told to.
MEDIA_ALLOW_REDIRECTS = True

# --- Politeness and limits --------------------------------------------------------------
#: Honest user agent for image hosts; robots.txt rules for "imagespider" apply to us.
USER_AGENT = "imagespider/0.1 (+https://github.com/imagespider/imagespider)"
#: Image hosts' robots.txt is obeyed; engine result pages are exempt (we read them as a person does).
ROBOTSTXT_OBEY = True
#: Scrapy's Protego parser, also telling which user agents a robots.txt names (sitesignals/robotparser.py).
ROBOTSTXT_PARSER = "imagespider.sitesignals.robotparser.AiAwareRobotParser"
#: bool, default True. Drop images whose file says an algorithm made them (IPTC DigitalSourceType
#: trainedAlgorithmicMedia & co in XMP or a C2PA manifest) with reason ``ai_generated``; False keeps
#: them, flagged (``rights.ai_generated``). A dataset of real images is what most users train on.
EXCLUDE_AI_GENERATED = True
#: int, bytes, default 64 KiB. A /.well-known/tdmrep.json (W3C TDMRep site file) larger than this is
#: treated as missing (no reservation); each origin's file is fetched once per crawl.
TDMREP_MAXSIZE = 64 * 1024
#: list of str. AI-training crawlers whose robots.txt rules are an AI/TDM reservation: an image or
#: source page that robots.txt bars to one of them by name is dropped as ``robots_txt_ai``
#: (only with ROBOTSTXT_OBEY). Empty list = off.
#: The default list (29 names, dated, with its source) is in imagespider/rights/aiagents.py.
ROBOTSTXT_AI_AGENTS = list(_aiagents.DEFAULT_AI_AGENTS)
#: float, seconds, default 10. The longest robots.txt Crawl-delay waited between requests to one host
#: (every request: images, pages, site files); a longer one is waited at this cap and logged once
#: per host. 0 = Crawl-delay ignored (also with ROBOTSTXT_OBEY = False).
ROBOTSTXT_CRAWL_DELAY_MAX = 10
SPIDER_MIDDLEWARES = {
    # A start() that raises ends the crawl with one line and exit 1, not Scrapy's traceback and exit 0.
    "imagespider.spidermiddlewares.start.StartFailureMiddleware": 0,
}
DOWNLOADER_MIDDLEWARES = {
    # Scrapy's own lets requests through unchecked while robots.txt loads (see downloadermiddlewares/robotstxt.py).
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "imagespider.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": 100,
    # robots.txt Crawl-delay per host, for images, pages and site files alike.
    "imagespider.downloadermiddlewares.crawldelay.CrawlDelayMiddleware": 110,
    # First of all: nothing, not even robots.txt, is asked of a non-public address.
    "imagespider.downloadermiddlewares.privateaddress.PrivateAddressMiddleware": 50,
    # Last before the download: API keys join the URL only as it is sent (never in JOBDIR).
    "imagespider.downloadermiddlewares.apikey.ApiKeyMiddleware": 990,
}
#: bool, default False. Let image and source-page requests reach loopback, private, link-local
#: (169.254.169.254, cloud metadata), multicast and reserved addresses. Off: a results page is
#: written by strangers and must not make a crawler on a server fetch from its own network.
#: Engine endpoints (the *_SEARCH_URL / *_API_URL settings) are reachable either way.
ALLOW_PRIVATE_ADDRESSES = False
#: Scrapy's caching resolver, refusing names that resolve to non-public addresses
#: (see downloadermiddlewares/privateaddress.py).
TWISTED_DNS_RESOLVER = "imagespider.downloadermiddlewares.privateaddress.PublicOnlyResolver"
CONCURRENT_REQUESTS = 32
CONCURRENT_REQUESTS_PER_DOMAIN = 8
#: int, seconds, default 30. A host that has not sent a whole image by then (a stalled or
#: drip-fed response) is given up on: retried, then dropped with reason ``timeout``.
DOWNLOAD_TIMEOUT = 30
#: int, bytes, default 50 MiB. Larger images are dropped as ``too_large``, before the body is read
#: when the host announces its size, else as soon as the limit is passed.
DOWNLOAD_MAXSIZE = 50 * 1024 * 1024
DOWNLOAD_WARNSIZE = 20 * 1024 * 1024
#: int, default 2. Retries after a timeout, a lost connection or a 5xx/408/429 (Scrapy's
#: RETRY_HTTP_CODES; 404 and 410 are final and never retried); then ``timeout``,
#: ``connection_error`` or ``http_error``.
RETRY_TIMES = 2
#: Scrapy's "Gave up retrying <GET url>" line, at DEBUG: every request given up on is said once,
#: by its owner (an API call that fails: one ERROR line; an image: a drop reason in rejected.jsonl).
RETRY_GIVE_UP_LOG_LEVEL = "DEBUG"
#: int, default 5. Redirects followed for one image; a longer chain or a loop is ``too_many_redirects``.
REDIRECT_MAX_TIMES = 5
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False

# --- Distributed crawls (docs/scaling.md) ------------------------------------------
#: str, default "" (off). scrapy-redis's own setting: with a Redis URL (redis://host:6379/0) the crawl
#: is one worker of a distributed job: scrapy-redis's scheduler and dupefilter, the queries handed out
#: from a Redis list, the per-query quota and the sha256 / pHash dedup shared (imagespider/distributed/).
REDIS_URL = ""
#: float, seconds, default 300. How long a worker's hold on a query or a quota place lasts without
#: renewal (live workers renew every third of it): a killed worker's work goes to others after this.
DISTRIBUTED_LEASE_SECONDS = 300.0
#: str, default "" = derived from the spider, its -a arguments and IMAGES_STORE. Names the job's Redis
#: keys; give the same value to workers started with different arguments that are one job.
DISTRIBUTED_JOB = ""
#: int, default 2. Queries (or chunks of a URL list) one worker works on at once; it takes the next as one ends.
DISTRIBUTED_QUERIES = 2
#: int, default 100. Rows of a urls spider's list handed out together (a chunk is the unit a worker takes).
DISTRIBUTED_CHUNK_ROWS = 100
#: With REDIS_URL, sets scrapy-redis's SCHEDULER, DUPEFILTER_CLASS and SCHEDULER_PERSIST (distributed/worker.py).
ADDONS = {"imagespider.distributed.worker.DistributedAddon": 0}

# --- Logging ----------------------------------------------------------------------------
LOG_LEVEL = "INFO"
#: bool, default False. Scrapy's 80-line stats dump at INFO; off: the dump goes to DEBUG and into
#: the crawl's <store>/crawls.jsonl row (extensions/record.py), and the summary closes the log.
STATS_DUMP = False
#: No "Versions:" block at start (``scrapy version -v`` prints it); the enabled components are
#: listed at DEBUG (commands/quiet.py).
LOG_VERSIONS: list[str] = []
#: Scrapy's remote-control HTTP server: like the telnet console, a port nobody asked for. Its
#: extension is also left out of EXTENSIONS_BASE (above); to use it, set this and add
#: ``"scrapy.extensions.remote_control.RemoteControl": 0`` to EXTENSIONS.
REMOTE_CONTROL_ENABLED = False
#: A dropped result is logged as one line with its reason, not as a dump of the item.
LOG_FORMATTER = "imagespider.logformatter.ImageSpiderLogFormatter"
FEED_EXPORT_ENCODING = "utf-8"
