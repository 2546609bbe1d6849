"""RowCheckPipeline: an item whose input is unusable is dropped as ``bad_row``, first of all.

A URL list or manifest row, or an API result, that gives a list, a dict or a number where text
belongs (a title, an author, a page URL) is marked when its item is made (imagespider/items.py,
imagespider/text.py); this drops it before any request is made for it, counted and recorded in
rejected.jsonl like every drop, where it used to end in a traceback and ``internal_error``.
"""

from __future__ import annotations

from typing import Any

from imagespider.errors import Rejected


class RowCheckPipeline:
    def process_item(self, item: Any, spider: Any = None) -> Any:
        problem = getattr(item, "problem", None)
        if problem:
            raise Rejected("bad_row", problem)
        return item
