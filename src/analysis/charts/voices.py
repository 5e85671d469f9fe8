"""Charts of how sources sound: tone, aspects and frames, distinctive terms and similarity.

Every factory takes an already aggregated table (the outputs of :mod:`analysis.tone`,
:mod:`analysis.topics`, :mod:`analysis.terms` and :mod:`analysis.similarity`) and returns an
Altair chart with a title, a subtitle sentence, axis titles and tooltips, or, when the
table is too thin to chart, a :class:`analysis.thin.ThinData` sentence (the ``empty``
argument, typically from :func:`analysis.thin.reason`).
"""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from analysis.charts import WIDTH, thin, titled
from analysis.checks import require_columns as _need
from analysis.thin import ThinData

Z_LINE = 1.96
"""|z| above which a term is conventionally called distinctive (two-sided 5%)."""




def tone_chart(source_tone_df: pd.DataFrame, *, empty: str | None = None) -> alt.LayerChart | ThinData:
    """Mean sentence tone per source and target actor, with 95% intervals (points and error bars).

    Args:
        source_tone_df: Output of :func:`analysis.tone.source_tone`.
        empty: The sentence shown when no sentence was scored.
    """
    _need(source_tone_df, ["source", "target", "sentences", "mean", "ci_low", "ci_high"], "source_tone_df")
    df = source_tone_df[np.isfinite(source_tone_df["mean"].astype(float))].copy()
    if df.empty:
        return thin(empty, "No sentence of these sources could be scored for tone.")
    if "documents" not in df.columns:
        df["documents"] = np.nan
    targets = list(dict.fromkeys(df["target"]))
    sources = sorted(df["source"].unique())
    base = alt.Chart(df).encode(
        y=alt.Y("source:N", title="Source", sort=sources),
        yOffset=alt.YOffset("target:N", sort=targets),
        color=alt.Color("target:N", title="Sentences about", sort=targets),
        tooltip=[alt.Tooltip("source:N", title="Source"), alt.Tooltip("target:N", title="Sentences about"),
                 alt.Tooltip("sentences:Q", title="Sentences"), alt.Tooltip("documents:Q", title="Documents"),
                 alt.Tooltip("mean:Q", title="Mean tone", format="+.3f"),
                 alt.Tooltip("ci_low:Q", title="95% CI low", format="+.3f"),
                 alt.Tooltip("ci_high:Q", title="95% CI high", format="+.3f")],
    )
    scale = alt.Scale(domain=[-1, 1])
    bars = base.mark_rule(strokeWidth=1.5).encode(
        x=alt.X("ci_low:Q", title="Mean VADER compound score (−1 negative, +1 positive)", scale=scale),
        x2="ci_high:Q",
    )
    points = base.mark_point(filled=True, size=60).encode(x=alt.X("mean:Q", scale=scale))
    zero = alt.Chart(pd.DataFrame({"x": [0.0]})).mark_rule(color="#999", strokeDash=[4, 3]).encode(x="x:Q")
    height = max(120, 14 * max(1, len(sources)) * max(1, len(targets)))
    return alt.layer(zero, bars, points, title=titled(
        "Tone by source and actor",
        "Mean sentence tone per source, overall and in sentences mentioning each actor; bars are 95% intervals.",
    )).properties(width=WIDTH, height=height)


TOPIC_KINDS = ("aspect", "frame")


def topic_heatmap(source_topics_df: pd.DataFrame, kind: str, *,
                  empty: str | None = None) -> alt.LayerChart | ThinData:
    """Share of sentences per source that carry each aspect (``kind="aspect"``) or frame (``"frame"``).

    Args:
        source_topics_df: Output of :func:`analysis.topics.source_topics`.
        kind: ``"aspect"`` or ``"frame"``.
        empty: The sentence shown when the table has no row of this kind.

    Raises:
        ValueError: if ``kind`` is not one of :data:`TOPIC_KINDS`.
    """
    if kind not in TOPIC_KINDS:
        raise ValueError(f"kind {kind!r}: choose from {', '.join(TOPIC_KINDS)}")
    _need(source_topics_df, ["source", "kind", "label", "share", "sentences", "documents"], "source_topics_df")
    df = source_topics_df[source_topics_df["kind"] == kind].copy()
    if df.empty:
        return thin(empty, f"No sentence of these sources carries a cue of any {kind}.")
    if "documents_with" not in df.columns:
        df["documents_with"] = np.nan
    labels = list(dict.fromkeys(df["label"]))
    noun = "aspect" if kind == "aspect" else kind
    subtitle = (f"Average share of each source's sentences that contain a cue of the {noun} "
                f"(lexicon match{'; frames approximate the Policy Frames Codebook' if kind == 'frame' else ''}).")
    base = alt.Chart(df).encode(
        x=alt.X("label:N", title=noun.capitalize(), sort=labels, axis=alt.Axis(labelAngle=-35)),
        y=alt.Y("source:N", title="Source", sort="ascending"),
        tooltip=[alt.Tooltip("source:N", title="Source"), alt.Tooltip("label:N", title=noun.capitalize()),
                 alt.Tooltip("share:Q", title="Share of sentences", format=".1%"),
                 alt.Tooltip("sentences:Q", title="Matching sentences"),
                 alt.Tooltip("documents_with:Q", title="Documents with it"),
                 alt.Tooltip("documents:Q", title="Documents")],
    )
    rect = base.mark_rect().encode(
        color=alt.Color("share:Q", title="Share of sentences", scale=alt.Scale(scheme="blues", domain=[0, 1]),
                        legend=alt.Legend(format=".0%")))
    text = base.mark_text(fontSize=10).encode(
        text=alt.Text("share:Q", format=".0%"),
        color=alt.condition(alt.datum.share > 0.5, alt.value("white"), alt.value("#222")))
    title = "Aspects of the story by source" if kind == "aspect" else f"{kind.capitalize()}s by source"
    return alt.layer(rect, text, title=titled(title, subtitle)).properties(
        width=max(WIDTH, 40 * len(labels)), height=max(80, 28 * df["source"].nunique()))


def distinctive_terms_chart(terms_df: pd.DataFrame, source: str, *, label_top: int = 15,
                            max_points: int = 400, empty: str | None = None) -> alt.LayerChart | ThinData:
    """Scattertext-style view of one source: term frequency (log x) against log-odds z-score (y).

    Args:
        terms_df: Output of :func:`analysis.terms.distinctive_terms`.
        source: The source to show.
        label_top: Label this many highest-z terms.
        max_points: Plot at most this many terms (those with the largest |z|).
        empty: The sentence shown when the source has no terms.
    """
    _need(terms_df, ["source", "term", "count", "zscore"], "terms_df")
    df = terms_df[(terms_df["source"] == source) & (terms_df["count"] > 0)].copy()
    if df.empty:
        return thin(empty, f"No distinctive term was found for {source}.")
    df["abs_z"] = df["zscore"].abs()
    df = df.sort_values(["abs_z", "term"], ascending=[False, True], kind="stable").head(max_points)
    df["distinctive"] = np.where(df["zscore"] >= Z_LINE, "more than others",
                                 np.where(df["zscore"] <= -Z_LINE, "less than others", "not distinctive"))
    top = df.sort_values(["zscore", "term"], ascending=[False, True], kind="stable").head(label_top)
    df["label"] = np.where(df["term"].isin(set(top["term"])), df["term"], "")
    tooltip = [alt.Tooltip("term:N", title="Term"), alt.Tooltip("count:Q", title="Uses in this source"),
               alt.Tooltip("zscore:Q", title="Log-odds z", format="+.2f")]
    base = alt.Chart(df).encode(
        x=alt.X("count:Q", title="Uses in this source (log scale)", scale=alt.Scale(type="log")),
        y=alt.Y("zscore:Q", title="Log-odds z-score vs all other sources"),
        tooltip=tooltip,
    )
    points = base.mark_circle(size=40, opacity=0.7).encode(
        color=alt.Color("distinctive:N", title=f"|z| ≥ {Z_LINE}",
                        scale=alt.Scale(domain=["more than others", "not distinctive", "less than others"],
                                        range=["#d1495b", "#bbbbbb", "#1b6ca8"])))
    labels = base.transform_filter(alt.datum.label != "").mark_text(
        align="left", dx=5, dy=-4, fontSize=10).encode(text="label:N")
    lines = alt.Chart(pd.DataFrame({"z": [Z_LINE, -Z_LINE]})).mark_rule(
        color="#999", strokeDash=[4, 3]).encode(y="z:Q")
    return alt.layer(lines, points, labels, title=titled(
        f"Distinctive language: {source}",
        "Each point is a term; higher means this source uses it more than the other sources do "
        f"(Monroe et al. log-odds z; dashed lines at ±{Z_LINE}).",
    )).properties(width=WIDTH, height=360)


def _term_panels(df: pd.DataFrame, *, value: str, name: str, n: int, columns: int, x_title: str,
                 extra_tooltip: alt.Tooltip, title: alt.TitleParams, empty: str) -> alt.FacetChart | ThinData:
    """The top ``n`` terms of every source by ``value``, as bars, one panel per source."""
    if n < 1:
        raise ValueError(f"n must be positive, got {n}")
    df = df.sort_values(["source", value, "term"], ascending=[True, False, True], kind="stable")
    df = df.groupby("source", sort=True).head(n)
    if df.empty:
        return ThinData(empty)
    chart = alt.Chart(df).mark_bar().encode(
        x=alt.X(f"{value}:Q", title=x_title),
        y=alt.Y("term:N", title=None, sort="-x"),
        color=alt.Color("source:N", legend=None),
        tooltip=[alt.Tooltip("source:N", title="Source"), alt.Tooltip("term:N", title="Term"),
                 alt.Tooltip("count:Q", title="Uses"), extra_tooltip],
    ).properties(width=150, height=alt.Step(13))
    return chart.facet(facet=alt.Facet("source:N", title=None), columns=columns, title=title
                       ).resolve_scale(y="independent")


def distinctive_terms_bars(terms_df: pd.DataFrame, *, n: int = 10, columns: int = 3,
                           empty: str | None = None) -> alt.FacetChart | ThinData:
    """The ``n`` most distinctive terms of every source (bars of z-score, one panel per source)."""
    _need(terms_df, ["source", "term", "count", "zscore"], "terms_df")
    return _term_panels(
        terms_df, value="zscore", name="terms_df", n=n, columns=columns,
        empty=empty or "Distinctive terms need at least two sources with English text.",
        x_title="Log-odds z-score vs all other sources",
        extra_tooltip=alt.Tooltip("zscore:Q", title="z", format="+.2f"),
        title=titled("Most distinctive terms per source",
                     f"The {n} terms each source uses most, relative to all other sources "
                     "(Monroe et al. log-odds z-score)."))


def top_terms_chart(top_df: pd.DataFrame, *, n: int = 10, columns: int = 3,
                    empty: str | None = None) -> alt.FacetChart | ThinData:
    """The most frequent content terms of every source (bars of count, one panel per source).

    Args:
        top_df: Output of :func:`analysis.terms.top_terms`.
        n: Terms per source.
        columns: Panels per row.
        empty: The sentence shown when no source has a content term.
    """
    _need(top_df, ["source", "term", "count", "share"], "top_df")
    return _term_panels(
        top_df, value="count", name="top_df", n=n, columns=columns,
        empty=empty or "No source has an English content word to count.", x_title="Uses (lemmatised content words)",
        extra_tooltip=alt.Tooltip("share:Q", title="Share of the source's words", format=".1%"),
        title=titled("Most frequent terms per source",
                     f"The {n} most used content words (lemmas, no stopwords) of each source."))


def similarity_heatmap(sim_df: pd.DataFrame, *, empty: str | None = None) -> alt.LayerChart | ThinData:
    """TF-IDF cosine similarity between sources as a heatmap, with the values printed.

    Args:
        sim_df: Output of :func:`analysis.similarity.similarity_matrix`.
        empty: The sentence shown when fewer than two sources can be compared.
    """
    _need(sim_df, ["source_a", "source_b", "cosine"], "sim_df")
    sources = sorted(set(sim_df["source_a"]) | set(sim_df["source_b"]))
    if len(sources) < 2:
        return thin(empty, "Similarity needs at least two sources with English text.")
    base = alt.Chart(sim_df).encode(
        x=alt.X("source_b:N", title="Source", sort=sources, axis=alt.Axis(labelAngle=-35)),
        y=alt.Y("source_a:N", title="Source", sort=sources),
        tooltip=[alt.Tooltip("source_a:N", title="Source"), alt.Tooltip("source_b:N", title="Compared with"),
                 alt.Tooltip("cosine:Q", title="Cosine similarity", format=".2f")],
    )
    rect = base.mark_rect().encode(color=alt.Color(
        "cosine:Q", title="Cosine", scale=alt.Scale(scheme="greens", domain=[0, 1])))
    text = base.mark_text(fontSize=10).encode(
        text=alt.Text("cosine:Q", format=".2f"),
        color=alt.condition(alt.datum.cosine > 0.6, alt.value("white"), alt.value("#222")))
    side = max(160, 44 * len(sources))
    return alt.layer(rect, text, title=titled(
        "How alike the sources' vocabularies are",
        "Read a row across: darker cells share more of the same weighted words (TF-IDF cosine, 0 to 1); "
        "the diagonal is 1 by definition.",
    )).properties(width=side, height=side)
