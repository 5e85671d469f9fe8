"""Distinctive language (Monroe et al. log-odds with informative Dirichlet prior) and top terms."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import pytest

from analysis.annotate import Annotations
from analysis.terms import (
    DISTINCTIVE_COLUMNS,
    TOP_COLUMNS,
    content_terms,
    distinctive_terms,
    log_odds_z,
    top_terms,
)

TOKEN_COLUMNS = ["doc_id", "sentence_index", "i", "start", "text", "lemma", "pos", "is_stop", "is_alpha", "ent_type"]


def tok(doc_id: str, words: list[str | tuple], sentence: int = 0, first: int = 0) -> list[tuple]:
    """Token rows; a word is a plain noun, or ``(text, lemma, pos, is_stop)``."""
    rows = []
    for k, w in enumerate(words):
        text, lemma, pos, stop = (w, w, "NOUN", False) if isinstance(w, str) else w
        rows.append((doc_id, sentence, first + k, 0, text, lemma, pos, stop, text.isalpha(), ""))
    return rows


def hand_annotations(rows: list[tuple]) -> Annotations:
    return Annotations(sentences=pd.DataFrame(), tokens=pd.DataFrame(rows, columns=TOKEN_COLUMNS),
                       entities=pd.DataFrame(), model="hand")


# --- log-odds by hand ---------------------------------------------------------------------------------------

def test_log_odds_two_groups_by_hand():
    # A says x x x y, B says x y y y. Prior a = pooled counts: a_x = a_y = 4, a0 = 8; n_A = n_B = 4.
    # z_A(x) = [log(7/5) - log(5/7)] / sqrt(1/7 + 1/5) = 0.67294 / 0.58554 = 1.14927
    counts = pd.DataFrame({"A": [3, 1], "B": [1, 3]}, index=["x", "y"])
    z = log_odds_z(counts)
    assert z.loc["x", "A"] == pytest.approx(1.14927, abs=1e-5)
    assert z.loc["x", "B"] == pytest.approx(-1.14927, abs=1e-5)
    assert z.loc["y", "A"] == pytest.approx(-1.14927, abs=1e-5)


def test_log_odds_three_groups_each_against_the_rest():
    # A: x=2, y=0; B: x=0, y=2; C: x=1, y=1. a_x = a_y = 3, a0 = 6; n_A = 2, rest = 4.
    # z_A(x) = [log(5/3) - log(4/6)] / sqrt(1/5 + 1/4) = 1.36593
    counts = pd.DataFrame({"A": [2, 0], "B": [0, 2], "C": [1, 1]}, index=["x", "y"])
    z = log_odds_z(counts)
    assert z.loc["x", "A"] == pytest.approx(1.36593, abs=1e-5)
    assert z.loc["x", "C"] == pytest.approx(0.0, abs=1e-12)
    assert z.loc["y", "B"] == pytest.approx(z.loc["x", "A"])


def test_stronger_prior_shrinks_z():
    counts = pd.DataFrame({"A": [30, 10], "B": [10, 30]}, index=["x", "y"])
    assert abs(log_odds_z(counts, prior_scale=10).loc["x", "A"]) < abs(log_odds_z(counts).loc["x", "A"])


@pytest.mark.parametrize(("counts", "kwargs"), [
    (pd.DataFrame({"A": [1, 2]}), {}),
    (pd.DataFrame({"A": [1, -2], "B": [1, 1]}), {}),
    (pd.DataFrame({"A": [1, 2], "B": [1, 1]}), {"prior_scale": 0}),
])
def test_log_odds_rejects_bad_input(counts, kwargs):
    with pytest.raises(ValueError):
        log_odds_z(counts, **kwargs)


# --- terms from tokens -----------------------------------------------------------------------------------

def test_content_terms_drop_stopwords_punctuation_numbers():
    rows = tok("d", [("The", "the", "DET", True), ("Tariffs", "tariff", "NOUN", False), ("were", "be", "AUX", True),
                     ("raised", "raise", "VERB", False), ("25", "25", "NUM", False), ("%", "%", "NOUN", False),
                     (".", ".", "PUNCT", False), ("U.S.", "U.S.", "PROPN", False), ("a", "a", "NOUN", False),
                     ("Rare", "rare", "ADJ", False), ("earths", "earth", "NOUN", False)])
    docs = pd.DataFrame({"doc_id": ["d"], "language": ["en"]})
    assert content_terms(hand_annotations(rows), docs)["term"].tolist() == ["tariff", "raise", "rare", "earth"]
    bi = content_terms(hand_annotations(rows), docs, bigrams=True)["term"].tolist()
    # "tariff raise" is not a bigram: "were" stands between them
    assert bi == ["tariff", "raise", "rare", "rare earth", "earth"]
    assert content_terms(hand_annotations(rows), docs.assign(language="ja")).empty


TOY = hand_annotations(tok("a1", ["tariff", "tariff", "tariff", "magnet"]) + tok("b1", ["tariff", "magnet"])
                       + tok("b2", ["magnet", "magnet"]))
TOY_DOCS = pd.DataFrame({"doc_id": ["a1", "b1", "b2"], "source": ["A", "B", "B"], "language": ["en"] * 3})


def test_distinctive_terms_toy():
    out = distinctive_terms(TOY, TOY_DOCS)
    assert list(out.columns) == DISTINCTIVE_COLUMNS
    expected = pd.DataFrame({"source": ["A", "A", "B", "B"], "term": ["tariff", "magnet", "magnet", "tariff"],
                             "count": [3, 1, 3, 1], "zscore": [1.1493, -1.1493, 1.1493, -1.1493]})
    pd.testing.assert_frame_equal(out, expected, check_dtype=False)
    assert distinctive_terms(TOY, TOY_DOCS, top=1)["term"].tolist() == ["tariff", "magnet"]
    assert distinctive_terms(TOY, TOY_DOCS, min_count=5).empty


def test_distinctive_terms_group_by_is_renamed_source():
    out = distinctive_terms(TOY, TOY_DOCS.assign(country=["US", "CN", "CN"]), group_by="country")
    assert list(out.columns) == DISTINCTIVE_COLUMNS
    assert out["source"].unique().tolist() == ["CN", "US"]


def test_distinctive_terms_one_group_is_empty_with_warning(caplog):
    with caplog.at_level(logging.WARNING):
        out = distinctive_terms(TOY, TOY_DOCS.assign(source="A"))
    assert out.empty and list(out.columns) == DISTINCTIVE_COLUMNS
    assert "two groups" in caplog.text


@pytest.mark.parametrize("kwargs", [{"min_count": 0}, {"top": 0}, {"group_by": "nope"}])
def test_distinctive_terms_rejects_bad_options(kwargs):
    with pytest.raises(ValueError):
        distinctive_terms(TOY, TOY_DOCS, **kwargs)


def test_top_terms_toy():
    out = top_terms(TOY, TOY_DOCS, n=1)
    assert list(out.columns) == TOP_COLUMNS
    assert out.values.tolist() == [["A", "tariff", 3, 0.75], ["B", "magnet", 3, 0.75]]
    with pytest.raises(ValueError):
        top_terms(TOY, TOY_DOCS, n=0)


# --- the seed corpus ------------------------------------------------------------------------------------

def test_seed_distinctive_terms(seed, tmp_path):
    docs, ann = seed
    out = distinctive_terms(ann, docs, top=10)
    assert set(out["source"]) == set(docs["source"])
    assert out.groupby("source").size().max() == 10
    top = {s: set(g["term"]) for s, g in out.groupby("source")}
    assert "alliance" in top["Global Times"]
    assert {"supply", "chain"} <= top["TradingKey"]
    assert "hegseth" in top["Washington Examiner (attributed)"]
    full = distinctive_terms(ann, docs)
    assert not full["term"].isin(["the", "be", "and", ",", "25"]).any()
    assert (full["count"] >= 1).all() and np.isfinite(full["zscore"]).all()
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    distinctive_terms(ann, docs, bigrams=True).to_csv(a, index=False)
    distinctive_terms(ann, docs, bigrams=True).to_csv(b, index=False)
    assert a.read_bytes() == b.read_bytes()
    assert "rare earth" in set(pd.read_csv(a)["term"])


def test_seed_top_terms(seed):
    docs, ann = seed
    out = top_terms(ann, docs, n=5)
    assert out.groupby("source").size().tolist() == [5] * docs["source"].nunique()
    assert out.loc[out["source"] == "TradingKey", "term"].tolist()[:3] == ["china", "earth", "rare"]
