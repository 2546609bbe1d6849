"""A row's credit line (imagespider/dataset/store/credit.py): the manifest's plain line and
ATTRIBUTION.md's Markdown line, one wording, web text escaped."""

from __future__ import annotations

import re

from imagespider.dataset.store.credit import credit_line, md_text
from imagespider.rights.model import unknown
from tests.manifest_rows import CC_BY_2, row


def test_md_text_folds_whitespace_and_control_characters() -> None:
    assert md_text("a\n\tb\x00c") == "a bc"


def test_the_plain_credit_has_the_markdown_credits_words() -> None:
    """One wording: the manifest's plain line and ATTRIBUTION.md's Markdown line say the same."""
    plain = credit_line(row(1, CC_BY_2), CC_BY_2)
    assert plain == (
        '"Cat 1" by Author 1 (https://photos.example/people/1), source: photos.example (https://photos.example/1), '
        "licensed under CC BY 2.0 (https://creativecommons.org/licenses/by/2.0/)"
    )
    markdown = credit_line(row(1, CC_BY_2), CC_BY_2, markdown=True)
    assert re.sub(r"\[([^]]*)\]\(([^)]*)\)", r"\1 (\2)", markdown) == plain


def test_the_plain_credit_folds_web_text_and_drops_unusable_links() -> None:
    plain = credit_line(row(1, unknown(), title="a\nb", author_url="javascript:x", page_url=None), unknown())
    assert plain.startswith('"a b" by Author 1, source: img.example (https://img.example/1.jpg)')
    assert plain.endswith(", license not known")
