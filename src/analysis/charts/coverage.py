"""Charts of what each source covers: volume, publication dates, terms and actors."""

from __future__ import annotations

import altair as alt
import pandas as pd

from analysis.charts import WIDTH, thin, titled
from analysis.thin import ThinData


def words_chart(sources: pd.DataFrame, *, empty: str | None = None) -> alt.Chart | ThinData:
    """Words published per source (horizontal bars); the ``empty`` sentence when there is no source."""
    if sources.empty:
        return thin(empty, "No source has any document, so there is nothing to compare.")
    return alt.Chart(sources, title=titled(
        "Words per source", "Length of each source's cleaned article text, in words.",
    )).mark_bar().encode(
        x=alt.X("words:Q", title="Words (cleaned body)"),
        y=alt.Y("source:N", title="Source", sort="-x"),
        color=alt.Color("source:N", legend=None),
        tooltip=[alt.Tooltip("source:N", title="Source"), alt.Tooltip("documents:Q", title="Documents"),
                 alt.Tooltip("words:Q", title="Words", format=","),
                 alt.Tooltip("first_published:N", title="First published"),
                 alt.Tooltip("last_published:N", title="Last published")],
    ).properties(width=WIDTH)


def publication_timeline(docs: pd.DataFrame, *, max_points: int = 3000,
                         empty: str | None = None) -> alt.Chart | ThinData:
    """When each source published: one point per document (binned by week when there are many).

    Each document is shown under its ``group`` (see :func:`analysis.views.documents_folded` to fold
    small sources into "other"). Returns the ``empty`` sentence when no document has a date.
    """
    df = docs[docs["published"].fillna("").astype(str).str.len() >= 10].copy()
    df["published"] = pd.to_datetime(df["published"], errors="coerce", format="mixed")
    df = df.dropna(subset=["published"])
    if df.empty:
        return thin(empty, "No document has a publication date, so there is no publication timeline.")
    if "title" not in df.columns:
        df["title"] = df["doc_id"]
    if len(df) > max_points:
        df["published"] = df["published"].dt.to_period("W").dt.start_time
        df = df.groupby(["group", "published"]).agg(documents=("doc_id", "size"), words=("words", "sum"),
                                                     title=("doc_id", "first")).reset_index()
    else:
        df = df.assign(documents=1, title=df["title"].fillna(df["doc_id"]))
    df = df.drop(columns=["source"], errors="ignore").rename(columns={"group": "source"})
    df = df[["source", "published", "documents", "words", "title"]]
    return alt.Chart(df, title=titled(
        "Publication timeline", "When each source published its coverage; point size is article length.",
    )).mark_circle(opacity=0.8).encode(
        x=alt.X("published:T", title="Publication date", axis=alt.Axis(format="%d %b %Y")),
        y=alt.Y("source:N", title="Source"),
        size=alt.Size("words:Q", title="Words", scale=alt.Scale(range=[60, 600])),
        color=alt.Color("source:N", legend=None),
        tooltip=[alt.Tooltip("source:N", title="Source"),
                 alt.Tooltip("published:T", title="Published", format="%Y-%m-%d"),
                 alt.Tooltip("title:N", title="Title or id"), alt.Tooltip("words:Q", title="Words", format=","),
                 alt.Tooltip("documents:Q", title="Documents")],
    ).properties(width=WIDTH, height=max(120, 32 * df["source"].nunique()))


def actor_presence_chart(presence: pd.DataFrame, *, empty: str | None = None) -> alt.Chart | ThinData:
    """Which actors each source names, and how often (per 1,000 words); ``empty`` when none is named."""
    if presence.empty or presence["mentions"].sum() == 0:
        return thin(empty, "No actor is named in the text of these sources.")
    return alt.Chart(presence, title=titled(
        "Who each source names", "Mentions of each actor per 1,000 words (aliases, capitals and demonyms count).",
    )).mark_rect().encode(
        x=alt.X("actor:N", title="Actor", sort=list(dict.fromkeys(presence["actor"]))),
        y=alt.Y("source:N", title="Source"),
        color=alt.Color("per_1000_words:Q", title="Per 1,000 words", scale=alt.Scale(scheme="blues")),
        tooltip=[alt.Tooltip("source:N", title="Source"), alt.Tooltip("actor:N", title="Actor"),
                 alt.Tooltip("mentions:Q", title="Mentions"),
                 alt.Tooltip("per_1000_words:Q", title="Per 1,000 words", format=".2f")],
    ).properties(width=WIDTH, height=alt.Step(26))


def quoted_share_chart(quoted: pd.DataFrame, *, empty: str | None = None) -> alt.Chart | ThinData:
    """Share of each source's words that are inside quotation marks; ``empty`` when there is no source."""
    if quoted.empty:
        return thin(empty, "No source has any text, so there is no quoted share to show.")
    return alt.Chart(quoted, title=titled(
        "How much each source quotes", "Share of each source's words that sit inside quotation marks.",
    )).mark_bar().encode(
        x=alt.X("quoted_share:Q", title="Share of words in quotation marks", axis=alt.Axis(format="%")),
        y=alt.Y("source:N", title="Source", sort="-x"),
        color=alt.Color("source:N", legend=None),
        tooltip=[alt.Tooltip("source:N", title="Source"),
                 alt.Tooltip("quoted_share:Q", title="Quoted share", format=".1%"),
                 alt.Tooltip("quoted_words:Q", title="Quoted words"), alt.Tooltip("words:Q", title="All words")],
    ).properties(width=WIDTH)
