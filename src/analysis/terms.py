"""Distinctive language: what each source says more (or less) than the others.

Terms are lemmatised, lowercased content words of English documents (no stopwords,
punctuation or numbers), optionally with bigrams of adjacent content words.

Distinctiveness is the log-odds ratio with an informative Dirichlet prior of Monroe,
Colaresi & Quinn (2008), "Fightin' Words: Lexical Feature Selection and Evaluation for
Identifying the Content of Political Conflict", *Political Analysis* 16(4): each source
is compared with all other sources pooled, the prior is the whole corpus's term counts
(scaled by ``prior_scale``), and the estimate is divided by its standard error to give
a z-score. Positive z: the source uses the term more than the others; |z| > 1.96 is the
usual "clearly different" line.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from analysis.annotate import Annotations
from analysis.checks import require_columns as _require
from analysis.tone import english_doc_ids

log = logging.getLogger(__name__)

DECIMALS = 4
SKIP_POS = frozenset({"PUNCT", "NUM", "SYM", "SPACE", "X", "DET", "PRON", "CCONJ", "SCONJ", "ADP", "AUX",
                      "PART", "INTJ"})
"""Parts of speech that never make a content term."""
MIN_LENGTH = 2

TERM_COLUMNS = ["doc_id", "sentence_index", "term"]
DISTINCTIVE_COLUMNS = ["source", "term", "count", "zscore"]
TOP_COLUMNS = ["source", "term", "count", "share"]




def content_terms(ann: Annotations, docs: pd.DataFrame, *, bigrams: bool = False) -> pd.DataFrame:
    """Content terms of the English documents, one row per occurrence.

    A token is a content term when it is alphabetic, not a stopword, not a function-word or
    punctuation/number part of speech, and at least two characters long; the term is its
    lowercased lemma. With ``bigrams``, each pair of content tokens that are adjacent in the
    text (same sentence) also yields a term ``"first second"``.

    Returns:
        Columns ``doc_id, sentence_index, term`` in text order.
    """
    _require(ann.tokens, ["doc_id", "sentence_index", "i", "text", "lemma", "pos", "is_stop", "is_alpha"],
             "ann.tokens")
    keep = english_doc_ids(docs)
    tok = ann.tokens[ann.tokens["doc_id"].astype(str).isin(keep)]
    lemma = tok["lemma"].fillna("").astype(str).str.lower()
    lemma = lemma.where(lemma.str.len() > 0, tok["text"].astype(str).str.lower())
    mask = (tok["is_alpha"].astype(bool) & ~tok["is_stop"].astype(bool) & ~tok["pos"].isin(SKIP_POS)
            & (lemma.str.len() >= MIN_LENGTH) & lemma.str.isalpha())
    # spaCy's stop list is on the surface form; lemmas such as "be" or "do" must be caught too.
    from spacy.lang.en.stop_words import STOP_WORDS

    mask &= ~lemma.isin(STOP_WORDS)
    uni = pd.DataFrame({"doc_id": tok["doc_id"].astype(str), "sentence_index": tok["sentence_index"].astype(int),
                        "i": tok["i"].astype(int), "term": lemma})[mask.to_numpy()]
    uni = uni.sort_values(["doc_id", "i"], kind="stable").reset_index(drop=True)
    if not bigrams or uni.empty:
        return uni[TERM_COLUMNS]
    nxt = uni.shift(-1)
    adjacent = ((uni["doc_id"] == nxt["doc_id"]) & (uni["sentence_index"] == nxt["sentence_index"])
                & (nxt["i"] - uni["i"] == 1))
    bi = uni[adjacent].copy()
    bi["term"] = uni["term"][adjacent] + " " + nxt["term"][adjacent]
    bi["i"] = bi["i"] + 0.5
    both = pd.concat([uni, bi], ignore_index=True).sort_values(["doc_id", "i"], kind="stable")
    return both[TERM_COLUMNS].reset_index(drop=True)


def _grouped_counts(terms: pd.DataFrame, docs: pd.DataFrame, group_by: str) -> pd.DataFrame:
    """A term × group matrix of counts (rows and columns sorted)."""
    _require(docs, ["doc_id", group_by], "docs")
    groups = pd.DataFrame({"doc_id": docs["doc_id"].astype(str), "source": docs[group_by].fillna("").astype(str)})
    t = terms.merge(groups, on="doc_id", how="inner")
    if t.empty:
        return pd.DataFrame(dtype=np.int64)
    counts = t.groupby(["term", "source"]).size().unstack("source", fill_value=0)
    return counts.sort_index().sort_index(axis=1).astype(np.int64)


def log_odds_z(counts: pd.DataFrame, *, prior_scale: float = 1.0) -> pd.DataFrame:
    """Monroe et al. (2008) log-odds-ratio z-scores of each column against all other columns.

    With ``y_w`` a group's count of term ``w`` (total ``n``), ``y'_w`` the other groups' count
    (total ``n'``) and prior ``a_w = prior_scale × (y_w + y'_w)`` (total ``a0``):
    ``δ_w = log((y_w+a_w)/(n+a0−y_w−a_w)) − log((y'_w+a_w)/(n'+a0−y'_w−a_w))``,
    ``σ²_w = 1/(y_w+a_w) + 1/(y'_w+a_w)`` and ``z = δ_w / σ_w``.

    Args:
        counts: Terms (rows) × groups (columns) of non-negative counts.
        prior_scale: Weight of the corpus-frequency prior (1 = the prior counts as much as the data).

    Returns:
        A frame of z-scores shaped like ``counts``.

    Raises:
        ValueError: on fewer than two groups, negative counts or a non-positive ``prior_scale``.
    """
    if counts.shape[1] < 2:
        raise ValueError(f"need at least two groups to compare, got {counts.shape[1]}")
    if prior_scale <= 0:
        raise ValueError(f"prior_scale must be positive, got {prior_scale}")
    y = counts.to_numpy(dtype=float)
    if (y < 0).any():
        raise ValueError("counts must be non-negative")
    total = y.sum(axis=1, keepdims=True)
    a = prior_scale * total
    a0 = a.sum()
    n = y.sum(axis=0, keepdims=True)
    other = total - y
    n_other = n.sum() - n
    with np.errstate(divide="ignore", invalid="ignore"):
        delta = (np.log((y + a) / (n + a0 - y - a)) - np.log((other + a) / (n_other + a0 - other - a)))
        var = 1.0 / (y + a) + 1.0 / (other + a)
        z = delta / np.sqrt(var)
    return pd.DataFrame(z, index=counts.index, columns=counts.columns)


def distinctive_terms(ann: Annotations, docs: pd.DataFrame, *, group_by: str = "source", min_count: int = 2,
                      top: int | None = None, bigrams: bool = False, prior_scale: float = 1.0) -> pd.DataFrame:
    """Terms each source uses more (positive z) or less (negative z) than all other sources.

    Args:
        ann: Annotations of the documents.
        docs: The documents frame (``doc_id``, ``language`` and the ``group_by`` column).
        group_by: Column of ``docs`` defining the groups; the output column is ``source`` regardless.
        min_count: Keep terms used at least this often in the whole corpus.
        top: Keep only the ``top`` highest-z terms of each source.
        bigrams: Add bigrams of adjacent content words.
        prior_scale: Weight of the informative prior (see :func:`log_odds_z`).

    Returns:
        Columns ``source, term, count, zscore``: one row per source and term the source uses,
        sorted by source, z-score (descending) and term; z rounded to four decimals.
        Empty when fewer than two groups have English text.
    """
    if min_count < 1:
        raise ValueError(f"min_count must be at least 1, got {min_count}")
    if top is not None and top < 1:
        raise ValueError(f"top must be positive or None, got {top}")
    counts = _grouped_counts(content_terms(ann, docs, bigrams=bigrams), docs, group_by)
    if counts.shape[1] < 2:
        log.warning("distinctive terms need at least two groups with English text; got %d", counts.shape[1])
        return pd.DataFrame(columns=DISTINCTIVE_COLUMNS)
    counts = counts[counts.sum(axis=1) >= min_count]
    z = log_odds_z(counts, prior_scale=prior_scale)
    long = pd.DataFrame({
        "source": np.repeat(counts.columns.to_numpy()[None, :], len(counts), axis=0).ravel(),
        "term": np.repeat(counts.index.to_numpy(), counts.shape[1]),
        "count": counts.to_numpy().ravel(),
        "zscore": np.round(z.to_numpy().ravel(), DECIMALS),
    })
    long = long[long["count"] > 0]
    long = long.sort_values(["source", "zscore", "term"], ascending=[True, False, True], kind="stable")
    if top is not None:
        long = long.groupby("source", sort=False).head(top)
    out = long[DISTINCTIVE_COLUMNS].reset_index(drop=True)
    out["count"] = out["count"].astype(np.int64)
    return out


def top_terms(ann: Annotations, docs: pd.DataFrame, *, n: int = 15, group_by: str = "source",
              bigrams: bool = False) -> pd.DataFrame:
    """The most frequent content terms of each source.

    Returns:
        Columns ``source, term, count, share`` (share of the source's content terms, four
        decimals), the ``n`` most frequent per source, sorted by source, count (descending), term.
    """
    if n < 1:
        raise ValueError(f"n must be positive, got {n}")
    counts = _grouped_counts(content_terms(ann, docs, bigrams=bigrams), docs, group_by)
    if counts.empty:
        return pd.DataFrame(columns=TOP_COLUMNS)
    long = counts.stack().rename("count").reset_index()
    long.columns = ["term", "source", "count"]
    long = long[long["count"] > 0]
    totals = long.groupby("source")["count"].transform("sum")
    long["share"] = (long["count"] / totals).round(DECIMALS)
    long = long.sort_values(["source", "count", "term"], ascending=[True, False, True], kind="stable")
    out = long.groupby("source", sort=False).head(n)[TOP_COLUMNS].reset_index(drop=True)
    out["count"] = out["count"].astype(np.int64)
    return out
