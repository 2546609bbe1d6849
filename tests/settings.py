"""Settings as a crawl sees them, for unit tests of the typed configs (``Config.from_settings``).

Defaults live only in imagespider/settings.py; a test builds its settings from that module plus
the values it sets, as ``scrapy crawl -s NAME=VALUE`` does.
"""

from __future__ import annotations

import importlib
import tempfile
from typing import Any

from scrapy.settings import Settings


def project_settings(values: dict[str, Any] | None = None) -> Settings:
    settings = Settings()
    settings.setmodule("imagespider.settings", priority="project")
    settings.update(values or {}, priority="cmdline")
    return settings


def project_values(values: dict[str, Any] | None = None) -> dict[str, Any]:
    """imagespider/settings.py as a dict, with ``values`` on top: for ``scrapy.utils.test.get_crawler``.

    A crawler built from it opens its store as its extensions are built: unless ``values`` names
    one, that is a new temporary folder, never the project's default ``./data`` in the checkout
    (which another test process may hold locked)."""
    module = importlib.import_module("imagespider.settings")
    defaults = {name: getattr(module, name) for name in dir(module) if name.isupper()}
    defaults["IMAGES_STORE"] = tempfile.mkdtemp(prefix="imagespider-test-store-")
    return defaults | (values or {})
