"""Site signals: everything a crawl fetches once per host or origin and shares between every item
of that site.

- ``robots.py``: robots.txt (our agent, the AI crawlers by name, Content-Signal, Content-Usage,
  License, Crawl-delay), for the downloader middlewares and the license pipeline alike.
- ``sitefiles.py``: ``/.well-known/tdmrep.json``, ``/ai.txt`` and the RSL documents robots.txt names.
- ``pages.py``: source pages, read for their rights evidence.
- ``fetch.py``: the crawl's one :class:`~imagespider.sitesignals.fetch.SiteSignals`: config,
  cache, stats, and the request a site file is fetched with.
- ``cache.py``: the one cache, bounded by hosts and by weight, least recently asked forgotten first.
- ``config.py``: every byte cap, the timeout and the cache bounds, read once from the settings.

These modules fetch (through Scrapy's engine, so every downloader middleware applies) and keep;
the reading and deciding is pure and lives in :mod:`imagespider.rights`. Layer: above ``rights``
and the store, below spiders and commands.

Stats, one scheme, ``imagespider/<kind>/<outcome>``, kind one of ``robotstxt``, ``tdmrep``,
``ai_txt``, ``rsl``, ``pages``:

- ``found``, ``missing`` (4xx/5xx or over its byte cap), ``broken`` (not readable),
  ``unavailable`` (no answer): once per file fetched; pages say ``fetched`` and
  ``failed/<why>`` instead (``http_error``, ``not_html``, ``too_large``, ``refused``,
  ``unreachable``, ``unreadable``).
- ``shared``: an ask answered from the cache (or from a fetch under way) instead of a download.
- Read from a robots.txt: ``imagespider/robotstxt/truncated``, ``imagespider/content_signal/...``
  and ``imagespider/content_usage/...`` (sitesignals/robotparser.py); Scrapy's own ``robotstxt/...`` stats
  (``request_count``, ``response_status_count/<status>``, ``forbidden``, ``exception_count/...``)
  are kept as Scrapy counts them, with ``robotstxt/forbidden_ai``.
"""
