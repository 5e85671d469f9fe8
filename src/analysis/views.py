"""Report views: small frames shaped for reading, built from a run's tables.

Each function takes the run's tables (:class:`analysis.tables.RunTables`) and an
optional source, and returns a frame ready for :func:`analysis.display.show_table`
or a chart factory.
"""

from __future__ import annotations

import pandas as pd

from analysis.profile import REST


def _source_of(t) -> dict[str, str]:
    return dict(zip(t.documents["doc_id"], t.documents["group"], strict=True))


def _fmt_rate(value) -> str:
    if value is None or pd.isna(value):
        return ""
    return f"{float(value):g}%"


def claims_view(t, source: str | None = None) -> pd.DataFrame:
    """Tariff claims with their source, as readable rows (who imposes what on whom, from which rate)."""
    c = t.claims.copy()
    if c.empty:
        return pd.DataFrame(columns=["source", "imposer", "target", "rate", "from", "scope", "effective", "sentence"])
    c["source"] = c["doc_id"].map(_source_of(t))
    if source is not None:
        c = c[c["source"] == source]
    c["rate"] = c["rate_pct"].map(_fmt_rate)
    c["from"] = c["from_rate_pct"].map(_fmt_rate)
    cols = ["source", "imposer", "target", "rate", "from", "scope", "effective", "sentence"]
    return c.sort_values(["source", "doc_id", "sentence_index"], kind="stable")[cols].fillna("")


def events_view(t, source: str | None = None) -> pd.DataFrame:
    """Dated events with their source, in date order."""
    e = t.events.copy()
    if e.empty:
        return pd.DataFrame(columns=["date", "source", "expression", "sentence"])
    e["source"] = e["doc_id"].map(_source_of(t))
    if source is not None:
        e = e[e["source"] == source]
    cols = ["date", "source", "expression", "sentence"] if "expression" in e.columns else ["date", "source", "sentence"]
    return e.sort_values(["date", "source", "sentence_index"], kind="stable")[cols].fillna("")


def conflicts_for(t, source: str | None = None) -> pd.DataFrame:
    """Conflicts between sources, optionally only those involving one source's documents."""
    c = t.conflicts
    if source is None or c.empty:
        return c
    mine = set(t.documents.loc[t.documents["group"] == source, "doc_id"])
    return c[c["doc_ids"].fillna("").map(lambda ids: bool(mine & set(ids.split(";"))))]


def evidence_rows(t, conflict: pd.Series) -> pd.DataFrame:
    """One row per source sentence of a conflict (source, sentence)."""
    src = _source_of(t)
    rows = []
    for part in str(conflict.get("sentences") or "").split(" || "):
        part = part.strip()
        if not part:
            continue
        doc_id, _, sentence = part.partition("] ")
        doc_id = doc_id.lstrip("[")
        rows.append((src.get(doc_id, doc_id), sentence))
    return pd.DataFrame(rows, columns=["source", "sentence"])


def quotes_of(t, source: str) -> pd.DataFrame:
    """The direct quotes a source carries, with speaker and type."""
    q = t.quotes.copy()
    if q.empty:
        return pd.DataFrame(columns=["speaker", "speaker_type", "quote", "fragment"])
    q["source"] = q["doc_id"].map(_source_of(t))
    q = q[q["source"] == source].assign(fragment=lambda d: d["is_fragment"].map({True: "yes", False: ""}))
    return q[["speaker", "speaker_type", "quote", "fragment"]]


def versus_rest_share(df: pd.DataFrame, source: str, *, by: list[str], weight: str, value: str) -> pd.DataFrame:
    """This source's rows plus one 'All other sources' row per key, weighted mean of ``value``."""
    this = df[df["source"] == source]
    rest = df[df["source"] != source].copy()
    if rest.empty:
        return this
    rest["_w"] = rest[value] * rest[weight]
    agg = rest.groupby(by, as_index=False, sort=False).agg(_w=("_w", "sum"), **{weight: (weight, "sum")})
    agg[value] = (agg["_w"] / agg[weight].clip(lower=1)).round(4)
    agg["source"] = REST
    return pd.concat([this, agg.drop(columns="_w")], ignore_index=True)


def topics_vs_rest(t, source: str) -> pd.DataFrame:
    """Aspect and frame shares of one source against all other sources (documents weigh equally)."""
    st = t.source_topics
    out = versus_rest_share(st, source, by=["kind", "label"], weight="documents", value="share")
    return out.fillna(0)


def voice_vs_rest(t, source: str) -> pd.DataFrame:
    """Share of voice by speaker type: one source against all others."""
    s = t.share_of_voice
    this = s[s["source"] == source]
    rest = s[s["source"] != source].groupby("speaker_type", as_index=False)["quotes"].sum()
    rest["share"] = (rest["quotes"] / max(1, rest["quotes"].sum())).round(4)
    rest["source"] = REST
    return pd.concat([this, rest], ignore_index=True)[["source", "speaker_type", "quotes", "share"]]
