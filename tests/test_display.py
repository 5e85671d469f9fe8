"""Tables for reading: flattened and shortened text, alignment, keyword in context, row counts."""

import re

import pandas as pd
import pytest

from analysis import display


@pytest.mark.parametrize(("text", "expected"), [
    ("Tariffs rose.\n\nChina replied.", "Tariffs rose. ¶ China replied."),
    ("Tariffs rose.\r\n \r\nChina replied.", "Tariffs rose. ¶ China replied."),
    ("a line\nbroken in two", "a line broken in two"),
    ("  spaced \t out  ", "spaced out"),
    (None, ""),
    (float("nan"), ""),
])
def test_flatten(text, expected):
    assert display.flatten(text) == expected


@pytest.mark.parametrize(("text", "width", "keep", "expected"), [
    ("The quick brown fox jumps", 12, "start", "The quick…"),
    ("The quick brown fox jumps", 12, "end", "…fox jumps"),
    ("The quick brown fox jumps", 25, "start", "The quick brown fox jumps"),
    ("Beijing imposed curbs, then Washington", 24, "start", "Beijing imposed curbs…"),
    ("rare earth exports.\n\nThe ministry said", 30, "end", "…exports. ¶ The ministry said"),
    ("Supercalifragilistic", 8, "start", "Superca…"),
    ("", 10, "start", ""),
])
def test_shorten_cuts_at_word_boundaries(text, width, keep, expected):
    out = display.shorten(text, width, keep=keep)
    assert out == expected
    assert len(out) <= width


def _cells(html: str) -> list[tuple[str, str]]:
    """(style, text) of every td."""
    return [(m.group(1), re.sub(r"<[^>]+>", "", m.group(2)))
            for m in re.finditer(r"<td style='([^']*)'>(.*?)</td>", html)]


def test_text_is_left_aligned_and_numbers_right_aligned():
    df = pd.DataFrame({"source": ["Global Times"], "words": [1234], "share": [0.25]})
    cells = dict((text, style) for style, text in _cells(display.table_html(df)))
    assert "text-align:left" in cells["Global Times"]
    assert "text-align:right" in cells["1,234"] and "text-align:right" in cells["0.25"]


def test_long_text_wraps_at_a_reading_width():
    df = pd.DataFrame({"source": ["TradingKey"], "text": ["China lowered its tariff on U.S. goods " * 5]})
    html = display.table_html(df)
    assert "max-width:80ch" in html and "min-width:40ch" in html
    assert "table-layout:auto" in html  # JupyterLab's fixed layout squeezes long columns


def test_kwic_is_centred_on_the_match():
    k = display.for_display(pd.DataFrame({"source": ["NYT"], "left": ["…new controls on"], "match": ["rare earth"],
                                          "right": ["metals and…"]}), layout="kwic")
    styles = {text: style for style, text in _cells(display.table_html(k))}
    assert "text-align:right" in styles["…new controls on"]
    assert "text-align:center" in styles["rare earth"]
    assert "text-align:left" in styles["metals and…"]
    assert all("nowrap" in styles[c] for c in ("…new controls on", "rare earth", "metals and…"))


def test_rows_shown_of_total_is_visible():
    df = pd.DataFrame({"n": range(3)})
    assert "Showing 2 of 3 rows." in display.table_html(df, max_rows=2)
    assert "3 rows." in display.table_html(df)
    marked = display.for_display(df.head(2).copy(), total=312)
    assert "Showing 2 of 312 rows." in display.table_html(marked)


def test_paragraph_breaks_and_markup_are_escaped_and_flattened():
    df = pd.DataFrame({"text": ["<script>alert(1)</script>\n\nSecond paragraph"]})
    html = display.table_html(df)
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "¶ Second paragraph" in html


@pytest.mark.parametrize("df", [pd.DataFrame({"a": [], "b": []}), pd.DataFrame({"a": ["x"], "b": [None]})])
def test_empty_and_one_row_frames(df):
    html = display.table_html(df, caption="Nothing much.")
    assert "<table" in html and f"{len(df)} row" in html


def test_marked_frames_display_for_reading_others_as_pandas():
    marked = display.for_display(pd.DataFrame({"left": ["a"], "match": ["b"], "right": ["c"]}), layout="kwic")
    assert "analysis-kwic" in display._frame_html(marked)
    plain = pd.DataFrame({"a": [1]})
    assert display._frame_html(plain) == plain._repr_html_()


def test_short_values_never_wrap_and_lists_get_spaces():
    df = pd.DataFrame({"effective": ["2025-08-01"], "scope": ["autos;auto parts;steel"]})
    cells = {text: style for style, text in _cells(display.table_html(df))}
    assert "nowrap" in cells["2025-08-01"]
    assert "autos; auto parts; steel" in cells
