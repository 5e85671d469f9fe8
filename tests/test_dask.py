"""Annotation on a Dask cluster gives the same tables as the local run."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.annotate import (
    TABLES,
    DocInput,
    annotate,
    annotate_batch,
    content_key,
    load_multilingual,
    model_key,
)

EXTRA = [
    DocInput("inv-fr", "Pékin a annoncé des contrôles à l'exportation. Tokyo a répondu lundi!", "fr"),
    DocInput("inv-en", "Seoul announced on Tuesday that Samsung would move chip production to Texas.", "en"),
]


@pytest.fixture(scope="module")
def docs(seed_corpus) -> list[DocInput]:
    return [*(DocInput(d.doc_id, d.text, d.language) for d in seed_corpus.documents), *EXTRA]


@pytest.fixture(scope="module")
def local(docs, nlp, tmp_path_factory):
    return annotate(docs, cache_dir=tmp_path_factory.mktemp("local"), nlp=nlp)


@pytest.mark.slow
def test_local_cluster_on_loopback_gives_identical_tables(docs, local, nlp, tmp_path):
    on_dask = annotate(docs, cache_dir=tmp_path, nlp=nlp, dask="local", jobs=2)
    assert on_dask.annotated == len(docs)
    for table in TABLES:
        assert len(getattr(local, table)) > 0, table
        pd.testing.assert_frame_equal(getattr(on_dask, table), getattr(local, table))
    # The parts the driver wrote are a cache like any other: a local re-run finds them all.
    again = annotate(docs, cache_dir=tmp_path, nlp=nlp)
    assert (again.annotated, again.cached) == (0, len(docs))


@pytest.mark.parametrize("route", ["en", "xx"])
def test_worker_task_matches_the_local_rows(docs, local, nlp, route):
    """The task a worker runs, called in-process, yields the rows of the local run."""
    multi = load_multilingual()
    model = model_key(nlp) if route == "en" else model_key(multi)
    picked = [d for d in docs if (d.language == "en") == (route == "en")]
    items = [(content_key(d.text, model, route=route), d.text) for d in picked]
    keys, tables, words = annotate_batch(items, model=model, route=route, batch_size=2)
    assert keys == [k for k, _ in items]
    assert words == sum(len(d.text.split()) for d in picked)
    got = tables["sentences"].to_pandas()
    ids = dict(zip((k for k, _ in items), (d.doc_id for d in picked), strict=True))
    got["doc_id"] = got.pop("key").map(ids)
    want = local.sentences[local.sentences.doc_id.isin(ids.values())]
    assert sorted(zip(got.doc_id, got.start, got.end, got.text, strict=True)) == \
        sorted(zip(want.doc_id, want.start, want.end, want.text, strict=True))


def test_worker_refuses_a_different_model():
    with pytest.raises(RuntimeError, match="same model"):
        annotate_batch([("k", "Text.")], model="en_some_other_model-9.9[ner]", route="en")


@pytest.mark.parametrize("address", ["localhost:8786", "http://10.0.0.5:8786", "cluster"])
def test_bad_scheduler_address_is_refused(nlp, tmp_path, address):
    with pytest.raises(ValueError, match="scheduler address"):
        annotate([DocInput("a", "Tariffs rose.")], cache_dir=tmp_path, nlp=nlp, dask=address)


def test_dask_is_not_used_when_everything_is_cached(docs, local, nlp, tmp_path):
    annotate(docs, cache_dir=tmp_path, nlp=nlp)
    # No cluster is started for a fully cached corpus: an unreachable address is never dialled.
    again = annotate(docs, cache_dir=tmp_path, nlp=nlp, dask="tcp://127.0.0.1:9")
    assert again.annotated == 0
