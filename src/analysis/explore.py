"""Helpers for exploring a run interactively in JupyterLab.

They query the run's ``sentences.parquet`` and CSV tables with DuckDB, so they stay
fast on large corpora: only the matching rows reach pandas.

Example::

    t = tables.load_tables()
    kwic(t, "rare earth", by="source")
    sentences_about(t, actor="Japan", topic="autos")
    source_explorer(t)            # click a source to see its quotes and sentences
"""

from __future__ import annotations

import re

import altair as alt
import pandas as pd

from analysis.charts import WIDTH, titled


def _sql_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _query(t, sql: str, params: list | None = None) -> pd.DataFrame:
    import duckdb

    con = duckdb.connect()
    try:
        return con.execute(sql, params or []).df()
    finally:
        con.close()


def _sentences_sql(t) -> str:
    return f"read_parquet({_sql_string(t.path('sentences.parquet').as_posix())})"


def kwic(t, phrase: str, *, by: str = "source", window: int = 60, limit: int = 200,
         case: bool = False) -> pd.DataFrame:
    """Keyword in context: every occurrence of a phrase with the words around it.

    Args:
        t: The run's tables.
        phrase: Words to find (matched as a phrase, on word boundaries; hyphens and spaces match alike).
        by: Column to sort and group by (``source`` or ``doc_id``).
        window: Characters of context on each side.
        limit: Most rows returned.
        case: Match case exactly.

    Returns:
        Columns ``source, doc_id, sentence_index, left, match, right``.

    Raises:
        ValueError: if the phrase is empty or ``by`` is not a column.
    """
    words = re.findall(r"\w+", phrase)
    if not words:
        raise ValueError("kwic needs a phrase with at least one word")
    if by not in ("source", "doc_id"):
        raise ValueError(f"by must be 'source' or 'doc_id', not {by!r}")
    pattern = re.compile(r"\b" + r"[\s-]+".join(map(re.escape, words)) + r"\w*", 0 if case else re.IGNORECASE)
    like = "%" + "%".join(words) + "%"
    op = "LIKE" if case else "ILIKE"
    hits = _query(t, f"SELECT doc_id, source, sentence_index, text FROM {_sentences_sql(t)} "
                     f"WHERE text {op} ? ORDER BY {by}, doc_id, sentence_index", [like])
    rows = []
    for r in hits.itertuples(index=False):
        for m in pattern.finditer(r.text):
            left = r.text[max(0, m.start() - window):m.start()]
            right = r.text[m.end():m.end() + window]
            rows.append((r.source, r.doc_id, r.sentence_index, left, m.group(), right))
            if len(rows) >= limit:
                break
        if len(rows) >= limit:
            break
    return pd.DataFrame(rows, columns=["source", "doc_id", "sentence_index", "left", "match", "right"])


def sentences_about(t, *, actor: str | None = None, topic: str | None = None, source: str | None = None,
                    limit: int = 200) -> pd.DataFrame:
    """Sentences filtered by the actors they mention, the aspect they touch and their source.

    Returns:
        Columns ``source, doc_id, sentence_index, text, compound, actors, topics``.
    """
    where, params = [], []
    if actor:
        where.append("list_contains(string_split(actors, ';'), ?)")
        params.append(actor)
    if topic:
        where.append("list_contains(string_split(topics, ';'), ?)")
        params.append(topic)
    if source:
        where.append("source = ?")
        params.append(source)
    clause = ("WHERE " + " AND ".join(where)) if where else ""
    return _query(t, f"SELECT source, doc_id, sentence_index, text, compound, actors, topics "
                     f"FROM {_sentences_sql(t)} {clause} ORDER BY source, doc_id, sentence_index "
                     f"LIMIT {int(limit)}", params)


def quotes_by(t, *, speaker: str | None = None, speaker_type: str | None = None,
              source: str | None = None) -> pd.DataFrame:
    """Direct quotes filtered by speaker (substring, any case), speaker type and source."""
    q = t.quotes.merge(t.documents[["doc_id", "group"]], on="doc_id").rename(columns={"group": "source_group"})
    if speaker:
        q = q[q["speaker"].fillna("").str.contains(speaker, case=False, regex=False)]
    if speaker_type:
        q = q[q["speaker_type"] == speaker_type]
    if source:
        q = q[q["source_group"] == source]
    return q[["source_group", "speaker", "speaker_type", "quote", "is_fragment"]].rename(
        columns={"source_group": "source"}).reset_index(drop=True)


def _explorer_rows(t, *, per_source: int, wrap: int) -> pd.DataFrame:
    """Quotes and the most strongly toned sentences of each source, as lines for the explorer."""
    q = t.quotes.merge(t.documents[["doc_id", "group"]], on="doc_id")
    q = q.assign(source=q["group"]).sort_values(["source", "doc_id", "sentence_index"], kind="stable")
    q = q.groupby("source", sort=True).head(per_source)
    quotes = pd.DataFrame({"source": q["source"], "kind": "quote",
                           "line": q["speaker"].fillna("?") + ": “" + q["quote"].str.slice(0, wrap) + "”",
                           "detail": q["speaker_type"]})
    s = _query(t, f"""
        SELECT source, text, compound, actors FROM (
            SELECT *, row_number() OVER (PARTITION BY source ORDER BY abs(compound) DESC, doc_id,
                                         sentence_index) AS r
            FROM {_sentences_sql(t)} WHERE actors <> '' AND compound IS NOT NULL)
        WHERE r <= {int(per_source)} ORDER BY source, r""")
    sentences = pd.DataFrame({"source": s["source"], "kind": "sentence",
                              "line": s["text"].str.slice(0, wrap) + (s["text"].str.len() > wrap).map({True: "…",
                                                                                                     False: ""}),
                              "detail": "tone " + s["compound"].map("{:+.2f}".format) + "; " + s["actors"]})
    rows = pd.concat([quotes, sentences], ignore_index=True)
    rows["row"] = rows.groupby(["source", "kind"]).cumcount()
    return rows


def source_explorer(t, *, per_source: int = 25, wrap: int = 110) -> alt.VConcatChart:
    """Click a source to list its quotes and sentences: an interactive Altair selection.

    The bar chart counts direct quotes per source; clicking a bar filters the lists below
    to that source's quotes and to its most strongly toned sentences that mention an actor
    (click the background to show every source).
    """
    rows = _explorer_rows(t, per_source=per_source, wrap=wrap)
    counts = t.quotes.merge(t.documents[["doc_id", "group"]], on="doc_id").groupby("group").size()
    bars_df = counts.rename("quotes").rename_axis("source").reset_index()
    pick = alt.selection_point(fields=["source"], empty=True)
    bars = alt.Chart(bars_df, title=titled("Quotes per source", "Click a bar to list that source's quotes and "
                                           "sentences below.")).mark_bar().encode(
        x=alt.X("quotes:Q", title="Direct quotes"),
        y=alt.Y("source:N", title="Source", sort="-x"),
        color=alt.condition(pick, alt.Color("source:N", legend=None), alt.value("#ccc")),
        tooltip=[alt.Tooltip("source:N", title="Source"), alt.Tooltip("quotes:Q", title="Quotes")],
    ).add_params(pick).properties(width=WIDTH)

    def listing(kind: str, title: str, subtitle: str) -> alt.Chart:
        return alt.Chart(rows[rows["kind"] == kind]).mark_text(align="left", dx=4).encode(
            x=alt.value(0),
            text="line:N",
            color=alt.Color("source:N", legend=None),
            tooltip=[alt.Tooltip("source:N", title="Source"), alt.Tooltip("detail:N", title="Detail"),
                     alt.Tooltip("line:N", title="Text")],
        ).transform_filter(pick).transform_window(
            rank="row_number()", sort=[alt.SortField("source"), alt.SortField("row")],
        ).transform_filter(alt.datum.rank <= per_source).encode(y=alt.Y("rank:O", axis=None)).properties(
            width=WIDTH, height=alt.Step(14), title=titled(title, subtitle))

    return alt.vconcat(
        bars,
        listing("quote", "Quotes", "The selected source's direct quotes, speaker first."),
        listing("sentence", "Sentences", "Its most strongly toned sentences that mention an actor (hover for "
                "tone and actors)."),
    )
