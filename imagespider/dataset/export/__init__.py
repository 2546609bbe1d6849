"""Out of a store: ``scrapy export`` (training shards) and ``scrapy publish`` (a whole store, or the
part a license policy keeps)."""
