"""Packaging for ``scrapyd-deploy``, which builds an egg with ``python setup.py bdist_egg``.

Name, version and Python requirement live in pyproject.toml; this file adds what Scrapyd needs
from the egg: the ``scrapy`` entry point naming the settings module (Scrapyd's runner reads it to
set SCRAPY_SETTINGS_MODULE), and the packages, without tests and benchmarks. imagespider reads no
data files at run time, so Python modules are all the egg has to carry.
"""

from setuptools import find_packages, setup

setup(
    packages=find_packages(include=["imagespider", "imagespider.*"], exclude=["tests*", "benchmarks*"]),
    entry_points={"scrapy": ["settings = imagespider.settings"]},
)
