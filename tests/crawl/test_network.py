"""The private-address guard is exact, and odd networks work (issue 13): an engine endpoint
exempts its own scheme, host, port and path and nothing else; an image host on IPv6 loopback
is fetched when private addresses are allowed; behind an HTTP proxy images download, with the
guard judging the target host, not the proxy.
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import run_scrapy
from tests.mockserver import MockHTTPServer
from tests.mockserver.hostile import big_robots_server
from tests.mockserver.network import forwarding_proxy, ipv6_image_server


def outcome(store: Path) -> dict[str, str]:
    kept = {}
    if (store / "metadata.jsonl").exists():
        kept = {json.loads(line)["image_url"]: "kept" for line in (store / "metadata.jsonl").read_text().splitlines()}
    rejected = {}
    if (store / "rejected.jsonl").exists():
        rejected = {row["url"]: row["reason"] for row in map(json.loads, (store / "rejected.jsonl").read_text().splitlines())}
    return kept | rejected


def crawl_list(
    tmp_path: Path, urls: list[str], *extra: str, allow_private: bool, env: dict | None = None, status: int = 0
):
    listing = tmp_path / "list.txt"
    listing.write_text("\n".join(urls) + "\n")
    store = tmp_path / "store"
    result = run_scrapy(
        "crawl", "urls", "-a", f"path={listing}", "-a", "license=any", "-s", f"IMAGES_STORE={store}", *extra,
        allow_private=allow_private, env=env,
    )
    assert result.returncode == status, result.stderr[-3000:]
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    return store, result


def test_an_endpoint_by_host_name_exempts_only_its_port_and_path(mockserver: MockHTTPServer, tmp_path: Path) -> None:
    port = mockserver.base.rsplit(":", 1)[1]
    endpoint = f"http://localhost:{port}/hostile/ok"
    with big_robots_server() as other:
        other_port = other.rsplit(":", 1)[1]
        urls = {
            f"http://localhost:{port}/hostile/ok/1.png": "kept",  # under the endpoint: the user's choice
            f"http://localhost:{port}/hostile/slow/2.png": "private_address",  # same host and port, other path
            f"http://localhost:{other_port}/ok/3.png": "private_address",  # same host, other port
            f"http://localhost:{port}/hostile/okay/4.png": "private_address",  # a longer path, not under it
            f"https://localhost:{port}/hostile/ok/5.png": "private_address",  # other scheme
        }
        store, _ = crawl_list(tmp_path, list(urls), "-s", f"BING_SEARCH_URL={endpoint}", allow_private=False)
    assert outcome(store) == urls


def test_an_ipv6_image_host_works_when_private_addresses_are_allowed(tmp_path: Path) -> None:
    with ipv6_image_server() as (base, requests):
        store, _ = crawl_list(tmp_path, [f"{base}/ok/1.png", f"{base}/ok/2.png"], allow_private=True)
        assert outcome(store) == {f"{base}/ok/1.png": "kept", f"{base}/ok/2.png": "kept"}
        assert "/ok/1.png" in requests


def test_an_ipv6_loopback_host_is_refused_by_default(tmp_path: Path) -> None:
    with ipv6_image_server() as (base, requests):
        store, _ = crawl_list(tmp_path, [f"{base}/ok/1.png"], allow_private=False, status=1)  # nothing kept
        assert outcome(store) == {f"{base}/ok/1.png": "private_address"}
        assert requests == []


def test_downloads_through_an_http_proxy_with_the_guard_on_the_target(mockserver: MockHTTPServer, tmp_path: Path) -> None:
    # The proxy sits on loopback (a private address the user chose); the targets are judged:
    # a name that does not resolve here is left to the proxy, a loopback target is refused.
    with forwarding_proxy(mockserver.base) as (proxy, asked):
        env = {"http_proxy": proxy, "HTTP_PROXY": proxy, "no_proxy": "", "NO_PROXY": ""}
        public = "http://images.imagespider-proxy-test.invalid/hostile/ok/7.png"
        private = f"{mockserver.base}/hostile/ok/8.png"
        store, _ = crawl_list(tmp_path, [public, private], allow_private=False, env=env)
    assert outcome(store) == {public: "kept", private: "private_address"}
    assert public in asked
    assert not [url for url in asked if url.startswith(mockserver.base)]
