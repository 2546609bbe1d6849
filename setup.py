"""Packaging for ``scrapyd-deploy``, which builds an egg with ``python setup.py bdist_egg``.

Name, version and Python requirement live in pyproject.toml; this file adds what Scrapyd needs
from the egg: the ``scrapy`` entry point naming the settings module (Scrapyd's runner reads it to
set SCRAPY_SETTINGS_MODULE), and the packages, without tests and benchmarks, with the one set of
data files the package reads at run time: the review page's HTML, CSS and script
(imagespider/review/static/, read through importlib.resources, which finds them inside the egg).
"""

from setuptools import find_packages, setup

setup(
    packages=find_packages(include=["imagespider", "imagespider.*"], exclude=["tests*", "benchmarks*"]),
    package_data={"imagespider.review": ["static/*.html", "static/*.css", "static/*.js"]},
    entry_points={"scrapy": ["settings = imagespider.settings"]},
)
