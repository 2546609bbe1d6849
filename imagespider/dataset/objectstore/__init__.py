"""A store in an S3-compatible object store: where it is (config), its objects (client), a crawl's
writes into it (dataset), and its rows as an export source (source)."""
