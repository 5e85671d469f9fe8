"""The extraction cache: cached builds equal cold ones, and only what changed runs again."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from analysis import config, stagecache
from analysis.corpus import load_corpus
from analysis.multilingual.evaluate import load_fixtures, write_corpus
from analysis.tables import SENTENCES_FILE, build_tables

FIXTURES = Path(__file__).parent / "fixtures" / "multilingual"
SEEDS = 3
CHUNK = 4
ENGLISH_STAGES = ("actors", "quotes", "tone", "topics", "sentences", "facts", "terms")

# Invented for these tests.
NEW_DOC = ("The harbour board said on May 3, 2025 that tariffs of 25% on steel would stay. "
           '"We will not change course," said Commerce Secretary Ada Brenner.\n')
PORTUGUESE_DOC = "O porto de Santos exportou mais soja para a China este ano, disseram os analistas.\n"


def _corpus_dir(root: Path) -> Path:
    """Seed articles, an invented fixture per language, and a document in a language without rules."""
    folder = root / "corpus"
    folder.mkdir()
    for seed in sorted(config.RAW_DIR.glob("*.txt"))[:SEEDS]:
        shutil.copy(seed, folder / seed.name)
    by_lang: dict[str, int] = {}
    keep = []
    for d in load_fixtures(FIXTURES):
        if by_lang.get(d["language"], 0) < 1:
            by_lang[d["language"]] = by_lang.get(d["language"], 0) + 1
            keep.append(d)
    write_corpus(keep, folder / "fixtures")
    (folder / "fixtures" / "pt-01.md").write_text(
        f"---\ntitle: pt-01\noutlet: Jornal do Porto\ndate: '2025-05-02'\nlanguage: pt\n---\n{PORTUGUESE_DOC}",
        encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def annotation_cache(tmp_path_factory):
    return tmp_path_factory.mktemp("annotations")


@pytest.fixture(scope="module")
def mixed(tmp_path_factory):
    return _corpus_dir(tmp_path_factory.mktemp("mixed"))


@pytest.fixture(scope="module")
def cold(mixed, annotation_cache, tmp_path_factory):
    """An uncached build of the mixed corpus (annotation cached, extraction not)."""
    out = tmp_path_factory.mktemp("cold")
    return build_tables(load_corpus(mixed), out, cache_dir=annotation_cache, use_cache=False, chunk_docs=CHUNK), out


def _stage_cache_dir(tmp_path: Path, annotation_cache: Path) -> Path:
    """A fresh cache dir sharing the (read-only here) annotations of the module."""
    cache = tmp_path / "cache"
    shutil.copytree(annotation_cache, cache, ignore=shutil.ignore_patterns(config.STAGE_CACHE_SUBDIR))
    return cache


def assert_same_tables(a, b, *, check_dtype: bool = True) -> None:
    assert sorted(a.tables) == sorted(b.tables)
    for name in a.tables:
        assert_frame_equal(a.tables[name], b.tables[name], obj=name, check_dtype=check_dtype)


def test_cached_build_equals_cold_build(mixed, cold, annotation_cache, tmp_path):
    cold_res, cold_out = cold
    assert cold_res.stage_runs["multilingual"] == 6 and cold_res.stage_runs["topics"] == len(cold_res.tables[
        "documents"])
    assert not (annotation_cache / config.STAGE_CACHE_SUBDIR).exists()  # use_cache=False caches nothing
    cache = _stage_cache_dir(tmp_path, annotation_cache)
    first = build_tables(load_corpus(mixed), tmp_path / "a", cache_dir=cache, chunk_docs=CHUNK)
    assert first.stage_runs == cold_res.stage_runs
    warm = build_tables(load_corpus(mixed), tmp_path / "b", cache_dir=cache, chunk_docs=CHUNK)
    assert warm.stage_runs == dict.fromkeys(stagecache.STAGE_NAMES, 0)
    assert "read" not in warm.timings and "cache_read" in warm.timings  # no annotation was read
    assert_same_tables(cold_res, first)
    assert_same_tables(cold_res, warm)
    assert_frame_equal(pd.read_parquet(cold_out / SENTENCES_FILE), pd.read_parquet(tmp_path / "b" / SENTENCES_FILE))
    # Other chunk sizes read the same rows back.
    other = build_tables(load_corpus(mixed), tmp_path / "c", cache_dir=cache, chunk_docs=3)
    assert other.stage_runs == dict.fromkeys(stagecache.STAGE_NAMES, 0)
    # (dtypes of concatenated empty and non-empty chunks depend on the chunking, cached or not)
    assert_same_tables(cold_res, other, check_dtype=False)
    # One part per stage and chunk, not one file per document.
    parts = list((stagecache.cache_root(cache) / "topics" / "index").glob("part-*.parquet"))
    assert len(parts) == -(-len(cold_res.tables["documents"]) // CHUNK)


@pytest.mark.slow
def test_a_new_document_runs_every_stage_on_itself_only(mixed, annotation_cache, tmp_path):
    cache = _stage_cache_dir(tmp_path, annotation_cache)
    corpus_dir = tmp_path / "corpus"
    shutil.copytree(mixed, corpus_dir)
    build_tables(load_corpus(corpus_dir), tmp_path / "a", cache_dir=cache, chunk_docs=CHUNK)
    (corpus_dir / "zz-new.txt").write_text(NEW_DOC, encoding="utf-8")
    again = build_tables(load_corpus(corpus_dir), tmp_path / "b", cache_dir=cache, chunk_docs=CHUNK)
    assert again.stage_runs == {**dict.fromkeys(ENGLISH_STAGES, 1), "multilingual": 0}
    assert again.annotated == 1
    cold = build_tables(load_corpus(corpus_dir), tmp_path / "c", cache_dir=cache, use_cache=False, chunk_docs=CHUNK)
    assert_same_tables(cold, again)
    new_id = again.tables["documents"].loc[again.tables["documents"]["path"].astype(str).str.endswith("zz-new.txt"),
                                           "doc_id"].item()
    assert new_id in set(again.tables["quotes"]["doc_id"]) and new_id in set(again.tables["claims"]["doc_id"])


def test_changing_one_lexicon_entry_reruns_only_its_stages(mixed, annotation_cache, tmp_path, monkeypatch):
    lexicons = tmp_path / "lexicons"
    shutil.copytree(config.LEXICON_DIR, lexicons)
    monkeypatch.setattr(config, "LEXICON_DIR", lexicons)
    stagecache.clear_lexicon_caches()
    try:
        cache = _stage_cache_dir(tmp_path, annotation_cache)
        before = build_tables(load_corpus(mixed), tmp_path / "a", cache_dir=cache, chunk_docs=CHUNK)
        sentences = pd.read_parquet(tmp_path / "a" / SENTENCES_FILE)
        hit = sentences[sentences["text"].str.contains("upper hand")]
        assert len(hit) and not hit["topics"].str.contains("markets").any()
        # One entry: "upper hand" becomes a term of the markets aspect.
        path = lexicons / "aspects.yaml"
        text = path.read_text(encoding="utf-8")
        head, sep, tail = text.partition("  markets:\n")
        tail = tail.replace("terms: [", "terms: [upper hand, ", 1)
        path.write_text(head + sep + tail, encoding="utf-8")  # (build_tables sees the edit and reloads)
        after = build_tables(load_corpus(mixed), tmp_path / "b", cache_dir=cache, chunk_docs=CHUNK)
        n = len(before.tables["documents"])
        assert after.stage_runs == {**dict.fromkeys(stagecache.STAGE_NAMES, 0), "topics": n, "sentences": n}
        sentences = pd.read_parquet(tmp_path / "b" / SENTENCES_FILE)
        assert sentences[sentences["text"].str.contains("upper hand")]["topics"].str.contains("markets").all()
        doc = hit["doc_id"].iloc[0]

        def markets(res) -> int:
            t = res.tables["topics"]
            return int(t[(t["doc_id"] == doc) & (t["label"] == "markets")]["sentences"].sum())

        assert markets(after) > markets(before)
        cold = build_tables(load_corpus(mixed), tmp_path / "c", cache_dir=cache, use_cache=False, chunk_docs=CHUNK)
        assert_same_tables(cold, after)
    finally:
        monkeypatch.undo()
        stagecache.clear_lexicon_caches()


EN_ACTORS = {"actors", "quotes", "facts", "tone", "sentences"}


@pytest.mark.parametrize("lexicon, english, multilingual", [
    ("aspects.yaml", {"topics", "sentences"}, {"topics", "sentences"}),
    ("frames.yaml", {"topics", "sentences"}, {"topics", "sentences"}),
    ("claims.yaml", {"facts"}, {"facts"}),
    ("actors.yaml", EN_ACTORS, EN_ACTORS | {"multilingual"}),
    # Read by the multilingual stage only, which does not apply to English documents.
    ("actors_i18n.yaml", set(), {"multilingual", "tone", "sentences"}),
    # Also read by the segmenter, which rewrites the annotation of every multilingual document.
    ("multilingual.yaml", set(), set(stagecache.STAGE_NAMES)),
])
def test_a_lexicon_changes_the_versions_of_the_stages_reading_it(lexicon, english, multilingual, tmp_path,
                                                                  monkeypatch):
    lexicons = tmp_path / "lexicons"
    shutil.copytree(config.LEXICON_DIR, lexicons)
    monkeypatch.setattr(config, "LEXICON_DIR", lexicons)
    before = stagecache.StageVersions.current()
    with (lexicons / lexicon).open("a", encoding="utf-8") as f:
        f.write("\n# one more comment\n")
    after = stagecache.StageVersions.current()
    for ml, expected in ((False, english), (True, multilingual)):
        changed = {s for s in stagecache.STAGE_NAMES
                   if before.version(s, multilingual=ml) != after.version(s, multilingual=ml)}
        assert changed == expected, ml


@pytest.mark.slow
def test_unreadable_part_is_recomputed_with_a_warning(mixed, annotation_cache, tmp_path, caplog):
    cache = _stage_cache_dir(tmp_path, annotation_cache)
    cold = build_tables(load_corpus(mixed), tmp_path / "a", cache_dir=cache, chunk_docs=CHUNK)
    root = stagecache.cache_root(cache)
    quotes = sorted((root / "quotes" / "quotes").glob("part-*.parquet"))
    quotes[0].write_bytes(b"not parquet")
    (sorted((root / "tone" / "tone").glob("part-*.parquet"))[-1]).unlink()
    with caplog.at_level(logging.WARNING, logger="analysis.stagecache"):
        again = build_tables(load_corpus(mixed), tmp_path / "b", cache_dir=cache, chunk_docs=CHUNK)
    assert sum("unreadable cache part" in r.getMessage() for r in caplog.records) == 2
    assert again.stage_runs["quotes"] == CHUNK and 1 <= again.stage_runs["tone"] <= CHUNK
    assert again.stage_runs["facts"] == 0
    assert_same_tables(cold, again)
    third = build_tables(load_corpus(mixed), tmp_path / "c", cache_dir=cache, chunk_docs=CHUNK)
    assert third.stage_runs == dict.fromkeys(stagecache.STAGE_NAMES, 0)


def test_documents_without_rows_are_cached_too(annotation_cache, tmp_path):
    """A chunk whose documents give no rows at all (a language without rules) is cached like any other."""
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "pt-01.md").write_text(f"---\ntitle: pt-01\noutlet: Jornal\nlanguage: pt\n---\n{PORTUGUESE_DOC}",
                                     encoding="utf-8")
    (folder / "pt-02.md").write_text("---\ntitle: pt-02\noutlet: Outro\nlanguage: pt\n---\nSoja e milho.\n",
                                     encoding="utf-8")
    cache = _stage_cache_dir(tmp_path, annotation_cache)
    cold = build_tables(load_corpus(folder), tmp_path / "a", cache_dir=cache, use_cache=False)
    first = build_tables(load_corpus(folder), tmp_path / "b", cache_dir=cache)
    assert first.stage_runs == {**dict.fromkeys(ENGLISH_STAGES, 2), "multilingual": 0}
    warm = build_tables(load_corpus(folder), tmp_path / "c", cache_dir=cache)
    assert warm.stage_runs == dict.fromkeys(stagecache.STAGE_NAMES, 0)
    assert warm.tables["quotes"].empty and warm.tables["actors"].empty
    assert_same_tables(cold, first)
    assert_same_tables(cold, warm)


def test_row_store_round_trip_and_latest_part_wins(tmp_path):
    store = stagecache.RowStore(tmp_path / "s", ["t"])
    store.write({"t": pd.DataFrame({"key": ["a", "a", "b"], "doc_id": ["d1", "d1", "d2"], "n": [1, 2, 3]})},
                ["a", "b", "c"])
    store.write({"t": pd.DataFrame({"key": ["a"], "doc_id": ["d1"], "n": [9]})}, ["a"])
    fresh = stagecache.RowStore(tmp_path / "s", ["t"])
    frames, done = fresh.read(["a", "b", "c", "zz"])
    assert done == {"a", "b", "c"}  # "c" has no rows and is cached; "zz" never was
    got = frames["t"].sort_values("key").reset_index(drop=True)
    assert got.to_dict("list") == {"key": ["a", "b"], "doc_id": ["d1", "d2"], "n": [9, 3]}


def test_document_key_covers_every_field():
    row = {"doc_id": "d1", "text": "Tariffs rose.", "group": "A", "published": "2025-04-01", "title": None}
    base = stagecache.document_key(row, "ann")
    assert stagecache.document_key(dict(row), "ann") == base
    for field, value in (("group", "B"), ("published", "2025-04-02"), ("title", "T"), ("text", "Tariffs fell.")):
        assert stagecache.document_key({**row, field: value}, "ann") != base, field
    assert stagecache.document_key(row, "other annotation") != base
    # Where it was read from is no input of the extractors: a document moved to another file keeps its rows.
    assert stagecache.document_key({**row, "path": "b.jsonl#3"}, "ann") == stagecache.document_key(
        {**row, "path": "a.jsonl#1"}, "ann")


def test_unknown_stage_is_named():
    with pytest.raises(KeyError, match="stages: multilingual"):
        stagecache.stage("nope")
