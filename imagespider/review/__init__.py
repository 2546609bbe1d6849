"""``scrapy review``: a local web page to prune, relabel and deduplicate a store (docs/review.md)."""
