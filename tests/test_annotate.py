"""The annotation stage: cache hits and misses, routes, offsets, streaming and the store."""

from __future__ import annotations

import csv
import itertools
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from analysis.annotate import (
    PIECE_CHARS,
    TABLES,
    AnnotationStore,
    DocInput,
    _char_batched,
    annotate,
    annotate_batch,
    annotate_iter,
    content_key,
    doc_to_rows,
    ensure_annotated,
    is_english,
    load_multilingual,
    model_key,
    route_of,
    split_text,
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


# --- long documents in pieces ------------------------------------------------------------------

PARAGRAPHS = [
    "Washington raised tariffs on Chinese steel to 50 percent. Beijing called the move unilateral.",
    "The Commerce Ministry in Beijing announced export controls on gallium. Officials in Tokyo "
    "said they would study the rules.",
    "Treasury Secretary Scott Bessent met He Lifeng in Geneva. Both sides agreed to pause the "
    "increases for ninety days.",
    "Soybean farmers in Iowa lost their largest buyer. Prices fell for a third straight week.",
    "The European Union asked both governments to return to talks. Brussels warned of spillover.",
]


def long_text(n: int) -> str:
    """Paragraphs of known sentences, separated by blank lines."""
    return "\n\n".join(PARAGRAPHS[i % len(PARAGRAPHS)] for i in range(n))


def _pieces_of(text: str, limit: int) -> list[str]:
    return [text[a:b] for a, b in split_text(text, limit=limit)]


@pytest.mark.parametrize("limit", [150, 400, 1000])
def test_long_text_is_cut_only_at_paragraph_breaks(limit):
    text = long_text(40)
    spans = split_text(text, limit=limit)
    assert len(spans) > 1
    assert all(b - a <= limit for a, b in spans)
    assert spans[0][0] == 0 and spans[-1][1] == len(text)
    for (_, end), (start, _) in itertools.pairwise(spans):
        assert text[end:start] == "\n\n"  # the gap between two pieces is exactly one paragraph break
    assert [p for piece in _pieces_of(text, limit) for p in piece.split("\n\n")] == text.split("\n\n")


def test_short_text_is_one_piece():
    text = long_text(3)
    assert split_text(text, limit=len(text)) == [(0, len(text))]
    assert split_text("", limit=10) == [(0, 0)]


def test_paragraph_longer_than_the_limit_is_cut_at_sentence_ends():
    sentences = [f"Round {i} of the talks ended without a deal." for i in range(30)]
    text = "Opening remarks.\n\n" + " ".join(sentences)
    pieces = _pieces_of(text, 200)
    assert all(len(p) <= 200 for p in pieces)
    # A paragraph break so early that it would leave a tiny piece is passed over for a sentence end.
    assert pieces[0].startswith("Opening remarks.\n\nRound 0 ")
    assert all(p.endswith("of the talks ended without a deal.") for p in pieces)
    assert " ".join(pieces) == text


def test_text_without_sentence_ends_is_cut_at_whitespace_then_anywhere():
    words = " ".join(f"tariff{i}" for i in range(100))
    pieces = _pieces_of(words, 120)
    assert all(len(p) <= 120 for p in pieces)
    assert " ".join(pieces) == words
    blob = "x" * 1050
    assert [len(p) for p in _pieces_of(blob, 500)] == [500, 500, 50]


def test_cjk_text_without_spaces_is_cut_at_sentence_ends():
    sentences = [f"中国宣布对稀土实施出口管制第{i}次。" for i in range(60)]
    text = "".join(sentences)
    pieces = _pieces_of(text, 100)
    assert all(len(p) <= 100 for p in pieces)
    assert all(p.endswith("。") for p in pieces)
    assert "".join(pieces) == text


def test_bad_piece_limit_is_refused(nlp, tmp_path):
    with pytest.raises(ValueError, match="at least 1"):
        split_text("Text.", limit=0)
    with pytest.raises(ValueError, match="at least 1"):
        ensure_annotated([DocInput("a", "Text.")], cache_dir=tmp_path, nlp=nlp, piece_chars=0)


def test_spacy_batches_are_bounded_by_characters():
    texts = [("a" * n, i) for i, n in enumerate([30, 30, 30, 80, 10, 10, 10, 10, 10, 200, 5])]
    stream = list(_char_batched(texts, batch_size=4, batch_chars=100))
    batches = [stream[i:i + 4] for i in range(0, len(stream), 4)]
    assert [t for t, piece in stream if piece is not None] == [t for t, _ in texts]
    for batch in batches:
        real = [t for t, piece in batch if piece is not None]
        assert real
        assert sum(map(len, real)) <= 100 or len(real) == 1
    assert [[piece for _, piece in b if piece is not None] for b in batches] == \
        [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9], [10]]


def test_parts_are_bounded_by_characters(nlp, tmp_path, monkeypatch):
    import analysis.annotate as annotate_module

    monkeypatch.setattr(annotate_module, "PART_CHARS", 600)
    docs = [DocInput(f"d{i}", long_text(3 + i)) for i in range(4)]  # 334 to 612 characters each
    stats = ensure_annotated(docs, cache_dir=tmp_path, nlp=nlp)
    assert (stats.annotated, stats.parts) == (4, 2)
    assert len(store_of(tmp_path, nlp).parts()) == 2


@pytest.fixture(scope="module")
def long_docs() -> list[DocInput]:
    zh = "".join(f"中国宣布对稀土实施出口管制第{i}次。日本表示关切！" for i in range(40))
    return [
        DocInput("long-en", long_text(30), "en"),
        DocInput("long-zh", zh, "zh"),
        DocInput("short-en", PARAGRAPHS[0], "en"),
    ]


@pytest.fixture(scope="module")
def pieced(long_docs, nlp, tmp_path_factory):
    return annotate(long_docs, cache_dir=tmp_path_factory.mktemp("pieced"), nlp=nlp, piece_chars=400,
                    batch_chars=1000)


def test_long_documents_are_stitched_into_one_documents_rows(pieced, long_docs):
    assert len(split_text(long_docs[0].text, limit=400)) > 5
    assert len(split_text(long_docs[1].text, limit=400)) > 2
    _check_offsets(pieced, long_docs)
    for doc in long_docs:
        one = pieced.for_doc(doc.doc_id)
        assert one.sentences.sentence_index.tolist() == list(range(len(one.sentences)))
        assert one.sentences.start.is_monotonic_increasing
        assert one.tokens.i.is_unique and one.tokens.i.is_monotonic_increasing
        assert one.tokens.start.is_monotonic_increasing
        assert set(one.tokens.sentence_index) == set(one.sentences.sentence_index)
    en = pieced.for_doc("long-en")
    spans = split_text(long_docs[0].text, limit=400)
    piece_of = [next(j for j, (a, b) in enumerate(spans) if a <= r.start and r.end <= b)
                for r in en.sentences.itertuples()]  # StopIteration if a sentence crossed a cut
    assert sorted(set(piece_of)) == list(range(len(spans)))
    assert {b for _, b in spans} <= set(en.sentences.end)  # every piece ends a sentence
    assert {"Beijing", "Tokyo", "Geneva", "Iowa"} <= set(en.entities.text)
    zh = pieced.for_doc("long-zh")
    assert len(zh.sentences) == 80
    assert zh.sentences.text.iloc[-1] == "日本表示关切！"


def test_pieces_give_the_tokens_and_entities_of_the_whole_document(pieced, long_docs, nlp, tmp_path):
    whole = annotate(long_docs, cache_dir=tmp_path, nlp=nlp, piece_chars=10**6)
    assert whole.annotated == len(long_docs)
    cols = {"tokens": ["doc_id", "start", "text", "lemma", "pos", "ent_type"],
            "entities": ["doc_id", "start", "end", "label", "text"]}
    for table, columns in cols.items():
        pd.testing.assert_frame_equal(getattr(pieced, table)[columns], getattr(whole, table)[columns])
    # A cut ends a sentence; otherwise the pieces keep the whole document's sentence ends.
    for doc in long_docs:
        cuts = {b for _, b in split_text(doc.text, limit=400)}
        ends = set(pieced.for_doc(doc.doc_id).sentences.end)
        whole_ends = set(whole.for_doc(doc.doc_id).sentences.end)
        assert whole_ends <= ends <= whole_ends | cuts


def test_long_documents_are_keyed_with_the_piece_limit(long_docs, nlp, tmp_path):
    en, zh, short = long_docs
    model, multi = model_key(nlp), model_key(load_multilingual())
    annotate(long_docs, cache_dir=tmp_path, nlp=nlp, piece_chars=400)
    assert store_of(tmp_path, nlp).keys() == {
        content_key(en.text, model, piece_chars=400),
        content_key(zh.text, multi, route="xx", piece_chars=400),
        content_key(short.text, model),  # under the limit: the key it always had
    }
    assert content_key(en.text, model, piece_chars=400) != content_key(en.text, model)
    assert content_key(short.text, model, piece_chars=PIECE_CHARS) == content_key(short.text, model)
    again = annotate(long_docs, cache_dir=tmp_path, nlp=nlp, piece_chars=500)
    assert (again.annotated, again.cached) == (2, 1)  # a new limit re-annotates only the long documents


def test_worker_task_gives_the_local_rows_of_long_documents(pieced, long_docs, nlp):
    routes = {"en": model_key(nlp), "xx": model_key(load_multilingual())}
    for route, model in routes.items():
        picked = [d for d in long_docs if route_of(d.language) == route]
        items = [(content_key(d.text, model, route=route, piece_chars=400), d.text) for d in picked]
        keys, tables, words = annotate_batch(items, model=model, route=route, batch_size=4, piece_chars=400,
                                             batch_chars=1000)
        assert keys == [k for k, _ in items]
        assert words == sum(len(d.text.split()) for d in picked)
        ids = dict(zip(keys, (d.doc_id for d in picked), strict=True))
        for table in TABLES:
            got = tables[table].to_pandas()
            got.insert(0, "doc_id", got.pop("key").map(ids))
            want = getattr(pieced, table)
            want = want[want.doc_id.isin(ids.values())].reset_index(drop=True)
            got = got.sort_values(by=list(want.columns[:3]), kind="stable").reset_index(drop=True)
            pd.testing.assert_frame_equal(got, want, check_dtype=False)


@pytest.mark.slow
def test_two_processes_stitch_long_documents_alike(pieced, long_docs, nlp, tmp_path):
    many = [*long_docs, *(DocInput(f"extra-{i}", f"{PARAGRAPHS[i % 5]} Round {i}.") for i in range(12))]
    result = annotate(many, cache_dir=tmp_path, nlp=nlp, jobs=2, batch_size=2, piece_chars=400,
                      batch_chars=1000)
    ids = [d.doc_id for d in long_docs]
    for table in TABLES:
        got = getattr(result, table)
        pd.testing.assert_frame_equal(got[got.doc_id.isin(ids)].reset_index(drop=True), getattr(pieced, table))


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
