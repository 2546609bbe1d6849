"""Settings as a crawl sees them, for unit tests of the typed configs (``Config.from_settings``).

Defaults live only in imagespider/settings.py; a test builds its settings from that module plus
the values it sets, as ``scrapy crawl -s NAME=VALUE`` does.
"""

from __future__ import annotations

from typing import Any

from scrapy.settings import Settings


def project_settings(values: dict[str, Any] | None = None) -> Settings:
    settings = Settings()
    settings.setmodule("imagespider.settings", priority="project")
    settings.update(values or {}, priority="cmdline")
    return settings
