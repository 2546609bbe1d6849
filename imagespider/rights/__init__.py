"""Everything about an image's rights: the license model, reading evidence (words, links, files,
headers, robots.txt), weighing it, and the user's policy. Pure where it can be; only robots.py
talks to Scrapy.
"""
