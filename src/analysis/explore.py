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
from analysis.display import flatten, for_display, shorten


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


def kwic(t, phrase: str, *, by: str = "source", window: int = 50, limit: int = 200,
         case: bool = False) -> pd.DataFrame:
    """Keyword in context: every occurrence of a phrase with the words around it.

    Contexts are cut at word boundaries, with "…" where a sentence goes on, and paragraph
    breaks inside a sentence show as ``¶``. In a notebook the frame displays as a
    concordance: the matches in one column, left context right-aligned against them.

    Args:
        t: The run's tables.
        phrase: Words to find (matched as a phrase, on word boundaries; hyphens and spaces match alike).
        by: Column to sort and group by (``source`` or ``doc_id``).
        window: Most characters of context on each side, the "…" included.
        limit: Most rows returned (the frame's display says how many there are in all).
        case: Match case exactly.

    Returns:
        Columns ``source, left, match, right, doc_id, sentence_index``.

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
    rows, total = [], 0
    for r in hits.itertuples(index=False):
        text = flatten(r.text)
        for m in pattern.finditer(text):
            total += 1
            if len(rows) < limit:
                rows.append((r.source, shorten(text[:m.start()], window, keep="end"), m.group(),
                             shorten(text[m.end():], window, keep="start"), r.doc_id, r.sentence_index))
    frame = pd.DataFrame(rows, columns=["source", "left", "match", "right", "doc_id", "sentence_index"])
    return for_display(frame, layout="kwic", total=total)


def _sentence_filter(*, actor: str | None, topic: str | None, source: str | None) -> tuple[str, list]:
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
    return ("WHERE " + " AND ".join(where)) if where else "", params


def sentences_about(t, *, actor: str | None = None, topic: str | None = None, source: str | None = None,
                    limit: int = 200) -> pd.DataFrame:
    """Sentences filtered by the actors they mention, the aspect they touch and their source.

    Returns:
        Columns ``source, doc_id, sentence_index, text, compound, actors, topics``; at most
        ``limit`` rows (the frame's display says how many match in all).
    """
    clause, params = _sentence_filter(actor=actor, topic=topic, source=source)
    frame = _query(t, f"SELECT source, doc_id, sentence_index, text, compound, actors, topics "
                      f"FROM {_sentences_sql(t)} {clause} ORDER BY source, doc_id, sentence_index "
                      f"LIMIT {int(limit)}", params)
    total = len(frame)
    if total >= limit:
        total = int(_query(t, f"SELECT count(*) AS n FROM {_sentences_sql(t)} {clause}", params)["n"].iloc[0])
    return for_display(frame, total=total)


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
    return for_display(q[["source_group", "speaker", "speaker_type", "quote", "is_fragment"]].rename(
        columns={"source_group": "source"}).reset_index(drop=True))


INDENT = "\u2003"
"""Put before each line under a header (an em space, which SVG does not collapse)."""


def _plural(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def _explorer_rows(t, *, per_source: int, balanced: int, wrap: int) -> pd.DataFrame:
    """The explorer's lines: per source and kind, a header with counts, then its quotes or sentences.

    Each source keeps at most ``per_source`` lines of each kind (shown when it is selected);
    ``balanced`` of them are shown when no source is selected. Headers carry both counts.
    """
    q = t.quotes.merge(t.documents[["doc_id", "group"]], on="doc_id")
    q = q.assign(source=q["group"]).sort_values(["source", "doc_id", "sentence_index"], kind="stable")
    quote_totals = q.groupby("source").size()
    q = q.groupby("source", sort=True).head(per_source)
    speaker = q["speaker"].fillna("?").astype(str).map(flatten)
    quote_text = q["quote"].astype(str)
    quotes = pd.DataFrame({
        "source": q["source"], "kind": "quote",
        "line": [f"{s}: “{shorten(text, max(20, wrap - len(s) - 4))}”" for s, text in zip(speaker, quote_text,
                                                                                       strict=True)],
        "full": [f"{s}: “{shorten(text, 600)}”" for s, text in zip(speaker, quote_text, strict=True)],
        "detail": q["speaker_type"].fillna("").astype(str)})
    s = _query(t, f"""
        SELECT source, text, compound, actors, n FROM (
            SELECT *, row_number() OVER (PARTITION BY source ORDER BY abs(compound) DESC, doc_id,
                                         sentence_index) AS r,
                      count(*) OVER (PARTITION BY source) AS n
            FROM {_sentences_sql(t)} WHERE actors <> '' AND compound IS NOT NULL)
        WHERE r <= {int(per_source)} ORDER BY source, r""")
    sentences = pd.DataFrame({
        "source": s["source"], "kind": "sentence",
        "line": s["text"].map(lambda x: shorten(x, wrap)),
        "full": s["text"].map(lambda x: shorten(x, 600)),
        "detail": "tone " + s["compound"].map("{:+.2f}".format) + "; " + s["actors"].str.replace(";", ", ")})
    sentence_totals = s.groupby("source")["n"].max() if len(s) else pd.Series(dtype="int64")
    lines = pd.concat([quotes, sentences], ignore_index=True)
    lines["row"] = lines.groupby(["source", "kind"]).cumcount()
    lines["header"] = False
    heads = []
    for source in sorted(set(t.documents["group"].astype(str))):
        for kind, noun, totals in (("quote", "quote", quote_totals), ("sentence", "sentence", sentence_totals)):
            n = int(totals.get(source, 0))
            label = f"{source}: {_plural(n, noun)}"
            heads.append({"source": source, "kind": kind, "row": -1, "header": True, "detail": "",
                          "full": label,
                          "line_all": f"{label}" + (f", {min(n, balanced)} shown" if n > balanced else ""),
                          "line_one": f"{label}" + (f", {min(n, per_source)} shown" if n > per_source else "")})
    heads_df = pd.DataFrame(heads, columns=["source", "kind", "row", "header", "detail", "full", "line_all",
                                            "line_one"])
    indented = INDENT + lines["line"]
    lines = lines.assign(line_all=indented, line_one=indented).drop(columns="line")
    return pd.concat([heads_df, lines], ignore_index=True).sort_values(
        ["kind", "source", "row"], kind="stable", ignore_index=True)


def source_explorer(t, *, per_source: int = 25, wrap: int = 110) -> alt.VConcatChart:
    """Click a source to list its quotes and sentences: an interactive Altair selection.

    The bar chart counts direct quotes per source. With no source selected, the lists
    below show every source, each under a header with its counts, and the same number of
    lines from each; clicking a bar filters both lists to that source, up to
    ``per_source`` lines each (click the background to show every source again). Lines
    are cut at ``wrap`` characters at a word boundary, with "…"; hover for the full text.
    """
    sources = sorted(set(t.documents["group"].astype(str)))
    balanced = max(2, -(-per_source // max(1, len(sources))))
    rows = _explorer_rows(t, per_source=per_source, balanced=balanced, wrap=wrap)
    counts = t.quotes.merge(t.documents[["doc_id", "group"]], on="doc_id").groupby("group").size()
    bars_df = counts.reindex(sources, fill_value=0).rename("quotes").rename_axis("source").reset_index()
    pick = alt.selection_point(fields=["source"], empty=True)
    bars = alt.Chart(bars_df, title=titled("Quotes per source", "Click a bar to list only that source's quotes "
                                           "and sentences below; click the background for every source.")
                     ).mark_bar().encode(
        x=alt.X("quotes:Q", title="Direct quotes"),
        y=alt.Y("source:N", title="Source", sort="-x"),
        color=alt.condition(pick, alt.Color("source:N", legend=None), alt.value("#ccc")),
        tooltip=[alt.Tooltip("source:N", title="Source"), alt.Tooltip("quotes:Q", title="Quotes")],
    ).add_params(pick).properties(width=WIDTH)

    def listing(kind: str, title: str, subtitle: str) -> alt.Chart:
        return alt.Chart(rows[rows["kind"] == kind]).mark_text(align="left", baseline="middle").encode(
            x=alt.value(0),
            text="line:N",
            size=alt.condition(alt.datum.header, alt.value(12.5), alt.value(11)),
            color=alt.Color("source:N", legend=None),
            tooltip=[alt.Tooltip("source:N", title="Source"), alt.Tooltip("detail:N", title="Detail"),
                     alt.Tooltip("full:N", title="Text")],
        ).transform_filter(pick).transform_joinaggregate(
            n_sources="distinct(source)",
        ).transform_calculate(
            limit=f"datum.n_sources > 1 ? {balanced} : {per_source}",
            line="datum.n_sources > 1 ? datum.line_all : datum.line_one",
        ).transform_filter(alt.datum.row < alt.datum.limit).transform_window(
            rank="row_number()", sort=[alt.SortField("source"), alt.SortField("row")],
        ).encode(y=alt.Y("rank:O", axis=None)).properties(
            width=WIDTH, height=alt.Step(16), title=titled(title, subtitle))

    return alt.vconcat(
        bars,
        listing("quote", "Quotes", "Direct quotes, speaker first, under each source's count."),
        listing("sentence", "Sentences", "The most strongly toned sentences that mention an actor (hover for "
                "tone, actors and the full text)."),
    )
