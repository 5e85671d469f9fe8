"""Views for the source profile: one source against the rest of the corpus."""

from __future__ import annotations

import pandas as pd

REST = "All other sources"


def pick_source(t, source: str) -> str:
    """The source to profile; the first one when ``source`` is empty.

    Raises:
        ValueError: if the source is not in the run.
    """
    groups = sorted(t.documents["group"].astype(str).unique())
    if not source:
        return groups[0]
    if source not in groups:
        raise ValueError(f"source {source!r} is not in this run; available: {', '.join(groups)}")
    return source


def documents_of(t, source: str) -> pd.DataFrame:
    """The documents of one source, newest first."""
    d = t.documents[t.documents["group"] == source]
    cols = [c for c in ("doc_id", "title", "published", "words", "language", "url") if c in d.columns]
    return d[cols].sort_values(["published", "doc_id"], ascending=[False, True], na_position="last")


def versus_rest(df: pd.DataFrame, source: str, *, by: list[str], counts: list[str],
                column: str = "source") -> pd.DataFrame:
    """Collapse every other source into one group, summing ``counts`` by ``by``."""
    this = df[df[column] == source]
    rest = df[df[column] != source].groupby(by, as_index=False)[counts].sum()
    rest[column] = REST
    return pd.concat([this, rest], ignore_index=True)


def passages_of(t, source: str, *, chars: int = 400, limit: int = 40) -> pd.DataFrame:
    """The passages of one source that are not in English, kept verbatim.

    Each non-English document gives its opening ``chars`` characters; English documents give
    the segments the loader found in another language.

    Returns:
        Columns ``doc_id, language, passage`` (at most ``limit`` rows).
    """
    from analysis.annotate import is_english

    cols = ["doc_id", "language", "passage"]
    docs = t.get("documents", with_text=True)
    d = docs[docs["group"] == source]
    rows = []
    for doc_id, lang, text in d[["doc_id", "language", "text"]].itertuples(index=False):
        if not is_english(lang if isinstance(lang, str) else None):
            text = " ".join(str(text).split())
            rows.append((doc_id, lang, text if len(text) <= chars else text[: chars - 1] + "…"))
    segs = t.segments
    if len(segs):
        mine = segs[segs["doc_id"].isin(set(d["doc_id"])) & ~segs["doc_id"].isin({r[0] for r in rows})]
        rows += list(mine[["doc_id", "language", "segment"]].itertuples(index=False, name=None))
    return pd.DataFrame(rows[:limit], columns=cols)


def presence_vs_rest(t, source: str, *, top: int = 25) -> pd.DataFrame:
    """Actor mentions per 1,000 words: this source against all others together (top actors).

    Empty when the source names no actor.
    """
    a = t.actors_by_source
    if not (a["source"] == source).any():
        return pd.DataFrame(columns=["source", "actor", "mentions", "per_1000_words"])
    p = versus_rest(a, source, by=["actor"], counts=["mentions"])
    keep = p.groupby("actor")["mentions"].sum().sort_values(ascending=False, kind="stable").head(top).index
    p = p[p["actor"].isin(keep)]
    words = t.documents.assign(side=t.documents["group"].where(t.documents["group"] == source, REST))
    total = words.groupby("side")["words"].sum()
    p["per_1000_words"] = (p["mentions"] / p["source"].map(total).clip(lower=1) * 1000).round(3)
    return p[["source", "actor", "mentions", "per_1000_words"]]
