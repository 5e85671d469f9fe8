"""Charts of whose voices each source carries: share of voice and who is quoted by whom."""

from __future__ import annotations

import altair as alt
import pandas as pd

from analysis.charts import WIDTH, thin, titled
from analysis.thin import ThinData

SPEAKER_TYPE_ORDER = ["government", "state_media", "academic", "industry", "media", "anonymous", "other",
                      "unattributed"]
"""Legend order of speaker types; "government (XX)" groups sort after plain "government"."""


def _type_order(types: pd.Series) -> list[str]:
    present = list(dict.fromkeys(types.astype(str)))

    def key(t: str) -> tuple[int, str]:
        base = t.split(" (")[0]
        return (SPEAKER_TYPE_ORDER.index(base) if base in SPEAKER_TYPE_ORDER else len(SPEAKER_TYPE_ORDER), t)

    return sorted(present, key=key)


def share_of_voice_chart(share_df: pd.DataFrame, *, empty: str | None = None) -> alt.Chart | ThinData:
    """Stacked, normalised bars: how each source's direct quotes divide among speaker types.

    Args:
        share_df: Output of :func:`analysis.quotes.share_of_voice` (source, speaker_type, quotes, share).

    Raises:
        ValueError: if a required column is missing.
    """
    need = {"source", "speaker_type", "quotes", "share"}
    if not need <= set(share_df.columns):
        raise ValueError(f"share_df needs the columns {sorted(need)}")
    if share_df.empty or share_df["quotes"].sum() == 0:
        return thin(empty, "No direct quote was found in these sources.")
    df = share_df[["source", "speaker_type", "quotes", "share"]].copy()
    df["source_quotes"] = df.groupby("source")["quotes"].transform("sum")
    order = _type_order(df["speaker_type"])
    return alt.Chart(df, title=titled(
        "Share of voice", "Direct quotes in each source by type of speaker; each bar adds up to 100%.",
    )).mark_bar().encode(
        x=alt.X("quotes:Q", stack="normalize", title="Share of the source's quotes",
                axis=alt.Axis(format="%")),
        y=alt.Y("source:N", title="Source"),
        color=alt.Color("speaker_type:N", title="Speaker type", sort=order),
        order=alt.Order("type_rank:Q"),
        tooltip=[alt.Tooltip("source:N", title="Source"), alt.Tooltip("speaker_type:N", title="Speaker type"),
                 alt.Tooltip("quotes:Q", title="Quotes"), alt.Tooltip("share:Q", title="Share", format=".0%"),
                 alt.Tooltip("source_quotes:Q", title="All quotes in source")],
    ).transform_calculate(
        type_rank=f"indexof({order!r}, datum.speaker_type)",
    ).properties(width=WIDTH, height=alt.Step(28))


def quoted_by_chart(who_df: pd.DataFrame, *, top: int = 25, empty: str | None = None) -> alt.Chart | ThinData:
    """Dot grid of sources (columns) by speakers (rows): who is quoted by whom, and how often.

    Args:
        who_df: Output of :func:`analysis.quotes.who_quotes_whom` (source, speaker, speaker_type, quotes).
        top: Keep the speakers with the most quotes overall.

    Raises:
        ValueError: if a required column is missing or ``top`` is not positive.
    """
    need = {"source", "speaker", "speaker_type", "quotes"}
    if not need <= set(who_df.columns):
        raise ValueError(f"who_df needs the columns {sorted(need)}")
    if top < 1:
        raise ValueError("top must be at least 1")
    if who_df.empty:
        return thin(empty, "No direct quote was found in these sources.")
    totals = who_df.groupby("speaker")["quotes"].sum().sort_values(ascending=False, kind="stable")
    keep = list(totals.index[:top])
    df = who_df[who_df["speaker"].isin(keep)][["source", "speaker", "speaker_type", "quotes"]].copy()
    df["sources_quoting"] = df.groupby("speaker")["source"].transform("nunique")
    return alt.Chart(df, title=titled(
        "Who is quoted by whom",
        f"Direct quotes per speaker in each source (top {min(top, len(keep))} speakers); dot size is the count.",
    )).mark_circle(opacity=0.85).encode(
        x=alt.X("source:N", title="Source", axis=alt.Axis(labelAngle=-30)),
        y=alt.Y("speaker:N", title="Speaker", sort=keep),
        size=alt.Size("quotes:Q", title="Quotes", scale=alt.Scale(range=[40, 600])),
        color=alt.Color("speaker_type:N", title="Speaker type", sort=_type_order(df["speaker_type"])),
        tooltip=[alt.Tooltip("source:N", title="Source"), alt.Tooltip("speaker:N", title="Speaker"),
                 alt.Tooltip("speaker_type:N", title="Speaker type"), alt.Tooltip("quotes:Q", title="Quotes"),
                 alt.Tooltip("sources_quoting:Q", title="Sources quoting this speaker")],
    ).properties(width=max(WIDTH // 2, 70 * df["source"].nunique()), height=alt.Step(20))
