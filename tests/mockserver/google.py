"""Google Images played by the mock server (registered in ``tests.mockserver.ROUTES``).

No real Google capture exists, so the pages follow the structure the parser's reconstructed
fixture documents (``tests/fixtures/google_images_udm2_reconstructed.html``, tests/fixtures/README.md section 2a):
tiles ``<div data-docid data-lpage data-ref-docid id="e-<docid>">`` and, in an inline ``<script>``,
one record per image ``"prefixN":[1,[0,"<docid>",["<encrypted-tbn thumb>",236,213],
["<full>",H,W],null,0,"rgb(..)",null,0,{"2000":..,"2003":..,"2008":..}]]``.

``/search?q=..&udm=2`` holds the first :data:`BATCH` results. When the reader scrolls near the
bottom the page's script fetches ``/search/more`` after a delay and appends the next tiles and a
new ``<script>`` data block (inert, as data; the spider reads it from the DOM). After every second
batch it shows a "Show more results" button that must be clicked before more load. Images point
at the mock's ``/img/<q>/<i>.<ext>`` routes and follow :func:`tests.mockserver.bing_plan`, so
results ending in 3 are broken and in 7 duplicates. Results ending in 5 have no "2003" block:
their page URL comes from the tile and their title from "2008", as the parser allows. The first
page also holds one record cut off mid-URL, which the spider must count once as unparsable.

Refusals: ``/consent/search`` redirects (302) to ``/consent/ml``, a page playing
consent.google.com's form; ``/sorry/search`` redirects to ``/sorry/index``, the 429 CAPTCHA page;
``/empty/search`` answers 200 with no results markup at all.

Real captures: ``/real/udm2/search`` is the real udm=2 page of June 2025 saved as rendered (200
tiles, no script data), each tile's source page pointed at this server and a small script playing
the tile previews its stripped scripts would open (tiles ending in 9 open none: see
:data:`NO_PREVIEW_DIGIT`);
``/real/udm2-as-saved/search`` is the same page without that script, ``/real/udm2-changed/search``
the same page with its tiles' ``data-docid`` renamed (a markup change); ``/real/basic/search`` is the
real basic page, its thumbnails and ``/url?url=`` targets pointed at this server, its "Next >"
link leading to two more pages played the same way.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import time
from typing import Any
from urllib.parse import parse_qs, quote, urlencode, urlsplit

import lxml.html

from tests.mockserver import ASYNC_DELAY, FIXTURES, ROUTES, PlannedResult, bing_plan, image_path

BATCH = 20
TOTAL = 100
#: The "Show more results" button appears after every this many scroll-loaded batches.
BATCHES_PER_CLICK = 2

Query = dict[str, list[str]]
Answer = tuple[int, str, bytes]


def docid(query: str, index: int) -> str:
    digest = hashlib.sha1(f"{query}/{index}".encode()).digest()  # noqa: S324 (an id, as Google's is)
    return base64.urlsafe_b64encode(digest).decode()[:14]


def _js_json(value: Any) -> str:
    """Compact JSON with ``<``, ``>``, ``=`` and ``&`` escaped as ``\\u003c``... as Google writes it."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    for char in "<>=&":
        text = text.replace(char, f"\\u{ord(char):04x}")
    return text


def _page_url(base: str, query: str, index: int) -> str:
    return f"{base}/page/{quote(query, safe='')}/{index}.html?src=google&i={index}"


def _title(query: str, index: int) -> str:
    return f"{query} photo {index} & \"mock\" <result>"


def _record(base: str, query: str, result: PlannedResult) -> str:
    i = result.index
    thumb = f"https://encrypted-tbn0.gstatic.com/images?q=tbn:ANd9GcQ{docid(query, i)}&s"
    meta: dict[str, Any] = {
        "2000": [None, "127.0.0.1", f"{10 + i}KB"],
        "2001": [None, None, None, 3, 0, None, 0],
    }
    if i % 10 != 5:  # results ending in 5: page URL only on the tile, title only in "2008"
        meta["2003"] = [
            None, docid(query, i + 1000), _page_url(base, query, i), _title(query, i),
            None, None, "1", None, None, None, None, None, "Mock Site", None, None, None, 0,
        ]
    meta["2008"] = [None, f"{query} {i}"]
    full = [f"{base}{image_path(query, i, result.format)}", result.height, result.width]
    record = [1, [0, docid(query, i), [thumb, 236, 213], full, None, 0, "rgb(120,110,90)", None, 0, meta]]
    return f'"prefix{i + 1}":{_js_json(record)}'


def data_script(base: str, query: str, results: list[PlannedResult]) -> str:
    records = ",".join(_record(base, query, result) for result in results)
    return f'<script nonce="mOcKnOnCe">(function(){{var m={{{records}}};var a=m;}})();</script>'


def tiles(base: str, query: str, results: list[PlannedResult]) -> str:
    return "".join(
        f'<div jsname="dTDiAc" class="tile" data-docid="{docid(query, r.index)}" '
        f'data-lpage="{html.escape(_page_url(base, query, r.index))}" '
        f'data-ref-docid="{docid(query, r.index + 1000)}" id="e-{docid(query, r.index)}">'
        f'<div role="button" tabindex="0"><img alt="" src="data:image/gif;base64,'
        f'R0lGODlhAQABAIAAAP///////yH5BAEKAAEALAAAAAABAAEAAAICTAEAOw=="></div></div>'
        for r in results
    )


def _more_url(query: str, first: int) -> str | None:
    if first >= TOTAL:
        return None
    return f"/search/more?{urlencode({'q': query, 'start': first})}"


PAGING_SCRIPT = r"""
(function () {
  var list = document.getElementById('islrg');
  var more = document.getElementById('smb');
  var next = list.getAttribute('data-next'), loading = false, loads = 0, waitingForClick = false;
  function load() {
    if (loading || !next) return;
    loading = true;
    fetch(next).then(function (r) { return r.json(); }).then(function (data) {
      document.body.insertAdjacentHTML('beforeend', data.script);
      list.insertAdjacentHTML('beforeend', data.tiles);
      next = data.next; loads += 1; loading = false;
      if (next && loads % BATCHES_PER_CLICK === 0) { waitingForClick = true; more.style.display = 'inline-block'; }
    });
  }
  window.addEventListener('scroll', function () {
    var nearBottom = window.innerHeight + window.scrollY >= document.documentElement.scrollHeight - 400;
    if (nearBottom && !waitingForClick) load();
  });
  more.addEventListener('click', function () { waitingForClick = false; more.style.display = 'none'; load(); });
})();
"""

_STYLE = ".tile{display:inline-block;width:220px;height:200px;margin:4px;background:#ddd}#smb{display:none}"


#: A record cut off mid-URL, as a truncated page would hold: skipped and counted by the parser.
CUT_SHORT = (
    '<script nonce="mOcKnOnCe">(function(){var m={"prefix999":[1,[0,"CutShort0000Qz",'
    '["https://encrypted-tbn0.gstatic.com/images?q\\u003dtbn:ANd9GcQCutShort\\u0026s",236,213],'
    '["https://www.cut-off.exa</script>'
)


def results_page(base: str, query: str) -> str:
    first = bing_plan(TOTAL)[:BATCH]
    next_url = _more_url(query, BATCH) or ""
    script = PAGING_SCRIPT.replace("BATCHES_PER_CLICK", str(BATCHES_PER_CLICK))
    return (
        '<!doctype html><html itemscope="" itemtype="http://schema.org/SearchResultsPage" lang="en">'
        f'<head><meta charset="UTF-8"><title>{html.escape(query)} - Google Search</title>'
        f"<style>{_STYLE}</style></head><body>"
        '<div id="search"><div id="rso"><h1>Search Results</h1>'
        f'<div role="list" id="islrg" data-next="{html.escape(next_url)}">{tiles(base, query, first)}</div>'
        '</div></div><div class="footer"><input type="button" id="smb" class="mye4qd" value="Show more results">'
        "</div>"
        f"{data_script(base, query, first)}{CUT_SHORT}<script>{script}</script></body></html>"
    )


def more(base: str, query: str, start: int) -> dict[str, str | None]:
    batch = bing_plan(TOTAL)[start : start + BATCH]
    return {
        "tiles": tiles(base, query, batch),
        "script": data_script(base, query, batch),
        "next": _more_url(query, start + BATCH),
    }


CONSENT_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Before you continue to Google</title></head>
<body><div><h1>Before you continue to Google</h1>
<p>We use cookies and data to deliver and maintain Google services.</p>
<form action="https://consent.google.com/save" method="POST"><input type="hidden" name="set_eom" value="true">
<input type="hidden" name="continue" value="{continue_}"><button>Reject all</button></form>
<form action="https://consent.google.com/save" method="POST"><input type="hidden" name="set_eom" value="false">
<input type="hidden" name="continue" value="{continue_}"><button>Accept all</button></form></div></body></html>"""

SORRY_PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>https://www.google.com/search</title></head>
<body><div id="af-error-container"><form id="captcha-form" action="index" method="post">
<div id="recaptcha" class="g-recaptcha"></div><input type="hidden" name="q" value="EgQKAAAB"></form>
<div id="infoDiv">Our systems have detected unusual traffic from your computer network. This page checks
to see if it's really you sending the requests, and not a robot.</div></div></body></html>"""

NO_RESULTS_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{q} - Google Search</title></head>
<body><div id="search"><div id="rso"></div><p>Your search - <b>{q}</b> - did not match any documents.</p></div></body></html>"""


def _q(query: Query) -> str:
    return query.get("q", [""])[0]


def _redirect(handler: Any, location: str) -> Answer:
    """A 302 to ``location``. The mock server's routes return no headers, so the Location header
    is slipped in when this one request's headers end (the handler object serves one request)."""
    end_headers = handler.end_headers

    def with_location() -> None:
        handler.send_header("Location", location)
        end_headers()

    handler.end_headers = with_location
    return 302, "text/html; charset=utf-8", f'<a href="{html.escape(location)}">moved</a>'.encode()


def search(handler: Any, path: str, query: Query) -> Answer:
    base = f"http://{handler.headers.get('Host')}"
    if path == "/search":
        return 200, "text/html; charset=utf-8", results_page(base, _q(query)).encode()
    if path == "/search/more":
        time.sleep(ASYNC_DELAY)  # late results, as a real page's come
        payload = more(base, _q(query), int(query.get("start", ["0"])[0]))
        return 200, "application/json", json.dumps(payload).encode()
    return 404, "text/plain", b"not found"


def consent(handler: Any, path: str, query: Query) -> Answer:
    if path == "/consent/search":
        target = f"https://www.google.com/search?{urlencode({k: v[0] for k, v in query.items()})}"
        return _redirect(handler, f"/consent/ml?{urlencode({'continue': target, 'gl': 'DE', 'hl': 'en'})}")
    continue_ = html.escape(query.get("continue", [""])[0])
    return 200, "text/html; charset=utf-8", CONSENT_PAGE.format(continue_=continue_).encode()


def sorry(handler: Any, path: str, query: Query) -> Answer:
    if path == "/sorry/search":
        target = f"https://www.google.com/search?{urlencode({k: v[0] for k, v in query.items()})}"
        return _redirect(handler, f"/sorry/index?{urlencode({'continue': target, 'q': 'EgQKAAAB'})}")
    return 429, "text/html; charset=utf-8", SORRY_PAGE.encode()


def empty(handler: Any, path: str, query: Query) -> Answer:
    page = NO_RESULTS_PAGE.format(q=html.escape(_q(query)))
    return 200, "text/html; charset=utf-8", page.encode()


ROUTES.update({"/search": search, "/consent/": consent, "/sorry/": sorry, "/empty/": empty})


# -- the real captures (tests/fixtures/README.md, "Google Images (real captures)") ---------------------

UDM2_PAGE = FIXTURES / "google_udm2_rendered_no_scripts_chateau-chalon_2025-06-14.html"
BASIC_PAGE = FIXTURES / "google_isch_basic_nojs_papaya_2026-02.html"
#: Tiles of the real udm=2 page whose index ends in this digit open no preview. In even tens (9,
#: 29, ...) their thumbnail is an http URL, as a live page's lazily loaded thumbnails are (kept,
#: flagged is_thumbnail); in odd tens (19, 39, ...) it stays the saved inline data: URI (nothing).
NO_PREVIEW_DIGIT = 9

#: Google's own scripts were stripped by the tool that saved the real udm=2 page; a live page has
#: them, and clicking a tile opens its preview with the full-size image. This plays that part only,
#: in a panel outside the tiles (Google's preview markup is not captured: the spider reads any new
#: non-Google image the click brings, so this panel's markup is not a claim about Google's).
PREVIEW_SCRIPT = r"""
(function () {
  var full = FULL_URLS;
  var panel = document.createElement('div');
  panel.id = 'mock-preview';
  panel.style.cssText = 'display:none;position:fixed;top:0;right:0;z-index:9999;background:#fff';
  var img = document.createElement('img');
  img.width = 400; img.height = 300; img.alt = '';
  panel.appendChild(img);
  document.body.appendChild(panel);
  document.addEventListener('click', function (event) {
    var button = event.target.closest('[data-docid] [role=button]');
    if (!button) return;
    event.preventDefault();
    var url = full[button.closest('[data-docid]').getAttribute('data-docid')];
    if (!url) return;
    setTimeout(function () { img.src = url; panel.style.display = 'block'; }, 150);
  }, true);
  document.addEventListener('keydown', function (event) {
    if (event.key === 'Escape') panel.style.display = 'none';
  });
})();
"""


def _mock_page(base: str, query: str, index: int) -> str:
    return f"{base}/page/{quote(query, safe='')}/{index}.html?src=google-real&i={index}"


def _full_url(base: str, query: str, result: PlannedResult) -> str:
    return f"{base}{image_path(query, result.index, result.format)}"


def real_udm2_page(base: str, query: str, previews: bool) -> str:
    """The real udm=2 page with each tile's source page pointed at this server (no internet in
    tests); with ``previews``, the script above answers clicks with this server's images."""
    doc = lxml.html.fromstring(UDM2_PAGE.read_bytes())
    plan = bing_plan(TOTAL * 2)
    full: dict[str, str] = {}
    for index, tile in enumerate(doc.xpath("//*[@data-docid]")):
        page = _mock_page(base, query, index)
        original = tile.get("data-lpage")
        tile.set("data-lpage", page)
        for link in tile.xpath(".//a[@href]"):
            if link.get("href") == original:
                link.set("href", page)
        if index % 10 != NO_PREVIEW_DIGIT:
            full[tile.get("data-docid")] = _full_url(base, query, plan[index])
        elif previews and (index // 10) % 2 == 0:
            thumb = tile.xpath(".//img[not(ancestor::a[@href])]")[0]
            thumb.set("src", _full_url(base, query, plan[index]))
    if previews:
        script = PREVIEW_SCRIPT.replace("FULL_URLS", json.dumps(full))
        doc.body.append(lxml.html.fromstring(f"<script>{script}</script>"))
    return lxml.html.tostring(doc, encoding="unicode", doctype="<!DOCTYPE html>")


#: Pages of the basic page played: its real "Next >" link leads from one to the next, then none.
BASIC_PAGES = 3


def real_basic_page(base: str, query: str, start: int = 0) -> str:
    """The real basic (no-JavaScript) page, its thumbnails and ``/url?url=`` targets pointed at
    this server: result ``i`` (``start`` + its place) has image ``i`` of the plan as thumbnail and
    ``/page/<q>/<i>`` as page. Its real "Next >" link (``start=20``) leads to the next page here,
    and is removed from the last of :data:`BASIC_PAGES`."""
    doc = lxml.html.fromstring(BASIC_PAGE.read_bytes())
    plan = bing_plan(TOTAL)
    index = start - 1
    for link in doc.xpath("//a[contains(@href, 'start=')]"):
        parts = urlsplit(link.get("href"))
        params = parse_qs(parts.query, keep_blank_values=True)
        if start + 20 >= 20 * BASIC_PAGES:
            link.drop_tree()
            continue
        params.update(q=[query], start=[str(start + 20)])
        link.set("href", f"/real/basic/search?{urlencode(params, doseq=True)}")
    targets: dict[str, str] = {}
    for link in doc.xpath("//a[starts-with(@href, '/url?')]"):
        parts = urlsplit(link.get("href"))
        params = parse_qs(parts.query, keep_blank_values=True)
        if "url" not in params:
            continue
        images = link.xpath(".//img")
        key = params["url"][0]
        if images:
            index += 1
            targets[key] = _mock_page(base, query, index)
            images[0].set("src", _full_url(base, query, plan[index]))
        if key in targets:
            params["url"] = [targets[key]]
            link.set("href", f"{parts.path}?{urlencode(params, doseq=True)}")
    return lxml.html.tostring(doc, encoding="unicode", doctype=doc.getroottree().docinfo.doctype)


def real(handler: Any, path: str, query: Query) -> Answer:
    base = f"http://{handler.headers.get('Host')}"
    q = _q(query)
    if path == "/real/udm2/search":
        return 200, "text/html; charset=utf-8", real_udm2_page(base, q, previews=True).encode()
    if path == "/real/udm2-as-saved/search":
        return 200, "text/html; charset=utf-8", real_udm2_page(base, q, previews=False).encode()
    if path == "/real/udm2-changed/search":
        # Google renames its tile attribute: the same real tiles, their data-docid now data-vdid.
        page = real_udm2_page(base, q, previews=True).replace("data-docid=", "data-vdid=")
        return 200, "text/html; charset=utf-8", page.encode()
    if path == "/real/basic/search":
        start = int(query.get("start", ["0"])[0])
        return 200, "text/html; charset=utf-8", real_basic_page(base, q, start).encode()
    return 404, "text/plain", b"not found"


ROUTES.update({"/real/": real})
