"""The annotation stage: cache hits and misses, routes, offsets, streaming and the store."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from analysis.annotate import (
    TABLES,
    AnnotationStore,
    DocInput,
    annotate,
    annotate_iter,
    content_key,
    doc_to_rows,
    ensure_annotated,
    is_english,
    load_multilingual,
    model_key,
    route_of,
)

GOLD = Path(__file__).parent / "fixtures" / "annotate_entities_gold.csv"

INVENTED = [
    DocInput("inv-en", "Seoul announced on Tuesday that Samsung would move chip production to Texas. "
             "Canadian officials met Mexican negotiators in Ottawa last week.\n\nNo deal was reached.", "en"),
    DocInput("inv-fr", "Pékin a annoncé des contrôles à l'exportation. Tokyo a répondu lundi! Et Séoul?", "fr"),
    DocInput("inv-zh", "中国宣布对稀土实施出口管制。日本表示关切！", "zh"),
]


def seed_inputs(corpus) -> list[DocInput]:
    return [DocInput(d.doc_id, d.text, d.language) for d in corpus.documents]


@pytest.fixture(scope="module")
def docs(seed_corpus) -> list[DocInput]:
    return [*seed_inputs(seed_corpus), *INVENTED]


@pytest.fixture(scope="module")
def annotated(docs, nlp, tmp_path_factory):
    return annotate(docs, cache_dir=tmp_path_factory.mktemp("ann"), nlp=nlp)


def store_of(cache: Path, nlp) -> AnnotationStore:
    return AnnotationStore(cache, model=model_key(nlp))


# --- cache hits and misses ----------------------------------------------------------------------


def test_second_run_is_all_cache_hits(docs, nlp, tmp_path):
    first = annotate(docs, cache_dir=tmp_path, nlp=nlp)
    again = annotate(docs, cache_dir=tmp_path, nlp=nlp)
    assert (first.annotated, first.cached) == (len(docs), 0)
    assert (again.annotated, again.cached) == (0, len(docs))
    for table in TABLES:
        pd.testing.assert_frame_equal(getattr(first, table), getattr(again, table))


def test_changed_document_reannotates_only_itself(docs, nlp, tmp_path):
    annotate(docs, cache_dir=tmp_path, nlp=nlp)
    store = store_of(tmp_path, nlp)
    before = set(store.parts())
    changed = [*docs[:2], DocInput(docs[2].doc_id, docs[2].text + "\n\nA correction was appended.", "en"),
               *docs[3:]]
    result = annotate(changed, cache_dir=tmp_path, nlp=nlp)
    assert (result.annotated, result.cached) == (1, len(docs) - 1)
    new_parts = set(store.parts()) - before
    assert len(new_parts) == 1
    assert pq.read_table(next(iter(new_parts))).num_rows == 1
    sents = result.for_doc(docs[2].doc_id).sentences
    assert sents.text.iloc[-1].endswith("A correction was appended.")


def test_adding_one_document_writes_one_part_with_one_key(docs, nlp, tmp_path):
    annotate(docs, cache_dir=tmp_path, nlp=nlp)
    store = store_of(tmp_path, nlp)
    before = {t: set((store.root / t).glob("part-*.parquet")) for t in (*TABLES, "index")}
    extra = DocInput("new", "Beijing retaliated against the European Union with tariffs on French brandy.", "en")
    result = annotate([*docs, extra], cache_dir=tmp_path, nlp=nlp)
    assert (result.annotated, result.cached) == (1, len(docs))
    for table, old in before.items():
        added = set((store.root / table).glob("part-*.parquet")) - old
        assert len(added) == 1, table
        keys = set(pq.read_table(next(iter(added)), columns=["key"]).column("key").to_pylist())
        assert keys == {content_key(extra.text, model_key(nlp))}, table


def test_duplicate_texts_are_annotated_once_and_returned_for_each_id(nlp, tmp_path):
    text = "Tokyo and Seoul held talks. They agreed to meet again."
    result = annotate([DocInput("a", text), DocInput("b", text)], cache_dir=tmp_path, nlp=nlp)
    assert result.annotated == 1
    assert result.sentences.groupby("doc_id").size().to_dict() == {"a": 2, "b": 2}


def test_empty_document_is_cached(nlp, tmp_path):
    docs = [DocInput("empty", ""), DocInput("blank", "   \n")]
    first = annotate(docs, cache_dir=tmp_path, nlp=nlp)
    again = annotate(docs, cache_dir=tmp_path, nlp=nlp)
    assert first.annotated == 2 and again.annotated == 0 and again.cached == 2
    assert again.sentences.empty and again.tokens.empty


def test_a_key_written_twice_is_read_once(nlp, tmp_path):
    key = content_key("x", model_key(nlp))
    rows = {"sentences": [{"key": key, "sentence_index": 0, "start": 0, "end": 1, "text": "x"}],
            "tokens": [], "entities": []}
    store = store_of(tmp_path, nlp)
    store.write(rows)
    store.write(rows)
    assert len(store.read("sentences", [key])) == 1
    assert store.keys() == {key}


def test_index_is_compacted(nlp, tmp_path):
    store = store_of(tmp_path, nlp)
    keys = [content_key(str(i), model_key(nlp)) for i in range(5)]
    for k in keys:
        store.write({"sentences": [], "tokens": [], "entities": []}, keys=[k])
    assert store.compact_index(max_parts=2)
    assert len(store.parts()) == 1
    assert store.keys() == set(keys)
    assert not store.compact_index(max_parts=2)


# --- routes and keys ----------------------------------------------------------------------------


@pytest.mark.parametrize(("language", "english"), [
    ("en", True), ("en-GB", True), ("EN", True), ("und", True), ("", True), (None, True),
    ("fr", False), ("zh", False), ("zh-Hans", False), ("ja", False),
])
def test_language_route(language, english):
    assert is_english(language) is english
    assert route_of(language) == ("en" if english else "xx")


def test_key_includes_route_and_model():
    text = "Tariffs rose."
    assert content_key(text, "m1") != content_key(text, "m2")
    assert content_key(text, "m1", route="en") != content_key(text, "m1", route="xx")
    assert content_key(text, "m1") == content_key(text, "m1", route="en")


def test_unknown_route_is_refused():
    with pytest.raises(ValueError, match="route"):
        content_key("x", "m", route="de")


def test_non_english_documents_take_the_multilingual_path(annotated):
    for doc_id in ("inv-fr", "inv-zh"):
        one = annotated.for_doc(doc_id)
        assert one.entities.empty
        assert (one.tokens.pos == "").all()
        assert (one.tokens.ent_type == "").all()
        assert (one.tokens.lemma == one.tokens.text).all()
        assert len(one.sentences) >= 2
    assert len(annotated.for_doc("inv-en").entities) > 0


def test_same_text_gets_a_different_key_and_annotation_by_route(nlp, tmp_path):
    text = "Seoul announced on Tuesday that Samsung would move chip production to Texas."
    result = annotate([DocInput("en", text, "en"), DocInput("fr", text, "fr")], cache_dir=tmp_path, nlp=nlp)
    assert result.annotated == 2
    assert set(result.entities.doc_id) == {"en"}
    keys = store_of(tmp_path, nlp).keys()
    assert keys == {content_key(text, model_key(nlp), route="en"),
                    content_key(text, model_key(load_multilingual()), route="xx")}


# --- offsets ------------------------------------------------------------------------------------


def _check_offsets(ann, docs) -> None:
    texts = {d.doc_id: d.text for d in docs}
    for row in ann.sentences.itertuples():
        assert texts[row.doc_id][row.start:row.end] == row.text
        assert row.text == row.text.strip()
    for row in ann.tokens.itertuples():
        assert texts[row.doc_id][row.start:row.start + len(row.text)] == row.text
    for row in ann.entities.itertuples():
        assert texts[row.doc_id][row.start:row.end] == row.text


def test_offsets_are_consistent_with_text(annotated, docs):
    _check_offsets(annotated, docs)


def test_tokens_and_entities_lie_in_their_sentence(annotated):
    bounds = annotated.sentences[["doc_id", "sentence_index", "start", "end"]].rename(
        columns={"start": "start_s", "end": "end_s"})
    for table in ("tokens", "entities"):
        df = getattr(annotated, table).merge(bounds, on=["doc_id", "sentence_index"], how="left")
        assert df.start_s.notna().all(), table
        assert (df.start >= df.start_s).all() and (df.start < df.end_s).all(), table


@pytest.mark.parametrize(("text", "sentences"), [
    ("Trump raised tariffs. China answered with export controls.",
     ["Trump raised tariffs.", "China answered with export controls."]),
    ("“China went for our deepest vulnerability,” one analyst remarked.\n\nThe talks ended.",
     ["“China went for our deepest vulnerability,” one analyst remarked.", "The talks ended."]),
    ("Tokyo objected.   \n\n", ["Tokyo objected."]),
])
def test_expected_sentences(nlp, tmp_path, text, sentences):
    ann = annotate([DocInput("d", text)], cache_dir=tmp_path, nlp=nlp)
    assert ann.sentences.text.tolist() == sentences
    _check_offsets(ann, [DocInput("d", text)])


def test_doc_to_rows_agrees_with_spacy_attributes(nlp):
    doc = nlp("U.S. Treasury Secretary Scott Bessent met He Lifeng in Geneva on May 12.  They agreed.")
    rows = doc_to_rows(doc, "k")
    toks = [t for t in doc if not t.is_space]
    assert [r["text"] for r in rows["tokens"]] == [t.text for t in toks]
    assert [r["lemma"] for r in rows["tokens"]] == [t.lemma_ or t.text for t in toks]
    assert [r["pos"] for r in rows["tokens"]] == [t.pos_ for t in toks]
    assert [r["is_stop"] for r in rows["tokens"]] == [t.is_stop for t in toks]
    assert [r["ent_type"] for r in rows["tokens"]] == [t.ent_type_ for t in toks]
    assert [r["i"] for r in rows["tokens"]] == [t.i for t in toks]
    assert [(r["text"], r["label"]) for r in rows["entities"]] == [(e.text, e.label_) for e in doc.ents]
    assert [r["sentence_index"] for r in rows["sentences"]] == list(range(len(list(doc.sents))))


# --- streaming ----------------------------------------------------------------------------------


@pytest.mark.parametrize("as_iterator", [False, True])
@pytest.mark.parametrize("chunk_docs", [1, 3, 100])
def test_streaming_yields_every_document_in_bounded_chunks(annotated, docs, nlp, tmp_path, chunk_docs,
                                                           as_iterator):
    source = iter(docs) if as_iterator else docs
    chunks = list(annotate_iter(source, chunk_docs=chunk_docs, cache_dir=tmp_path, nlp=nlp))
    sizes = [c.tokens.doc_id.nunique() for c in chunks]
    assert all(s <= chunk_docs for s in sizes)
    assert len(chunks) == -(-len(docs) // chunk_docs)
    assert [d for c in chunks for d in c.sentences.doc_id.unique()] == [d.doc_id for d in docs]
    for table in TABLES:
        joined = pd.concat([getattr(c, table) for c in chunks], ignore_index=True)
        pd.testing.assert_frame_equal(joined, getattr(annotated, table))


def test_streaming_from_an_iterator_annotates_chunk_by_chunk(docs, nlp, tmp_path):
    chunks = list(annotate_iter(iter(docs), chunk_docs=4, cache_dir=tmp_path, nlp=nlp))
    assert [c.annotated for c in chunks] == [4, 4]
    again = list(annotate_iter(iter(docs), chunk_docs=4, cache_dir=tmp_path, nlp=nlp))
    assert [c.annotated for c in again] == [0, 0] and [c.cached for c in again] == [4, 4]


def test_ensure_annotated_only_fills_the_cache(docs, nlp, tmp_path):
    stats = ensure_annotated(iter(docs), cache_dir=tmp_path, nlp=nlp, window_docs=3, part_docs=2)
    assert (stats.documents, stats.unique, stats.annotated, stats.cached) == (len(docs), len(docs), len(docs), 0)
    assert stats.words == sum(len(d.text.split()) for d in docs)
    assert stats.parts == len(store_of(tmp_path, nlp).parts())
    again = ensure_annotated(docs, cache_dir=tmp_path, nlp=nlp)
    assert (again.annotated, again.cached, again.parts) == (0, len(docs), 0)


def test_two_processes_give_the_same_tables(docs, annotated, nlp, tmp_path):
    many = [DocInput(f"{d.doc_id}-{i}", d.text, d.language) for i in range(4) for d in docs]
    result = annotate(many, cache_dir=tmp_path, nlp=nlp, jobs=2, batch_size=2)
    assert result.annotated == len(docs)
    one = result.tokens[result.tokens.doc_id == f"{docs[0].doc_id}-3"].drop(columns="doc_id")
    pd.testing.assert_frame_equal(one.reset_index(drop=True),
                                  annotated.for_doc(docs[0].doc_id).tokens.drop(columns="doc_id"))


@pytest.mark.parametrize("kwargs", [{"jobs": 0}, {"batch_size": 0}, {"part_docs": 0}, {"window_docs": 0}])
def test_bad_options_are_refused(nlp, tmp_path, kwargs):
    with pytest.raises(ValueError, match="at least 1"):
        ensure_annotated([DocInput("a", "Text.")], cache_dir=tmp_path, nlp=nlp, **kwargs)


def test_bad_chunk_size_is_refused(nlp, tmp_path):
    with pytest.raises(ValueError, match="chunk_docs"):
        next(annotate_iter([DocInput("a", "Text.")], chunk_docs=0, cache_dir=tmp_path, nlp=nlp))


# --- accuracy floor on gold entities ------------------------------------------------------------


def test_entity_precision_and_recall_on_gold(nlp, tmp_path):
    with GOLD.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    sentences = {r["sentence_id"]: r["sentence"] for r in rows}
    gold = {(r["sentence_id"], r["entity"], r["label"]) for r in rows}
    ann = annotate([DocInput(k, v) for k, v in sentences.items()], cache_dir=tmp_path, nlp=nlp)
    found = {(r.doc_id, r.text, r.label) for r in ann.entities.itertuples()}
    hits = len(found & gold)
    precision, recall = hits / len(found), hits / len(gold)
    assert len(gold) == 26
    assert precision >= 0.85 and recall >= 0.85, (precision, recall, sorted(found ^ gold))
