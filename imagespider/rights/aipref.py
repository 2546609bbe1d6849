"""Usage preferences for AI: the IETF AI Preferences vocabulary (``Content-Usage``) and
Cloudflare's Content Signals (``Content-Signal``), read as "may this be used to train a model?".

A dataset built here is for training models, generative or not, so a statement reserves it when
it says no to training of either kind (docs/licenses.md, how each term is read):

* ``Content-Usage`` (draft-ietf-aipref-vocab, carried by draft-ietf-aipref-attach as an HTTP header
  and a robots.txt rule): a structured-field dictionary of ``<category>=y|n``. The categories
  nest: ``train-genai`` (generative AI training) within ``train-ai`` (AI training) within
  ``bots`` (automated processing). A category without its own statement takes its parent's, so
  ``bots=n`` says no to training unless ``train-ai=y`` says otherwise. Training is reserved when
  the effective preference of ``train-ai`` or of ``train-genai`` is ``n``. ``search`` and
  ``ai-use`` (use of the content as input to an AI system, not training) reserve nothing here.
* ``Content-Signal`` (contentsignals.org): ``search``, ``ai-input``, ``ai-train`` = ``yes|no``;
  ``ai-train=no`` reserves training. ``ai-input`` is inference, not training.

Values other than these (a ``?1`` boolean, a typo, an unknown category) say nothing.

Pure: text in, the matched term out. No Scrapy, no I/O.
"""

from __future__ import annotations

__all__ = ["parse_preferences", "signal_reservation", "usage_reservation"]

#: Each Content-Usage category that training falls under, with its parent (the vocabulary's tree).
_PARENT = {"train-genai": "train-ai", "train-ai": "bots", "bots": None}
#: Longest value read: a header or rule is a short list; a longer one is cut, not parsed whole.
MAX_VALUE = 4096


def parse_preferences(value: str, yes: str, no: str) -> dict[str, bool]:
    """``key=value`` members of a comma list, lower-cased, kept when the value is ``yes`` or ``no``
    (True for yes). Parameters (``;...``) are dropped; a repeated key keeps its last value, as a
    structured-field dictionary does."""
    out: dict[str, bool] = {}
    for member in value[:MAX_VALUE].split(","):
        key, sep, raw = member.partition("=")
        answer = raw.split(";", 1)[0].strip().strip('"').lower()
        key = key.strip().lower()
        if sep and key and answer in (yes, no):
            out[key] = answer == yes
    return out


def usage_reservation(value: str) -> str | None:
    """The Content-Usage term that reserves training (``"train-ai=n"``, ``"bots=n"``), or None."""
    prefs = parse_preferences(value, "y", "n")
    for category in ("train-ai", "train-genai"):
        node: str | None = category
        while node is not None and node not in prefs:
            node = _PARENT[node]
        if node is not None and prefs[node] is False:
            return f"{node}=n"
    return None


def signal_reservation(value: str) -> str | None:
    """``"ai-train=no"`` when a Content-Signal value says it, else None."""
    return "ai-train=no" if parse_preferences(value, "yes", "no").get("ai-train") is False else None
