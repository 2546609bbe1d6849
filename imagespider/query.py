"""One search query and the class (label) its images go into.

Down here rather than with the spider arguments that parse it (imagespider/spiders/params.py):
the store's resume counts (imagespider/dataset/store/resume.py) and the progress extension key their
counts by it, and neither may import a spider module (docs/development.md, "Layers").
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Query:
    text: str
    label: str
