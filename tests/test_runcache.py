"""The run-level caches: keys change with every input that shapes an output, and only then."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from analysis import runcache


@dataclass
class Doc:
    doc_id: str
    text: str
    source: str = "A"


def test_corpus_key_changes_with_text_metadata_and_rejections():
    base = runcache.corpus_key([Doc("a", "x"), Doc("b", "y")], [])
    assert base == runcache.corpus_key([Doc("a", "x"), Doc("b", "y")], [])
    assert base != runcache.corpus_key([Doc("a", "x!"), Doc("b", "y")], [])
    assert base != runcache.corpus_key([Doc("a", "x", "B"), Doc("b", "y")], [])
    assert base != runcache.corpus_key([Doc("a", "x"), Doc("b", "y")], [{"path": "c.txt", "reason": "empty"}])
    assert base != runcache.corpus_key([Doc("b", "y"), Doc("a", "x")], [])  # order is the documents' order


def test_tables_key_changes_with_parameters_and_code(monkeypatch):
    k = runcache.RunCache.tables_key("corpus", {"group_by": "source"})
    assert k == runcache.RunCache.tables_key("corpus", {"group_by": "source"})
    assert k != runcache.RunCache.tables_key("corpus", {"group_by": "category"})
    assert k != runcache.RunCache.tables_key("other", {"group_by": "source"})
    monkeypatch.setattr(runcache, "code_version", lambda: "changed code")
    assert k != runcache.RunCache.tables_key("corpus", {"group_by": "source"})


def test_code_version_covers_a_lexicon_entry(tmp_path, monkeypatch):
    from analysis import config

    pkg = tmp_path / "analysis"
    (pkg / "lexicons").mkdir(parents=True)
    (pkg / "mod.py").write_text("X = 1\n")
    lex = pkg / "lexicons" / "words.yaml"
    lex.write_text("en: [tariff]\n")
    nbs = tmp_path / "notebooks"
    nbs.mkdir()
    (nbs / "a.ipynb").write_text("{}")
    monkeypatch.setattr(config, "PACKAGE_DIR", pkg)
    monkeypatch.setattr(config, "NOTEBOOKS_DIR", nbs)
    runcache.code_version.cache_clear()
    try:
        first = runcache.code_version()
        lex.write_text("en: [tariff, levy]\n")
        runcache.code_version.cache_clear()
        second = runcache.code_version()
        (nbs / "a.ipynb").write_text('{"cells": []}')
        runcache.code_version.cache_clear()
        third = runcache.code_version()
    finally:
        runcache.code_version.cache_clear()
    assert len({first, second, third}) == 3


def test_notebook_key_ignores_the_run_folder_but_not_other_parameters(tmp_path):
    nb = tmp_path / "n.ipynb"
    nb.write_text("{}")
    k = runcache.RunCache.notebook_key(nb, "tables", {"source": "A"})
    assert k == runcache.RunCache.notebook_key(nb, "tables", {"source": "A"})
    assert k != runcache.RunCache.notebook_key(nb, "tables", {"source": "B"})
    assert k != runcache.RunCache.notebook_key(nb, "tables2", {"source": "A"})
    assert k != runcache.RunCache.notebook_key(nb, "tables", {"source": "A"}, extra="plan")
    nb.write_text('{"cells": []}')
    assert k != runcache.RunCache.notebook_key(nb, "tables", {"source": "A"})


def test_files_round_trip_and_count_hits(tmp_path):
    cache = runcache.RunCache(tmp_path / "c")
    src = tmp_path / "page.html"
    src.write_text("<p>one</p>")
    dest = tmp_path / "out.html"
    assert not cache.get_file("html", "k1", ".html", dest) and not dest.exists()
    cache.put_file("html", "k1", ".html", src)
    src.write_text("<p>changed after caching</p>")
    assert cache.get_file("html", "k1", ".html", dest)
    assert dest.read_text() == "<p>one</p>"
    assert cache.summary()["html"] == {"hits": 1, "misses": 1}


def test_tables_round_trip(tmp_path):
    cache = runcache.RunCache(tmp_path / "c")
    data = tmp_path / "data"
    (data / "store").mkdir(parents=True)
    (data / "store" / "documents.parquet").write_bytes(b"PAR1")
    (data / "documents.csv").write_text("doc_id\n")
    cache.put_tables("key", data)
    again = tmp_path / "again"
    again.mkdir()
    assert cache.get_tables("key", again)
    assert (again / "store" / "documents.parquet").read_bytes() == b"PAR1"
    assert not (again / ".complete").exists()
    assert not cache.get_tables("other", tmp_path / "x")


def test_an_unfinished_tables_entry_is_a_miss(tmp_path):
    cache = runcache.RunCache(tmp_path / "c")
    half = cache._tables_dir("key")
    half.mkdir(parents=True)
    (half / "documents.csv").write_text("doc_id\n")  # no .complete marker: a copy that was cut short
    assert not cache.get_tables("key", tmp_path / "data")


def test_disabled_cache_reads_and_writes_nothing(tmp_path):
    cache = runcache.RunCache(tmp_path / "c", enabled=False)
    src = tmp_path / "p.pdf"
    src.write_bytes(b"%PDF")
    cache.put_file("pdf", "k", ".pdf", src)
    assert not (tmp_path / "c").exists()
    assert not cache.get_file("pdf", "k", ".pdf", tmp_path / "o.pdf")
    assert cache.summary()["enabled"] is False


@pytest.mark.parametrize("keep", [1, 3])
def test_old_entries_are_pruned(tmp_path, monkeypatch, keep):
    import os

    monkeypatch.setattr(runcache, "KEEP_FILES", keep)
    cache = runcache.RunCache(tmp_path / "c")
    src = tmp_path / "f"
    src.write_text("x")
    for i in range(5):
        cache.put_file("pdf", f"k{i}", ".pdf", src)
        os.utime(cache._file("pdf", f"k{i}", ".pdf"), (i, i))  # k4 is the most recently used
    cache.put_file("pdf", "k5", ".pdf", src)
    kept = sorted(p.name for p in (tmp_path / "c" / "pdf").iterdir())
    assert len(kept) == keep and "k5.pdf" in kept
