"""Every use of Scrapy's private API, in one place (Scrapy is pinned: see requirements.txt).

What imagespider needs here has no public API in Scrapy 2.19:

- A media pipeline verdict that is not logged as an error. ``MediaPipeline`` logs every exception
  from a download step with a traceback, except its private ``_MediaRequestFiltered`` (a request
  an offsite or robots.txt rule filtered out). A refused image (corrupt, duplicate, opted out) is an
  expected outcome, counted and recorded by reason, so :class:`QuietRejection` wraps our
  :class:`~imagespider.errors.Rejected` in that class for the trip through the media pipeline.
- Asking the engine to check "idle now?" (``engine._slot.nextcall``), which a finished request does
  and a settled item does not, and how many items its scraper holds (``engine.scraper.slot.
  itemproc_size``, public names but undocumented) (imagespider/extensions/finish.py).
- Changing a request's URL in place (``Request._set_url``, what ``Request.__init__`` does): the
  API-key middleware adds a key to the URL it sends and takes it out again on the way back, and a
  ``Request.replace`` copy returned from a downloader middleware would go back through the scheduler
  (imagespider/downloadermiddlewares/apikey.py).

tests/unit/test_scrapy_compat.py checks each assumption and names what to look at when a Scrapy
upgrade breaks one.
"""

from __future__ import annotations

from typing import Any

from scrapy.pipelines.media import _MediaRequestFiltered

from imagespider.errors import Rejected


class QuietRejection(_MediaRequestFiltered):
    """A :class:`Rejected` on its way through the media pipeline, which passes this class on
    without logging a traceback. ``DatasetImagesPipeline.item_completed`` unwraps it."""

    def __init__(self, rejected: Rejected) -> None:
        super().__init__(str(rejected))
        self.rejected = rejected


def wake_engine(engine: Any) -> bool:
    """Schedule the engine's next loop call (it closes an idle spider); False when the engine
    has none (closing, closed, or a Scrapy whose engine changed: the heartbeat then decides)."""
    nextcall = getattr(getattr(engine, "_slot", None), "nextcall", None)
    if nextcall is None:
        return False
    nextcall.schedule()
    return True


def items_in_pipelines(engine: Any) -> int | None:
    """Items the engine's scraper has in the item pipelines, or None when no spider is open."""
    slot = getattr(getattr(engine, "scraper", None), "slot", None)
    return None if slot is None else int(slot.itemproc_size)


def set_url_in_place(request: Any, url: str) -> None:
    """Give ``request`` the URL ``url`` as its constructor would (escaped, unless the request is
    ``verbatim_url``), keeping the request object itself."""
    request._set_url(url)
