"""Chart factories for tone, topics, distinctive terms and similarity."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import vl_convert

from analysis.charts import voices

SOURCE_TONE = pd.DataFrame({
    "source": ["A", "A", "B", "B"], "target": ["(all)", "China", "(all)", "China"], "documents": [2, 2, 1, 1],
    "sentences": [10, 4, 5, 1], "mean": [0.1, -0.2, 0.3, 0.5], "ci_low": [-0.1, -0.6, 0.0, np.nan],
    "ci_high": [0.3, 0.2, 0.6, np.nan],
})
SOURCE_TOPICS = pd.DataFrame({
    "source": ["A", "A", "A", "B", "B", "B"], "kind": ["aspect", "aspect", "frame"] * 2,
    "label": ["autos", "markets", "Economic"] * 2, "documents": [2] * 3 + [1] * 3,
    "documents_with": [1, 0, 2, 1, 1, 1], "sentences": [3, 0, 5, 1, 2, 4], "share": [0.25, 0.0, 0.6, 0.1, 0.2, 0.8],
})
TERMS = pd.DataFrame({
    "source": ["A"] * 4 + ["B"] * 3, "term": ["tariff", "magnet", "soybean", "chip", "magnet", "tariff", "chip"],
    "count": [9, 3, 1, 1, 8, 2, 1], "zscore": [2.5, 0.4, -0.1, -2.2, 2.1, -1.0, 0.3],
})
TOP = pd.DataFrame({"source": ["A", "A", "B"], "term": ["tariff", "magnet", "magnet"], "count": [9, 3, 8],
                    "share": [0.3, 0.1, 0.4]})
SIM = pd.DataFrame({"source_a": ["A", "A", "B", "B"], "source_b": ["A", "B", "A", "B"],
                    "cosine": [1.0, 0.34, 0.34, 1.0]})

CHARTS = {
    "tone": lambda: voices.tone_chart(SOURCE_TONE),
    "aspects": lambda: voices.topic_heatmap(SOURCE_TOPICS, "aspect"),
    "frames": lambda: voices.topic_heatmap(SOURCE_TOPICS, "frame"),
    "distinctive": lambda: voices.distinctive_terms_chart(TERMS, "A"),
    "distinctive_bars": lambda: voices.distinctive_terms_bars(TERMS, n=2),
    "top_terms": lambda: voices.top_terms_chart(TOP),
    "similarity": lambda: voices.similarity_heatmap(SIM),
}


def find_keys(spec, key: str) -> list:
    """Every value stored under ``key`` anywhere in a nested spec."""
    found = []
    if isinstance(spec, dict):
        for k, v in spec.items():
            if k == key:
                found.append(v)
            found.extend(find_keys(v, key))
    elif isinstance(spec, list):
        for v in spec:
            found.extend(find_keys(v, key))
    return found


def data_rows(spec: dict) -> int:
    return sum(len(v) for v in spec.get("datasets", {}).values())


@pytest.mark.parametrize("name", sorted(CHARTS))
def test_chart_spec_has_title_subtitle_axes_and_tooltips(name):
    spec = CHARTS[name]().to_dict()
    assert spec["title"]["text"] and spec["title"]["subtitle"].endswith(".")
    assert find_keys(spec, "tooltip"), "no tooltip encoding"
    titles = [enc.get("title") for enc in find_keys(spec, "x") + find_keys(spec, "y") if isinstance(enc, dict)
              and "field" in enc]
    assert any(titles), "no axis title"
    assert 0 < data_rows(spec) <= 100


@pytest.mark.parametrize("name", sorted(CHARTS))
def test_chart_renders_to_svg(name):
    svg = vl_convert.vegalite_to_svg(CHARTS[name]().to_json())
    assert svg.lstrip().startswith("<svg") and len(svg) > 1000


def test_tone_chart_drops_rows_without_a_mean():
    df = pd.concat([SOURCE_TONE, pd.DataFrame([{"source": "C", "target": "Japan", "documents": 1, "sentences": 0,
                                                "mean": np.nan, "ci_low": np.nan, "ci_high": np.nan}])])
    spec = voices.tone_chart(df).to_dict()
    rows = [r for v in spec["datasets"].values() for r in v if "source" in r]
    assert sorted({r["source"] for r in rows}) == ["A", "B"]
    assert "NaN" not in json.dumps(spec)


def test_topic_heatmap_keeps_only_the_kind():
    spec = voices.topic_heatmap(SOURCE_TOPICS, "frame").to_dict()
    rows = [r for v in spec["datasets"].values() for r in v]
    assert {r["label"] for r in rows} == {"Economic"}


def test_distinctive_terms_chart_labels_top_terms_and_caps_points():
    spec = voices.distinctive_terms_chart(TERMS, "A", label_top=1, max_points=3).to_dict()
    rows = [r for v in spec["datasets"].values() for r in v if "term" in r]
    assert len(rows) == 3
    assert [r["term"] for r in rows if r["label"]] == ["tariff"]
    assert {r["distinctive"] for r in rows} == {"more than others", "less than others", "not distinctive"}


@pytest.mark.parametrize(("factory", "error"), [
    (lambda: voices.topic_heatmap(SOURCE_TOPICS, "mood"), ValueError),
    (lambda: voices.tone_chart(SOURCE_TONE.drop(columns="ci_low")), ValueError),
    (lambda: voices.top_terms_chart(TOP, n=0), ValueError),
    (lambda: voices.similarity_heatmap([1, 2]), TypeError),
])
def test_bad_input_is_rejected(factory, error):
    with pytest.raises(error):
        factory()


@pytest.mark.parametrize("factory", [
    lambda e: voices.distinctive_terms_chart(TERMS, "Z", empty=e),
    lambda e: voices.similarity_heatmap(SIM.iloc[0:0], empty=e),
    lambda e: voices.similarity_heatmap(SIM[(SIM["source_a"] == "A") & (SIM["source_b"] == "A")], empty=e),
    lambda e: voices.distinctive_terms_bars(TERMS.iloc[0:0], empty=e),
    lambda e: voices.top_terms_chart(TOP.iloc[0:0], empty=e),
    lambda e: voices.tone_chart(SOURCE_TONE.iloc[0:0], empty=e),
    lambda e: voices.topic_heatmap(SOURCE_TOPICS[SOURCE_TOPICS["kind"] == "aspect"], "frame", empty=e),
], ids=["terms-unknown-source", "similarity-empty", "similarity-one-source", "terms-bars-empty",
        "top-terms-empty", "tone-empty", "frames-missing"])
def test_thin_input_gives_the_sentence_not_a_chart(factory):
    from analysis.thin import ThinData

    out = factory("Nothing to show here, because.")
    assert out == ThinData("Nothing to show here, because.")
    assert out._repr_html_() == "<p class='analysis-thin'>Nothing to show here, because.</p>"
    assert isinstance(factory(None), ThinData) and factory(None).sentence


@pytest.mark.parametrize("factory", [
    lambda: voices.tone_chart(SOURCE_TONE.head(1)),
    lambda: voices.distinctive_terms_chart(TERMS.head(1), TERMS["source"].iloc[0]),
    lambda: voices.topic_heatmap(SOURCE_TOPICS.head(1), SOURCE_TOPICS["kind"].iloc[0]),
    lambda: voices.top_terms_chart(TOP.head(1)),
    lambda: voices.distinctive_terms_bars(TERMS.head(1)),
], ids=["tone", "terms", "topics", "top-terms", "terms-bars"])
def test_one_row_inputs_still_chart(factory):
    spec = factory().to_dict()
    assert spec.get("title") or spec.get("layer")
