"""Thin data: the sentence each section shows, and folding many sources into "other"."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd
import pytest

from analysis import profile, thin, views
from analysis.charts import coverage as cov
from analysis.charts import facts
from analysis.charts import voices_quotes as vq


class Tables(SimpleNamespace):
    """A stand-in for RunTables: attributes are tables, ``get`` reads them by name."""

    def get(self, name, *, with_text=False):
        return getattr(self, name)


def run(groups: dict[str, list[str]], **tables) -> Tables:
    """Tables of a run whose groups hold documents in the given languages."""
    rows = [(f"{g}-{i}", g, lang, 100 * (i + 1)) for g, langs in groups.items() for i, lang in enumerate(langs)]
    docs = pd.DataFrame(rows, columns=["doc_id", "group", "language", "words"])
    docs["published"] = "2025-04-01"
    docs["source"] = docs["group"]
    return Tables(documents=docs, **tables)


@pytest.mark.parametrize(("groups", "section", "source", "expected"), [
    ({"Reuters": ["en", "en"]}, "terms", None,
     "Distinctive terms need at least two sources with English text; this run has one."),
    ({"Reuters": ["en"], "Le Monde": ["fr"]}, "similarity", None,
     "Similarity between sources needs at least two sources with English text; this run has one "
     "(one other source without English text)."),
    ({"El País": ["es"], "Corriere": ["it"]}, "quotes", None,
     "Quotes are measured on text in English, Chinese, Japanese, Korean, French or German, and none of the "
     "two sources in this run has any."),
    ({"Le Monde": ["fr"], "Die Zeit": ["de"]}, "quotes", None,
     "Quotes: no direct quote was found in the text of the two sources."),
    ({"Le Monde": ["fr"], "Die Zeit": ["de"]}, "tone", None,
     "Tone is measured on English text, and none of the two sources in this run has any."),
    ({"Reuters": ["en"], "Le Monde": ["fr"]}, "terms", "Le Monde",
     "Le Monde has no English text (its documents are in fr); distinctive terms are measured on English text, "
     "so none are shown for it."),
    ({"Reuters": ["en"], "AP": ["en"]}, "quotes", "AP", "Quotes: no direct quote was found in AP's text."),
    ({"Reuters": ["en"], "AP": ["en"], "BBC": ["en"]}, "claims", None,
     "Tariff-rate statements: no tariff rate was found in the text of the three sources."),
    ({"A": ["en"], "B": ["en"]}, "blind_spots", None,
     "Blind spots need at least three sources with text in English, Chinese, Japanese, Korean, French or "
     "German; this run has two."),
    ({"=SUM(A1)": ["ja", "ja"]}, "tone", "=SUM(A1)",
     "=SUM(A1) has no English text (its documents are in ja); tone is measured on English text, "
     "so none are shown for it."),
    ({"A": ["zh"]}, "publication", None, "No document has a publication date, so there is no publication timeline."),
])
def test_reason_says_what_is_missing_and_why(groups, section, source, expected):
    assert thin.reason(run(groups), section, source=source) == expected


def test_reason_on_an_empty_run_and_an_unknown_section():
    empty = run({})
    assert thin.reason(empty, "terms") == "Distinctive terms: this run has no document."
    with pytest.raises(KeyError):
        thin.reason(empty, "horoscope")


def test_every_section_has_a_sentence_for_every_shape_of_run():
    shapes = [{}, {"A": ["en"]}, {"A": ["fr"]}, {"A": ["en"], "B": ["ko"]}, {"A": ["en"], "B": ["en"], "C": ["en"]}]
    for groups in shapes:
        t = run(groups)
        for section in thin.SECTIONS:
            assert thin.reason(t, section).endswith(".")
            for g, langs in groups.items():
                if "en" not in langs and thin.SECTIONS[section].english_only and section not in thin.READ_IN_OWN_LANGUAGE:
                    assert thin.reason(t, section, source=g).startswith(f"{g} has no English text")


def test_thin_data_is_escaped_html():
    out = thin.ThinData("<b>Daily</b> has no English text.")._repr_html_()
    assert out == "<p class='analysis-thin'>&lt;b&gt;Daily&lt;/b&gt; has no English text.</p>"


def test_or_sentence():
    df = pd.DataFrame({"a": [1]})
    assert thin.or_sentence(df, "x") is df
    assert thin.or_sentence(df.iloc[0:0], "nothing") == thin.ThinData("nothing")


@pytest.mark.parametrize("factory", [
    lambda: cov.words_chart(pd.DataFrame(columns=["source", "documents", "words"]), empty="E"),
    lambda: cov.publication_timeline(pd.DataFrame({"doc_id": ["a"], "group": ["A"], "published": [""],
                                                   "words": [3], "title": ["t"]}), empty="E"),
    lambda: cov.actor_presence_chart(pd.DataFrame(columns=["source", "actor", "mentions", "per_1000_words"]),
                                     empty="E"),
    lambda: cov.quoted_share_chart(pd.DataFrame(columns=["source", "words", "quoted_words", "quoted_share"]),
                                   empty="E"),
    lambda: vq.share_of_voice_chart(pd.DataFrame(columns=["source", "speaker_type", "quotes", "share"]), empty="E"),
    lambda: vq.quoted_by_chart(pd.DataFrame(columns=["source", "speaker", "speaker_type", "quotes"]), empty="E"),
    lambda: facts.timeline_chart(pd.DataFrame(columns=["doc_id", "date", "precision", "sentence"]),
                                 pd.DataFrame(columns=["doc_id", "source"]), empty="E"),
    lambda: facts.claims_table_chart(pd.DataFrame(columns=["doc_id", "imposer", "target", "rate_pct",
                                                           "from_rate_pct", "scope", "sentence"]),
                                     pd.DataFrame(columns=["doc_id", "source"]), empty="E"),
], ids=["words", "publication", "actors", "quoted-share", "share-of-voice", "quoted-by", "timeline", "claims"])
def test_empty_input_gives_the_sentence(factory):
    assert factory() == thin.ThinData("E")


def test_one_row_inputs_chart():
    one = pd.DataFrame({"source": ["A"], "documents": [1], "words": [10], "first_published": ["2025-01-01"],
                        "last_published": ["2025-01-01"]})
    assert cov.words_chart(one).to_dict()["title"]
    sov = pd.DataFrame({"source": ["A"], "speaker_type": ["government"], "quotes": [1], "share": [1.0]})
    assert vq.share_of_voice_chart(sov).to_dict()["title"]
    docs = pd.DataFrame({"doc_id": ["a"], "group": ["A"], "published": ["2025-04-01"], "words": [3], "title": [None]})
    assert cov.publication_timeline(docs).to_dict()["title"]


# ---------------------------------------------------------------- many sources fold into "other"


def many(n: int) -> Tables:
    groups = {f"S{i:02d}": ["en"] * (1 + (i < 3)) for i in range(n)}
    t = run(groups)
    t.share_of_voice = pd.DataFrame([(g, "government", 2, 1.0) for g in groups],
                                    columns=["source", "speaker_type", "quotes", "share"])
    t.source_tone = pd.DataFrame([(g, "China", 1, 4, 0.5 if i % 2 else -0.5, 0.1, 0.9) for i, g in enumerate(groups)],
                                 columns=["source", "target", "documents", "sentences", "mean", "ci_low", "ci_high"])
    t.sources = pd.DataFrame([(g, 1, 100, "2025-01-01", "2025-02-01") for g in groups],
                             columns=["source", "documents", "words", "first_published", "last_published"])
    t.similarity = pd.DataFrame([(a, b, 1.0) for a in groups for b in groups],
                                columns=["source_a", "source_b", "cosine"])
    return t


def test_top_groups_rank_by_documents_then_name():
    assert views.top_groups(many(6), 4) == ["S00", "S01", "S02", "S03"]
    assert views.top_groups(many(0), 4) == []


def test_fold_keeps_the_top_groups_and_says_how_many_were_folded():
    t = many(30)
    sov = views.across_sources(t, "share_of_voice", n=5)
    assert list(sov["source"]) == ["S00", "S01", "S02", "S03", "S04", "other (25 sources)"]
    assert sov["quotes"].iloc[-1] == 50 and sov["share"].iloc[-1] == 1.0
    tone = views.across_sources(t, "source_tone", n=5)
    other = tone[tone["source"] == "other (25 sources)"].iloc[0]
    assert other["sentences"] == 100 and other["mean"] == pytest.approx(0.5 * (13 - 12) / 25)
    assert pd.isna(other["ci_low"])
    src = views.across_sources(t, "sources", n=5)
    assert src["documents"].iloc[-1] == 25 and src["first_published"].iloc[-1] == "2025-01-01"
    sim = views.across_sources(t, "similarity", n=5)
    assert set(sim["source_a"]) == {"S00", "S01", "S02", "S03", "S04"} and len(sim) == 25


def test_fold_leaves_small_runs_alone():
    t = many(3)
    assert views.across_sources(t, "share_of_voice").equals(t.share_of_voice)
    assert views.shown_sources_note(t) is None
    assert "fold the other 10" in views.shown_sources_note(many(30))


def test_fold_of_one_folded_group_is_singular():
    t = many(21)
    assert views.across_sources(t, "share_of_voice")["source"].iloc[-1] == "other (1 source)"
    with pytest.raises(KeyError, match="no rule"):
        views.across_sources(t, "documents")


def test_documents_folded():
    d = views.documents_folded(many(25), n=20)
    assert set(d["source"]) == {f"S{i:02d}" for i in range(20)} | {"other (5 sources)"}
    assert (d["group"] == d["source"]).all()


# ---------------------------------------------------------------- views accept empty and one-row tables


def _empty_run() -> Tables:
    t = run({"A": ["fr"]})
    t.claims = pd.DataFrame(columns=["doc_id", "imposer", "target", "rate_pct", "from_rate_pct", "scope", "effective",
                                     "sentence_index", "sentence"])
    t.events = pd.DataFrame(columns=["doc_id", "date", "precision", "sentence_index", "sentence", "expression"])
    t.conflicts = pd.DataFrame(columns=["kind", "description", "doc_ids", "values", "sentences"])
    t.quotes = pd.DataFrame(columns=["doc_id", "speaker", "speaker_type", "quote", "is_fragment", "sentence_index"])
    t.source_topics = pd.DataFrame(columns=["source", "kind", "label", "documents", "documents_with", "sentences",
                                            "share"])
    t.share_of_voice = pd.DataFrame(columns=["source", "speaker_type", "quotes", "share"])
    t.actors_by_source = pd.DataFrame(columns=["source", "actor", "actor_type", "mentions", "documents",
                                               "per_1000_words"])
    t.segments = pd.DataFrame(columns=["doc_id", "source", "document_language", "language", "segment"])
    t.documents["text"] = "Pékin a annoncé jeudi de nouveaux droits de douane."
    return t


@pytest.mark.parametrize("view", [
    lambda t: views.claims_view(t), lambda t: views.claims_view(t, "A"), lambda t: views.events_view(t, "A"),
    lambda t: views.conflicts_for(t, "A"), lambda t: views.quotes_of(t, "A"), lambda t: views.topics_vs_rest(t, "A"),
    lambda t: views.voice_vs_rest(t, "A"),
    lambda t: profile.presence_vs_rest(t, "A"),
], ids=["claims", "claims-of", "events-of", "conflicts-of", "quotes-of", "topics", "voice", "presence"])
def test_views_of_an_empty_run_are_empty_frames(view):
    out = view(_empty_run())
    assert isinstance(out, pd.DataFrame) and out.empty


def test_passages_of_a_source_without_english():
    p = profile.passages_of(_empty_run(), "A")
    assert list(p.columns) == ["doc_id", "language", "passage"]
    assert list(p["language"]) == ["fr"] and p["passage"].iloc[0].startswith("Pékin a annoncé")
