"""The dataset a crawl builds, in subpackages named by job (each imports only the ones listed before it):

- ``neardup``: perceptual hashes and the search for an image's nearest twin.
- ``store``: the store itself: what is where (files), durable writes, the JSON Lines files read and
  written a line at a time, the lock, repairs made on open, the manifest row, the SQLite index, the
  crawls and reviews journals, resumed jobs' counts, scratch folders.
- ``documents``: what is rebuilt from the store after a crawl: ATTRIBUTION.md, report.html and its
  thumbnails, the dataset card README.md.
- ``objectstore``: a store in an S3-compatible bucket (config, objects, a crawl's writes, an export source).
- ``export``: ``scrapy export`` (WebDataset and Parquet shards) and ``scrapy publish`` (a store, or the
  part of it a license policy keeps).
"""
