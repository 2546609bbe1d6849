"""Refuse connections to addresses that are not on the public internet.

A results page is written by strangers: an "image" at ``http://169.254.169.254/latest/meta-data/``
(a cloud's metadata service), ``http://localhost:6800/`` (Scrapyd's own API) or a name in the
office network would make a crawler running unattended on a server fetch from inside its own
network (server-side request forgery). Two guards, both off with ``ALLOW_PRIVATE_ADDRESSES``:

- :class:`PrivateAddressMiddleware` checks every request before it is
  sent, redirected ones included (the redirect middleware's new request passes through every
  downloader middleware again), and refuses with reason ``private_address``.
- :class:`PublicOnlyResolver`, installed as ``TWISTED_DNS_RESOLVER``, is the resolver every
  Scrapy connection uses (IPv4 and IPv6, through getaddrinfo): a name that resolves to a
  non-public address never gets a socket, even if its DNS answer changed since the middleware
  asked (DNS rebinding).

Engine endpoints (each registered engine's endpoint settings) are the user's own choice
and stay reachable, so a mirror or a test server on loopback works; what they list does not.
The exemption is exact (:class:`Endpoint`): the endpoint's scheme, host and port, and paths
under its path; another port or path on the same host is guarded like any URL.

Behind an HTTP proxy (``http_proxy``/``https_proxy``, Scrapy's HttpProxyMiddleware) the guard
judges the *target* host, as above; the proxy itself, which the user configured, is reachable
(:func:`proxy_hosts`). A target name this machine cannot resolve is left to the proxy.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Self
from urllib.parse import urlsplit
from urllib.request import getproxies

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.resolver import CachingHostnameResolver
from scrapy.settings import BaseSettings
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.error import DNSLookupError
from twisted.internet.threads import deferToThread

from imagespider.engines import endpoint_setting_names

REASON = "private_address"
_DEFAULT_PORTS = {"http": 80, "https": 443}


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


@dataclass(frozen=True, slots=True)
class Endpoint:
    """One configured engine endpoint, as the exact place it exempts: scheme, host, port, and
    the paths under its path (``/services/rest/`` covers ``/services/rest/?method=...``;
    ``/images/search`` covers ``/images/search?q=`` and ``/images/search/more``, not
    ``/images/searchx``). No path covers every path of that scheme, host and port."""

    scheme: str
    host: str
    port: int
    path: str

    @classmethod
    def parse(cls, url: str) -> Endpoint | None:
        try:
            parts = urlsplit(url.strip())
            port = parts.port or _DEFAULT_PORTS.get(parts.scheme.lower(), 0)
        except ValueError:
            return None
        if not parts.hostname or not port:
            return None
        return cls(parts.scheme.lower(), parts.hostname.lower(), port, parts.path.rstrip("/"))

    def covers(self, url: str) -> bool:
        other = Endpoint.parse(url)
        if other is None or (other.scheme, other.host, other.port) != (self.scheme, self.host, self.port):
            return False
        path = urlsplit(url).path
        return not self.path or path == self.path or path.startswith(self.path + "/")


def proxy_hosts(environ: dict[str, str] | None = None) -> tuple[str, ...]:
    """The hosts of the HTTP proxies the environment configures (``http_proxy``, ``HTTPS_PROXY``
    ...: what Scrapy's HttpProxyMiddleware reads): the user's choice, so reachable."""
    proxies = getproxies() if environ is None else {
        k.lower().removesuffix("_proxy"): v for k, v in environ.items() if k.lower().endswith("_proxy") and v
    }
    hosts = []
    for scheme, url in proxies.items():
        if scheme in ("http", "https"):
            host = host_of(url if "://" in url else f"http://{url}")
            if host:
                hosts.append(host)
    return tuple(hosts)


class _PublicOnlyReceiver:
    """Passes on only public addresses of ``name`` to the connection that asked."""

    def __init__(self, receiver: Any, name: str) -> None:
        self.receiver, self.name = receiver, name
        self.refused: list[str] = []

    def resolutionBegan(self, resolution: Any) -> None:  # noqa: N802
        self.receiver.resolutionBegan(resolution)

    def addressResolved(self, address: Any) -> None:  # noqa: N802
        if public_address(address.host):
            self.receiver.addressResolved(address)
        else:
            self.refused.append(address.host)

    def resolutionComplete(self) -> None:  # noqa: N802
        self.receiver.resolutionComplete()


class PublicOnlyResolver(CachingHostnameResolver):
    """Scrapy's caching hostname resolver (getaddrinfo: IPv4 and IPv6), passing on only public
    addresses: a name that resolves to nothing else fails to connect (``dns_error``).

    Every connection Scrapy's HTTP client opens asks this resolver, IP literals included, so it
    is the last word; hosts of the configured engine endpoints and HTTP proxies are exempt (their
    other ports and paths are refused by :class:`PrivateAddressMiddleware`, before connecting).
    """

    def __init__(
        self, reactor: Any, cache_size: int, *, allow_private: bool = False, exempt_hosts: Sequence[str] = ()
    ) -> None:
        super().__init__(reactor, cache_size)
        self.allow_private = allow_private
        self.exempt_hosts = frozenset(host.lower().strip("[]") for host in exempt_hosts if host)

    @classmethod
    def from_crawler(cls, crawler: Any, reactor: Any) -> Self:
        settings = crawler.settings
        cache_size = settings.getint("DNSCACHE_SIZE") if settings.getbool("DNSCACHE_ENABLED") else 0
        return cls(
            reactor, cache_size, allow_private=settings.getbool("ALLOW_PRIVATE_ADDRESSES"),
            exempt_hosts=[*(host_of(url) for url in engine_urls(settings)), *proxy_hosts()],
        )

    def resolveHostName(  # noqa: N802
        self, resolutionReceiver: Any, hostName: str, portNumber: int = 0,  # noqa: N803
        addressTypes: Sequence[type] | None = None, transportSemantics: str = "TCP",  # noqa: N803
    ) -> Any:
        receiver = resolutionReceiver
        if not (self.allow_private or hostName.lower().strip("[]") in self.exempt_hosts):
            receiver = _PublicOnlyReceiver(resolutionReceiver, hostName)
        return super().resolveHostName(receiver, hostName, portNumber, addressTypes, transportSemantics)

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
        self.endpoints = [e for e in map(Endpoint.parse, engine_urls(settings)) if e is not None]

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
        try:
            addresses = await maybe_deferred_to_future(deferToThread(_addresses_of, host))
        except OSError:  # an unknown name fails (dns_error) when connecting, or the proxy resolves it
            return
        for address in addresses:
            if not public_address(address):
                raise PrivateAddressRefused(f"{host} resolves to {address}, not a public address: {request.url[:200]}")

    def _is_engine(self, url: str) -> bool:
        return any(endpoint.covers(url) for endpoint in self.endpoints)


def _addresses_of(host: str) -> list[str]:
    """Every address (IPv4 and IPv6) ``host`` resolves to; any non-public one refuses it."""
    return sorted({str(info[4][0]) for info in socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)})
