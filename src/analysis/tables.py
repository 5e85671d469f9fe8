"""Build every table behind the reports, once per run, and read them back.

The runner calls :func:`build_tables` before any notebook starts: it loads the
corpus, annotates it (cached), runs the extractors and writes every table twice
into the run's ``data/`` folder:

- the **typed store**, ``data/store/NAME.parquet`` (one Parquet file per table,
  see :func:`write_store`): the values exactly as the corpus gave them. Notebooks
  read only these, with :func:`load_tables`; they never re-run NLP.
- **CSV exports for people**, ``data/NAME.csv``: UTF-8 with a header row, one row
  per record, spreadsheet formulas neutralised (see :mod:`analysis.export`).
  Nothing reads them back.

Both are sorted and rounded so that the same corpus and parameters give
byte-identical CSVs.
"""

from __future__ import annotations

import logging
import os
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from time import perf_counter

import pandas as pd

from analysis import config
from analysis.annotate import Annotations, DocInput, ensure_annotated, is_english
from analysis.corpus import Corpus, load_corpus

log = logging.getLogger(__name__)

DOCUMENT_COLUMNS = ["doc_id", "source", "published", "language", "words", "path", "text"]

@dataclass
class BuildResult:
    """The tables of a run and how long each step took."""

    tables: dict[str, pd.DataFrame]
    timings: dict[str, float] = field(default_factory=dict)
    annotated: int = 0
    cached: int = 0
    model: str = ""
    stage_runs: dict[str, int] = field(default_factory=dict)
    """Documents each extraction stage ran on (the others came from the extraction cache)."""


def write_csv(df: pd.DataFrame, path: Path) -> Path:
    """Write a table as deterministic UTF-8 CSV, neutralising spreadsheet formulas, atomically."""
    from analysis.export import neutralise_formulas

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.part")
    neutralise_formulas(df).to_csv(tmp, index=False, encoding="utf-8", lineterminator="\n")
    os.replace(tmp, path)
    return path


STORE_DIR = "store"
"""Folder of the typed store inside a run's ``data/`` folder."""
STORE_SUFFIX = ".parquet"


def store_dir(data_dir: str | Path) -> Path:
    """The typed store of a run's data folder: ``DATA_DIR/store``."""
    return Path(data_dir) / STORE_DIR


def _arrow_table(df: pd.DataFrame):
    """A pyarrow table of a frame; object columns that mix types are stored as text."""
    import pyarrow as pa

    try:
        return pa.Table.from_pandas(df, preserve_index=False)
    except (pa.ArrowInvalid, pa.ArrowTypeError, ValueError):
        fixed = df.copy()
        for col in fixed.columns:
            if fixed[col].dtype == object:
                fixed[col] = fixed[col].map(lambda v: v if v is None or isinstance(v, str) or
                                            (isinstance(v, float) and pd.isna(v)) else str(v))
        return pa.Table.from_pandas(fixed, preserve_index=False)


def write_parquet(df: pd.DataFrame, path: Path) -> Path:
    """Write one table of the typed store (Parquet, column types kept), atomically."""
    import pyarrow.parquet as pq

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.part")
    pq.write_table(_arrow_table(df.reset_index(drop=True)), tmp)
    os.replace(tmp, path)
    return path


def read_parquet(path: Path, *, columns: list[str] | None = None) -> pd.DataFrame:
    """Read one table of the typed store."""
    import pyarrow.parquet as pq

    return pq.read_table(path, columns=columns).to_pandas()


def write_store(tables: dict[str, pd.DataFrame], data_dir: str | Path) -> Path:
    """Write every table into the run's typed store, ``DATA_DIR/store/NAME.parquet``.

    Returns:
        The store folder.
    """
    folder = store_dir(data_dir)
    for name, df in tables.items():
        write_parquet(df, folder / f"{name}{STORE_SUFFIX}")
    return folder


def export_csvs(tables: dict[str, pd.DataFrame], data_dir: str | Path) -> list[Path]:
    """Write every table as a CSV export for people, ``DATA_DIR/NAME.csv`` (formulas neutralised)."""
    return [write_csv(df, Path(data_dir) / f"{name}.csv") for name, df in tables.items()]


GROUPABLE_COLUMNS = ("source", "language", "author", "country", "outlet_type")
"""Fixed document columns a user may group by; metadata columns of the corpus (``category``...) follow."""


def groupable_columns(frame: pd.DataFrame) -> list[str]:
    """The columns of a documents frame a user can pass to ``--group-by``.

    These are the outlet, language, author, country and outlet type, and every further metadata
    column of the corpus (``category``, ``region``...); internal columns such as ``sha256`` or
    ``removed_lines`` are not offered.
    """
    from analysis.corpus import FRAME_COLUMNS

    extra = [c for c in frame.columns if c not in FRAME_COLUMNS and c != "group"]
    return [c for c in GROUPABLE_COLUMNS if c in frame.columns] + sorted(extra)


def documents_frame(corpus: Corpus, *, group_by: str = "source") -> pd.DataFrame:
    """``documents``: one row per document, with the grouping column as ``group``.

    Raises:
        KeyError: if ``group_by`` is not a metadata column of the corpus (naming those it has).
    """
    df = corpus.to_frame()
    if group_by not in groupable_columns(df):
        raise KeyError(f"--group-by {group_by!r}: no such metadata column; choose from "
                       f"{', '.join(groupable_columns(df))}")
    cols = DOCUMENT_COLUMNS + [c for c in df.columns if c not in DOCUMENT_COLUMNS]
    df = df[cols].copy()
    df["group"] = df[group_by].fillna("").astype(str).replace("", "(none)")
    return df.sort_values("doc_id", kind="stable").reset_index(drop=True)


def rejected_frame(corpus: Corpus) -> pd.DataFrame:
    """``rejected``: every input rejected or altered, with the reason (columns ``path, reason``)."""
    return pd.DataFrame([(r.path, r.reason) for r in corpus.rejected], columns=["path", "reason"])


def source_summary(docs: pd.DataFrame) -> pd.DataFrame:
    """Documents, words and the publication span of each group."""
    df = docs.copy()
    df["published"] = df["published"].replace("", pd.NA)
    agg = df.groupby("group", sort=True).agg(
        documents=("doc_id", "size"), words=("words", "sum"),
        first_published=("published", "min"), last_published=("published", "max"),
        languages=("language", lambda s: ", ".join(sorted(set(map(str, s))))),
    ).reset_index().rename(columns={"group": "source"})
    for col in ("country", "outlet_type"):
        if col in df.columns:
            first = df.groupby("group")[col].agg(lambda s: next((v for v in s if isinstance(v, str) and v), ""))
            agg[col] = agg["source"].map(first).fillna("")
    return agg.fillna("")


_QUOTE_SPANS = re.compile(r"[“\"]([^“”\"]{1,2000})[”\"]")


def quoted_share(docs: pd.DataFrame) -> pd.DataFrame:
    """The share of each group's words that sit inside quotation marks."""
    rows = []
    for group, sub in docs.groupby("group", sort=True):
        total = int(sub["words"].sum())
        quoted = sum(len(m.group(1).split()) for t in sub["text"] for m in _QUOTE_SPANS.finditer(t))
        rows.append((group, total, quoted, round(quoted / total, 4) if total else 0.0))
    return pd.DataFrame(rows, columns=["source", "words", "quoted_words", "quoted_share"])


def language_table(docs: pd.DataFrame) -> pd.DataFrame:
    """Documents and words per language, and which analyses read them."""
    from analysis.multilingual import language_key

    df = docs.groupby("language", sort=True).agg(documents=("doc_id", "size"), words=("words", "sum")).reset_index()
    df["english_analyses"] = df["language"].map(lambda x: "included" if is_english(x) else "excluded")
    df["analyses"] = df["language"].map(
        lambda x: "all" if is_english(x) else "actors, quotes, claims, dates (not tone or terms)"
        if language_key(x, "") else "none")
    return df


def non_english_segments(docs: pd.DataFrame, *, limit: int = 2000) -> pd.DataFrame:
    """Segments of documents written in another language than the document itself (kept verbatim)."""
    from analysis.language import language_segments

    rows = []
    if "segments_non_english" in docs.columns:
        # The loader already counted foreign-language segments; only those documents need splitting.
        docs = docs[docs["segments_non_english"].fillna(0).astype(int) > 0]
    for doc_id, group, lang, text in docs[["doc_id", "group", "language", "text"]].itertuples(index=False):
        for seg_lang, seg in language_segments(text):
            if seg_lang != lang and seg_lang != "und":
                rows.append((doc_id, group, lang, seg_lang, seg))
    df = pd.DataFrame(rows[:limit], columns=["doc_id", "source", "document_language", "language", "segment"])
    return df


SENTENCES_FILE = "sentences.parquet"
"""Every sentence with its tone, actors and topics, for exploration (queried with DuckDB)."""

def sentence_rows(ann: Annotations, docs: pd.DataFrame, *, tone_df: pd.DataFrame, mentions: pd.DataFrame,
                  topics_df: pd.DataFrame) -> pd.DataFrame:
    """One row per sentence: source, text, tone, the actors it mentions and the topics it touches."""
    s = ann.sentences[["doc_id", "sentence_index", "text"]].merge(docs[["doc_id", "group"]], on="doc_id")
    s = s.merge(tone_df[["doc_id", "sentence_index", "compound"]], on=["doc_id", "sentence_index"], how="left")
    actors = (mentions.drop_duplicates(["doc_id", "sentence_index", "actor"])
              .groupby(["doc_id", "sentence_index"])["actor"].agg(lambda a: ";".join(sorted(a))).rename("actors"))
    labels = (topics_df[topics_df["kind"] == "aspect"].groupby(["doc_id", "sentence_index"])["label"]
              .agg(lambda a: ";".join(a)).rename("topics"))
    s = s.join(actors, on=["doc_id", "sentence_index"]).join(labels, on=["doc_id", "sentence_index"])
    s = s.rename(columns={"group": "source"})
    s[["actors", "topics"]] = s[["actors", "topics"]].fillna("")
    return s[["doc_id", "source", "sentence_index", "text", "compound", "actors", "topics"]]


class SentenceWriter:
    """Append sentence rows chunk by chunk to one Parquet file (written atomically on close)."""

    def __init__(self, path: Path):
        self.path = path
        self.tmp = path.with_name(f".{path.name}.part")
        self.writer = None

    def write(self, df: pd.DataFrame) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        schema = pa.schema([("doc_id", pa.string()), ("source", pa.string()), ("sentence_index", pa.int32()),
                            ("text", pa.string()), ("compound", pa.float64()), ("actors", pa.string()),
                            ("topics", pa.string())])
        table = pa.Table.from_pandas(df, schema=schema, preserve_index=False)
        if self.writer is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.writer = pq.ParquetWriter(self.tmp, schema)
        self.writer.write_table(table)

    def close(self) -> None:
        if self.writer is None:
            self.write(pd.DataFrame(columns=["doc_id", "source", "sentence_index", "text", "compound", "actors",
                                             "topics"]))
        self.writer.close()
        os.replace(self.tmp, self.path)


CHUNK_DOCS = 1000
"""Documents annotated and analysed together; bounds the memory of the analysis stage."""


def _counts_frame(counter: Counter, columns: list[str]) -> pd.DataFrame:
    rows = [(*k, v) for k, v in counter.items()]
    return pd.DataFrame(rows, columns=columns)


def _term_tables(group_terms: Counter, doc_freq: Counter, n_docs: int, *, n_top: int = 15) -> dict[str, pd.DataFrame]:
    """Distinctive terms, top terms and similarity from accumulated term counts."""
    from analysis import similarity, terms

    counts = _counts_frame(group_terms, ["source", "term", "count"])
    if counts.empty:
        return {"terms": pd.DataFrame(columns=terms.DISTINCTIVE_COLUMNS),
                "top_terms": pd.DataFrame(columns=["source", "term", "count", "share", "rank"]),
                "similarity": pd.DataFrame(columns=similarity.SIMILARITY_COLUMNS)}
    matrix = counts.pivot_table(index="term", columns="source", values="count", fill_value=0, aggfunc="sum")
    matrix = matrix.sort_index().sort_index(axis=1).astype("int64")
    out: dict[str, pd.DataFrame] = {}
    # Distinctive language: log-odds with an informative Dirichlet prior, each source against the rest.
    if matrix.shape[1] >= 2:
        kept = matrix[matrix.sum(axis=1) >= 2]
        z = terms.log_odds_z(kept)
        long = kept.stack().rename("count").reset_index()
        long.columns = ["term", "source", "count"]
        long["zscore"] = z.stack().reindex(pd.MultiIndex.from_frame(long[["term", "source"]])).round(4).to_numpy()
        long = long[long["count"] > 0].sort_values(["source", "zscore", "term"], ascending=[True, False, True],
                                                   kind="stable")
        out["terms"] = long[terms.DISTINCTIVE_COLUMNS].reset_index(drop=True)
    else:
        out["terms"] = pd.DataFrame(columns=terms.DISTINCTIVE_COLUMNS)
    top = counts.sort_values(["source", "count", "term"], ascending=[True, False, True], kind="stable")
    top["share"] = (top["count"] / top.groupby("source")["count"].transform("sum")).round(4)
    top["rank"] = top.groupby("source").cumcount() + 1
    out["top_terms"] = top[top["rank"] <= n_top].reset_index(drop=True)
    # Similarity: TF-IDF (smoothed idf over documents) and cosine between sources.
    out["similarity"] = similarity.similarity_from_counts(matrix, doc_freq, n_docs)
    return out


def doc_term_counts(ann: Annotations, docs: pd.DataFrame) -> pd.DataFrame:
    """Occurrences of each content term in each document (columns ``doc_id, term, count``)."""
    from analysis import terms

    occ = terms.content_terms(ann, docs)
    return occ.groupby(["doc_id", "term"], as_index=False).size().rename(columns={"size": "count"})


def _subset_annotations(ann: Annotations, ids: set[str]) -> Annotations:
    """The annotation of some documents of a chunk."""
    return Annotations(**{t: getattr(ann, t)[getattr(ann, t)["doc_id"].isin(ids)].reset_index(drop=True)
                          for t in ("sentences", "tokens", "entities")}, model=ann.model)


def _in_doc_order(frames: list[pd.DataFrame], position: dict[str, int]) -> pd.DataFrame:
    """Rows of one table from fresh and cached frames, by document position (stable within a document)."""
    frames = [f for f in frames if f is not None and len(f.columns)]
    if not frames:
        return pd.DataFrame()
    nonempty = [f for f in frames if len(f)]
    if len(nonempty) <= 1 and len(frames) == 1:
        df = frames[0]
    else:
        df = pd.concat(nonempty or frames[:1], ignore_index=True)
    if "key" in df.columns:
        df = df.drop(columns=["key"])
    if len(df) and len(nonempty) > 1:
        order = df["doc_id"].map(position)
        df = df.iloc[order.argsort(kind="stable")]
    return df.reset_index(drop=True)


def _empty_annotations() -> Annotations:
    from analysis.annotate import SCHEMAS

    return Annotations(**{t: SCHEMAS[t].empty_table().to_pandas().rename(columns={"key": "doc_id"})
                          for t in ("sentences", "tokens", "entities")}, model="")


def _run_stage(name: str, cd: pd.DataFrame, ann: Annotations,
               rows: dict[str, dict[str, pd.DataFrame]]) -> dict[str, pd.DataFrame]:
    """Run one extraction stage on some documents; ``rows`` holds the rows of the stages before it."""
    from analysis import actors, claims, multilingual, quotes, timeline, tone, topics

    def of_docs(df: pd.DataFrame) -> pd.DataFrame:
        return df[df["doc_id"].isin(set(cd["doc_id"]))] if len(df.columns) else df

    def mentions() -> pd.DataFrame:
        return of_docs(pd.concat([rows["actors"]["mentions"], rows["multilingual"]["mentions"]],
                                 ignore_index=True))

    if name == "multilingual":
        return multilingual.extract(cd, ann)
    if name == "actors":
        return {"mentions": actors.actor_mentions(cd, ann), "actors": actors.actor_table(cd, ann)}
    if name == "quotes":
        return {"quotes": quotes.extract_quotes(cd, ann)}
    if name == "tone":
        st = tone.sentence_tone(ann, cd)
        return {"sentence_tone": st, "tone": tone.tone_table(st, mentions())}
    if name == "topics":
        stp = topics.sentence_topics(ann, cd)
        return {"sentence_topics": stp, "topics": topics.topic_table(ann, cd, sentence_topics_df=stp)}
    if name == "sentences":
        return {"sentences": sentence_rows(ann, cd, tone_df=of_docs(rows["tone"]["sentence_tone"]),
                                           mentions=mentions(), topics_df=of_docs(rows["topics"]["sentence_topics"]))}
    if name == "facts":
        c, f = claims.claims_and_figures(cd, ann)
        return {"claims": c, "other_figures": f, "events": timeline.extract_events(cd, ann)}
    if name == "terms":
        return {"terms": doc_term_counts(ann, cd)}
    raise KeyError(name)


def build_tables(corpus: Corpus, out_dir: Path, *, group_by: str = "source", jobs: int = 1,
                 cache_dir: Path | None = None, progress: bool = False, dask: str | None = None,
                 chunk_docs: int = CHUNK_DOCS, use_cache: bool = True) -> BuildResult:
    """Annotate a corpus and write every table behind the reports into ``out_dir``.

    Documents are analysed in chunks of ``chunk_docs``; per-document results are
    concatenated and per-source aggregates are computed from them, so memory grows
    with the size of the results, not with the annotation of the corpus.

    With ``use_cache``, each extraction stage's rows are cached per document
    (:mod:`analysis.stagecache`, keyed by the document and by the code and lexicons of the
    stage): a document whose every stage is cached is never annotated nor read, and a
    document missing some stages runs only those. ``use_cache=False`` runs everything and
    caches nothing (the annotation cache is still used).

    Returns:
        The tables by name, with step timings, cache statistics and ``stage_runs`` (documents
        each extraction stage ran on).
    """
    from analysis import (
        conflicts,
        findings,
        multilingual,
        quotes,
        stagecache,
        stories,
        timeline,
        tone,
        topics,
    )
    from analysis.annotate import annotate, content_key, load_model, load_multilingual, model_key, route_of

    timings: Counter = Counter()
    t0 = perf_counter()
    docs = documents_frame(corpus, group_by=group_by)
    gdocs = docs.assign(source=docs["group"])
    inputs = {d.doc_id: DocInput(d.doc_id, d.text, d.language) for d in corpus.documents}
    ids = list(docs["doc_id"])
    position = {d: i for i, d in enumerate(ids)}
    timings["documents"] = perf_counter() - t0

    t0 = perf_counter()
    cache = stagecache.StageCache(cache_dir) if use_cache else None
    is_ml = [multilingual.language_key(lang if isinstance(lang, str) else "", str(text or "")) is not None
             for lang, text in zip(gdocs["language"], gdocs["text"], strict=True)]
    keys: dict[str, list[str | None]] = {s: [None] * len(ids) for s in stagecache.STAGE_NAMES}
    model = ""
    if cache is not None and ids:
        models = {"en": model_key(load_model()), "xx": model_key(load_multilingual())}
        model = models["en"]
        for i, row in enumerate(gdocs.to_dict("records")):
            d = inputs[ids[i]]
            route = route_of(d.language)
            dk = stagecache.document_key(row, content_key(d.text, models[route], route=route))
            for s in stagecache.STAGE_NAMES:
                v = cache.versions.version(s, multilingual=is_ml[i])
                keys[s][i] = None if v == stagecache.NOT_APPLICABLE else stagecache.row_key(dk, v)
        for store in cache.stores.values():
            store.index(refresh=True)
    timings["cache_keys"] = perf_counter() - t0

    def applies(s: str, i: int) -> bool:
        return not (stagecache.stage(s).multilingual and not is_ml[i])

    def missing(s: str, i: int) -> bool:
        return applies(s, i) and (cache is None or keys[s][i] not in cache.stores[s].index())

    todo = [i for i in range(len(ids)) if any(missing(s, i) for s in stagecache.STAGE_NAMES)]
    t0 = perf_counter()
    annotated = cached = 0
    if todo:
        stats = ensure_annotated([inputs[ids[i]] for i in todo], cache_dir=cache_dir, jobs=jobs,
                                 progress=progress, dask=dask)
        annotated, cached, model = stats.annotated, stats.cached, stats.model
    timings["annotate"] = perf_counter() - t0

    collected: dict[str, list[pd.DataFrame]] = {k: [] for k in (
        "actors", "mentions", "quotes", "sentence_tone", "tone", "topics", "claims", "other_figures", "events")}
    sources = {"actors": ("actors", "multilingual"), "quotes": ("quotes", "multilingual"),
               "sentence_tone": ("tone",), "tone": ("tone",), "topics": ("topics",),
               "claims": ("facts", "multilingual"), "other_figures": ("facts", "multilingual"),
               "events": ("facts", "multilingual")}
    doc_terms: list[pd.DataFrame] = []
    stage_runs: Counter = Counter({s: 0 for s in stagecache.STAGE_NAMES})
    sentence_writer = SentenceWriter(out_dir / SENTENCES_FILE)
    from tqdm.auto import tqdm

    bar = tqdm(total=len(ids), unit="doc", desc="analyse", disable=not progress)
    for start in range(0, len(ids), chunk_docs):
        span = range(start, min(start + chunk_docs, len(ids)))
        cd = gdocs.iloc[span.start:span.stop]
        # Cached rows of this chunk, stage by stage; what cannot be read is recomputed.
        t0 = perf_counter()
        cached_rows: dict[str, dict[str, pd.DataFrame]] = {}
        need: dict[str, list[int]] = {}
        for s in stagecache.STAGE_NAMES:
            want = [i for i in span if applies(s, i)]
            got: set[str] = set()
            if cache is not None and want:
                cached_rows[s], got = cache.stores[s].read(keys[s][i] for i in want)
            need[s] = [i for i in want if cache is None or keys[s][i] not in got]
        timings["cache_read"] += perf_counter() - t0
        run_ids = sorted({i for v in need.values() for i in v})
        ann = None
        if run_ids:
            t0 = perf_counter()
            ann = annotate([inputs[ids[i]] for i in run_ids], cache_dir=cache_dir, jobs=jobs)
            timings["read"] += perf_counter() - t0
            t0 = perf_counter()
            ann = multilingual.annotate_languages(gdocs.iloc[run_ids], ann)
            timings["multilingual"] += perf_counter() - t0
        rows: dict[str, dict[str, pd.DataFrame]] = {}
        for s in stagecache.STAGE_NAMES:
            st = stagecache.stage(s)
            fresh: dict[str, pd.DataFrame] = {}
            if need[s]:
                t0 = perf_counter()
                sub_ids = {ids[i] for i in need[s]}
                sub = gdocs.iloc[need[s]]
                sub_ann = ann if len(sub_ids) == len(run_ids) else _subset_annotations(ann, sub_ids)
                fresh = _run_stage(s, sub, sub_ann, rows)
                stage_runs[s] += len(need[s])
                timings[s] += perf_counter() - t0
                if cache is not None:
                    t0 = perf_counter()
                    key_of = {ids[i]: keys[s][i] for i in need[s]}
                    cache.stores[s].write({t: fresh[t].assign(key=fresh[t]["doc_id"].map(key_of))
                                           if len(fresh[t].columns) else fresh[t].assign(key=pd.Series(dtype=str))
                                           for t in st.outputs}, [keys[s][i] for i in need[s]])
                    timings["cache_write"] += perf_counter() - t0
            if not fresh and not cached_rows.get(s):  # nothing to run or read: the stage's empty tables
                fresh = _run_stage(s, gdocs.iloc[0:0], _empty_annotations(), rows)
            rows[s] = {t: _in_doc_order([fresh.get(t), cached_rows.get(s, {}).get(t)], position)
                       for t in st.outputs}
        t0 = perf_counter()
        for name, stages in sources.items():
            out = [rows[s][name] for s in stages if name in rows[s]]
            collected[name].extend(out)
        mentions = pd.concat([rows["actors"]["mentions"], rows["multilingual"]["mentions"]], ignore_index=True)
        if len(mentions.columns):
            collected["mentions"].append(mentions[mentions["actor"].isin(tone.DEFAULT_TARGETS)][
                ["doc_id", "sentence_index", "actor"]])
        sentences = rows["sentences"]["sentences"]
        if len(sentences.columns):
            sentence_writer.write(sentences)
        if len(rows["terms"]["terms"].columns):
            doc_terms.append(rows["terms"]["terms"])
        timings["collect"] += perf_counter() - t0
        bar.update(len(cd))
        del ann

    bar.close()
    sentence_writer.close()
    if cache is not None:
        cache.compact()
    t0 = perf_counter()
    cat = {k: pd.concat(v, ignore_index=True) if v else pd.DataFrame() for k, v in collected.items()}
    mentions_all = cat.pop("mentions")
    sentence_tone_all = cat.pop("sentence_tone")
    terms_all = pd.concat(doc_terms, ignore_index=True) if doc_terms else None
    group_terms, doc_freq, n_term_docs = _term_counts(terms_all, gdocs)
    tables: dict[str, pd.DataFrame] = {
        "documents": docs,
        "sources": source_summary(docs),
        "quoted_share": quoted_share(docs),
        "languages": language_table(docs),
        "segments": non_english_segments(docs),
        "rejected": rejected_frame(corpus),
        "inputs": corpus.inputs_frame(),
        **cat,
    }
    multilingual.finish(tables, gdocs)
    tables["actors_by_source"] = actors_by_source(tables["actors"], gdocs)
    tables["share_of_voice"] = quotes.share_of_voice(tables["quotes"], gdocs, by_country=True)
    tables["who_quotes_whom"] = quotes.who_quotes_whom(tables["quotes"], gdocs)
    tables["source_tone"] = tone.source_tone(sentence_tone_all, mentions_all, gdocs)
    tables["source_topics"] = topics.source_topics(tables["topics"], gdocs)
    tables.update(_term_tables(group_terms, doc_freq, n_term_docs))
    tables["conflicts"] = conflicts.find_conflicts(tables["claims"], tables["events"], tables["other_figures"], gdocs)
    tables["agreements"] = conflicts.agreements(tables["claims"], gdocs)
    tables["single_source_events"] = timeline.single_source_events(tables["events"], gdocs)
    tables["omitted_events"] = timeline.omitted_events(tables["events"], gdocs)
    timings["aggregate"] = perf_counter() - t0
    t0 = perf_counter()
    tables.update(stories.story_tables(tables, docs, terms_all))
    tables["findings"] = findings.run_findings(tables, docs)
    timings["stories"] = perf_counter() - t0

    t0 = perf_counter()
    write_store(tables, out_dir)
    export_csvs(tables, out_dir)
    timings["write"] = perf_counter() - t0
    return BuildResult(tables=tables, timings=dict(timings), annotated=annotated, cached=cached, model=model,
                       stage_runs=dict(stage_runs))


def _term_counts(doc_terms: pd.DataFrame | None, docs: pd.DataFrame) -> tuple[Counter, Counter, int]:
    """Per-group term counts, document frequencies and the number of documents with terms."""
    group_terms: Counter = Counter()
    doc_freq: Counter = Counter()
    if doc_terms is None or doc_terms.empty:
        return group_terms, doc_freq, 0
    occ = doc_terms.merge(docs[["doc_id", "group"]], on="doc_id")
    for (group, term), n in occ.groupby(["group", "term"], sort=False)["count"].sum().items():
        group_terms[(group, term)] += int(n)
    doc_freq.update(occ.groupby("term", sort=False)["doc_id"].nunique().to_dict())
    return group_terms, doc_freq, int(occ["doc_id"].nunique())


def actors_by_source(actor_df: pd.DataFrame, docs: pd.DataFrame, *, top: int = 40) -> pd.DataFrame:
    """Mentions of each actor per source, and in how many of its documents (top actors overall)."""
    if actor_df.empty:
        return pd.DataFrame(columns=["source", "actor", "actor_type", "mentions", "documents", "per_1000_words"])
    a = actor_df.merge(docs[["doc_id", "group"]], on="doc_id")
    agg = a.groupby(["group", "actor", "actor_type"], as_index=False).agg(
        mentions=("mentions", "sum"), documents=("doc_id", "nunique"))
    keep = agg.groupby("actor")["mentions"].sum().sort_values(ascending=False, kind="stable").head(top).index
    agg = agg[agg["actor"].isin(keep)].rename(columns={"group": "source"})
    words = docs.groupby("group")["words"].sum()
    agg["per_1000_words"] = (agg["mentions"] / agg["source"].map(words).clip(lower=1) * 1000).round(3)
    return agg.sort_values(["source", "mentions", "actor"], ascending=[True, False, True],
                           kind="stable").reset_index(drop=True)


@dataclass
class RunTables:
    """The tables of one run, read from the typed store of its ``data/`` folder."""

    data_dir: Path
    _cache: dict[str, pd.DataFrame] = field(default_factory=dict)

    def __getattr__(self, name: str) -> pd.DataFrame:
        if name.startswith("_"):
            raise AttributeError(name)
        return self.get(name)

    def get(self, name: str, *, with_text: bool = False) -> pd.DataFrame:
        """One table by name (``documents``, ``sources``, ...), read from the typed store.

        ``documents`` is read without its ``text`` column unless ``with_text`` is set: the
        reports chart aggregates, and full texts of a large corpus need not sit in memory.

        Raises:
            FileNotFoundError: naming the table when the run has no such table.
        """
        key = f"{name}+text" if with_text else name
        if key not in self._cache:
            path = store_dir(self.data_dir) / f"{name}{STORE_SUFFIX}"
            if not path.is_file():
                raise FileNotFoundError(f"{path}: table {name!r} was not built for this run")
            columns = None
            if name == "documents" and not with_text:
                import pyarrow.parquet as pq

                columns = [c for c in pq.read_schema(path).names if c != "text"]
            self._cache[key] = read_parquet(path, columns=columns)
        return self._cache[key]

    def path(self, name: str) -> Path:
        """Path of a file of the run's data folder (e.g. ``sentences.parquet``)."""
        return self.data_dir / name

    def names(self) -> list[str]:
        """Names of the tables in this run."""
        return sorted(p.stem for p in store_dir(self.data_dir).glob(f"*{STORE_SUFFIX}"))


def load_tables(data_dir: str | Path | None = None) -> RunTables:
    """The tables of a run; with no folder, build them for the default corpus (interactive use).

    In JupyterLab the notebooks run with ``data_dir=""``: the tables are then built
    once into ``data/interim/tables`` (annotation is cached) and reused.
    """
    if data_dir:
        path = Path(data_dir)
        if not (store_dir(path) / f"documents{STORE_SUFFIX}").is_file():
            raise FileNotFoundError(f"{path}: no {STORE_DIR}/documents{STORE_SUFFIX} (the run's typed store); "
                                    "run `python -m analysis report` first")
        return RunTables(path)
    from analysis.corpus import corpus_hash

    corpus = load_corpus(config.DEFAULT_CORPUS)
    target = config.INTERIM_DIR / "tables" / corpus_hash(config.DEFAULT_CORPUS)[:16]
    if not (store_dir(target) / f"documents{STORE_SUFFIX}").is_file():
        build_tables(corpus, target)
    return RunTables(target)
