"""Caches of a report run: its tables, and each report's executed notebook, HTML and PDF.

Every entry is keyed by what made it, so a hit is always the same bytes a cold run
would write:

- **code version**: the package's source, lexicons, templates and report notebooks,
  and the versions of the packages that shape the output (see :func:`code_version`);
- **tables**: the loaded corpus (every document's text and metadata, and every
  rejection), the run parameters that change a table, and the code version;
- **executed notebook**: the notebook file, the tables key, the notebook's parameters
  other than the run's folder and date, and the code version. The report date is not
  part of the key: no notebook prints it (the page header does), so a reused notebook
  only gets its injected parameters re-stamped;
- **HTML**: the executed notebook and the page header (title, date, links);
- **PDF**: the bytes of its HTML page.

Entries live under ``INTERIM_DIR/runs`` (``ANALYSIS_RUN_CACHE_DIR``), are written
atomically and are disposable: the oldest are removed beyond :data:`KEEP_RUNS` tables
entries and :data:`KEEP_FILES` report files. ``--no-cache`` bypasses all of them.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import uuid
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from analysis import __version__, config

log = logging.getLogger(__name__)

KEEP_RUNS = 6
"""Tables entries kept (most recently used first)."""
KEEP_FILES = 400
"""Report files (notebooks, HTML pages, PDFs) kept."""
LAYOUT = "1"


def _digest(*parts: bytes | str) -> str:
    h = hashlib.sha256()
    for p in parts:
        b = p.encode("utf-8") if isinstance(p, str) else p
        h.update(len(b).to_bytes(8, "little"))
        h.update(b)
    return h.hexdigest()


def _files(root: Path, patterns: Iterable[str]) -> list[Path]:
    return sorted({p for pat in patterns for p in root.glob(pat) if p.is_file() and "__pycache__" not in p.parts})


@lru_cache(maxsize=1)
def code_version() -> str:
    """A hash of everything that shapes the output besides the corpus.

    The package's Python source, lexicons and templates, the report notebooks, and the
    versions of the packages and models behind the tables and pages.
    """
    from analysis.report import package_versions

    h = hashlib.sha256(f"layout {LAYOUT} analysis {__version__}".encode())
    for root, patterns in ((config.PACKAGE_DIR, ("**/*.py", "**/*.yaml", "**/*.csv", "templates/**/*")),
                           (config.NOTEBOOKS_DIR, ("*.ipynb",))):
        for path in _files(root, patterns):
            h.update(path.relative_to(root).as_posix().encode())
            h.update(hashlib.sha256(path.read_bytes()).digest())
    h.update(json.dumps(package_versions(), sort_keys=True).encode())
    return h.hexdigest()


def corpus_key(documents: Iterable, rejected: Iterable) -> str:
    """A hash of a loaded corpus: every document (text and metadata) and every rejection."""
    h = hashlib.sha256()
    for d in documents:
        fields = {k: v for k, v in sorted(vars(d).items())} if hasattr(d, "__dict__") else d
        h.update(json.dumps(fields, sort_keys=True, default=str, ensure_ascii=False).encode())
    for r in rejected:
        h.update(json.dumps(vars(r) if hasattr(r, "__dict__") else r, sort_keys=True, default=str).encode())
    return h.hexdigest()


class RunCache:
    """The run-level caches, rooted at ``root`` (``config.RUN_CACHE_DIR`` by default).

    Args:
        root: Folder of the cache.
        enabled: ``False`` makes every lookup miss and every store a no-op (``--no-cache``).
    """

    def __init__(self, root: Path | None = None, *, enabled: bool = True):
        self.root = Path(root or config.RUN_CACHE_DIR)
        self.enabled = enabled
        self.hits: dict[str, int] = {}
        self.misses: dict[str, int] = {}

    def _count(self, kind: str, hit: bool) -> None:
        book = self.hits if hit else self.misses
        book[kind] = book.get(kind, 0) + 1

    # --- keys -------------------------------------------------------------------------------

    @staticmethod
    def tables_key(corpus_hash: str, parameters: dict) -> str:
        """Key of a run's tables: the loaded corpus, the parameters that shape tables, the code."""
        return _digest("tables", corpus_hash, json.dumps(parameters, sort_keys=True, default=str), code_version())

    @staticmethod
    def notebook_key(notebook: Path, tables_key: str, parameters: dict, *, extra: str = "") -> str:
        """Key of an executed notebook (``extra``: any other input it reads, e.g. the run's plan)."""
        return _digest("notebook", notebook.read_bytes(), tables_key,
                       json.dumps(parameters, sort_keys=True, default=str), extra, code_version())

    @staticmethod
    def html_key(notebook_bytes: bytes, page: dict) -> str:
        """Key of an HTML page: its executed notebook and its header."""
        return _digest("html", notebook_bytes, json.dumps(page, sort_keys=True, default=str), code_version())

    @staticmethod
    def pdf_key(html_bytes: bytes) -> str:
        """Key of a PDF: the bytes of the page it is printed from."""
        return _digest("pdf", html_bytes, code_version())

    # --- tables -----------------------------------------------------------------------------

    def _tables_dir(self, key: str) -> Path:
        return self.root / "tables" / key[:32]

    def get_tables(self, key: str, data_dir: Path) -> bool:
        """Copy the cached tables of ``key`` into ``data_dir``; whether they were there."""
        src = self._tables_dir(key)
        ok = self.enabled and (src / ".complete").is_file()
        if ok:
            try:
                shutil.copytree(src, data_dir, dirs_exist_ok=True, ignore=shutil.ignore_patterns(".complete"))
                os.utime(src / ".complete")
            except OSError as exc:
                log.warning("cached tables in %s could not be read (%s); building them again", src, exc)
                ok = False
        self._count("tables", ok)
        return ok

    def put_tables(self, key: str, data_dir: Path) -> None:
        """Keep a copy of a run's freshly built tables under ``key``."""
        if not self.enabled:
            return
        dest = self._tables_dir(key)
        tmp = dest.with_name(f".{dest.name}.{uuid.uuid4().hex}.tmp")
        try:
            shutil.copytree(data_dir, tmp)
            (tmp / ".complete").write_text(key, encoding="utf-8")
            shutil.rmtree(dest, ignore_errors=True)
            os.replace(tmp, dest)
        except OSError as exc:
            log.warning("could not cache the run's tables in %s: %s", dest, exc)
            shutil.rmtree(tmp, ignore_errors=True)
            return
        self._prune(dest.parent, KEEP_RUNS, dirs=True)

    # --- report files -----------------------------------------------------------------------

    def _file(self, kind: str, key: str, suffix: str) -> Path:
        return self.root / kind / f"{key[:40]}{suffix}"

    def get_file(self, kind: str, key: str, suffix: str, dest: Path) -> bool:
        """Copy a cached report file (``notebook``, ``html``, ``pdf``) to ``dest``; whether it was there."""
        src = self._file(kind, key, suffix)
        ok = self.enabled and src.is_file()
        if ok:
            try:
                shutil.copyfile(src, dest)
                os.utime(src)
            except OSError as exc:
                log.warning("cached %s %s could not be read (%s); making it again", kind, src, exc)
                ok = False
        self._count(kind, ok)
        return ok

    def put_file(self, kind: str, key: str, suffix: str, source: Path) -> None:
        """Keep a copy of a freshly made report file."""
        if not self.enabled:
            return
        dest = self._file(kind, key, suffix)
        try:
            dest.parent.mkdir(parents=True, exist_ok=True)
            tmp = dest.with_name(f".{dest.name}.{uuid.uuid4().hex}.tmp")
            shutil.copyfile(source, tmp)
            os.replace(tmp, dest)
        except OSError as exc:
            log.warning("could not cache %s in %s: %s", source.name, dest.parent, exc)
            return
        self._prune(dest.parent, KEEP_FILES)

    def _prune(self, folder: Path, keep: int, *, dirs: bool = False) -> None:
        entries = [p for p in folder.iterdir() if not p.name.startswith(".") and p.is_dir() == dirs]
        if len(entries) <= keep:
            return
        def used(p: Path) -> float:
            try:
                return (p / ".complete" if dirs else p).stat().st_mtime
            except OSError:
                return 0.0

        entries.sort(key=used, reverse=True)
        for old in entries[keep:]:
            if dirs:
                shutil.rmtree(old, ignore_errors=True)
            else:
                old.unlink(missing_ok=True)

    def summary(self) -> dict:
        """Hits and misses by kind, for ``run.json``."""
        kinds = sorted(set(self.hits) | set(self.misses))
        return {"enabled": self.enabled, **{k: {"hits": self.hits.get(k, 0), "misses": self.misses.get(k, 0)}
                                            for k in kinds}}
