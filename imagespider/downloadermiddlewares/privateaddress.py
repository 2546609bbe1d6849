"""Refuse connections to addresses that are not on the public internet.

A results page is written by strangers: an "image" at ``http://169.254.169.254/latest/meta-data/``
(a cloud's metadata service), ``http://localhost:6800/`` (Scrapyd's own API) or a name in the
office network would make a crawler running unattended on a server fetch from inside its own
network (server-side request forgery). Two guards, both off with ``ALLOW_PRIVATE_ADDRESSES``:

- :class:`PrivateAddressMiddleware` checks every request before it is
  sent, redirected ones included (the redirect middleware's new request passes through every
  downloader middleware again), and refuses with reason ``private_address``.
- :class:`PublicOnlyResolver`, installed as ``TWISTED_DNS_RESOLVER``, is the resolver every
  Scrapy connection uses: a name that resolves to a non-public address never gets a socket,
  even if its DNS answer changed since the middleware asked (DNS rebinding).

Engine endpoints (each registered engine's endpoint settings) are the user's own choice
and stay reachable, so a mirror or a test server on loopback works; what they list does not.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from typing import Any, Self
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.resolver import CachingThreadedResolver
from scrapy.settings import BaseSettings
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.defer import Deferred
from twisted.internet.error import DNSLookupError

from imagespider.engines import endpoint_setting_names

REASON = "private_address"
#: Settings naming an engine endpoint the user configured (BING_SEARCH_URL, FLICKR_API_URL, ...).


class PrivateAddressRefused(IgnoreRequest):
    """A request refused because its host is not a public address; ``reason`` is the drop reason."""

    reason = REASON


class PrivateAddressLookupError(DNSLookupError):
    """The resolver's refusal: a name resolved to a non-public address."""


def public_address(text: str) -> bool:
    """True for an address on the public internet; False for loopback, private (RFC 1918, ULA),
    link-local (169.254.0.0/16: cloud metadata), multicast, reserved, unspecified, shared (CGNAT)
    and documentation ranges, including IPv4 written inside IPv6 (``::ffff:127.0.0.1``)."""
    try:
        address = ipaddress.ip_address(text.strip("[]").split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour or (address.teredo or (None, None))[1]
        if embedded is not None and not public_address(str(embedded)):
            return False
    return address.is_global and not (
        address.is_multicast or address.is_reserved or address.is_unspecified
        or address.is_loopback or address.is_link_local or address.is_private
    )


def ip_literal(host: str) -> str | None:
    """The host as an address when it is written as one (``127.0.0.1``, ``[::1]``), else None."""
    try:
        return str(ipaddress.ip_address(host.strip("[]").split("%", 1)[0]))
    except ValueError:
        return None


def local_name(host: str) -> bool:
    """Names that mean this machine whatever DNS says (RFC 6761)."""
    host = host.lower().rstrip(".")
    return host == "localhost" or host.endswith(".localhost")


def engine_urls(settings: BaseSettings) -> tuple[str, ...]:
    """The engine endpoints the user configured (the registry's endpoint settings,
    imagespider/engines/__init__.py): requests under them are not guarded."""
    return tuple(str(settings[name]) for name in endpoint_setting_names() if settings.get(name))


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


class PublicOnlyResolver(CachingThreadedResolver):
    """Scrapy's caching resolver, refusing names that resolve to a non-public address.

    Every connection Scrapy's HTTP client opens asks this resolver, IP literals included, so it
    is the last word; hosts of the configured engine endpoints are exempt (see module doc).
    """

    def __init__(
        self, reactor: Any, cache_size: int, timeout: float, *, allow_private: bool = False,
        exempt_hosts: Sequence[str] = (),
    ) -> None:
        super().__init__(reactor, cache_size, timeout)
        self.allow_private = allow_private
        self.exempt_hosts = frozenset(host.lower() for host in exempt_hosts if host)

    @classmethod
    def from_crawler(cls, crawler: Any, reactor: Any) -> Self:
        settings = crawler.settings
        cache_size = settings.getint("DNSCACHE_SIZE") if settings.getbool("DNSCACHE_ENABLED") else 0
        return cls(
            reactor, cache_size, settings.getfloat("DNS_TIMEOUT"),
            allow_private=settings.getbool("ALLOW_PRIVATE_ADDRESSES"),
            exempt_hosts=[host_of(url) for url in engine_urls(settings)],
        )

    def getHostByName(self, name: str, timeout: Sequence[int] = ()) -> Deferred[str]:  # noqa: N802
        d = super().getHostByName(name, timeout)
        if self.allow_private or name.lower() in self.exempt_hosts:
            return d
        return d.addCallback(self._check, name)

    @staticmethod
    def _check(address: str, name: str) -> str:
        if not public_address(address):
            raise PrivateAddressLookupError(f"{name} resolves to {address}, not a public address")
        return address


class PrivateAddressMiddleware:
    """Refuse requests to hosts that are not public addresses (see this module's docstring).

    It runs first (before robots.txt is asked, so not even that is fetched) on every request,
    including each hop of a redirect. IP literals and ``localhost`` are judged at once; other
    names are resolved through the crawl's resolver, whose answer the connection then reuses.
    """

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        self.allow_private = settings.getbool("ALLOW_PRIVATE_ADDRESSES")
        self.engine_urls = engine_urls(settings)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    async def process_request(self, request: Request) -> None:
        if self.allow_private or request.meta.get("playwright") or self._is_engine(request.url):
            return  # engine pages: the user chose these endpoints (and Chromium fetches them)
        host = host_of(request.url)
        literal = ip_literal(host)
        if literal is not None:
            if not public_address(literal):
                raise PrivateAddressRefused(f"{host} is not a public address: {request.url[:200]}")
            return
        if local_name(host):
            raise PrivateAddressRefused(f"{host} is this machine: {request.url[:200]}")
        from twisted.internet import reactor  # noqa: PLC0415  (the installed reactor)

        try:
            await maybe_deferred_to_future(reactor.resolve(host))  # type: ignore[attr-defined,arg-type]
        except PrivateAddressLookupError as error:
            raise PrivateAddressRefused(f"{error}: {request.url[:200]}") from None
        except Exception:  # noqa: BLE001  (an unknown name fails, and is retried, when connecting)
            return

    def _is_engine(self, url: str) -> bool:
        return any(url.startswith(base) for base in self.engine_urls)
