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
    """Aspect and frame shares of one source against all other sources (documents weigh equally).

    Empty when the source has no aspect or frame.
    """
    st = t.source_topics
    if not (st["source"] == source).any():
        return st.iloc[0:0]
    out = versus_rest_share(st, source, by=["kind", "label"], weight="documents", value="share")
    return out.fillna(0)


def voice_vs_rest(t, source: str) -> pd.DataFrame:
    """Share of voice by speaker type: one source against all others; empty when it quotes no one."""
    s = t.share_of_voice
    this = s[s["source"] == source]
    if this.empty:
        return this[["source", "speaker_type", "quotes", "share"]]
    rest = s[s["source"] != source].groupby("speaker_type", as_index=False)["quotes"].sum()
    rest["share"] = (rest["quotes"] / max(1, rest["quotes"].sum())).round(4)
    rest["source"] = REST
    return pd.concat([this, rest], ignore_index=True)[["source", "speaker_type", "quotes", "share"]]


# ---------------------------------------------------------------- many sources: top groups and "other"

TOP_GROUPS = 20
"""Sources shown by name in charts across sources; the rest are folded into one "other" row."""


def top_groups(t, n: int | None = TOP_GROUPS) -> list[str]:
    """The ``n`` groups with the most documents (ties by name); every group when ``n`` is None."""
    d = t.documents
    if d.empty:
        return []
    counts = d.groupby("group").size()
    ranked = sorted(counts.index.astype(str), key=lambda g: (-int(counts[g]), g))
    return ranked if n is None else ranked[:n]


def other_label(folded: int) -> str:
    """The name of the row holding ``folded`` sources together, saying how many."""
    return f"other ({folded:,} source{'s' if folded != 1 else ''})"


def fold(df: pd.DataFrame, keep: list[str], *, by: list[str], agg: dict[str, str], column: str = "source",
         weighted: dict[str, str] | None = None) -> pd.DataFrame:
    """Keep the rows of the ``keep`` groups and fold every other group into one "other" group.

    Args:
        df: A table with one row per group (and per ``by`` key).
        keep: The groups shown by name.
        by: Columns that stay keys within the "other" group (e.g. ``actor``).
        agg: How each further column is combined ("sum", "min", "max", "first").
        column: The group column.
        weighted: Columns averaged with a weight column (``{"mean": "sentences"}``).

    Returns:
        The kept rows, then the "other" rows labelled by :func:`other_label`; columns not in
        ``by``, ``agg`` or ``weighted`` are left empty on "other" rows.
    """
    if df.empty:
        return df
    inside = df[column].astype(str).isin(set(keep))
    rest = df[~inside]
    if rest.empty:
        return df.reset_index(drop=True)
    n = rest[column].nunique()
    weighted = weighted or {}
    work = rest.copy()
    for value, weight in weighted.items():
        work[f"_w_{value}"] = work[value].astype(float) * work[weight].astype(float)
    spec = {c: (c, f) for c, f in agg.items()}
    spec.update({f"_w_{v}": (f"_w_{v}", "sum") for v in weighted})
    for w in set(weighted.values()) - set(agg):
        spec[w] = (w, "sum")
    if by:
        other = work.groupby(by, as_index=False, sort=False, dropna=False).agg(**spec)
    else:
        other = pd.DataFrame([{k: getattr(work[c], f)() for k, (c, f) in spec.items()}])
    for value, weight in weighted.items():
        other[value] = (other.pop(f"_w_{value}") / other[weight].astype(float).where(lambda s: s > 0)).round(4)
    other[column] = other_label(n)
    out = pd.concat([df[inside], other], ignore_index=True)
    return out[[c for c in df.columns if c in out.columns]]


def _words_of(t, keep: list[str]) -> float:
    d = t.documents
    return float(d.loc[~d["group"].astype(str).isin(set(keep)), "words"].sum())


def across_sources(t, name: str, *, n: int | None = TOP_GROUPS) -> pd.DataFrame:
    """A table across sources with all but the ``n`` largest groups folded into one "other" row.

    Tables that cannot be folded (terms, similarity) keep only the ``n`` largest groups.

    Args:
        t: The run's tables.
        name: ``sources``, ``quoted_share``, ``actors_by_source``, ``share_of_voice``, ``who_quotes_whom``,
            ``source_tone``, ``source_topics``, ``terms``, ``top_terms`` or ``similarity``.
        n: Groups shown by name; None shows every group.

    Raises:
        KeyError: for a table this function does not know how to fold.
    """
    df = t.get(name)
    keep = top_groups(t, n)
    if n is None or df.empty or len(keep) == len(top_groups(t, None)):
        return df
    if name in ("terms", "top_terms"):
        return df[df["source"].astype(str).isin(set(keep))].reset_index(drop=True)
    if name == "similarity":
        k = set(keep)
        return df[df["source_a"].astype(str).isin(k) & df["source_b"].astype(str).isin(k)].reset_index(drop=True)
    if name == "sources":
        out = fold(df, keep, by=[], agg={"documents": "sum", "words": "sum", "first_published": "min",
                                         "last_published": "max"})
        return out.fillna({c: "" for c in out.columns if out[c].dtype == object})
    if name == "quoted_share":
        out = fold(df, keep, by=[], agg={"words": "sum", "quoted_words": "sum"})
        out["quoted_share"] = (out["quoted_words"] / out["words"].clip(lower=1)).round(4)
        return out
    if name == "actors_by_source":
        out = fold(df, keep, by=["actor", "actor_type"], agg={"mentions": "sum", "documents": "sum"})
        other = ~out["source"].astype(str).isin(set(keep))
        out.loc[other, "per_1000_words"] = (out.loc[other, "mentions"] / max(1.0, _words_of(t, keep)) * 1000).round(3)
        return out
    if name == "share_of_voice":
        out = fold(df, keep, by=["speaker_type"], agg={"quotes": "sum"})
        out["share"] = (out["quotes"] / out.groupby("source")["quotes"].transform("sum").clip(lower=1)).round(4)
        return out
    if name == "who_quotes_whom":
        return fold(df, keep, by=["speaker", "speaker_type"], agg={"quotes": "sum"})
    if name == "source_tone":
        return fold(df, keep, by=["target"], agg={"documents": "sum", "sentences": "sum"},
                    weighted={"mean": "sentences"})
    if name == "source_topics":
        return fold(df, keep, by=["kind", "label"], agg={"documents": "sum", "documents_with": "sum",
                                                         "sentences": "sum"}, weighted={"share": "documents"})
    raise KeyError(f"{name!r}: no rule to fold this table across sources")


def documents_folded(t, *, n: int | None = TOP_GROUPS) -> pd.DataFrame:
    """The documents with ``group`` and ``source`` both set to the group, or to the "other" label
    for groups outside the top ``n`` (the shape the timeline and claims charts take)."""
    d = t.documents
    keep = set(top_groups(t, n))
    folded = d["group"].astype(str).where(d["group"].astype(str).isin(keep))
    n_other = d.loc[folded.isna(), "group"].nunique()
    shown = folded.fillna(other_label(n_other))
    return d.assign(group=shown, source=shown)


def shown_sources_note(t, *, n: int | None = TOP_GROUPS, what: str = "charts") -> str | None:
    """A sentence saying how many sources the charts fold into "other", or None when all are shown."""
    total = len(top_groups(t, None))
    if n is None or total <= n:
        return None
    return (f"This run has {total:,} sources: the {what} below show the {n} with the most documents by name and "
            f"fold the other {total - n:,} into \"{other_label(total - n)}\" (term panels and the similarity "
            "matrix show the largest sources only). Every source is in the tables of the run's data folder.")
