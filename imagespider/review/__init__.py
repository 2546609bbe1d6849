"""``scrapy review``: a local web page to prune, relabel and deduplicate a store (README "Review a dataset")."""
