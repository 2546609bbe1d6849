"""Everything about an image's rights: the license model, reading evidence (words, links, files,
headers, robots.txt), weighing it, and the user's policy. Pure: fetching what these read is
imagespider/sitesignals/.
"""
