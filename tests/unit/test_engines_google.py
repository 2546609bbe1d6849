"""The Google Images parser, on a RECONSTRUCTED page and, at the end, on two real captures.

``tests/fixtures/google_images_udm2_reconstructed.html`` was written by hand to follow the record
structure documented in tests/fixtures/README.md section 2(a); it was not captured from
Google. Its first record is the verbatim real snippet quoted there, completed; every other value was
made up, and the expectations below are those made-up values. The full-size numbers in the fixture
are written as [url, HEIGHT, WIDTH] (the disputed 2026 reading, see ``googlepage.full_size_dimensions``).
The block-detection snippets are also written from the description in tests/fixtures/README.md section 2, not captured.
"""

from __future__ import annotations

import html as html_lib
import re
from pathlib import Path

import pytest

from imagespider.engines import EngineResult, google, googlepage
from imagespider.engines.google import GooglePage, build_tbs, detect_block, parse_results

FIXTURE = Path(__file__).parents[1] / "fixtures" / "google_images_udm2_reconstructed.html"

#: (docid, image_url, width, height, page_url, title, site), in page order.
EXPECTED = [
    (
        "Hk4tR2yBq0VxaM",
        "https://q5.itc.cn/images01/20240320/e2c7f95da03249c8afee7ca94a017404.jpeg",
        1080,
        1196,
        "https://www.sohu.com/a/765546267_121922110",
        "盘点十种非常可爱的小猫咪你最喜欢哪一个品种呢_搜狐网",
        "搜狐网",
    ),
    (
        "bX9cQm1TzK3pLw",
        "https://upload.wikimedia.org/wikipedia/commons/1/15/Cat_August_2010-4.jpg",
        3216,
        2848,
        "https://en.wikipedia.org/wiki/Cat",
        "Cat - Wikipedia",
        "Wikipedia",
    ),
    (
        "Qe7_Lr2mVn8sDa",
        "https://images.unsplash.com/photo-1514888286974-6c03e2ca1dba?ixlib=rb-4.0.3&ixid=M3wxMjA3fDB8MHxzZWFyY2h8&w=1000&q=80",
        1000,
        1500,
        "https://unsplash.com/s/photos/cat?license=free&orientation=portrait",
        "500+ Cat Pictures | Download Free Images on Unsplash",
        "Unsplash",
    ),
    (
        "n3Wd-Yp6Hs2JcE",
        "https://www.petcareweekly.com/wp-content/uploads/2023/05/adopting-a-cat-1200x800.jpg",
        1200,
        800,
        "https://www.petcareweekly.com/guides/adopting-a-cat/",
        'The "Purr-fect" Guide to Adopting a Cat',
        "Pet Care Weekly",
    ),
    (
        "Tg5uKx0Rb7NqZo",
        "https://upload.wikimedia.org/wikipedia/commons/thumb/7/7d/Egyptian_Mau_Bronze.jpg/1200px-Egyptian_Mau_Bronze.jpg",
        1200,
        900,
        "https://fr.wikipedia.org/wiki/Mau_%C3%A9gyptien",
        "Mau égyptien — Wikipédia",
        "Wikipédia",
    ),
    (
        "Jp2sWv9Ek4AcYt",
        "https://cdn.ananweb.jp/images/kitten/2024/0412/kitten_main.jpg",
        960,
        640,
        "https://ananweb.jp/news/kitten-gallery/",
        "かわいい子猫の画像まとめ｜ねこのきもち",
        "ねこのきもち",
    ),
    (
        "Mz8aPo3Xc1GfUe",
        "https://i.pinimg.com/736x/3f/9a/12/3f9a12c4e8b7d6a5f4e3d2c1b0a99887.jpg",
        736,
        1104,
        None,
        "Orange tabby kitten",
        "i.pinimg.com",
    ),
    (
        "Ld6qNw0Hy5BrKs",
        "https://i.redd.it/x7k2m9q4p1vb1.jpeg",
        3024,
        4032,
        "https://www.reddit.com/r/cats/comments/1b2c3d4/my_new_kitten_is_settling_in/?share=1&utm=img",
        None,
        "i.redd.it",
    ),
    (
        "Cv1eSj7Gu4OtMh",
        "https://www.catster.com/wp-content/uploads/2017/08/Siamese-cat.jpg",
        1024,
        683,
        "https://www.catster.com/cat-breeds/siamese-cat/",
        "Siamese Cat Breed Info, Pictures & Facts",
        "www.catster.com",
    ),
    (
        "Ya0fBi8Dk2WnXp",
        "https://i.imgflip.com/2/1bij.jpg",
        500,
        500,
        "https://imgflip.com/memetemplate/Grumpy-Cat",
        "Grumpy cat 😾 meme template",
        "Imgflip",
    ),
    (
        "Re3hVl6Qa9TpCj",
        "https://upload.wikimedia.org/wikipedia/commons/b/bb/Kittyply_edit1.jpg",
        2048,
        1536,
        "https://ru.wikipedia.org/wiki/%D0%9A%D0%BE%D1%88%D0%BA%D0%B0",
        "Кошка — Википедия",
        "Википедия",
    ),
    (
        "Wb7jXe2Lo5MuFg",
        "http://www.zooclub.ru/attach/29000/29367.jpg",
        800,
        600,
        "http://www.zooclub.ru/cats/porody/29367.shtml",
        "Британская короткошёрстная кошка",
        "Зооклуб",
    ),
    (
        "Ks4nZa1Ri8VyDq",
        "https://static.boredpanda.com/blog/wp-content/uploads/2020/09/cats-love-dogs-5f6b.jpg",
        700,
        750,
        "https://www.boredpanda.com/cats-and-dogs-friends/?utm_source=google&utm_medium=organic",
        "Cats <3 Dogs: 30 Unlikely Friendships",
        "Bored Panda",
    ),
    (
        "Ho9pCt3Wm6EsLb",
        "https://cdn.britannica.com/39/7139-050-A88818BB/Himalayan-chocolate-point.jpg",
        1600,
        1098,
        "https://www.britannica.com/animal/cat",
        "Cat | Breeds, Origins, History, Body Types, Senses, Behavior, Pregnancy, & Facts | Britannica",
        "Britannica",
    ),
    (
        "Fu2kGy7Nb0JxVr",
        "https://images.pexels.com/photos/45201/kitty-cat-kitten-pet-45201.jpeg?auto=compress&cs=tinysrgb&dpr=1&w=500",
        500,
        333,
        "https://www.pexels.com/search/cat/",
        "Cat Photos, Download The BEST Free Cat Stock Photos & HD Images",
        "Pexels",
    ),
    (
        "Pi6oDr4Sf1WkHn",
        "https://www.zooplus.de/magazin/wp-content/uploads/2019/03/katze-liegt.jpg",
        1500,
        1000,
        "https://www.zooplus.de/magazin/katze/katzenhaltung/katzenrassen",
        "Katzenrassen: Die 10 beliebtesten Rassen in Deutschland – zooplus Magazin",
        "zooplus",
    ),
    (
        "Tq8rEm5Ug3XcAz",
        "https://media.npr.org/assets/img/2021/08/11/gettyimages-1279899488_wide.jpg?s=1400&c=100&f=jpeg",
        1400,
        788,
        "https://www.npr.org/2021/08/11/cats-study",
        "Why do cats sit in squares? A study explains",
        "NPR",
    ),
    (
        "Ax3wHs9Jo2PdNe",
        "https://s3.amazonaws.com/cdn-origin-etr.akc.org/wp-content/uploads/2017/11/Maine-Coon.jpg",
        1000,
        1000,
        "https://www.purina.com/cats/cat-breeds/maine-coon",
        "Maine Coon Cat Breed: Size, Personality & Care",
        "Purina",
    ),
    (
        "Gl5yBn0Vk7QiOs",
        "https://www.hospitalveterinario.es/img/gato-persa-blanco.jpg",
        1080,
        720,
        "https://www.hospitalveterinario.es/blog/gato-persa",
        "Gato persa: carácter, cuidados y salud · Año 2024",
        "Hospital Veterinario",
    ),
    (
        "Dn1cFz6Xm4RtUa",
        "https://cdn.mos.cms.futurecdn.net/VSy6kJDNq2pSXsCzb6cvYF-1200-80.jpg",
        1200,
        675,
        "https://www.livescience.com/animals/cats",
        "Cats: Facts, breeds & behavior | Live Science",
        "Live Science",
    ),
    (
        "Zs2vMq8Lp5KeWy",
        "https://i.natgeofe.com/n/548467d8-c5f1-4551-9f58-6817a8d2c45e/NationalGeographic_2572187_square.jpg",
        3072,
        3072,
        "https://www.nationalgeographic.com/animals/mammals/facts/domestic-cat",
        "Domestic cat | National Geographic",
        "National Geographic",
    ),
]


@pytest.fixture(scope="module")
def text() -> str:
    return FIXTURE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def page(text: str) -> GooglePage:
    return parse_results(text)


def test_fixture_says_it_is_reconstructed(text: str) -> None:
    assert text.startswith("<!--\n  RECONSTRUCTED, NOT CAPTURED.")


def test_counts(page: GooglePage) -> None:
    assert (
        len(page.results) == 21
    )  # 23 records: one cut off (prefix22), one repeated docid (prefix23)
    assert page.skipped == 1
    assert page.blocked is None


def test_every_record_is_parsed_with_its_fields(page: GooglePage) -> None:
    got = [
        (r.engine_id, r.image_url, r.width, r.height, r.page_url, r.title, r.site)
        for r in page.results
    ]
    assert got == EXPECTED


def test_fields_common_to_every_result(page: GooglePage) -> None:
    for result in page.results:
        assert result.thumbnail_url is not None
        assert result.thumbnail_url.startswith("https://encrypted-tbn")
        assert "/images?q=tbn:ANd9GcQ" in result.thumbnail_url and result.thumbnail_url.endswith(
            "&s"
        )
        for url in (result.image_url, result.thumbnail_url, result.page_url or ""):
            assert "\\u" not in url and "&amp;" not in url
        assert result.license_code is None  # Google gives no per-image license
        assert result.author is None and result.tags == ()


def test_verbatim_real_record(page: GooglePage) -> None:
    first = page.results[0]
    assert first.thumbnail_url == (
        "https://encrypted-tbn0.gstatic.com/images?q=tbn:ANd9GcQaMCnoCBL3LdOtopN1e6eI97Fk78Rb7MCu_Q&s"
    )
    # The snippet reads [..., 1196, 1080]: height 1196, width 1080 under the 2026 reading.
    assert (first.width, first.height) == (1080, 1196)


def test_escapes_are_decoded(page: GooglePage) -> None:
    by_id = {r.engine_id: r for r in page.results}
    assert "?ixlib=rb-4.0.3&ixid=" in by_id["Qe7_Lr2mVn8sDa"].image_url  # \u003d and \u0026
    assert by_id["n3Wd-Yp6Hs2JcE"].title == 'The "Purr-fect" Guide to Adopting a Cat'  # \"
    assert (
        by_id["Tg5uKx0Rb7NqZo"].title == "Mau \u00e9gyptien \u2014 Wikip\u00e9dia"
    )  # \u00e9 in the raw text
    assert by_id["Ya0fBi8Dk2WnXp"].title == "Grumpy cat \U0001f63e meme template"  # surrogate pair
    assert by_id["Ks4nZa1Ri8VyDq"].title == "Cats <3 Dogs: 30 Unlikely Friendships"  # \u003c


def test_record_without_2003_block(page: GooglePage) -> None:
    no_source = next(r for r in page.results if r.engine_id == "Mz8aPo3Xc1GfUe")
    assert no_source.page_url is None  # no "2003" block and no tile
    assert no_source.site == "i.pinimg.com"  # the "2000" domain
    assert no_source.title == "Orange tabby kitten"  # the "2008" short title


def test_tile_supplies_a_missing_page_url(page: GooglePage) -> None:
    from_tile = next(r for r in page.results if r.engine_id == "Ld6qNw0Hy5BrKs")
    assert from_tile.page_url == (
        "https://www.reddit.com/r/cats/comments/1b2c3d4/my_new_kitten_is_settling_in/?share=1&utm=img"
    )
    assert from_tile.title is None


def test_first_record_of_a_docid_wins(page: GooglePage) -> None:
    ids = [r.engine_id for r in page.results]
    assert len(ids) == len(set(ids))
    wiki = next(r for r in page.results if r.engine_id == "bX9cQm1TzK3pLw")
    assert wiki.image_url.endswith("Cat_August_2010-4.jpg")
    assert all("DUPLICATE" not in r.image_url for r in page.results)


def test_tile_without_record_adds_no_result(page: GooglePage) -> None:
    assert "Ou7TileOnly0Qz" not in {r.engine_id for r in page.results}


def test_tile_page_does_not_override_the_script_page() -> None:
    html = (
        '<div data-docid="AbCdEf123456" data-lpage="https://tile.example/page"></div><script>'
        '"x1":[1,[0,"AbCdEf123456",["https://encrypted-tbn0.gstatic.com/images?q\\u003dtbn:X\\u0026s",1,1],'
        '["https://img.example/a.jpg",20,10],null,0,"rgb(0,0,0)",null,0,'
        '{"2003":[null,"r","https://script.example/page","T"]}]]</script>'
    )
    assert parse_results(html).results[0].page_url == "https://script.example/page"


def test_record_that_is_not_json_is_read_with_regexes() -> None:
    """A JavaScript-only token (!0) breaks JSON decoding; the head and "2003" are still read."""
    html = (
        '<script>var m={"x1":[1,[0,"AbCdEf123456",["https://encrypted-tbn0.gstatic.com/images?q\\u003dtbn:X\\u0026s",'
        '236,213],["https://img.example/a.jpg?w\\u003d1\\u0026h\\u003d2",300,200],null,!0,"rgb(1,2,3)",null,0,'
        '{"2000":[null,"img.example","9KB"],'
        '"2003":[null,"ref","https://img.example/p?a\\u003d1","Caf\\u00e9 \\"x\\""]}]]};'
        "</script>"
    )
    page = parse_results(html)
    assert page.skipped == 0
    [result] = page.results
    assert result.image_url == "https://img.example/a.jpg?w=1&h=2"
    assert (result.width, result.height) == (200, 300)
    assert result.page_url == "https://img.example/p?a=1"
    assert result.title == 'Caf\u00e9 "x"'
    assert result.site == "img.example"
    assert result.thumbnail_url == "https://encrypted-tbn0.gstatic.com/images?q=tbn:X&s"


def test_dimension_order_lives_in_one_place(monkeypatch: pytest.MonkeyPatch) -> None:
    assert googlepage.full_size_dimensions(1196, 1080) == (1080, 1196)
    monkeypatch.setattr(googlepage, "FULL_SIZE_IS_HEIGHT_FIRST", False)
    assert googlepage.full_size_dimensions(1196, 1080) == (1196, 1080)
    first = parse_results(FIXTURE.read_text(encoding="utf-8")).results[0]
    assert (first.width, first.height) == (1196, 1080)


# --- blocks -------------------------------------------------------------------------------------

CONSENT = """<!DOCTYPE html><html lang="en"><head><title>Before you continue to Google</title></head><body>
<form action="https://consent.google.com/save" method="POST"><input type="hidden" name="set_eom" value="true">
<button>Accept all</button></form></body></html>"""

SORRY = """<html><head><title>https://www.google.com/search?q=cats&amp;udm=2</title></head><body>
<div id="infoDiv">Our systems have detected unusual traffic from your computer network.</div>
<form id="captcha-form" action="index" method="post"><div class="g-recaptcha"></div></form></body></html>"""

ENABLEJS = """<!DOCTYPE html><html lang="en"><head><title>Google Search</title>
<noscript><meta content="0;url=/httpservice/retry/enablejs?sei=AbCdEfGh" http-equiv="refresh"></noscript>
</head><body><noscript><div>Please click <a href="/httpservice/retry/enablejs?sei=AbCdEfGh">here</a></div></noscript>
<script nonce="n">(function(){window.google={};})();</script></body></html>"""


@pytest.mark.parametrize(
    ("html", "url", "expected"),
    [
        (CONSENT, None, "consent"),
        (
            "<html></html>",
            "https://consent.google.com/ml?continue=https://www.google.com/search?q%3Dcats&gl=DE",
            "consent",
        ),
        (SORRY, None, "sorry"),
        (
            "<html></html>",
            "https://www.google.com/sorry/index?continue=https://www.google.com/search",
            "sorry",
        ),
        ('<form id="captcha-form" method="post"></form>', None, "sorry"),
        (ENABLEJS, None, "enablejs"),
        ("", "https://www.google.com/httpservice/retry/enablejs?sei=x", "enablejs"),
        (
            "<html><body>Nothing here</body></html>",
            "https://www.google.com/search?q=cats&udm=2",
            None,
        ),
        ("", None, None),
    ],
)
def test_detect_block(html: str, url: str | None, expected: str | None) -> None:
    assert detect_block(html, url) == expected


@pytest.mark.parametrize(
    ("html", "expected"), [(CONSENT, "consent"), (SORRY, "sorry"), (ENABLEJS, "enablejs")]
)
def test_blocked_page_gives_no_results_and_a_reason(html: str, expected: str) -> None:
    assert parse_results(html) == GooglePage(results=[], skipped=0, blocked=expected)


def test_url_passed_to_parse_results_is_used_for_detection() -> None:
    assert (
        parse_results("<html></html>", url="https://consent.google.com/ml?x=1").blocked == "consent"
    )


def test_page_without_results_markup() -> None:
    page = parse_results("<html><body><div id='search'></div></body></html>")
    assert page == GooglePage(results=[], skipped=0, blocked="no_results_markup")


def test_results_win_over_block_words(text: str) -> None:
    """A real results page can mention "unusual traffic" in a title: records mean not blocked."""
    page = parse_results(text + "<p>unusual traffic</p>" + ENABLEJS)
    assert page.blocked is None and len(page.results) == 21


@pytest.mark.parametrize(
    "junk", ["", "[0,", '[0,"AbCdEf123456",["https://encrypted-tbn', b"\xff\xfe<html>", None, 42]
)
def test_junk_never_raises(junk: object) -> None:
    page = parse_results(junk)  # type: ignore[arg-type]
    assert page.results == []
    assert detect_block(junk) is None  # type: ignore[arg-type]


# --- tbs ------------------------------------------------------------------------------------------


def test_build_tbs_joins_non_empty_parts_in_order() -> None:
    assert build_tbs(size="isz:l", license="il:cl") == "isz:l,il:cl"
    assert build_tbs(
        size=google.SIZE["large"], type=None, color="", license=google.LICENSE["creative_commons"]
    ) == ("isz:l,il:cl")
    assert (
        build_tbs(color=google.COLOR["red"], time=google.TIME["week"])
        == "ic:specific,isc:red,qdr:w"
    )
    assert build_tbs(type=google.TYPE["photo"], aspect=google.ASPECT["wide"]) == "itp:photo,iar:w"


def test_build_tbs_none_when_empty() -> None:
    assert build_tbs() is None
    assert build_tbs(size=None, license="", color="  ") is None


def test_filter_tables() -> None:
    assert google.SIZE == {"large": "isz:l", "medium": "isz:m", "icon": "isz:i"}
    assert google.COLOR["gray"] == "ic:gray" and google.COLOR["transparent"] == "ic:trans"
    assert {n for n, c in google.COLOR.items() if c.startswith("ic:specific,isc:")} == {
        "red", "orange", "yellow", "green", "teal", "blue", "purple", "pink", "white", "black", "brown",
    }  # fmt: skip
    assert google.TIME == {"day": "qdr:d", "week": "qdr:w", "month": "qdr:m", "year": "qdr:y"}
    assert google.SAFE["strict"] == "active"
    assert set(google.TYPE.values()) == {
        "itp:photo",
        "itp:clipart",
        "itp:lineart",
        "itp:animated",
        "itp:face",
    }


@pytest.mark.parametrize("value", ["²", "9" * 5000])
def test_a_dimension_that_isdigit_but_not_int_is_absent_not_an_error(value: str) -> None:
    assert googlepage.positive_int(value) is None


# --- real captures (tests/fixtures/README.md, "Google Images: real captures") ------------------------

FIXTURES = FIXTURE.parent
UDM2 = FIXTURES / "google_udm2_rendered_no_scripts_chateau-chalon_2025-06-14.html"
BASIC = FIXTURES / "google_isch_basic_nojs_papaya_2026-02.html"


def _attribute(chunk: str, name: str) -> str | None:
    """An attribute's value in raw markup, quoted or not (SingleFile drops needless quotes)."""
    found = re.search(rf'\s{name}=(?:"([^"]*)"|([^\s">]+))', chunk)
    return html_lib.unescape(found.group(1) if found.group(1) is not None else found.group(2)) if found else None


@pytest.fixture(scope="module")
def udm2() -> tuple[str, GooglePage]:
    text = UDM2.read_text(encoding="utf-8")
    return text, parse_results(text)


@pytest.fixture(scope="module")
def basic() -> tuple[str, GooglePage]:
    text = BASIC.read_text(encoding="utf-8")
    return text, parse_results(text)


def test_real_udm2_page_saved_as_rendered_is_200_tiles_not_a_silent_zero(udm2: tuple[str, GooglePage]) -> None:
    """Its scripts were stripped by the saving tool, so it holds no script data and no full-size
    URL: 200 tiles, none with an image to fetch (thumbnails are inline data: URIs), each with its
    source page, title and site; not a refusal."""
    _, page = udm2
    assert (len(page.results), len(page.without_image), page.tiles, page.skipped, page.blocked) == (0, 200, 200, 0, None)
    first = page.without_image[0]
    assert first == EngineResult(
        image_url="",
        page_url="https://www.tripadvisor.jp/Tourism-g2208191-Chateau_Chalon_Jura_Bourgogne_Franche_Comte-Vacations.html",
        title="シャトー・シャロン 2025: 行く前に！見どころをチェック - トリップアドバイザー",
        site="トリップアドバイザー",
        engine_id="OTmJOqJBiXeaNM",
    )
    amp = next(tile for tile in page.without_image if tile.engine_id == "XuAXjCN_JgdNFM")
    assert amp.page_url == "https://www.ywc.co.jp/products/product.php?pid=173&id=1549"  # &amp; in the markup
    last = page.without_image[-1]
    assert (last.engine_id, last.site) == ("20XTrbkHdFPEvM", "Sotheby's")
    assert last.page_url and last.page_url.startswith("https://www.sothebys.com/en/buy/auction/2022/")


def test_real_udm2_tiles_match_their_markup(udm2: tuple[str, GooglePage]) -> None:
    """Every tile against its own stretch of raw markup, read by plain regexes: docid, data-lpage,
    the thumbnail's alt (the title) and the site's <span>; the source link goes to data-lpage."""
    text, page = udm2
    chunks = text.split("data-docid=")[1:]
    assert len(chunks) == len(page.without_image) == 200
    assert len({tile.engine_id for tile in page.without_image}) == 200
    for chunk, tile in zip(chunks, page.without_image, strict=True):
        chunk = chunk[: chunk.find('jsname=dTDiAc')] if 'jsname=dTDiAc' in chunk else chunk
        assert tile.engine_id == chunk.split(" ", 1)[0]
        assert tile.page_url == _attribute(chunk, "data-lpage")
        assert _attribute(chunk, "href") == tile.page_url
        assert tile.title == _attribute(chunk[chunk.find("<img ") :], "alt").strip()
        assert tile.site == html_lib.unescape(re.search(r"<span>([^<]*)</span>", chunk).group(1)).strip()
        assert tile.thumbnail_url is None and not tile.is_thumbnail  # data: thumbnails only


def test_real_basic_page_is_20_thumbnail_results_not_a_refusal(basic: tuple[str, GooglePage]) -> None:
    text, page = basic
    assert (len(page.results), page.without_image, page.tiles, page.skipped, page.blocked) == (20, [], 20, 0, None)
    thumbs = [html_lib.unescape(src) for src in re.findall(r'<img class="DS1iW" alt="" src="([^"]+)"', text)]
    assert [result.image_url for result in page.results] == thumbs
    assert all(
        result.is_thumbnail and result.thumbnail_url == result.image_url and result.engine_id is None
        for result in page.results
    )
    assert page.results[0] == EngineResult(
        image_url="https://encrypted-tbn0.gstatic.com/images?q=tbn:ANd9GcQnODvWmAlSAS1flAh8GqVxaGlNCJUSw9mdMOE53LoWcro5mLqKpo2bNXolU3k&s",
        page_url="https://www.istockphoto.com/photos/papaya",
        thumbnail_url="https://encrypted-tbn0.gstatic.com/images?q=tbn:ANd9GcQnODvWmAlSAS1flAh8GqVxaGlNCJUSw9mdMOE53LoWcro5mLqKpo2bNXolU3k&s",
        title="91,000+ Papaya Stock...",
        site="www.istockphoto.com",
        is_thumbnail=True,
    )
    # /url?..&url=https://stock.adobe.com/search%3Fk%3Dpapaya.&.. : the target decoded once.
    assert page.results[4].page_url == "https://stock.adobe.com/search?k=papaya."
    assert page.results[4].title == "Papaya. Images – Browse..."
    assert [r.site for r in page.results].count("www.freepik.com") == 4
    titles = re.findall(r'<span class="qXLe6d x3G5ab">\s*<span class="fYyStc">([^<]*)</span>', text)
    sites = re.findall(r'<span class="qXLe6d F9iS2e">\s*<span class="fYyStc">([^<]*)</span>', text)
    assert [(r.title, r.site) for r in page.results] == list(zip(titles, sites, strict=True))
    # The footer's /url? links (location help, sign-in) follow no thumbnail: not results.
    assert not any("google.com" in (r.page_url or "") for r in page.results)


def test_a_tile_fills_what_its_record_lacks_and_a_tile_without_record_gives_its_thumbnail() -> None:
    html = (
        '<div data-docid="AbCdEf123456" data-lpage="https://a.example/p"><div role="button">'
        '<img alt="Tile title" src="data:image/gif;base64,R0lGOD"></div>'
        '<a href="https://a.example/p"><span>A Site</span><div>Tile title</div></a></div>'
        '<div data-docid="ZyXwVu987654" data-lpage="https://b.example/q"><div role="button">'
        '<img alt="B title" src="https://encrypted-tbn0.gstatic.com/images?q=tbn:B&amp;s"></div></div>'
        '<script>"x1":[1,[0,"AbCdEf123456",["https://encrypted-tbn0.gstatic.com/images?q\\u003dtbn:X\\u0026s",1,1],'
        '["https://img.example/a.jpg",20,10],null,0,"rgb(0,0,0)",null,0,{}]]</script>'
    )
    page = parse_results(html)
    full, thumb = page.results
    assert (full.image_url, full.page_url, full.title, full.site, full.is_thumbnail) == (
        "https://img.example/a.jpg", "https://a.example/p", "Tile title", "A Site", False,
    )  # fmt: skip
    assert (thumb.image_url, thumb.engine_id, thumb.title, thumb.is_thumbnail) == (
        "https://encrypted-tbn0.gstatic.com/images?q=tbn:B&s", "ZyXwVu987654", "B title", True,
    )  # fmt: skip
    assert page.without_image == [] and page.tiles == 2


def test_preview_url_accepts_only_http_urls() -> None:
    assert google.preview_url("https://img.example/a.jpg") == "https://img.example/a.jpg"
    for bad in (None, 3, "", "data:image/png;base64,AA", "javascript:alert(1)", "https://a b/c.jpg"):
        assert google.preview_url(bad) is None


def test_a_tile_lxml_cannot_read_is_passed_over_not_raised() -> None:
    """A control character in an attribute name makes lxml raise ValueError when the attributes
    are read (found by the fuzz test): that tile is passed over, the next one is read."""
    html = (
        '<div data-docid="AbC123" x\x01="1"><img src="https://a.example/t.jpg"></div>'
        '<div data-docid="DeF456"><div role="button"><img src="https://b.example/t.jpg"></div></div>'
        '<a href="/url?url=https://c.example/p" y\x02="1"><img src="https://c.example/t.jpg"></a>'
    )
    page = parse_results(html)
    assert [r.engine_id for r in page.results] == ["DeF456"]



# --- the provider (moved from tests/unit/test_spiders_google.py with the code it tests) -------------


def _google_options(**kwargs: str) -> google.GoogleOptions:
    from imagespider.spiders.params import parse_search_args

    args = parse_search_args("google", {"q": "cat", **kwargs}, google.GoogleProvider.filters, "share")
    return google.GoogleOptions("https://www.google.com/search", args.filters, args.policy)


def test_search_url_joins_filters_and_license_in_one_tbs() -> None:
    options = _google_options(size="large", type="photo", color="red", time="week", aspect="wide", license="share")
    assert google.GoogleProvider().search("cat", None, options).url == (
        "https://www.google.com/search?q=cat&udm=2"
        "&tbs=isz:l,itp:photo,ic:specific,isc:red,qdr:w,iar:w,il:cl&safe=active"
    )


def test_search_url_without_filters_has_no_tbs_and_honours_safe_off() -> None:
    options = _google_options(license="any", safe="off")
    assert google.GoogleProvider().search("cat", None, options).url == "https://www.google.com/search?q=cat&udm=2&safe=off"


def test_declared_license_is_the_filter_claim_or_unknown() -> None:
    result = EngineResult(image_url="https://example.org/a.jpg")
    provider = google.GoogleProvider()
    assert provider.declared_license(result, _google_options(license="share")).id == "cc-unspecified"
    assert provider.declared_license(result, _google_options(license="any")).id == "unknown"


@pytest.mark.parametrize(
    "name", ["google_isch_basic_nojs_papaya_2026-02.html", "google_udm2_rendered_no_scripts_chateau-chalon_2025-06-14.html"]
)
def test_real_tile_pages_are_not_refusals(name: str) -> None:
    """The basic page was refused as `no_results_markup`: it holds 20 results."""
    text = (FIXTURES / name).read_text(encoding="utf-8")
    assert google.GoogleProvider().refusal(text, "https://www.google.com/search?q=x&udm=2", 200) is None


def test_a_consent_page_is_a_refusal_naming_where_it_came_from() -> None:
    refusal = google.GoogleProvider().refusal("<html></html>", "https://consent.google.com/ml?continue=x", 200)
    assert refusal is not None and refusal.startswith("Google answered with its cookie-consent page")
    assert refusal.endswith("(HTTP 200 from consent.google.com/ml)")


def test_parse_page_gives_tiles_without_an_image_last_for_their_previews() -> None:
    provider = google.GoogleProvider()
    text = (FIXTURES / "google_udm2_rendered_no_scripts_chateau-chalon_2025-06-14.html").read_text(encoding="utf-8")
    results = provider.parse(text, _google_options()).results
    assert len(results) == 200 and all(r.image_url == "" and r.engine_id for r in results)
    assert provider.result_evidence(text) >= 200


def test_parse_page_keeps_tiles_in_page_order_after_the_records() -> None:
    """Tiles with a thumbnail and tiles with nothing stay in page order (each is opened in turn),
    after the results whose full-size image the script data names."""
    html = (
        '<div data-docid="Tile00000001"><div role="button"><img src="data:image/gif;base64,R0"></div></div>'
        '<div data-docid="Tile00000002"><div role="button"><img src="https://t.example/2.jpg"></div></div>'
        '<div data-docid="Tile00000003"><div role="button"><img src="data:image/gif;base64,R0"></div></div>'
        '<script>"x1":[1,[0,"Record000001",["https://encrypted-tbn0.gstatic.com/images?q\\u003dtbn:X\\u0026s",1,1],'
        '["https://img.example/a.jpg",20,10],null,0,"rgb(0,0,0)",null,0,{}]]</script>'
    )
    results = google.GoogleProvider().parse(html, _google_options()).results
    assert [(r.engine_id, r.image_url, r.is_thumbnail) for r in results] == [
        ("Record000001", "https://img.example/a.jpg", False),
        ("Tile00000001", "", False),
        ("Tile00000002", "https://t.example/2.jpg", True),
        ("Tile00000003", "", False),
    ]
