"""Exploration helpers over a run's tables."""

import pytest

from analysis import explore, tables


@pytest.fixture(scope="module")
def t(seed_tables):
    return tables.load_tables(seed_tables)


def test_kwic_finds_the_phrase_in_context(t):
    k = explore.kwic(t, "rare earth", by="source")
    assert len(k) >= 10
    assert k["match"].str.lower().str.startswith("rare earth").all()
    assert {"TradingKey", "Toutiao", "The New York Times"} <= set(k["source"])
    assert list(k["source"]) == sorted(k["source"])


def test_kwic_matches_hyphenated_and_case_variants(t):
    assert len(explore.kwic(t, "us-china")) >= len(explore.kwic(t, "US-China", case=True)) > 0


def test_kwic_rejects_an_empty_phrase(t):
    with pytest.raises(ValueError, match="phrase"):
        explore.kwic(t, "  ")


def test_sentences_about_filters_by_actor_and_topic(t):
    japan = explore.sentences_about(t, actor="Japan")
    assert len(japan) > 5 and japan["actors"].str.contains("Japan").all()
    autos = explore.sentences_about(t, actor="Japan", topic="autos")
    assert 0 < len(autos) < len(japan)
    assert explore.sentences_about(t, source="No Such Outlet").empty


def test_quotes_by_speaker_type(t):
    q = explore.quotes_by(t, speaker_type="academic")
    assert {"Zhu Feng", "Wang Yiwei"} <= set(q["speaker"])
    assert (q["speaker_type"] == "academic").all()


def test_source_explorer_is_an_interactive_selection(t):
    spec = explore.source_explorer(t).to_dict()
    params = spec.get("params") or spec["vconcat"][0]["params"]
    assert params[0]["select"]["type"] == "point"
    kinds = [c["title"]["text"] for c in spec["vconcat"][1:]]
    assert kinds == ["Quotes", "Sentences"]
    datasets = spec["datasets"]
    assert sum(len(v) for v in datasets.values()) < 5000
