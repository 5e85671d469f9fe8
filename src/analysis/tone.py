"""Sentence-level tone with the VADER lexicon, summarised per document, actor and source.

Every English sentence gets VADER's ``compound`` score (−1 most negative, +1 most
positive). Documents and sources are summarised by the mean compound score with a
95% t interval over sentences. Per-actor rows use only the sentences that mention
the actor (a ``mentions`` frame with ``doc_id, sentence_index, actor``).

Read :data:`TONE_CAVEAT` before reading the numbers.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from functools import lru_cache
from statistics import NormalDist

import numpy as np
import pandas as pd

from analysis.annotate import Annotations, is_english
from analysis.checks import require_columns as _require

log = logging.getLogger(__name__)

ALL = "(all)"
"""The target label of a document's (or source's) overall tone."""

DEFAULT_TARGETS: tuple[str, ...] = ("United States", "China", "Japan", "South Korea")
"""Actors (gazetteer canonical names) whose sentences get their own tone rows."""

DECIMALS = 4

SENTENCE_COLUMNS = ["doc_id", "sentence_index", "compound"]
TONE_COLUMNS = ["doc_id", "target", "sentences", "mean", "ci_low", "ci_high"]
SOURCE_TONE_COLUMNS = ["source", "target", "documents", "sentences", "mean", "ci_low", "ci_high"]

TONE_CAVEAT = (
    "Tone here is measured with VADER, a general-purpose word list that scores each sentence from −1 "
    "(negative) to +1 (positive) by adding up the feelings its words usually carry. It reads words, not "
    "meaning: it cannot see sarcasm, irony, understatement or who is being praised or blamed, and a sentence "
    "that criticises a hostile policy can score as negative as the policy itself. The subject of this "
    "coverage pushes scores down on its own: words such as \"tariff\", \"war\", \"crisis\", \"threat\", "
    "\"sanction\" and \"restriction\" are negative in everyday English even in a neutral news report, so "
    "compare sources with each other rather than reading zero as neutral. Quotations are scored as if they "
    "were the outlet's own words, so an article that quotes angry officials looks angry. Tone toward an "
    "actor is the tone of the sentences that mention it, which is not the same as the attitude toward it. "
    "Intervals are 95% t intervals over sentences (clipped to the −1 to +1 range), which treat sentences as "
    "independent; sentences of one article are not, so the intervals are too narrow, and with fewer than two "
    "sentences there is none."
)
"""What a lexicon tone score can and cannot tell, in plain language (for report captions)."""

# Two-sided 95% critical values of Student's t for 1..30 degrees of freedom (standard tables).
_T975 = (
    12.7062, 4.3027, 3.1824, 2.7764, 2.5706, 2.4469, 2.3646, 2.3060, 2.2622, 2.2281,
    2.2010, 2.1788, 2.1604, 2.1448, 2.1314, 2.1199, 2.1098, 2.1009, 2.0930, 2.0860,
    2.0796, 2.0739, 2.0687, 2.0639, 2.0595, 2.0555, 2.0518, 2.0484, 2.0452, 2.0423,
)


def t_critical(df: int) -> float:
    """The two-sided 95% critical value of Student's t with ``df`` degrees of freedom.

    Tabulated for ``df`` ≤ 30; above that the Cornish–Fisher expansion
    (Abramowitz & Stegun 26.7.5), which is accurate to about 1e-5 there.

    Raises:
        ValueError: if ``df`` < 1.
    """
    if df < 1:
        raise ValueError(f"degrees of freedom must be at least 1, got {df}")
    if df <= len(_T975):
        return _T975[df - 1]
    z = NormalDist().inv_cdf(0.975)
    g1 = (z**3 + z) / 4
    g2 = (5 * z**5 + 16 * z**3 + 3 * z) / 96
    g3 = (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / 384
    g4 = (79 * z**9 + 776 * z**7 + 1482 * z**5 - 1920 * z**3 - 945 * z) / 92160
    return z + g1 / df + g2 / df**2 + g3 / df**3 + g4 / df**4


def mean_interval(values: Sequence[float] | np.ndarray) -> tuple[int, float, float, float]:
    """Count, mean and 95% t interval of a sample of compound scores, rounded to four decimals.

    The bounds are clipped to [−1, 1], the range of the score. With no values the mean is
    NaN; with fewer than two the bounds are NaN.
    """
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    n = int(x.size)
    if n == 0:
        return 0, math.nan, math.nan, math.nan
    mean = float(x.mean())
    if n < 2:
        return n, round(mean, DECIMALS), math.nan, math.nan
    half = t_critical(n - 1) * float(x.std(ddof=1)) / math.sqrt(n)
    low, high = max(-1.0, mean - half), min(1.0, mean + half)
    return n, round(mean, DECIMALS), round(low, DECIMALS), round(high, DECIMALS)


@lru_cache(maxsize=1)
def _analyzer():
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


def compound(text: str) -> float:
    """VADER's compound score of a text, rounded to four decimals."""
    return round(float(_analyzer().polarity_scores(text)["compound"]), DECIMALS)




def english_doc_ids(docs: pd.DataFrame) -> set[str]:
    """Ids of the documents that English-only analyses use (``language`` missing counts as English)."""
    _require(docs, ["doc_id"], "docs")
    if "language" not in docs.columns:
        return set(docs["doc_id"].astype(str))
    return {str(d) for d, lang in zip(docs["doc_id"], docs["language"], strict=True)
            if is_english(lang if isinstance(lang, str) else None)}


def sentence_tone(ann: Annotations, docs: pd.DataFrame) -> pd.DataFrame:
    """VADER compound score of every sentence of the English documents.

    Args:
        ann: Annotations of the documents.
        docs: The documents frame (``doc_id`` and ``language``); other languages are skipped.

    Returns:
        Columns ``doc_id, sentence_index, compound``, sorted by document and sentence.
    """
    _require(ann.sentences, ["doc_id", "sentence_index", "text"], "ann.sentences")
    keep = english_doc_ids(docs)
    sents = ann.sentences[ann.sentences["doc_id"].astype(str).isin(keep)]
    out = pd.DataFrame({
        "doc_id": sents["doc_id"].astype(str).to_numpy(),
        "sentence_index": sents["sentence_index"].astype(int).to_numpy(),
        "compound": [compound(t) for t in sents["text"].fillna("")],
    }, columns=SENTENCE_COLUMNS)
    return out.sort_values(["doc_id", "sentence_index"], kind="stable").reset_index(drop=True)


def _mentioning(mentions: pd.DataFrame | None, targets: Sequence[str]) -> pd.DataFrame:
    """Distinct (doc_id, sentence_index, target) rows of sentences that mention a target."""
    cols = ["doc_id", "sentence_index", "target"]
    if mentions is None or not len(targets):
        return pd.DataFrame(columns=cols)
    _require(mentions, ["doc_id", "sentence_index", "actor"], "mentions")
    m = mentions[mentions["actor"].isin(list(targets))]
    m = pd.DataFrame({"doc_id": m["doc_id"].astype(str), "sentence_index": m["sentence_index"].astype(int),
                      "target": m["actor"].astype(str)})
    return m.drop_duplicates().reset_index(drop=True)


def _check_targets(targets: Sequence[str]) -> tuple[str, ...]:
    if isinstance(targets, str):
        raise TypeError("targets must be a sequence of actor names, not a single string")
    out = tuple(dict.fromkeys(str(t) for t in targets))
    if ALL in out:
        raise ValueError(f"{ALL!r} is reserved for overall tone and cannot be a target")
    return out


def _target_rows(sentence_tone_df: pd.DataFrame, mentions: pd.DataFrame | None,
                 targets: Sequence[str]) -> pd.DataFrame:
    """Sentence scores labelled with ``(all)`` plus one copy per mentioned target."""
    _require(sentence_tone_df, SENTENCE_COLUMNS, "sentence_tone_df")
    base = sentence_tone_df[SENTENCE_COLUMNS].copy()
    base["doc_id"] = base["doc_id"].astype(str)
    base["sentence_index"] = base["sentence_index"].astype(int)
    overall = base.assign(target=ALL)
    hits = _mentioning(mentions, targets)
    per_target = base.merge(hits, on=["doc_id", "sentence_index"], how="inner")
    return pd.concat([overall, per_target], ignore_index=True)


def _summarise(rows: pd.DataFrame, keys: list[str], order: dict[str, int]) -> pd.DataFrame:
    out = []
    for key, group in rows.groupby(keys, sort=True):
        n, mean, low, high = mean_interval(group["compound"].to_numpy())
        record = dict(zip(keys, key if isinstance(key, tuple) else (key,), strict=True))
        record.update(sentences=n, mean=mean, ci_low=low, ci_high=high)
        if "doc_id" not in keys:
            record["documents"] = int(group["doc_id"].nunique())
        out.append(record)
    df = pd.DataFrame(out)
    if df.empty:
        return df
    df["_order"] = df["target"].map(order)
    first = keys[0]
    return df.sort_values([first, "_order"], kind="stable").drop(columns="_order").reset_index(drop=True)


def tone_table(sentence_tone_df: pd.DataFrame, mentions: pd.DataFrame | None, *,
               targets: Sequence[str] = DEFAULT_TARGETS) -> pd.DataFrame:
    """Mean tone of each document, overall and in the sentences that mention each target actor.

    Args:
        sentence_tone_df: Output of :func:`sentence_tone`.
        mentions: Actor mentions (``doc_id, sentence_index, actor``), or None for overall tone only.
        targets: Actor names to report separately.

    Returns:
        Columns ``doc_id, target, sentences, mean, ci_low, ci_high``: one ``(all)`` row per document
        and one row per target that the document mentions, sorted by document then ``(all)`` and the
        targets in the order given. ``mean`` is the mean compound score; the bounds are a 95% t
        interval (NaN with fewer than two sentences). All numbers are rounded to four decimals.
    """
    targets = _check_targets(targets)
    rows = _target_rows(sentence_tone_df, mentions, targets)
    order = {ALL: -1, **{t: i for i, t in enumerate(targets)}}
    df = _summarise(rows, ["doc_id", "target"], order)
    if df.empty:
        return pd.DataFrame(columns=TONE_COLUMNS)
    return df[TONE_COLUMNS]


def source_tone(sentence_tone_df: pd.DataFrame, mentions: pd.DataFrame | None, docs: pd.DataFrame, *,
                targets: Sequence[str] = DEFAULT_TARGETS, group_by: str = "source") -> pd.DataFrame:
    """Mean tone per source, overall and per target actor, pooling the sentences of its documents.

    Args:
        sentence_tone_df: Output of :func:`sentence_tone`.
        mentions: Actor mentions (``doc_id, sentence_index, actor``), or None.
        docs: The documents frame, giving each document's group.
        targets: Actor names to report separately.
        group_by: Column of ``docs`` to group by; the output column is named ``source`` regardless.

    Returns:
        Columns ``source, target, documents, sentences, mean, ci_low, ci_high`` sorted by source then
        target order. Intervals pool sentences across a source's documents (see :data:`TONE_CAVEAT`).
    """
    targets = _check_targets(targets)
    _require(docs, ["doc_id", group_by], "docs")
    rows = _target_rows(sentence_tone_df, mentions, targets)
    groups = pd.DataFrame({"doc_id": docs["doc_id"].astype(str),
                           "source": docs[group_by].fillna("").astype(str)})
    rows = rows.merge(groups, on="doc_id", how="inner")
    order = {ALL: -1, **{t: i for i, t in enumerate(targets)}}
    df = _summarise(rows, ["source", "target"], order)
    if df.empty:
        return pd.DataFrame(columns=SOURCE_TONE_COLUMNS)
    return df[SOURCE_TONE_COLUMNS]
