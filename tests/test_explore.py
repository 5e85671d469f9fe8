"""Exploration helpers over a run's tables."""

import pytest

from analysis import explore, tables


@pytest.fixture(scope="module")
def t(seed_tables):
    return tables.load_tables(seed_tables)


def test_kwic_finds_the_phrase_in_context(t):
    k = explore.kwic(t, "rare earth", by="source")
    assert len(k) >= 10
    assert k["match"].str.lower().str.startswith("rare earth").all()
    assert {"TradingKey", "Toutiao", "The New York Times"} <= set(k["source"])
    assert list(k["source"]) == sorted(k["source"])


def test_kwic_matches_hyphenated_and_case_variants(t):
    assert len(explore.kwic(t, "us-china")) >= len(explore.kwic(t, "US-China", case=True)) > 0


def test_kwic_rejects_an_empty_phrase(t):
    with pytest.raises(ValueError, match="phrase"):
        explore.kwic(t, "  ")


def test_sentences_about_filters_by_actor_and_topic(t):
    japan = explore.sentences_about(t, actor="Japan")
    assert len(japan) > 5 and japan["actors"].str.contains("Japan").all()
    autos = explore.sentences_about(t, actor="Japan", topic="autos")
    assert 0 < len(autos) < len(japan)
    assert explore.sentences_about(t, source="No Such Outlet").empty


def test_quotes_by_speaker_type(t):
    q = explore.quotes_by(t, speaker_type="academic")
    assert {"Zhu Feng", "Wang Yiwei"} <= set(q["speaker"])
    assert (q["speaker_type"] == "academic").all()


def test_source_explorer_is_an_interactive_selection(t):
    spec = explore.source_explorer(t).to_dict()
    params = spec.get("params") or spec["vconcat"][0]["params"]
    assert params[0]["select"]["type"] == "point"
    kinds = [c["title"]["text"] for c in spec["vconcat"][1:]]
    assert kinds == ["Quotes", "Sentences"]
    datasets = spec["datasets"]
    assert sum(len(v) for v in datasets.values()) < 5000


def _sentence(t, doc_id, index):
    from analysis.display import flatten

    s = explore._query(t, f"SELECT text FROM {explore._sentences_sql(t)} WHERE doc_id = ? AND sentence_index = ?",
                       [doc_id, int(index)])
    return flatten(s["text"].iloc[0])


def test_kwic_contexts_are_cut_at_word_boundaries_with_an_ellipsis(t):
    k = explore.kwic(t, "rare earth", window=40)
    assert list(k.columns) == ["source", "left", "match", "right", "doc_id", "sentence_index"]
    for r in k.itertuples():
        sentence = _sentence(t, r.doc_id, r.sentence_index)
        left, right = r.left.removeprefix("…"), r.right.removesuffix("…")
        assert len(r.left) <= 40 and len(r.right) <= 40
        assert "\n" not in r.left + r.right
        start = sentence.index(f"{left} {r.match}" if left else r.match)
        if r.left.startswith("…"):
            assert sentence[start - 1] == " ", (r.left, sentence)  # a whole word follows the "…"
        else:
            assert start == 0
        end = sentence.index(right, start) + len(right) if right else start
        if r.right.endswith("…"):
            assert end < len(sentence) and sentence[end] in " ,;:", (r.right, sentence)
        else:
            assert end == len(sentence)


def test_kwic_shows_paragraph_breaks_as_a_mark(t):
    k = explore.kwic(t, "Hu")
    assert not k["left"].str.contains("\n").any() and not k["right"].str.contains("\n").any()
    assert k["left"].str.contains("¶").any() or k["right"].str.contains("¶").any()


def test_frames_know_how_many_rows_there_are_in_all(t):
    every = explore.kwic(t, "tariff", limit=10_000)
    few = explore.kwic(t, "tariff", limit=3)
    assert len(few) == 3 and few.attrs["analysis_display"] == {"layout": "kwic", "total": len(every)}
    japan = explore.sentences_about(t, actor="Japan", limit=4)
    assert len(japan) == 4
    assert japan.attrs["analysis_display"]["total"] == len(explore.sentences_about(t, actor="Japan", limit=10_000))


def test_kwic_with_no_match_is_an_empty_table(t):
    k = explore.kwic(t, "zzyzx quokka")
    assert k.empty and k.attrs["analysis_display"]["total"] == 0
    from analysis.display import table_html

    assert "0 rows." in table_html(k)


def _explorer_data(t, **kw):
    spec = explore.source_explorer(t, **kw).to_dict()
    return spec, [row for rows in spec["datasets"].values() for row in rows if "kind" in row]


def test_explorer_lists_every_source_with_counts_when_nothing_is_selected(t):
    spec, rows = _explorer_data(t, per_source=10)
    sources = set(t.documents["group"])
    headers = [r for r in rows if r["header"]]
    assert {(r["source"], r["kind"]) for r in headers} == {(s, k) for s in sources for k in ("quote", "sentence")}
    quotes = t.quotes.merge(t.documents[["doc_id", "group"]], on="doc_id").groupby("group").size()
    for r in headers:
        if r["kind"] == "quote":
            assert r["full"].startswith(f"{r['source']}: {quotes.get(r['source'], 0)} quote")
    # Balanced: 10 lines split across the sources, at least 2 each, when nothing is selected.
    listing = spec["vconcat"][1]
    calc = next(x for x in listing["transform"] if "calculate" in x and x["as"] == "limit")
    balanced = max(2, -(-10 // len(sources)))
    assert calc["calculate"] == f"datum.n_sources > 1 ? {balanced} : 10"


def test_explorer_cut_text_ends_with_an_ellipsis(t):
    _, rows = _explorer_data(t, wrap=60)
    lines = [r for r in rows if not r["header"]]
    assert lines
    for r in lines:
        line = r["line_one"].lstrip("\u2003")
        assert len(line) <= 62, line
        if r["kind"] == "sentence" and len(r["full"]) > 60:
            assert line.endswith("…")
        if r["kind"] == "quote" and r["full"] != line:
            assert line.endswith("…”")


def test_a_selection_filters_both_lists(t):
    spec, _ = _explorer_data(t)
    name = (spec.get("params") or spec["vconcat"][0]["params"])[0]["name"]
    for listing in spec["vconcat"][1:]:
        assert listing["transform"][0]["filter"]["param"] == name  # the first transform: everything below filters
