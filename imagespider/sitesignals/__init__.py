"""Site signals: everything a crawl fetches once per host or origin and shares between every item
of that site: robots.txt (our agent, the AI crawlers by name, Content-Signal, Content-Usage,
License, Crawl-delay), ``/.well-known/tdmrep.json``, ``/ai.txt``, the RSL documents robots.txt
names, and source pages.

These modules fetch (through Scrapy's engine) and keep; the reading and deciding is pure and lives
in :mod:`imagespider.rights`. Layer: above ``rights`` and the store, below spiders and commands.
"""
