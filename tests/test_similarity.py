"""TF-IDF cosine similarity between sources."""

from __future__ import annotations

import logging
import math

import numpy as np
import pandas as pd
import pytest

from analysis.annotate import Annotations
from analysis.similarity import SIMILARITY_COLUMNS, cosine_long, similarity_matrix, tfidf_vectors


def hand_annotations(words: dict[str, list[str]]) -> Annotations:
    rows = [(d, 0, k, 0, w, w, "NOUN", False, True, "") for d, ws in words.items() for k, w in enumerate(ws)]
    tokens = pd.DataFrame(rows, columns=["doc_id", "sentence_index", "i", "start", "text", "lemma", "pos",
                                         "is_stop", "is_alpha", "ent_type"])
    return Annotations(sentences=pd.DataFrame(), tokens=tokens, entities=pd.DataFrame(), model="hand")


def test_two_sources_by_hand():
    # A = {tariff, magnet}, B = {tariff, soybean}; 2 documents: idf(tariff) = ln(3/3) + 1 = 1,
    # idf(magnet) = idf(soybean) = ln(3/2) + 1 = 1.405465; cosine = 1 / (1 + 1.405465^2) = 0.3361
    ann = hand_annotations({"d1": ["tariff", "magnet"], "d2": ["tariff", "soybean"]})
    docs = pd.DataFrame({"doc_id": ["d1", "d2"], "source": ["A", "B"], "language": ["en", "en"]})
    out = similarity_matrix(ann, docs)
    expected = pd.DataFrame({"source_a": ["A", "A", "B", "B"], "source_b": ["A", "B", "A", "B"],
                             "cosine": [1.0, 0.3361, 0.3361, 1.0]})
    pd.testing.assert_frame_equal(out, expected)
    assert 1 / (1 + (math.log(1.5) + 1) ** 2) == pytest.approx(0.3361, abs=1e-4)


def test_identical_and_disjoint_sources():
    ann = hand_annotations({"d1": ["tariff", "magnet"], "d2": ["magnet", "tariff"], "d3": ["soybean", "farm"]})
    docs = pd.DataFrame({"doc_id": ["d1", "d2", "d3"], "source": ["A", "B", "C"], "language": ["en"] * 3})
    m = similarity_matrix(ann, docs).set_index(["source_a", "source_b"])["cosine"]
    assert m[("A", "B")] == 1.0
    assert m[("A", "C")] == 0.0 and m[("C", "B")] == 0.0


def test_sources_pool_their_documents_and_group_by():
    ann = hand_annotations({"d1": ["tariff"], "d2": ["magnet"], "d3": ["tariff", "magnet"]})
    docs = pd.DataFrame({"doc_id": ["d1", "d2", "d3"], "outlet": ["A", "A", "B"], "language": ["en"] * 3})
    out = similarity_matrix(ann, docs, group_by="outlet")
    assert list(out.columns) == SIMILARITY_COLUMNS
    assert out["cosine"].tolist() == [1.0, 1.0, 1.0, 1.0]


def test_source_without_english_terms_is_left_out(caplog):
    ann = hand_annotations({"d1": ["tariff"], "d2": ["magnet"], "d3": ["关税"]})
    docs = pd.DataFrame({"doc_id": ["d1", "d2", "d3"], "source": ["A", "B", "C"], "language": ["en", "en", "zh"]})
    with caplog.at_level(logging.WARNING):
        out = similarity_matrix(ann, docs)
    assert set(out["source_a"]) == {"A", "B"}
    assert "C" in caplog.text


def test_rejects_missing_group_column():
    ann = hand_annotations({"d1": ["tariff"]})
    with pytest.raises(ValueError, match="nope"):
        similarity_matrix(ann, pd.DataFrame({"doc_id": ["d1"], "source": ["A"]}), group_by="nope")


def test_tfidf_vectors_are_unit_length():
    terms = pd.DataFrame({"doc_id": ["d1", "d1", "d2"], "term": ["a", "b", "a"]})
    v = tfidf_vectors(terms, pd.Series(["X", "Y"], index=["d1", "d2"]))
    np.testing.assert_allclose((v**2).sum(axis=1), [1.0, 1.0])
    assert cosine_long(v)["cosine"].tolist()[0] == 1.0


def test_seed_similarity(seed, tmp_path):
    docs, ann = seed
    out = similarity_matrix(ann, docs)
    n = docs["source"].nunique()
    assert len(out) == n * n
    wide = out.pivot(index="source_a", columns="source_b", values="cosine")
    np.testing.assert_array_equal(wide.to_numpy(), wide.to_numpy().T)
    np.testing.assert_array_equal(np.diag(wide.to_numpy()), np.ones(n))
    off = wide.to_numpy()[~np.eye(n, dtype=bool)]
    assert ((off > 0) & (off < 1)).all()
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    similarity_matrix(ann, docs).to_csv(a, index=False)
    similarity_matrix(ann, docs).to_csv(b, index=False)
    assert a.read_bytes() == b.read_bytes()
