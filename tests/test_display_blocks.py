"""Long-text tables print as blocks: the sentence on its own full-width row under its fields."""

import pandas as pd

from analysis import display

SENTENCE = ("The United States will lower its tariff on Chinese goods from 145% to 30%, and China will cut "
            "its tariff on American goods from 125% to 10%, starting May 14.")


def test_long_sentence_gets_its_own_row():
    df = pd.DataFrame({"source": ["Harbour Post", "Eastern <b>Daily</b>"], "rate": [30.0, 10.0],
                       "sentence": [SENTENCE, "Short one."]})
    html = display.table_html(df)
    assert "<th>sentence</th>" not in html and "<th>source</th><th>rate</th>" in html
    assert html.count("<tbody class='record'>") == 2
    assert f"<tr class='record-text'><td colspan='2'>{SENTENCE}</td></tr>" in html
    assert "Eastern &lt;b&gt;Daily&lt;/b&gt;" in html  # still escaped


def test_short_tables_stay_a_grid():
    df = pd.DataFrame({"source": ["A", "B"], "documents": [3, 4]})
    html = display.table_html(df)
    assert "record" not in html and "<th>documents</th>" in html
    assert "record" not in display.table_html(pd.DataFrame({"sentence": [SENTENCE]}))
    assert "record" not in display.table_html(pd.DataFrame({"a": ["x"], "sentence": [SENTENCE]}), blocks=False)


def test_empty_table():
    html = display.table_html(pd.DataFrame(columns=["source", "sentence"]))
    assert "<th>source</th><th>sentence</th>" in html
