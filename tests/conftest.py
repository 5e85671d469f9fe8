"""Shared fixtures: the seed corpus, its annotation, its tables and one end-to-end run.

Everything is written under pytest's temporary folders; the session's environment
points the annotation cache and interim data there too, so tests never write into
the repository.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


def pytest_configure(config):
    import tempfile

    base = Path(tempfile.mkdtemp(prefix="analysis-tests-"))
    os.environ.setdefault("ANALYSIS_INTERIM_DIR", str(base / "interim"))
    os.environ.setdefault("ANALYSIS_CACHE_DIR", str(base / "interim" / "annotations"))
    os.environ.setdefault("ANALYSIS_REJECTED_CSV", str(base / "rejected.csv"))


REPORT_DATE = "2025-11-03"


@pytest.fixture(scope="session")
def seed_corpus():
    from analysis.corpus import load_corpus

    return load_corpus()


@pytest.fixture(scope="session")
def nlp():
    from analysis.annotate import load_model

    return load_model()


@pytest.fixture(scope="session")
def seed_annotations(seed_corpus, nlp, tmp_path_factory):
    from analysis.annotate import DocInput, annotate

    cache = tmp_path_factory.mktemp("annotations")
    return annotate([DocInput(d.doc_id, d.text, d.language) for d in seed_corpus.documents],
                    cache_dir=cache, nlp=nlp)


@pytest.fixture(scope="session")
def seed(seed_corpus, seed_annotations):
    """The seed documents frame (``Corpus.to_frame``) and their annotations."""
    return seed_corpus.to_frame(), seed_annotations


@pytest.fixture(scope="session")
def seed_docs(seed_corpus):
    from analysis.tables import documents_frame

    return documents_frame(seed_corpus)


@pytest.fixture(scope="session")
def seed_tables(seed_corpus, tmp_path_factory):
    from analysis.tables import build_tables

    out = tmp_path_factory.mktemp("tables")
    build_tables(seed_corpus, out, cache_dir=tmp_path_factory.mktemp("cache"))
    return out


@pytest.fixture(scope="session")
def report_run(tmp_path_factory):
    """One end-to-end run of `python -m analysis report` on the seed corpus (relative --out, as in make)."""
    out = tmp_path_factory.mktemp("reports")
    proc = subprocess.run(
        [sys.executable, "-m", "analysis", "report", "--out", out.name, "--date", REPORT_DATE, "--jobs", "2"],
        capture_output=True, text=True, timeout=1800, check=False, cwd=out.parent,
    )
    return {"out": out, "dir": out / REPORT_DATE, "proc": proc}
