"""Scrapy extensions: the dataset's lifetime and drop accounting, progress lines, a prompt finish,
and secrets kept out of the log.
"""
