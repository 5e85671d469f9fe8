"""Fuzzing the loader: arbitrary bytes and file names never crash it or make it read outside the corpus."""

from __future__ import annotations

import json
import os
import tempfile
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.corpus import CorpusError, load_corpus
from analysis.ingest import safe_io

SECRET = "SECRET-OUTSIDE-THE-CORPUS"
SUFFIXES = [".txt", ".md", ".html", ".htm", ".csv", ".jsonl", ".text", ".markdown", "", ".bin"]

name_stem = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="/\\"),
    min_size=1, max_size=30,
).filter(lambda s: s not in (".", "..") and len(s.encode("utf-8")) < 200)

contents = st.one_of(
    st.binary(max_size=2000),
    st.text(max_size=2000).map(lambda t: t.encode("utf-8", "surrogatepass")),
    st.text(max_size=500).map(lambda t: t.encode("utf-16")),
    st.builds(lambda front, body: f"---\n{front}\n---\n{body}".encode("utf-8", "surrogatepass"),
              st.text(max_size=200), st.text(max_size=500)),
    st.lists(st.dictionaries(st.sampled_from(["text", "id", "date", "title", "url", "category", "x"]),
                             st.one_of(st.text(max_size=80), st.integers(), st.none(), st.lists(st.integers())),
                             max_size=5), max_size=5)
    .map(lambda rows: "\n".join(json.dumps(r) for r in rows).encode()),
)

entries = st.lists(
    st.tuples(name_stem, st.sampled_from(SUFFIXES), contents, st.booleans()), min_size=1, max_size=6,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(entries=entries, manifest=st.one_of(st.none(), st.binary(max_size=300), st.text(max_size=300)))
def test_loader_never_crashes_or_escapes(entries, manifest) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        outside = base / "outside.txt"
        outside.write_text(SECRET + " " + "Outside words that must never be read by the loader. " * 3, encoding="utf-8")
        root = base / "corpus"
        root.mkdir()
        for stem, suffix, data, as_link in entries:
            path = root / (stem + suffix)
            if os.path.lexists(path):
                continue
            try:
                if as_link:
                    path.symlink_to(outside)
                else:
                    path.write_bytes(data)
            except OSError:
                continue  # the file system refused the name
        if manifest is not None:
            m = root / "manifest.csv"
            if isinstance(manifest, str):
                m.write_text("file,outlet,date\n" + manifest, encoding="utf-8")
            else:
                m.write_bytes(manifest)
        opened: list[str] = []
        real_open = os.open

        def spy(p, *args, **kwargs):
            opened.append(os.fsdecode(p))
            return real_open(p, *args, **kwargs)

        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(safe_io.os, "open", spy)
            try:
                corpus = load_corpus(root, today=date(2025, 12, 31))
            except CorpusError:
                return
        assert not any(SECRET in d.text for d in corpus.documents)
        # Only files count: libraries may probe directories such as the temp folder.
        files = [p for p in opened if not os.path.isdir(p)]
        escaped = [p for p in files if not os.path.realpath(p).startswith(os.path.realpath(root) + os.sep)]
        assert escaped == [], (escaped, [str(p) for p in root.iterdir()])
        df = corpus.to_frame()
        assert df["doc_id"].is_unique
        for r in corpus.rejected:
            assert isinstance(r.path, str) and r.reason
            r.path.encode("utf-8")  # printable in rejected.csv


@settings(max_examples=40, deadline=None)
@given(data=st.binary(max_size=3000))
def test_single_table_file_of_arbitrary_bytes(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        for name in ("t.csv", "t.jsonl"):
            path = Path(tmp) / name
            path.write_bytes(data)
            corpus = load_corpus(path, today=date(2025, 12, 31))
            assert all(d.text.strip() for d in corpus.documents)
