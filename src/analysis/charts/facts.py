"""Charts of facts: which dates each source mentions, and the tariff rates each source states.

Data is aggregated before charting: one mark per (source, date) or (source, measure, rate).
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from analysis.charts import thin, titled
from analysis.thin import ThinData

MAX_SOURCES = 25
SENTENCE_CHARS = 280


def _sources(docs: pd.DataFrame) -> dict[str, str]:
    src = docs["source"] if "source" in docs.columns else docs["doc_id"]
    return {d: (s if isinstance(s, str) and s else d) for d, s in zip(docs["doc_id"], src, strict=True)}


def _short(text: str, n: int = SENTENCE_CHARS) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= n else text[: n - 1] + "…"


def timeline_data(events: pd.DataFrame, docs: pd.DataFrame, *, max_sources: int = MAX_SOURCES,
                  max_rows: int = 2000) -> pd.DataFrame:
    """Events per source and date, ready to chart.

    Args:
        events: Output of :func:`analysis.timeline.extract_events`.
        docs: The documents frame (doc_id, source).
        max_sources: Keep the sources mentioning the most dates.

    Returns:
        DataFrame ``source, date, day, precision, mentions, n_sources, expression, sentence``: day is
        a timestamp (first of the month for month precision); year-only dates are left out;
        n_sources counts the sources mentioning the same date.
    """
    cols = ["source", "date", "day", "precision", "mentions", "n_sources", "expression", "sentence"]
    missing = {"doc_id", "date", "precision", "sentence"} - set(events.columns)
    if missing:
        raise ValueError(f"events lacks columns {sorted(missing)}")
    ev = events[events["precision"].isin(["day", "month"])]
    if ev.empty:
        return pd.DataFrame(columns=cols)
    src = _sources(docs)
    ev = ev.assign(source=ev["doc_id"].map(src).fillna(ev["doc_id"]),
                   expression=ev["expression"] if "expression" in ev.columns else ev["date"])
    g = (ev.groupby(["source", "date", "precision"], sort=True)
         .agg(mentions=("sentence", "size"), expression=("expression", "first"), sentence=("sentence", "first"))
         .reset_index())
    g["n_sources"] = g.groupby("date")["source"].transform("nunique")
    top = g.groupby("source")["date"].nunique().sort_values(ascending=False).head(max_sources).index
    g = g[g["source"].isin(top)].copy()
    g["day"] = pd.to_datetime(g["date"].where(g["precision"] == "day", g["date"] + "-01"), errors="coerce")
    if len(g) > max_rows:
        # Keep the dates most sources mention (then the most mentioned), so the chart stays small.
        g = g.sort_values(["n_sources", "mentions", "date", "source"], ascending=[False, False, True, True],
                          kind="stable").head(max_rows).sort_values(["source", "date"], kind="stable")
    g["sentence"] = g["sentence"].map(_short)
    return g.dropna(subset=["day"])[cols].reset_index(drop=True)


def timeline_chart(events: pd.DataFrame, docs: pd.DataFrame, *, max_sources: int = MAX_SOURCES,
                   empty: str | None = None) -> alt.Chart | ThinData:
    """The dates each source mentions (x time, y source); hover shows the sentence.

    Args:
        events: Output of :func:`analysis.timeline.extract_events`.
        docs: The documents frame (doc_id, source).
        max_sources: Show at most this many sources (those mentioning the most dates).
        empty: The sentence shown when no day or month is mentioned.

    Returns:
        An Altair chart: circles for exact days, squares for whole months, larger when several
        sources mention the date; or the ``empty`` sentence.
    """
    data = timeline_data(events, docs, max_sources=max_sources)
    if data.empty:
        return thin(empty, "No source mentions a day or a month that could be placed on a timeline.")
    n = data["source"].nunique()
    return (
        alt.Chart(data)
        .mark_point(filled=True, opacity=0.8)
        .encode(
            x=alt.X("day:T", title="Date mentioned"),
            y=alt.Y("source:N", title="Source", sort="ascending"),
            shape=alt.Shape("precision:N", title="Precision",
                            scale=alt.Scale(domain=["day", "month"], range=["circle", "square"])),
            size=alt.Size("n_sources:Q", title="Sources mentioning the date", scale=alt.Scale(range=[60, 300])),
            color=alt.Color("precision:N", title="Precision", legend=None),
            tooltip=[alt.Tooltip("source:N", title="Source"), alt.Tooltip("date:N", title="Date"),
                     alt.Tooltip("precision:N", title="Precision"), alt.Tooltip("expression:N", title="As written"),
                     alt.Tooltip("mentions:Q", title="Mentions"),
                     alt.Tooltip("n_sources:Q", title="Sources with this date"),
                     alt.Tooltip("sentence:N", title="Sentence")],
        )
        .properties(title=titled("Timeline of events by source",
                                 f"Dates each of {n} sources mentions, resolved against publication dates; "
                                 "hover for the sentence."),
                    height=max(120, 28 * n))
    )


def claims_data(claims: pd.DataFrame, docs: pd.DataFrame, *, max_measures: int = 30) -> pd.DataFrame:
    """Tariff claims per measure, rate and source, ready to chart (the most-stated measures only).

    Returns:
        DataFrame ``measure, source, rate_pct, change, mentions, effective, sentence``.
    """
    cols = ["measure", "source", "rate_pct", "change", "mentions", "effective", "sentence"]
    missing = {"doc_id", "imposer", "target", "rate_pct", "from_rate_pct", "scope", "sentence"} - set(claims.columns)
    if missing:
        raise ValueError(f"claims lacks columns {sorted(missing)}")
    if claims.empty:
        return pd.DataFrame(columns=cols)
    src = _sources(docs)
    c = claims.assign(
        source=claims["doc_id"].map(src).fillna(claims["doc_id"]),
        measure=[f"{i or '?'} → {t or '?'}" + (f" ({s.replace(';', ', ')})" if s else "")
                 for i, t, s in zip(claims["imposer"], claims["target"], claims["scope"].fillna(""), strict=True)],
        change=[f"{p:g}% → {r:g}%" if pd.notna(p) else f"{r:g}%"
                for p, r in zip(claims["from_rate_pct"], claims["rate_pct"], strict=True)],
        effective=claims["effective"].fillna("") if "effective" in claims.columns else "",
    )
    g = (c.groupby(["measure", "source", "rate_pct", "change"], sort=True)
         .agg(mentions=("sentence", "size"), effective=("effective", "first"), sentence=("sentence", "first"))
         .reset_index())
    top = g.groupby("measure")["mentions"].sum().sort_values(ascending=False, kind="stable").head(max_measures)
    g = g[g["measure"].isin(top.index)].copy()
    g["sentence"] = g["sentence"].map(_short)
    return g[cols].reset_index(drop=True)


def claims_table_chart(claims: pd.DataFrame, docs: pd.DataFrame, *,
                       empty: str | None = None) -> alt.Chart | ThinData:
    """The tariff rates each source states, per measure (imposer → target, products).

    Returns:
        An Altair chart: x rate (%), y measure, colour source; hover shows the change and sentence;
        or the ``empty`` sentence when no rate is stated.
    """
    data = claims_data(claims, docs)
    if data.empty:
        return thin(empty, "No source states a tariff rate.")
    return (
        alt.Chart(data)
        .mark_circle(size=120, opacity=0.8)
        .encode(
            x=alt.X("rate_pct:Q", title="Tariff rate (%)"),
            y=alt.Y("measure:N", title="Measure (imposer → target)"),
            color=alt.Color("source:N", title="Source"),
            tooltip=[alt.Tooltip("source:N", title="Source"), alt.Tooltip("measure:N", title="Measure"),
                     alt.Tooltip("change:N", title="Rate"), alt.Tooltip("effective:N", title="Date"),
                     alt.Tooltip("mentions:Q", title="Mentions"), alt.Tooltip("sentence:N", title="Sentence")],
        )
        .properties(title=titled("Tariff rates stated by each source",
                                 "Each dot is a rate a source gives for a tariff of one country on another; "
                                 "hover for the sentence."))
    )
