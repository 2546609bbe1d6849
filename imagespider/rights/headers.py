"""Opt-out signals sent with a response: ``X-Robots-Tag`` (``noai``, ``noimageai``, ``noml``), TDMRep's
``tdm-reservation`` / ``tdm-policy`` headers and the IETF AI Preferences ``Content-Usage`` header
(read by :mod:`imagespider.rights.aipref`).

Pure: a header mapping in, a frozen dataclass out. No Scrapy, no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from imagespider.rights.aipref import usage_reservation

__all__ = ["HeaderSignals", "read_headers"]

#: ``noml`` ("no machine learning") is written by some CMS plugins and proposed beside ``noai``.
AI_OPT_OUT_DIRECTIVES = frozenset({"noai", "noimageai", "noml"})
# Directives whose own syntax is "name: value"; their name must not be taken for a user agent.
VALUED_DIRECTIVES = frozenset(
    {"max-snippet", "max-image-preview", "max-video-preview", "unavailable_after"}
)


@dataclass(frozen=True, slots=True)
class HeaderSignals:
    """Opt-out signals sent with the image response.

    ``noai`` covers only ``noai``/``noimageai``/``noml``. ``none`` and ``noindex`` are deliberately not an
    AI opt-out: they ask search engines not to index or show the resource, which says nothing
    about text and data mining, and reading them as an opt-out would drop most CDN-served images.
    """

    x_robots_tag: str | None
    noai: bool
    tdm_reservation: bool
    tdm_policy: str | None
    #: The ``Content-Usage`` header as sent (IETF AI Preferences), when there is one.
    content_usage: str | None = None

    @property
    def usage_reserved(self) -> str | None:
        """The Content-Usage term that reserves training (``train-ai=n``), or None."""
        return usage_reservation(self.content_usage) if self.content_usage else None

    def to_dict(self) -> dict[str, Any]:
        """Booleans always (False is a checked answer), strings only when present."""
        out: dict[str, Any] = {"noai": self.noai, "tdm_reservation": self.tdm_reservation}
        if self.x_robots_tag:
            out["x_robots_tag"] = self.x_robots_tag
        if self.tdm_policy:
            out["tdm_policy"] = self.tdm_policy
        if self.content_usage:
            out["content_usage"] = self.content_usage
        return out


def read_headers(
    headers: Mapping[str, Sequence[str | bytes]] | Mapping[bytes, Sequence[bytes]],
    user_agent_token: str = "imagespider",  # noqa: S107 (a robots token, not a password)
) -> HeaderSignals:
    """Read X-Robots-Tag and TDMRep headers from a response.

    Accepts str or bytes names and values, in any case, so a Scrapy ``Headers`` object (bytes,
    ``items()`` giving value lists) and a plain dict both work; a bare str/bytes value is taken
    as a one-element list. ``none``/``noindex`` are not treated as an AI opt-out (see
    HeaderSignals). A directive prefixed by a user agent ("googlebot: noai") binds only that
    agent; "*" and our ``user_agent_token`` bind us. TDMRep: ``tdm-reservation: 1`` reserves
    mining rights; if several values disagree, any "1" wins, because opt-out must win.
    """
    values = _normalise_headers(headers)
    robots = values.get("x-robots-tag", [])
    reservation = values.get("tdm-reservation", [])
    policy = next((v for v in values.get("tdm-policy", []) if v), None)
    usage = values.get("content-usage", [])
    return HeaderSignals(
        x_robots_tag=", ".join(robots) if robots else None,
        noai=any(_robots_value_opts_out(v, user_agent_token) for v in robots),
        tdm_reservation=any(v == "1" for v in reservation),
        tdm_policy=policy,
        # Several Content-Usage fields are one dictionary, joined as HTTP joins repeated fields.
        content_usage=", ".join(usage) if usage else None,
    )


def _normalise_headers(headers: Mapping[Any, Any]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for name, raw_values in headers.items():
        if isinstance(raw_values, (str, bytes)):
            raw_values = [raw_values]
        key = _to_str(name).strip().lower()
        out.setdefault(key, []).extend(
            s for s in (_to_str(v).strip() for v in raw_values) if s
        )
    return out


def _to_str(value: str | bytes) -> str:
    """HTTP header bytes are Latin-1 by RFC 9110; decoding that way never fails."""
    return value.decode("latin-1") if isinstance(value, bytes) else str(value)


def _robots_value_opts_out(value: str, user_agent_token: str) -> bool:
    """Walk one X-Robots-Tag value, tracking which user agent the directives address.

    Google's syntax lets a value start with "agent:" and then list directives for that agent;
    we let a later "agent:" switch the scope too, which is how combined headers look after a
    proxy folds several into one line.
    """
    me = user_agent_token.strip().lower()
    applies = True  # unprefixed directives address every crawler
    for token in value.split(","):
        token = token.strip().lower()
        head, sep, rest = token.partition(":")
        if sep and head.strip() not in VALUED_DIRECTIVES:
            agent = head.strip()
            applies = agent in (me, "*")
            token = rest.strip()
        if applies and token in AI_OPT_OUT_DIRECTIVES:
            return True
    return False
