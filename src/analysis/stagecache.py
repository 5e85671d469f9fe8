"""The extraction cache: each stage's rows per document, keyed by content and by the code behind them.

:func:`analysis.tables.build_tables` runs eight extraction stages on every document
(:data:`STAGES`: multilingual, actors, quotes, tone, topics, sentences, facts, terms).
Their per-document rows are cached here, so a re-run reads them back instead of
reading the annotation and running the extractors again.

The cache key of a document's rows for a stage is a hash of

- the **document key** (:func:`document_key`): every field of the document row the
  extractors see, plus the annotation key of its text; and
- the **stage version** (:meth:`StageVersions.version`): the source of the modules the stage
  runs and of every ``analysis`` module they import, the lexicon files it reads, the versions
  of the third-party packages it calls, and the versions of the stages whose rows it consumes.
  For a document in a supported non-English language the version of the language segmenter
  (:data:`SEGMENT`, which rewrites its annotation) is mixed in too.

So changing one entry of ``lexicons/aspects.yaml`` changes the version of ``topics`` and of
``sentences`` (which consumes topics) and of nothing else; a new document runs every stage on
itself only.

Layout under ``<cache_dir>/stages/v<layout>/<stage>/``: one folder per output table and an
``index/`` folder, each holding ``part-<time>-<uuid>.parquet`` files with the same names, one
per chunk of documents (never one per document, so 40,000 documents make a few dozen files).
The index part (key, part) is written last, so a key counts as cached only once all its rows
are on disk; a document with no rows is cached too. A part that cannot be read is skipped with
a warning, and its documents are recomputed.
"""

from __future__ import annotations

import ast
import hashlib
import importlib
import importlib.util
import inspect
import json
import logging
import os
import time
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from analysis import config
from analysis.annotate import read_index

log = logging.getLogger(__name__)

STORE_LAYOUT = "1"
"""Bumped when the layout of the store changes, so older caches are ignored, not misread."""
INDEX_SCHEMA = pa.schema([("key", pa.string()), ("part", pa.string())])


@dataclass(frozen=True)
class Stage:
    """One extraction stage: what it writes, and everything its rows depend on besides the document.

    Attributes:
        name: Stage name (a folder of the store).
        outputs: Names of the tables it writes per document (each with a ``doc_id`` column).
        modules: ``analysis`` modules it runs; the ``analysis`` modules they import count too.
        functions: Single functions it runs (``"module:function"``), hashed by their own source.
        lexicons: Files of ``config.LEXICON_DIR`` it reads.
        packages: Third-party distributions whose version changes its rows.
        consumes: Stages whose rows it reads.
        multilingual: Whether it applies only to documents in a supported non-English language.
    """

    name: str
    outputs: tuple[str, ...]
    modules: tuple[str, ...] = ()
    functions: tuple[str, ...] = ()
    lexicons: tuple[str, ...] = ()
    packages: tuple[str, ...] = ()
    consumes: tuple[str, ...] = ()
    multilingual: bool = False


SEGMENT = Stage("segment", (), modules=("analysis.multilingual.segment",), lexicons=("multilingual.yaml",),
                packages=("spacy", "jieba", "sudachipy", "sudachidict-core", "kiwipiepy"))
"""The language segmenter (``annotate_languages``): it rewrites the annotation of supported non-English
documents, so its version is part of every stage's key for those documents. It writes no rows."""

STAGES: tuple[Stage, ...] = (
    Stage("multilingual", ("mentions", "actors", "quotes", "claims", "other_figures", "events"),
          modules=("analysis.multilingual.pipeline",),
          lexicons=("multilingual.yaml", "actors.yaml", "actors_i18n.yaml"), packages=("dateparser",),
          multilingual=True),
    Stage("actors", ("mentions", "actors"), modules=("analysis.actors",), lexicons=("actors.yaml",)),
    Stage("quotes", ("quotes",), modules=("analysis.quotes",), lexicons=("actors.yaml",)),
    Stage("tone", ("sentence_tone", "tone"), modules=("analysis.tone",), packages=("vaderSentiment",),
          consumes=("actors", "multilingual")),
    Stage("topics", ("sentence_topics", "topics"), modules=("analysis.topics",),
          lexicons=("aspects.yaml", "frames.yaml")),
    Stage("sentences", ("sentences",), functions=("analysis.tables:sentence_rows",),
          consumes=("tone", "topics", "actors", "multilingual")),
    Stage("facts", ("claims", "other_figures", "events"), modules=("analysis.claims", "analysis.timeline"),
          lexicons=("claims.yaml", "actors.yaml")),
    Stage("terms", ("terms",), modules=("analysis.terms",), functions=("analysis.tables:doc_term_counts",)),
)
"""The stages in the order they run (a stage comes after those it consumes)."""

STAGE_NAMES = tuple(s.name for s in STAGES)
_BY_NAME = {s.name: s for s in (*STAGES, SEGMENT)}
NOT_APPLICABLE = "n/a"
"""Version of a multilingual stage for a document it does not apply to: nothing runs, nothing is cached."""


def stage(name: str) -> Stage:
    """The stage of that name.

    Raises:
        KeyError: naming the known stages.
    """
    try:
        return _BY_NAME[name]
    except KeyError:
        raise KeyError(f"no extraction stage {name!r}; stages: {', '.join(STAGE_NAMES)}") from None


def _sha(*parts: str | bytes) -> str:
    h = hashlib.sha256()
    for p in parts:
        h.update(p if isinstance(p, bytes) else p.encode("utf-8", "surrogatepass"))
        h.update(b"\0")
    return h.hexdigest()


# --- versions -----------------------------------------------------------------------------------


def _module_file(name: str) -> Path | None:
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return None
    return Path(spec.origin) if spec and spec.origin and spec.origin.endswith(".py") else None


_IMPORTS: dict[tuple[str, int, int], frozenset[str]] = {}
"""Imports of a module file, keyed by its path, modification time and size."""


def _imports(name: str, path: Path) -> frozenset[str]:
    """``analysis`` modules a module imports, at the top or inside functions."""
    st = path.stat()
    memo = (str(path), st.st_mtime_ns, st.st_size)
    if memo not in _IMPORTS:
        _IMPORTS[memo] = frozenset(_parse_imports(name, path))
    return _IMPORTS[memo]


def _parse_imports(name: str, path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.split(".")[0] == "analysis")
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{parent}.{base}" if base else parent
            if base.split(".")[0] != "analysis":
                continue
            found.add(base)
            found.update(f"{base}.{a.name}" for a in node.names
                         if (path.parent / a.name).is_dir() or (path.parent / f"{a.name}.py").is_file()
                         or _is_submodule(base, a.name))
    return found


def _is_submodule(package: str, name: str) -> bool:
    base = _module_file(package)
    if base is None or base.name != "__init__.py":
        return False
    return (base.parent / f"{name}.py").is_file() or (base.parent / name / "__init__.py").is_file()


def module_closure(names: Iterable[str]) -> dict[str, Path]:
    """The ``analysis`` modules named and every ``analysis`` module they import, transitively."""
    todo, seen = list(names), {}
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        path = _module_file(name)
        if path is None:
            continue
        seen[name] = path
        todo.extend(_imports(name, path))
        parent = name.rpartition(".")[0]
        if parent:  # importing a submodule runs its package's __init__
            todo.append(parent)
    return dict(sorted(seen.items()))


def _package_version(dist: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(dist)
    except PackageNotFoundError:
        return "absent"


def lexicon_paths(name: str) -> list[Path]:
    """The files behind a lexicon name: ``config.LEXICON_DIR/name``, and for ``actors.yaml`` the
    extra gazetteers of ``ANALYSIS_GAZETTEER``."""
    paths = [Path(config.LEXICON_DIR) / name]
    if name == "actors.yaml":
        env = os.environ.get("ANALYSIS_GAZETTEER", "")
        paths.extend(Path(p) for p in env.split(os.pathsep) if p)
    return paths


def _file_digest(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return "missing"


@dataclass
class StageVersions:
    """Versions of every stage, computed once from the code and lexicons on disk now."""

    own: dict[str, str] = field(default_factory=dict)
    """Each stage's own inputs (code, lexicons, packages), before the stages it consumes."""
    _memo: dict[tuple[str, bool], str] = field(default_factory=dict, repr=False)

    @classmethod
    def current(cls) -> StageVersions:
        """Versions from the source files and lexicons as they are now."""
        import analysis

        own = {}
        for st in (*STAGES, SEGMENT):
            parts = [f"layout {STORE_LAYOUT}", f"analysis {analysis.__version__}", f"pandas {pd.__version__}"]
            for mod, path in module_closure(st.modules).items():
                parts += [mod, _file_digest(path)]
            for ref in st.functions:
                mod, _, fn = ref.partition(":")
                parts += [ref, inspect.getsource(getattr(importlib.import_module(mod), fn))]
            for lex in st.lexicons:
                parts += [lex, *(f"{p.name}:{_file_digest(p)}" for p in lexicon_paths(lex))]
            parts += [f"{d} {_package_version(d)}" for d in st.packages]
            own[st.name] = _sha(*parts)
        return cls(own=own)

    def version(self, name: str, *, multilingual: bool) -> str:
        """The version of a stage for a document, with those of the stages it consumes.

        Args:
            name: Stage name.
            multilingual: Whether the document is in a supported non-English language (its
                annotation is rewritten by the segmenter, and multilingual stages apply to it).
        """
        memo = (name, multilingual)
        if memo not in self._memo:
            st = stage(name)
            if st.multilingual and not multilingual:
                self._memo[memo] = NOT_APPLICABLE
            else:
                consumed = [f"{c}={self.version(c, multilingual=multilingual)}" for c in st.consumes]
                self._memo[memo] = _sha(self.own[name], *consumed, self.own[SEGMENT.name] if multilingual else "")
        return self._memo[memo]


IGNORED_FIELDS = frozenset({"path"})
"""Fields of a document row no extractor reads: where the document was read from (``corpus.jsonl#12``)
changes when documents are added to another file, and must not invalidate its rows."""


def document_key(row: dict, annotation_key: str) -> str:
    """The key of a document row: every field of it but :data:`IGNORED_FIELDS`, plus its annotation key."""
    fields = json.dumps({str(k): _plain(v) for k, v in row.items() if k not in IGNORED_FIELDS}, sort_keys=True,
                        ensure_ascii=False, default=str)
    return _sha(fields, annotation_key)


def _plain(value):
    if value is None or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, (str, int, float, bool)):
        return value
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return str(value)


def row_key(doc_key: str, version: str) -> str:
    """The cache key of one document's rows for one stage."""
    return _sha(doc_key, version)


def clear_lexicon_caches() -> None:
    """Forget every lexicon loaded in this process, so the next read sees the files on disk.

    Loaders keep compiled lexicons in ``lru_cache`` (by kind, not by path), so a process that
    edits a lexicon or points ``config.LEXICON_DIR`` elsewhere calls this first.
    """
    from analysis import claims, gazetteer, timeline, topics
    from analysis.multilingual import actors as ml_actors
    from analysis.multilingual import claims as ml_claims
    from analysis.multilingual import dates as ml_dates
    from analysis.multilingual import lexicon as ml_lexicon

    # (the segmenter's caches hold tokenizers, not lexicons: they stay)
    for module in (claims, gazetteer, timeline, topics, ml_actors, ml_claims, ml_dates, ml_lexicon):
        for obj in vars(module).values():
            if callable(getattr(obj, "cache_clear", None)) and getattr(obj, "__module__", "") == module.__name__:
                obj.cache_clear()


_LOADED_LEXICONS: dict[str, str] = {}
"""Digest of the lexicon files the loaders of this process last read (see :func:`reload_changed_lexicons`)."""


def lexicon_digest() -> str:
    """A hash of every lexicon file now on disk (``config.LEXICON_DIR`` and ``ANALYSIS_GAZETTEER``)."""
    folder = Path(config.LEXICON_DIR)
    files = sorted(p for p in folder.glob("*") if p.is_file()) + lexicon_paths("actors.yaml")[1:]
    return _sha(str(folder), *(f"{p}:{_file_digest(p)}" for p in files))


def reload_changed_lexicons() -> bool:
    """Forget the loaded lexicons unless the files are those this process last checked.

    Without it, a lexicon edited between two builds of one process (a notebook, a test) would
    be applied stale and its rows cached under the new version.

    Returns:
        Whether the loaders' caches were cleared.
    """
    digest = lexicon_digest()
    previous = _LOADED_LEXICONS.get("digest")
    _LOADED_LEXICONS["digest"] = digest
    if previous == digest:
        return False
    if previous is not None:  # the first build of a process loads them fresh anyway
        log.info("lexicons changed on disk: reloading them")
    clear_lexicon_caches()
    return True


# --- the store ----------------------------------------------------------------------------------


def _arrow_table(df: pd.DataFrame) -> pa.Table:
    from analysis.tables import _arrow_table as arrow_table  # tables imports this module

    return arrow_table(df)


class RowStore:
    """Per-document rows of one stage, one Parquet part per chunk of documents, with a key index."""

    def __init__(self, root: Path, tables: Sequence[str]):
        self.root = Path(root)
        self.tables = tuple(tables)
        self._index: dict[str, str] | None = None

    def _dir(self, table: str) -> Path:
        return self.root / table

    def index(self, *, refresh: bool = False) -> dict[str, str]:
        """Map of every cached key to the part holding its rows (the latest part wins)."""
        if self._index is None or refresh:
            self._index = read_index(self._dir("index"))
        return self._index

    def write(self, frames: dict[str, pd.DataFrame], keys: Sequence[str]) -> str:
        """Write the rows of a batch of documents as a new part (each frame has a ``key`` column).

        Args:
            frames: One frame per table of the stage.
            keys: Every key of the batch, including documents without rows.

        Returns:
            The name of the part.
        """
        name = f"part-{time.time_ns():020d}-{uuid.uuid4().hex[:12]}.parquet"
        index = pa.Table.from_pydict({"key": list(keys), "part": [name] * len(keys)}, schema=INDEX_SCHEMA)
        for table, tab in (*((t, _arrow_table(frames[t].reset_index(drop=True))) for t in self.tables),
                           ("index", index)):
            folder = self._dir(table)
            folder.mkdir(parents=True, exist_ok=True)
            tmp = folder / f".{name}.tmp"
            pq.write_table(tab, tmp)
            os.replace(tmp, folder / name)
        if self._index is not None:
            self._index.update(dict.fromkeys(keys, name))
        return name

    def compact_index(self, *, max_parts: int = 64) -> bool:
        """Merge the index parts into one when there are more than ``max_parts`` (data parts stay)."""
        parts = sorted(self._dir("index").glob("part-*.parquet"))
        if len(parts) <= max_parts:
            return False
        merged = self.index(refresh=True)
        folder = self._dir("index")
        name = f"part-{time.time_ns():020d}-{uuid.uuid4().hex[:12]}.parquet"
        tmp = folder / f".{name}.tmp"
        pq.write_table(pa.table({"key": list(merged), "part": list(merged.values())}, schema=INDEX_SCHEMA), tmp)
        os.replace(tmp, folder / name)
        for p in parts:
            p.unlink(missing_ok=True)
        return True

    def read(self, keys: Iterable[str]) -> tuple[dict[str, pd.DataFrame], set[str]]:
        """Rows of the given keys, only from the parts the index names for them.

        Returns:
            Frames by table (with a ``key`` column; absent tables when nothing was read), and the
            keys actually read. A key whose part is missing or unreadable is left out, with a warning.
        """
        index = self.index()
        by_part: dict[str, list[str]] = {}
        for k in keys:
            if k in index:
                by_part.setdefault(index[k], []).append(k)
        frames: dict[str, list[pd.DataFrame]] = {t: [] for t in self.tables}
        done: set[str] = set()
        for part, wanted in sorted(by_part.items()):
            try:
                got = {}
                for table in self.tables:
                    tab = pq.read_table(self._dir(table) / part)
                    if "key" not in tab.column_names:
                        raise ValueError("no key column")
                    tab = tab.filter(pc.is_in(tab.column("key"), value_set=pa.array(wanted, pa.string())))
                    got[table] = tab.to_pandas()
            except (OSError, ValueError, pa.ArrowException) as exc:
                log.warning("%s: unreadable cache part of %s skipped, its %d documents are recomputed (%s)",
                            part, self.root.name, len(wanted), exc)
                continue
            for table, df in got.items():
                frames[table].append(df)
            done.update(wanted)
        return {t: pd.concat(v, ignore_index=True) for t, v in frames.items() if v}, done


class StageCache:
    """The stores of every stage under one root, with the stage versions of this run."""

    def __init__(self, cache_dir: Path | str | None = None, *, versions: StageVersions | None = None):
        reload_changed_lexicons()
        self.root = cache_root(cache_dir)
        self.versions = versions or StageVersions.current()
        self.stores = {s.name: RowStore(self.root / s.name, s.outputs) for s in STAGES}

    def compact(self) -> None:
        """Compact every stage's index."""
        for store in self.stores.values():
            store.compact_index()


def cache_root(cache_dir: Path | str | None = None) -> Path:
    """Root of the extraction cache: ``<cache_dir>/stages/v<layout>`` (the annotation cache's root by default)."""
    return Path(cache_dir or config.ANNOTATION_CACHE_DIR) / config.STAGE_CACHE_SUBDIR / f"v{STORE_LAYOUT}"
