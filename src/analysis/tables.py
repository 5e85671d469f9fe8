"""Build every table behind the reports, once per run, and read them back.

The runner calls :func:`build_tables` before any notebook starts: it loads the
corpus, annotates it (cached), runs the extractors and writes one CSV per table
into the run's ``data/`` folder. Notebooks only read these tables with
:func:`load_tables`; they never re-run NLP.

CSV files are UTF-8 with a header row, one row per record, sorted and rounded so
that the same corpus and parameters give byte-identical files.
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
from analysis.annotate import Annotations, DocInput, annotate, is_english
from analysis.corpus import Corpus, load_corpus

log = logging.getLogger(__name__)

DOCUMENT_COLUMNS = ["doc_id", "source", "published", "language", "words", "path", "text"]
STARTER_ACTORS = ("United States", "China", "Japan", "South Korea", "Donald Trump", "Xi Jinping",
                  "Shigeru Ishiba", "Lee Jae-myung", "European Union", "Taiwan", "Russia", "North Korea")


@dataclass
class BuildResult:
    """The tables of a run and how long each step took."""

    tables: dict[str, pd.DataFrame]
    timings: dict[str, float] = field(default_factory=dict)
    annotated: int = 0
    cached: int = 0
    model: str = ""


def write_csv(df: pd.DataFrame, path: Path) -> Path:
    """Write a table as deterministic UTF-8 CSV, neutralising spreadsheet formulas, atomically."""
    from analysis.export import neutralise_formulas

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.part")
    neutralise_formulas(df).to_csv(tmp, index=False, encoding="utf-8", lineterminator="\n")
    os.replace(tmp, path)
    return path


def documents_frame(corpus: Corpus, *, group_by: str = "source") -> pd.DataFrame:
    """``documents.csv``: one row per document, with the grouping column as ``group``.

    Raises:
        KeyError: if ``group_by`` is not a metadata column of the corpus.
    """
    df = corpus.to_frame()
    if group_by not in df.columns:
        raise KeyError(f"--group-by {group_by!r}: no such metadata column; have {sorted(df.columns)}")
    cols = DOCUMENT_COLUMNS + [c for c in df.columns if c not in DOCUMENT_COLUMNS]
    df = df[cols].copy()
    df["group"] = df[group_by].fillna("").astype(str).replace("", "(none)")
    return df.sort_values("doc_id", kind="stable").reset_index(drop=True)


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


def top_terms(docs: pd.DataFrame, ann: Annotations, *, n: int = 15) -> pd.DataFrame:
    """The most frequent content lemmas per group (English documents; stopwords, numbers and names dropped)."""
    tok = ann.tokens
    tok = tok[tok.is_alpha & ~tok.is_stop & tok.pos.isin(["NOUN", "VERB", "ADJ"]) & (tok.text.str.len() > 2)]
    tok = tok.merge(docs[["doc_id", "group"]], on="doc_id")
    tok = tok.assign(term=tok.lemma.str.lower())
    counts = tok.groupby(["group", "term"]).size().rename("count").reset_index()
    counts = counts.sort_values(["group", "count", "term"], ascending=[True, False, True], kind="stable")
    counts["rank"] = counts.groupby("group").cumcount() + 1
    out = counts[counts["rank"] <= n].rename(columns={"group": "source"})
    return out.reset_index(drop=True)


def actor_presence(docs: pd.DataFrame, *, actors: tuple[str, ...] = STARTER_ACTORS) -> pd.DataFrame:
    """How often each group names each of a starter list of actors (aliases, metonyms, demonyms)."""
    from analysis.gazetteer import load_gazetteer

    gaz = load_gazetteer()
    rows: Counter = Counter()
    for doc_id, group, text in docs[["doc_id", "group", "text"]].itertuples(index=False):
        del doc_id
        for m in gaz.find(text):
            if m.actor.name in actors:
                rows[(group, m.actor.name)] += 1
    groups = sorted(docs["group"].unique())
    data = [(g, a, rows.get((g, a), 0)) for g in groups for a in actors]
    df = pd.DataFrame(data, columns=["source", "actor", "mentions"])
    words = docs.groupby("group")["words"].sum()
    df["per_1000_words"] = (df["mentions"] / df["source"].map(words).clip(lower=1) * 1000).round(3)
    return df


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
    """Documents and words per language, and whether English-only analyses include them."""
    df = docs.groupby("language", sort=True).agg(documents=("doc_id", "size"), words=("words", "sum")).reset_index()
    df["english_analyses"] = df["language"].map(lambda x: "included" if is_english(x) else "excluded")
    return df


def non_english_segments(docs: pd.DataFrame, *, limit: int = 2000) -> pd.DataFrame:
    """Segments of documents written in another language than the document itself (kept verbatim)."""
    from analysis.language import language_segments

    rows = []
    for doc_id, group, lang, text in docs[["doc_id", "group", "language", "text"]].itertuples(index=False):
        for seg_lang, seg in language_segments(text):
            if seg_lang != lang and seg_lang != "und":
                rows.append((doc_id, group, lang, seg_lang, seg))
    df = pd.DataFrame(rows[:limit], columns=["doc_id", "source", "document_language", "language", "segment"])
    return df


def build_tables(corpus: Corpus, out_dir: Path, *, group_by: str = "source", jobs: int = 1,
                 cache_dir: Path | None = None, progress: bool = False) -> BuildResult:
    """Annotate a corpus and write every table behind the reports into ``out_dir``.

    Returns:
        The tables by name, with step timings and cache statistics.
    """
    timings: dict[str, float] = {}
    t0 = perf_counter()
    docs = documents_frame(corpus, group_by=group_by)
    timings["documents"] = perf_counter() - t0

    t0 = perf_counter()
    ann = annotate([DocInput(d.doc_id, d.text, d.language) for d in corpus.documents],
                   cache_dir=cache_dir, jobs=jobs, progress=progress)
    timings["annotate"] = perf_counter() - t0

    t0 = perf_counter()
    tables: dict[str, pd.DataFrame] = {
        "documents": docs,
        "sources": source_summary(docs),
        "top_terms": top_terms(docs, ann),
        "actor_presence": actor_presence(docs),
        "quoted_share": quoted_share(docs),
        "languages": language_table(docs),
        "segments": non_english_segments(docs),
        "rejected": pd.DataFrame([(r.path, r.reason) for r in corpus.rejected], columns=["path", "reason"]),
    }
    timings["extract"] = perf_counter() - t0

    t0 = perf_counter()
    for name, df in tables.items():
        write_csv(df, out_dir / f"{name}.csv")
    timings["write"] = perf_counter() - t0
    return BuildResult(tables=tables, timings=timings, annotated=ann.annotated, cached=ann.cached, model=ann.model)


@dataclass
class RunTables:
    """The tables of one run, read back from its ``data/`` folder."""

    data_dir: Path
    _cache: dict[str, pd.DataFrame] = field(default_factory=dict)

    def __getattr__(self, name: str) -> pd.DataFrame:
        if name.startswith("_"):
            raise AttributeError(name)
        return self.get(name)

    def get(self, name: str) -> pd.DataFrame:
        """One table by name (``documents``, ``sources``, ...)."""
        if name not in self._cache:
            path = self.data_dir / f"{name}.csv"
            if not path.is_file():
                raise FileNotFoundError(f"{path}: table {name!r} was not built for this run")
            self._cache[name] = pd.read_csv(path, keep_default_na=False, na_values=[""],
                                            dtype={"doc_id": str, "published": str, "source": str})
        return self._cache[name]

    def names(self) -> list[str]:
        """Names of the tables in this run."""
        return sorted(p.stem for p in self.data_dir.glob("*.csv"))


def load_tables(data_dir: str | Path | None = None) -> RunTables:
    """The tables of a run; with no folder, build them for the default corpus (interactive use).

    In JupyterLab the notebooks run with ``data_dir=""``: the tables are then built
    once into ``data/interim/tables`` (annotation is cached) and reused.
    """
    if data_dir:
        path = Path(data_dir)
        if not (path / "documents.csv").is_file():
            raise FileNotFoundError(f"{path}: no documents.csv; run `python -m analysis report` first")
        return RunTables(path)
    from analysis.corpus import corpus_hash

    corpus = load_corpus(config.DEFAULT_CORPUS)
    target = config.INTERIM_DIR / "tables" / corpus_hash(config.DEFAULT_CORPUS)[:16]
    if not (target / "documents.csv").is_file():
        build_tables(corpus, target)
    return RunTables(target)
