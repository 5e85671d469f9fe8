"""Long-text tables print as blocks: the sentence on its own full-width row under its fields."""

import re

import pandas as pd

from analysis import display

SENTENCE = ("The United States will lower its tariff on Chinese goods from 145% to 30%, and China will cut "
            "its tariff on American goods from 125% to 10%, starting May 14.")


def test_long_sentence_gets_its_own_row():
    df = pd.DataFrame({"source": ["Harbour Post", "Eastern <b>Daily</b>"], "rate": [30.0, 10.0],
                       "sentence": [SENTENCE, "Short one."]})
    html = display.table_html(df, blocks=True)
    assert ">sentence</th>" not in html and ">source</th>" in html and ">rate</th>" in html
    assert html.count("<tbody class='record'>") == 2
    assert re.search(r"<tr class='record-text'><td colspan='2' style='[^']*'>" + re.escape(SENTENCE) + "</td></tr>",
                     html)
    assert "Under each row: its sentence." in html
    assert "Eastern &lt;b&gt;Daily&lt;/b&gt;" in html  # still escaped


def test_short_tables_stay_a_grid():
    df = pd.DataFrame({"source": ["A", "B"], "documents": [3, 4]})
    html = display.table_html(df)
    assert "record" not in html and ">documents</th>" in html
    assert "record" not in display.table_html(pd.DataFrame({"sentence": [SENTENCE]}), blocks=True)
    assert "record" not in display.table_html(pd.DataFrame({"a": ["x"], "sentence": [SENTENCE]}), blocks=False)


def test_empty_table():
    html = display.table_html(pd.DataFrame(columns=["source", "sentence"]))
    assert ">source</th>" in html and ">sentence</th>" in html


def test_blocks_are_the_report_default(monkeypatch):
    df = pd.DataFrame({"source": ["A"], "sentence": [SENTENCE]})
    monkeypatch.setattr(display, "_in_report", lambda: True)
    assert "<tbody class='record'>" in display.table_html(df)
    monkeypatch.setattr(display, "_in_report", lambda: False)
    assert "<tbody class='record'>" not in display.table_html(df)  # JupyterLab: the text wraps in its column
