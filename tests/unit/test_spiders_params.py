"""Spider arguments (imagespider/spiders/params.py), proven on the parsing functions directly.

What is proven here:
- ``parse_limit`` gives the default for a missing value and refuses anything that is not a whole
  number in 1..MAX_LIMIT;
- ``parse_queries`` reads ``q`` (with or without ``label``) or a queries file (comments, blank
  lines, ``label: query`` lines, and ``site:x`` queries that only look like labels), refuses the
  bad combinations, keeps explicit shared labels and separates colliding automatic ones;
- ``parse_search_args`` refuses unknown argument names but lets Scrapyd's ``_job`` through;
- every :class:`ArgumentError` text is a single line, whatever the user typed.
Folder labels (``safe_label``) are in test_dataset_labels.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from imagespider.dataset.store.labels import safe_label
from imagespider.errors import ArgumentError
from imagespider.spiders.params import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    MAX_QUERIES_FILE_BYTES,
    Query,
    parse_choice,
    parse_limit,
    parse_policy,
    parse_queries,
    parse_search_args,
)
from imagespider.spiders.urls import parse_urls_args

SIZES = {"small": "imagesize-small", "large": "imagesize-large"}


def error_of(call: object, *args: object) -> str:
    """The text of the ArgumentError ``call(*args)`` raises."""
    with pytest.raises(ArgumentError) as info:
        call(*args)  # type: ignore[operator]
    return str(info.value)


def write(path: Path, text: str) -> str:
    path.write_text(text, encoding="utf-8")
    return str(path)


# -- limit ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, DEFAULT_LIMIT),
        ("", DEFAULT_LIMIT),
        ("   ", DEFAULT_LIMIT),
        ("10", 10),
        (" 7 ", 7),
        ("1", 1),
        (str(MAX_LIMIT), MAX_LIMIT),
    ],
)
def test_parse_limit_accepts(value: str | None, expected: int) -> None:
    assert parse_limit(value) == expected


@pytest.mark.parametrize(
    "value",
    ["abc", "0", "-5", "10.5", "1e3", "ten", str(MAX_LIMIT + 1), "9" * 30, "9" * 5000],
)
def test_parse_limit_refuses(value: str) -> None:
    message = error_of(parse_limit, value)
    assert "limit" in message
    assert "\n" not in message


def test_parse_limit_range_message_names_the_bounds() -> None:
    assert f"between 1 and {MAX_LIMIT}" in error_of(parse_limit, "0")


# -- q / label / queries -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("q", "label", "expected"),
    [
        ("cat", None, Query("cat", "cat")),
        ("  Big Cats  ", None, Query("Big Cats", "big-cats")),
        ("cat", "felines", Query("cat", "felines")),
        ("cat", "../../etc", Query("cat", "etc")),
        ("site:example.com cat", None, Query("site:example.com cat", "site-example-com-cat")),
    ],
)
def test_parse_queries_from_q(q: str, label: str | None, expected: Query) -> None:
    assert parse_queries(q, None, label) == (expected,)


@pytest.mark.parametrize("q", ["", "   ", "\t\n"])
def test_empty_q_is_refused(q: str) -> None:
    assert "empty" in error_of(parse_queries, q, None, None)


def test_q_and_queries_together_are_refused(tmp_path: Path) -> None:
    path = write(tmp_path / "q.txt", "dog\n")
    assert "not both" in error_of(parse_queries, "cat", path, None)


def test_no_query_at_all_is_refused() -> None:
    message = error_of(parse_queries, None, None, None)
    assert "-a q=" in message and "-a queries=" in message


def test_label_with_queries_file_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path / "q.txt", "dog\n")
    assert "label" in error_of(parse_queries, None, path, "animals")


def test_queries_file_lines(tmp_path: Path) -> None:
    path = write(
        tmp_path / "q.txt",
        "# animals for the classifier\n"
        "\n"
        "   \n"
        "cat\n"
        "  golden retriever  \n"
        "felines: lion\n"
        "site:example.com cat\n"
        "intitle:cat\n"
        "  # an indented comment\n"
        "label-only: \n"
        ": no label\n"
        "Star Wars: The Force Awakens poster\n"
        "tab\tlabel: no\n",
    )
    assert parse_queries(None, path, None) == (
        Query("cat", "cat"),
        Query("golden retriever", "golden-retriever"),
        Query("lion", "felines"),
        Query("site:example.com cat", "site-example-com-cat"),
        Query("intitle:cat", "intitle-cat"),
        # "label-only: " is stripped to "label-only:" (no ": "), so the whole line is the query.
        Query("label-only:", "label-only"),
        Query(": no label", "no-label"),
        # A label has no spaces: otherwise the colon is part of the query.
        Query("Star Wars: The Force Awakens poster", "star-wars-the-force-awakens-poster"),
        Query("tab\tlabel: no", safe_label("tab\tlabel: no")),
    )


def test_labelled_lines_are_named_in_one_warning(tmp_path: Path) -> None:
    path = write(tmp_path / "q.txt", "cat\nAlien: Covenant poster\nStar Wars: poster\n# x: y\n")
    args = parse_search_args("bing", {"queries": path}, {}, "share")
    assert [q.label for q in args.queries] == ["cat", "alien", "star-wars-poster"]
    assert len(args.warnings) == 1
    warning = args.warnings[0]
    assert "1 line(s) read as 'label: query'" in warning
    assert "'Alien' <- 'Covenant poster'" in warning and "\n" not in warning
    assert parse_search_args("bing", {"queries": write(tmp_path / "p.txt", "cat\n")}, {}, "share").warnings == ()


def test_queries_file_with_crlf_line_ends(tmp_path: Path) -> None:
    path = tmp_path / "q.txt"
    path.write_bytes(b"cat\r\nfelines: lion\r\n")
    assert parse_queries(None, str(path), None) == (Query("cat", "cat"), Query("lion", "felines"))


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        (None, "not found"),
        ("", "no query"),
        ("\n\n   \n", "no query"),
        ("# only\n# comments\n", "no query"),
    ],
)
def test_queries_file_problems(tmp_path: Path, content: str | None, needle: str) -> None:
    path = tmp_path / "queries.txt"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    message = error_of(parse_queries, None, str(path), None)
    assert needle in message
    assert str(path) in message
    assert "\n" not in message


def test_queries_file_that_is_a_directory_or_not_utf8(tmp_path: Path) -> None:
    assert "cannot read" in error_of(parse_queries, None, str(tmp_path), None)
    binary = tmp_path / "latin1.txt"
    binary.write_bytes("chat noir\nfélin\n".encode("latin-1"))
    message = error_of(parse_queries, None, str(binary), None)
    assert "cannot read" in message and "\n" not in message


def test_a_queries_file_is_read_only_up_to_a_bound(tmp_path: Path) -> None:
    # -a queries=/dev/zero read until memory ran out (a MemoryError traceback, or the machine's
    # memory); a pipe or /dev/stdin waited forever.
    message = error_of(parse_queries, None, "/dev/zero", None)
    assert message == "cannot read queries file /dev/zero: not a regular file; give a text file, one query per line"
    huge = tmp_path / "huge.txt"
    with huge.open("wb") as handle:
        handle.truncate(MAX_QUERIES_FILE_BYTES + 1)  # sparse: nothing written
    assert error_of(parse_queries, None, str(huge), None) == (
        f"queries file {huge} is over {MAX_QUERIES_FILE_BYTES // 2**20} MiB; split it across several crawls"
    )


def test_colliding_automatic_labels_get_distinct_folders(tmp_path: Path) -> None:
    path = write(tmp_path / "q.txt", "Cat\ncat\ncat!\n" + "x" * 300 + "a\n" + "x" * 300 + "b\n")
    queries = parse_queries(None, path, None)
    assert [q.text for q in queries] == ["Cat", "cat", "cat!", "x" * 300 + "a", "x" * 300 + "b"]
    labels = [q.label for q in queries]
    assert len(set(labels)) == len(labels)
    assert labels[0] == "cat"  # the first owner keeps the plain slug
    assert all(label.startswith("cat-") for label in labels[1:3])
    for label in labels:
        assert "/" not in label and "\\" not in label


def test_explicit_shared_label_is_kept(tmp_path: Path) -> None:
    path = write(tmp_path / "q.txt", "felines: lion\nfelines: tiger\nFelines: lynx\n")
    assert parse_queries(None, path, None) == (
        Query("lion", "felines"),
        Query("tiger", "felines"),
        Query("lynx", "felines"),
    )


def test_repeated_query_line_is_one_query(tmp_path: Path) -> None:
    path = write(tmp_path / "q.txt", "cat\ndog\ncat\n")
    assert parse_queries(None, path, None) == (Query("cat", "cat"), Query("dog", "dog"))


# -- the whole set of arguments ------------------------------------------------------------


def test_unknown_argument_is_refused_and_named() -> None:
    message = error_of(parse_search_args, "bing", {"q": "cat", "limt": "5"}, {"size": SIZES}, "share")
    assert "limt" in message
    assert "limit" in message and "size" in message  # the known names are offered
    assert "\n" not in message


def test_scrapyd_job_argument_is_accepted() -> None:
    args = parse_search_args("bing", {"q": "cat", "_job": "6487ec79947edab326d6db28", "_version": "r7"}, {}, "share")
    assert args.queries == (Query("cat", "cat"),)
    assert args.limit == DEFAULT_LIMIT


@pytest.mark.parametrize("name", ["_idle", "_count_earlier_runs", "_rejected_before", "_"])
def test_only_scrapyds_own_underscore_arguments_are_accepted(name: str) -> None:
    # Scrapy sets every -a as an attribute of the spider: -a _idle=1 replaced a method the crawl
    # calls, a TypeError traceback.
    with pytest.raises(ArgumentError, match=rf"^unknown argument -a {name}= for spider bing; use one of: "):
        parse_search_args("bing", {"q": "cat", name: "1"}, {}, "share")


def test_search_args_combined() -> None:
    args = parse_search_args(
        "bing",
        {"q": "cat", "limit": "5", "license": "commercial", "size": " Large ", "label": "felines"},
        {"size": SIZES, "type": {"photo": "photo-photo"}},
        "share",
    )
    assert args.queries == (Query("cat", "felines"),)
    assert args.limit == 5
    assert args.policy == parse_policy("commercial")
    assert dict(args.filters) == {"size": "imagesize-large"}


def test_default_policy_applies_without_license_argument() -> None:
    assert parse_search_args("bing", {"q": "cat"}, {}, "any").policy.is_any
    assert not parse_search_args("bing", {"q": "cat"}, {}, "share").policy.is_any


def test_empty_filter_value_is_ignored() -> None:
    args = parse_search_args("bing", {"q": "cat", "size": ""}, {"size": SIZES}, "share")
    assert dict(args.filters) == {}


@pytest.mark.parametrize("value", ["huge", "", "smal", "large,small"])
def test_parse_choice_refuses(value: str) -> None:
    message = error_of(parse_choice, "size", value, SIZES)
    assert "size" in message
    assert "small, large" in message
    assert "\n" not in message


@pytest.mark.parametrize("value", ["large", "LARGE", "  Large\t"])
def test_parse_choice_accepts_any_case_and_spacing(value: str) -> None:
    assert parse_choice("size", value, SIZES) == "imagesize-large"


@pytest.mark.parametrize("value", ["comercial", "any,share", ",", "cc-by-xx"])
def test_parse_policy_refuses(value: str) -> None:
    message = error_of(parse_policy, value)
    assert "license" in message
    assert "\n" not in message


def test_a_bad_license_policy_setting_is_named_as_the_user_gave_it(tmp_path: Path) -> None:
    # With no -a license=, the policy is LICENSE_POLICY: the message said "-a license=foo",
    # an argument the user never typed.
    with pytest.raises(ArgumentError, match=r"^unknown license policy word 'foo' in -s LICENSE_POLICY=foo; use "):
        parse_search_args("bing", {"q": "cat"}, {}, "foo")
    with pytest.raises(ArgumentError, match=r"in -a license=bar; use "):
        parse_search_args("bing", {"q": "cat", "license": "bar"}, {}, "foo")
    urls = tmp_path / "urls.txt"
    urls.write_text("https://example.org/a.jpg\n")
    with pytest.raises(ArgumentError, match=r"in -s LICENSE_POLICY=foo; use "):
        parse_urls_args({"path": str(urls)}, "foo")


# -- one line, whatever the user typed -------------------------------------------------------



@pytest.mark.parametrize(
    ("call", "args"),
    [
        pytest.param(parse_choice, ("size", "hu\nge", SIZES), id="choice"),
        pytest.param(parse_queries, ("\n", None, None), id="q-newline-only"),
        pytest.param(parse_limit, ("1\n2",), id="limit"),
        pytest.param(
            parse_search_args,
            ("bing", {"q": "cat", "li\nmit": "5"}, {}, "share"),
            id="argument-name",
        ),
        pytest.param(
            parse_queries,
            (None, "/nonexistent\nfile.txt", None),
            id="queries-path",
        ),
        pytest.param(
            parse_policy, ("comercial\nshare",), id="license"
        ),
    ],
)
def test_error_is_one_line_even_with_newline_in_input(call: object, args: tuple[object, ...]) -> None:
    message = error_of(call, *args)
    assert "\n" not in message and "\r" not in message


def test_mode_is_add_or_top_up() -> None:
    assert parse_search_args("bing", {"q": "cat"}, {}, "share").mode == "add"
    assert parse_search_args("bing", {"q": "cat", "mode": "top-up"}, {}, "share").mode == "top-up"
    assert "add, top-up" in error_of(parse_search_args, "bing", {"q": "cat", "mode": "more"}, {}, "share")


def test_a_queries_file_saved_with_a_byte_order_mark(tmp_path: Path) -> None:
    # Windows Notepad's "UTF-8" writes a BOM: it was read as part of the first line, so a first
    # "# comment" line was searched as the query "\ufeff# animals" and a first label lost its name.
    path = tmp_path / "q.txt"
    path.write_bytes("# animals\ncat\n".encode("utf-8-sig"))
    assert parse_queries(None, str(path), None) == (Query("cat", "cat"),)
    path.write_bytes("felines: lion\ncat\n".encode("utf-8-sig"))
    assert parse_queries(None, str(path), None) == (Query("lion", "felines"), Query("cat", "cat"))
    warning = parse_search_args("bing", {"queries": str(path)}, {}, "share").warnings[0]
    assert "'felines' <- 'lion'" in warning


def test_a_blank_label_is_no_label(tmp_path: Path) -> None:
    # -a label=" " (a Scrapyd form field left with a space) named the folder "query-0aad7da7"
    # instead of the query's slug, and beside a queries file was refused as a label given.
    assert parse_queries("red fox", None, "  ") == (Query("red fox", "red-fox"),)
    assert parse_queries(None, write(tmp_path / "q.txt", "dog\n"), " ") == (Query("dog", "dog"),)
