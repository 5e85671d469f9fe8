"""Markdown to plain text, front matter, HTML extraction and table field mapping."""

from __future__ import annotations

import pytest

from analysis.ingest.fields import map_columns, pick_fields
from analysis.ingest.html import declared_charset, extract_html
from analysis.ingest.markdown import looks_like_markdown, markdown_to_text, split_front_matter


@pytest.mark.parametrize(
    ("md", "expected"),
    [
        # pandoc-wrapped paragraph with links (one target contains parentheses)
        ("The CFPB — the\n[brainchild](https://dailycaller.com/2021/x_(y)/)\nof Sen. Elizabeth Warren — has long "
         "functioned\nas another arm.", "The CFPB — the brainchild of Sen. Elizabeth Warren — has long functioned "
         "as another arm."),
        # bold link text spanning a line break inside a list item
        ("-   **CFPB**\n    [**used**](https://cei.org/a) **its** [**slush\n    fund**](https://x.com/r) to pay.",
         "CFPB used its slush fund to pay."),
        # headings, numbered lists and escapes
        ("#### **President Trump on Sunday Morning Futures **\n\n1.  **Secured the border.**\n2.  Cut \\$5 in "
         "fees \\#China", "President Trump on Sunday Morning Futures\n\nSecured the border.\n\nCut $5 in fees #China"),
        # HTML comments, spans, images, rules and end marks are dropped
        ("<span style=\"text-decoration: underline\">Section</span> 1.  Purpose.\n\n<!-- -->\n\n"
         "![chart](https://x/y.png)\n\n------\n\n\\###", "Section 1. Purpose."),
        # figure captions are dropped, table text inside a figure is kept
        ("<figure>\n<table><tr><td>ONDCP will recompete the awards.</td></tr></table>\n"
         "<figcaption>Photo by staff</figcaption>\n</figure>", "ONDCP will recompete the awards."),
        # block quotes, autolinks and entities
        ("> Tariffs &amp; trade, see <https://www.ai.gov/x>.", "Tariffs & trade, see https://www.ai.gov/x."),
        # hard line break (two trailing spaces) separates lines
        ("signed into law:  \nS. 160, which amends the Act.", "signed into law:\n\nS. 160, which amends the Act."),
        # snake_case, arithmetic stars and underscores inside words survive
        ("The file_name is 5 * 3 and *emphasis* and _this_.", "The file_name is 5 * 3 and emphasis and this."),
        # long lines are paragraphs, not one wrapped paragraph
        ("A" * 120 + " end.\nSecond paragraph that is a separate line.", "A" * 120 + " end.\n\nSecond paragraph that is a separate line."),
    ],
)
def test_markdown_to_text(md: str, expected: str) -> None:
    assert markdown_to_text(md) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("See [the order](https://www.whitehouse.gov/x).", True),
        ("## Heading\n\nBody.", True),
        ("Line one of a paragraph that\ncontinues here without a stop and\nthen goes on to the next line\nand ends.",
         True),
        ("China, Japan, and South Korea made a rare show of public cooperation.\nThe countries are looking to "
         "offset costs.\nOn Monday, a post on Weibo said so.", False),
        ("Plain text with a [bracket] and a (parenthesis).", False),
    ],
)
def test_looks_like_markdown(text: str, expected: bool) -> None:
    assert looks_like_markdown(text) is expected


@pytest.mark.parametrize(
    ("text", "meta", "warning"),
    [
        ("---\ntitle: A\ndate: 2025-04-10\ntags: [trade, china]\n---\nBody", {"title": "A", "date": "2025-04-10",
                                                                            "tags": "trade, china"}, None),
        ("---\ntitle: [unclosed\n---\nBody", {}, "not valid YAML"),
        ("---\n- a\n- b\n---\nBody", {}, "not a mapping"),
        ("---\ntitle: A\nauthor:\n  name: X\n---\nBody", {"title": "A"}, "nested values ignored: author"),
        ("---\ntitle: A\nBody without a closing fence", {}, "no closing"),
        ("No front matter\n---\nat all", {}, None),
    ],
)
def test_split_front_matter(text: str, meta: dict[str, str], warning: str | None) -> None:
    body, found, warnings = split_front_matter(text)
    assert body.startswith(("Body", "No front", "---\ntitle: A\nBody"))
    assert found == meta
    assert (warnings == []) if warning is None else (warning in warnings[0])


def test_map_columns_sorts_aliases_and_unknowns() -> None:
    fmap = map_columns(["Text", "date", "published_time", "Source", "category", "clicks", "notes", "words"])
    assert fmap.core == {"text": ["Text"], "published": ["date", "published_time"], "outlet": ["Source"]}
    assert fmap.extra == ["category"]
    assert fmap.ignored == ["clicks", "words"]
    assert fmap.silent == ["notes"]
    core, extra = pick_fields({"date": "", "published_time": "2025-01-02 10:00", "Source": "X", "category": "a"},
                              fmap)
    assert core == {"published": "2025-01-02 10:00", "outlet": "X"}
    assert extra == {"category": "a"}


def test_keep_columns_keeps_more_metadata() -> None:
    assert map_columns(["text", "clicks"], keep=["clicks"]).extra == ["clicks"]


def test_extract_html_without_article_returns_empty() -> None:
    assert extract_html("<html><body></body></html>") == ("", {})


def test_declared_charset() -> None:
    assert declared_charset(b'<html><head><meta charset="GB2312"></head>') == "gb2312"
    assert declared_charset(b'<meta http-equiv="Content-Type" content="text/html; charset=utf-8">') == "utf-8"
    assert declared_charset(b"<html><head></head>") is None
    assert declared_charset(b'<meta charset="no-such-codec">') is None
