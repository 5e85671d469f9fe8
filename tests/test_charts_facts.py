"""Charts of facts: timeline and claims, aggregated, titled, with tooltips."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.charts.facts import claims_data, claims_table_chart, timeline_chart, timeline_data
from analysis.claims import extract_claims
from analysis.timeline import extract_events


@pytest.fixture(scope="module")
def seed(seed_corpus, seed_annotations):
    docs = seed_corpus.to_frame()
    return docs, extract_events(docs, seed_annotations), extract_claims(docs, seed_annotations)


def _spec(chart) -> dict:
    spec = chart.to_dict()
    data = next(iter(spec["datasets"].values()))
    return spec, data


def test_timeline_chart(seed):
    docs, events, _ = seed
    spec, data = _spec(timeline_chart(events, docs))
    assert spec["title"]["text"] and spec["title"]["subtitle"]
    enc = spec["encoding"]
    assert enc["x"]["title"] == "Date mentioned" and enc["y"]["title"] == "Source"
    assert "sentence" in {t["field"] for t in enc["tooltip"]}
    assert len(data) < len(events)  # aggregated: one mark per source and date
    assert {d["source"] for d in data} == set(docs["source"])
    # "April" is mentioned by four sources.
    april = [d for d in data if d["date"] == "2025-04"]
    assert {d["n_sources"] for d in april} == {4}


def test_timeline_data_limits_sources(seed):
    docs, events, _ = seed
    assert timeline_data(events, docs, max_sources=2)["source"].nunique() == 2
    assert "year" not in set(timeline_data(events, docs)["precision"])


def test_claims_table_chart(seed):
    docs, _, claims = seed
    spec, data = _spec(claims_table_chart(claims, docs))
    assert spec["title"]["subtitle"]
    assert spec["encoding"]["x"]["title"] == "Tariff rate (%)"
    assert "sentence" in {t["field"] for t in spec["encoding"]["tooltip"]}
    changes = {(d["measure"], d["change"]) for d in data}
    assert ("US → CN", "145% → 30%") in changes


def test_empty_inputs_give_empty_charts():
    docs = pd.DataFrame({"doc_id": [], "source": []})
    ev = pd.DataFrame(columns=["doc_id", "date", "precision", "sentence_index", "sentence", "expression"])
    assert timeline_data(ev, docs).empty
    cl = pd.DataFrame(columns=["doc_id", "imposer", "target", "rate_pct", "from_rate_pct", "scope", "effective",
                               "sentence_index", "sentence"])
    assert claims_data(cl, docs).empty


def test_bad_inputs():
    with pytest.raises(ValueError, match="lacks columns"):
        timeline_chart(pd.DataFrame({"doc_id": ["a"]}), pd.DataFrame({"doc_id": ["a"]}))
    with pytest.raises(ValueError, match="lacks columns"):
        claims_table_chart(pd.DataFrame({"doc_id": ["a"]}), pd.DataFrame({"doc_id": ["a"]}))
