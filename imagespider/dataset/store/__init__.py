"""The store itself: image files, metadata.jsonl and rejected.jsonl kept in step by one crawl, its lock,
repairs, index and journals (see imagespider/dataset/__init__.py)."""
