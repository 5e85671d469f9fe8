"""How alike the sources' vocabularies are: TF-IDF cosine similarity between sources.

Each source is one bag of content terms (lemmas, see :func:`analysis.terms.content_terms`)
pooled over its English documents. Term weights are ``count × idf`` with a smoothed
inverse document frequency computed over *documents* (not sources), so words that
appear in every article ("tariff", "trade") count for little and a source is not
similar to another merely for covering the same story. Vectors are L2-normalised;
cosine 1 means the same weighted vocabulary, 0 means no shared weighted term.

Implemented with numpy so the package needs no scikit-learn; the weighting matches
scikit-learn's ``TfidfVectorizer(smooth_idf=True, norm="l2")`` applied to the pooled counts.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from analysis.annotate import Annotations
from analysis.terms import content_terms

log = logging.getLogger(__name__)

DECIMALS = 4
SIMILARITY_COLUMNS = ["source_a", "source_b", "cosine"]


def tfidf_vectors(terms: pd.DataFrame, groups: pd.Series) -> pd.DataFrame:
    """L2-normalised TF-IDF vectors of groups of documents.

    Args:
        terms: Term occurrences with ``doc_id`` and ``term`` (as from ``content_terms``).
        groups: The group of each document, indexed by ``doc_id``.

    Returns:
        Groups (rows, sorted) × terms (columns, sorted); groups without terms are dropped.
    """
    t = terms[["doc_id", "term"]].copy()
    t["doc_id"] = t["doc_id"].astype(str)
    t = t[t["doc_id"].isin(groups.index)]
    if t.empty:
        return pd.DataFrame(dtype=float)
    n_docs = t["doc_id"].nunique()
    df = t.drop_duplicates().groupby("term").size()
    idf = np.log((1.0 + n_docs) / (1.0 + df)) + 1.0
    t["group"] = t["doc_id"].map(groups)
    tf = t.groupby(["group", "term"]).size().unstack("term", fill_value=0).sort_index().sort_index(axis=1)
    weights = tf.to_numpy(dtype=float) * idf.reindex(tf.columns).to_numpy()[None, :]
    norms = np.sqrt((weights**2).sum(axis=1, keepdims=True))
    return pd.DataFrame(weights / norms, index=tf.index, columns=tf.columns)


def cosine_long(vectors: pd.DataFrame) -> pd.DataFrame:
    """All ordered pairs of rows of L2-normalised vectors with their cosine (symmetric, diagonal 1)."""
    names = list(vectors.index)
    x = vectors.to_numpy(dtype=float)
    rows = []
    for i, a in enumerate(names):
        for j, b in enumerate(names):
            if i == j:
                value = 1.0
            else:
                lo, hi = min(i, j), max(i, j)
                value = round(float(np.dot(x[lo], x[hi])), DECIMALS)
            rows.append((a, b, value))
    return pd.DataFrame(rows, columns=SIMILARITY_COLUMNS)


def similarity_matrix(ann: Annotations, docs: pd.DataFrame, *, group_by: str = "source",
                      bigrams: bool = False) -> pd.DataFrame:
    """TF-IDF cosine similarity between every pair of sources.

    Args:
        ann: Annotations of the documents.
        docs: The documents frame (``doc_id``, ``language`` and the ``group_by`` column).
        group_by: Column of ``docs`` to group by; the output names it ``source_a``/``source_b`` regardless.
        bigrams: Add bigrams of adjacent content words to the vocabulary.

    Returns:
        Long form ``source_a, source_b, cosine`` over all ordered pairs (so it is symmetric, with
        cosine 1 on the diagonal), sorted by ``source_a`` then ``source_b``; four decimals.
        Sources with no English content terms are left out (with a logged warning).
    """
    if group_by not in docs.columns or "doc_id" not in docs.columns:
        raise ValueError(f"docs needs columns 'doc_id' and {group_by!r}; it has {list(docs.columns)}")
    groups = pd.Series(docs[group_by].fillna("").astype(str).to_numpy(), index=docs["doc_id"].astype(str))
    vectors = tfidf_vectors(content_terms(ann, docs, bigrams=bigrams), groups)
    missing = sorted(set(groups) - set(vectors.index))
    if missing:
        log.warning("no English content terms for %s; left out of the similarity matrix", missing)
    if vectors.empty:
        return pd.DataFrame(columns=SIMILARITY_COLUMNS)
    return cosine_long(vectors)


def similarity_from_counts(tf: pd.DataFrame, doc_freq, n_docs: int) -> pd.DataFrame:
    """TF-IDF cosine between groups from accumulated counts (for streaming over large corpora).

    Args:
        tf: Terms (rows) × groups (columns) of term counts.
        doc_freq: Mapping of term to the number of documents that use it.
        n_docs: Number of documents the counts come from.

    Returns:
        The same long form as :func:`similarity_matrix`.
    """
    if tf.empty:
        return pd.DataFrame(columns=SIMILARITY_COLUMNS)
    groups_by_terms = tf.T.sort_index().sort_index(axis=1)
    df = pd.Series({t: doc_freq.get(t, 0) for t in groups_by_terms.columns}, dtype=float)
    idf = np.log((1.0 + n_docs) / (1.0 + df)) + 1.0
    weights = groups_by_terms.to_numpy(dtype=float) * idf.to_numpy()[None, :]
    norms = np.sqrt((weights**2).sum(axis=1, keepdims=True))
    norms[norms == 0] = 1.0
    vectors = pd.DataFrame(weights / norms, index=groups_by_terms.index, columns=groups_by_terms.columns)
    return cosine_long(vectors)
