"""Downloader middlewares, named like Scrapy's own: robots.txt for every image, and the
private-address guard.
"""
