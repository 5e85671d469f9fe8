"""Sentence tone with VADER and its summaries per document, actor and source."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from analysis.annotate import Annotations
from analysis.gazetteer import load_gazetteer
from analysis.tone import (
    ALL,
    DEFAULT_TARGETS,
    SENTENCE_COLUMNS,
    SOURCE_TONE_COLUMNS,
    TONE_CAVEAT,
    TONE_COLUMNS,
    compound,
    mean_interval,
    sentence_tone,
    source_tone,
    t_critical,
    tone_table,
)


def gazetteer_mentions(sentences: pd.DataFrame) -> pd.DataFrame:
    """A mentions frame (doc_id, sentence_index, actor) from the gazetteer, as analysis.actors will give."""
    gaz = load_gazetteer()
    rows = [(r.doc_id, r.sentence_index, m.actor.name) for r in sentences.itertuples() for m in gaz.find(r.text)]
    return pd.DataFrame(rows, columns=["doc_id", "sentence_index", "actor"])


def hand_annotations(texts: dict[str, list[str]]) -> Annotations:
    rows = [(d, i, 0, len(t), t) for d, sents in texts.items() for i, t in enumerate(sents)]
    sentences = pd.DataFrame(rows, columns=["doc_id", "sentence_index", "start", "end", "text"])
    return Annotations(sentences=sentences, tokens=pd.DataFrame(), entities=pd.DataFrame(), model="hand")


# --- intervals -------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("df", "expected"), [
    (1, 12.7062), (2, 4.3027), (10, 2.2281), (30, 2.0423), (40, 2.0211), (60, 2.0003), (120, 1.9799),
    (1000, 1.9623),
])
def test_t_critical_matches_tables(df, expected):
    assert t_critical(df) == pytest.approx(expected, abs=2e-4)


def test_t_critical_rejects_zero_df():
    with pytest.raises(ValueError):
        t_critical(0)


@pytest.mark.parametrize(("values", "expected"), [
    # mean 0.4, sd 0.2, half-width 4.3027 * 0.2 / sqrt(3) = 0.4968
    ([0.2, 0.4, 0.6], (3, 0.4, -0.0968, 0.8968)),
    # mean 0.3, sd 0.1414, half-width 12.7062 * 0.1 = 1.2706, upper bound clipped to 1
    ([0.2, 0.4], (2, 0.3, -0.9706, 1.0)),
    ([-0.5, -0.5], (2, -0.5, -0.5, -0.5)),
    ([0.6], (1, 0.6, math.nan, math.nan)),
    ([], (0, math.nan, math.nan, math.nan)),
    ([0.1, float("nan"), 0.3], (2, 0.2, -1.0, 1.0)),
])
def test_mean_interval_by_hand(values, expected):
    got = mean_interval(values)
    assert got[0] == expected[0]
    np.testing.assert_allclose(got[1:], expected[1:], atol=1e-4)


# --- VADER on sentences ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "sign"), [
    # real sentences of the seeds
    ("The situation is quite surprising, considering that there have already been four rounds of talks.", 1),
    ("This communicates that China is very confident and powerful.", 1),
    ("These contradictory policies have severely eroded institutional cohesion and triggered visible cracks.", -1),
    ("If the trade talks fail, I’m deeply concerned that the all-fronts confrontation will escalate.", -1),
    # invented sentences of the same kinds
    ("Both sides praised the constructive and friendly talks as a great success.", 1),
    ("Officials welcomed the agreement, calling it a win for farmers and workers.", 1),
    ("Analysts warned the crisis could devastate exporters and destroy jobs.", -1),
    ("Beijing condemned the unfair and hostile sanctions as bullying.", -1),
])
def test_compound_sign(text, sign):
    score = compound(text)
    assert -1 <= score <= 1
    assert score * sign > 0.3


def test_compound_of_neutral_sentence_is_zero():
    assert compound("The meeting is on Tuesday in Geneva.") == 0.0


def test_sentence_tone_shape_and_language_filter():
    ann = hand_annotations({"en1": ["What a wonderful, happy day.", "This is a terrible disaster."],
                            "zh1": ["Great success!"]})
    docs = pd.DataFrame({"doc_id": ["en1", "zh1"], "language": ["en", "zh"]})
    st = sentence_tone(ann, docs)
    assert list(st.columns) == SENTENCE_COLUMNS
    assert st["doc_id"].tolist() == ["en1", "en1"]
    assert st["compound"].iloc[0] > 0.5 > -0.5 > st["compound"].iloc[1]


def test_sentence_tone_rejects_bad_docs():
    ann = hand_annotations({"a": ["Fine."]})
    with pytest.raises(ValueError, match="lacks columns"):
        sentence_tone(ann, pd.DataFrame({"id": ["a"]}))
    with pytest.raises(TypeError):
        sentence_tone(ann, ["a"])


# --- tables by hand -----------------------------------------------------------------------------------------

TONES = pd.DataFrame({
    "doc_id": ["d1", "d1", "d1", "d2", "d2", "d3"],
    "sentence_index": [0, 1, 2, 0, 1, 0],
    "compound": [0.2, 0.4, 0.6, -0.5, -0.5, 0.0],
})
MENTIONS = pd.DataFrame({
    "doc_id": ["d1", "d1", "d1", "d1", "d1", "d3"],
    "sentence_index": [0, 1, 1, 2, 2, 0],
    "actor": ["China", "China", "China", "Japan", "Russia", "China"],
})
DOCS = pd.DataFrame({"doc_id": ["d1", "d2", "d3"], "source": ["A", "B", "A"], "language": ["en"] * 3})


def test_tone_table_by_hand():
    out = tone_table(TONES, MENTIONS)
    assert list(out.columns) == TONE_COLUMNS
    expected = pd.DataFrame([
        ("d1", ALL, 3, 0.4, -0.0968, 0.8968),
        ("d1", "China", 2, 0.3, -0.9706, 1.0),   # sentence 1 mentions China twice: counted once
        ("d1", "Japan", 1, 0.6, np.nan, np.nan),  # Russia is not a target
        ("d2", ALL, 2, -0.5, -0.5, -0.5),
        ("d3", ALL, 1, 0.0, np.nan, np.nan),
        ("d3", "China", 1, 0.0, np.nan, np.nan),
    ], columns=TONE_COLUMNS)
    pd.testing.assert_frame_equal(out, expected, check_dtype=False, atol=1e-4)


def test_tone_table_custom_targets_and_no_mentions():
    out = tone_table(TONES, MENTIONS, targets=("Russia",))
    assert out[out["target"] != ALL][["doc_id", "target", "mean"]].values.tolist() == [["d1", "Russia", 0.6]]
    assert (tone_table(TONES, None)["target"] == ALL).all()


@pytest.mark.parametrize(("targets", "error"), [("China", TypeError), ((ALL,), ValueError)])
def test_tone_table_rejects_bad_targets(targets, error):
    with pytest.raises(error):
        tone_table(TONES, MENTIONS, targets=targets)


def test_tone_table_rejects_bad_mentions():
    with pytest.raises(ValueError, match="lacks columns"):
        tone_table(TONES, MENTIONS.rename(columns={"actor": "name"}))


def test_source_tone_by_hand():
    out = source_tone(TONES, MENTIONS, DOCS)
    assert list(out.columns) == SOURCE_TONE_COLUMNS
    expected = pd.DataFrame([
        # A pools d1 and d3: 0.2, 0.4, 0.6, 0.0 -> mean 0.3, sd 0.2582, half 3.1824 * 0.2582 / 2 = 0.4108
        ("A", ALL, 2, 4, 0.3, -0.1108, 0.7108),
        # China in A: 0.2, 0.4, 0.0 -> mean 0.2, sd 0.2, half 4.3027 * 0.2 / sqrt(3) = 0.4968
        ("A", "China", 2, 3, 0.2, -0.2968, 0.6968),
        ("A", "Japan", 1, 1, 0.6, np.nan, np.nan),
        ("B", ALL, 1, 2, -0.5, -0.5, -0.5),
    ], columns=SOURCE_TONE_COLUMNS)
    pd.testing.assert_frame_equal(out, expected, check_dtype=False, atol=1e-4)


def test_source_tone_group_by_other_column():
    out = source_tone(TONES, None, DOCS.assign(country=["US", "US", "US"]), group_by="country")
    assert out[["source", "target", "documents", "sentences"]].values.tolist() == [["US", ALL, 3, 6]]


def test_caveat_says_what_a_lexicon_cannot_tell():
    text = TONE_CAVEAT.lower()
    for word in ("sarcasm", "tariff", "war", "crisis", "quot", "interval"):
        assert word in text


# --- the seed corpus ---------------------------------------------------------------------------------------

def test_seed_tone(seed, tmp_path):
    docs, ann = seed
    st = sentence_tone(ann, docs)
    assert len(st) == len(ann.sentences)
    assert st["compound"].between(-1, 1).all()
    mentions = gazetteer_mentions(ann.sentences)
    table = tone_table(st, mentions)
    assert set(table.loc[table["target"] == ALL, "doc_id"]) == set(docs["doc_id"])
    assert set(table["target"]) <= {ALL, *DEFAULT_TARGETS}
    per_doc = table[table["target"] == ALL].set_index("doc_id")["sentences"]
    assert per_doc.sum() == len(st)
    # every seed article talks about China and the United States
    for target in ("China", "United States"):
        assert set(table.loc[table["target"] == target, "doc_id"]) == set(docs["doc_id"])
    assert (table["ci_low"].fillna(-1) <= table["mean"]).all()
    assert (table["mean"] <= table["ci_high"].fillna(1)).all()
    by_source = source_tone(st, mentions, docs)
    assert set(by_source["source"]) == set(docs["source"])
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    tone_table(sentence_tone(ann, docs), mentions).to_csv(a, index=False)
    tone_table(sentence_tone(ann, docs), mentions).to_csv(b, index=False)
    assert a.read_bytes() == b.read_bytes()
