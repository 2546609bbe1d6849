"""Unit tests of the address guard: non-public addresses, engine endpoints, proxies."""

from __future__ import annotations

import pytest
from scrapy.settings import Settings

from imagespider.downloadermiddlewares.privateaddress import (
    Endpoint,
    PrivateAddressLookupError,
    PublicOnlyResolver,
    engine_urls,
    ip_literal,
    local_name,
    proxy_hosts,
    public_address,
)


@pytest.mark.parametrize(
    "address",
    ["127.0.0.1", "127.1.2.3", "10.0.0.1", "172.16.5.4", "192.168.1.1", "169.254.169.254", "100.64.0.1",
     "0.0.0.0", "224.0.0.251", "239.255.255.250", "240.0.0.1", "255.255.255.255", "192.0.2.10",
     "::1", "::", "fe80::1", "fc00::1", "fd12:3456::1", "ff02::1", "::ffff:127.0.0.1", "::ffff:169.254.169.254",
     "2002:7f00:1::1", "not-an-address"],
)  # fmt: skip
def test_non_public_addresses(address: str) -> None:
    assert not public_address(address)


@pytest.mark.parametrize("address", ["8.8.8.8", "1.1.1.1", "151.101.1.69", "2606:4700:4700::1111", "[2a00:1450::1]"])
def test_public_addresses(address: str) -> None:
    assert public_address(address)


def test_ip_literals_and_local_names() -> None:
    assert ip_literal("[::1]") == "::1"
    assert ip_literal("169.254.169.254") == "169.254.169.254"
    assert ip_literal("example.org") is None
    assert local_name("LOCALHOST.") and local_name("api.localhost") and not local_name("localhost.example.org")


def test_the_resolver_refuses_non_public_answers_unless_allowed() -> None:
    with pytest.raises(PrivateAddressLookupError, match="169.254.169.254"):
        PublicOnlyResolver._check("169.254.169.254", "metadata.internal")
    assert PublicOnlyResolver._check("8.8.8.8", "dns.google") == "8.8.8.8"


def test_engine_urls_are_the_configured_endpoints() -> None:
    settings = Settings({"BING_SEARCH_URL": "http://127.0.0.1:1/images/search", "FLICKR_API_URL": "", "X": "y"})
    assert engine_urls(settings) == ("http://127.0.0.1:1/images/search",)


@pytest.mark.parametrize(
    ("endpoint", "url", "covered"),
    [
        ("http://h:5000/images/search", "http://h:5000/images/search?q=cat", True),
        ("http://h:5000/images/search", "http://H:5000/images/search/more", True),
        ("http://h:5000/images/search", "http://h:5000/images/searchx", False),
        ("http://h:5000/images/search", "http://h:5001/images/search?q=cat", False),  # another port
        ("http://h:5000/images/search", "https://h:5000/images/search", False),  # another scheme
        ("http://h:5000/images/search", "http://h:5000/other", False),  # another path
        ("http://h:5000", "http://h:50001/x", False),  # the raw startswith let this through
        ("http://h:5000", "http://h:5000/anything", True),
        ("http://h/services/rest/", "http://h:80/services/rest/?method=x", True),
        ("https://h/services/rest/", "http://h/services/rest/", False),
        ("http://[::1]:8080/api", "http://[::1]:8080/api?x=1", True),
        ("http://h.example:5000/api", "http://h.example.evil:5000/api", False),
    ],
)
def test_an_endpoint_exempts_exactly_its_scheme_host_port_and_path(endpoint: str, url: str, covered: bool) -> None:
    parsed = Endpoint.parse(endpoint)
    assert parsed is not None and parsed.covers(url) is covered


def test_proxy_hosts_come_from_the_environment() -> None:
    env = {"http_proxy": "http://127.0.0.1:3128", "HTTPS_PROXY": "proxy.corp:8080", "no_proxy": "x", "FTP_PROXY": "f:1"}
    assert set(proxy_hosts(env)) == {"127.0.0.1", "proxy.corp"}
    assert proxy_hosts({}) == ()
