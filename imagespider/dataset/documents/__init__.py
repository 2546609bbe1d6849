"""The store's documents, rebuilt from it after every crawl: ATTRIBUTION.md, report.html (and its
thumbnails) and the dataset card README.md."""
