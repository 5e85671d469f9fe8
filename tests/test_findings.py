"""Tested findings: real differences are reported, chance differences are not."""

import numpy as np
import pandas as pd
import pytest

from analysis import findings as fd

FAST = fd.FindingParams(n_resamples=999, n_resamples_max=9999)


def synthetic(*, shuffle: bool = False, seed: int = 7):
    """One source quotes government voices in 80% of 40 articles, two others in 20% of theirs."""
    rng = np.random.default_rng(seed)
    docs, quotes = [], []
    for source, rate in (("Gov Gazette", 0.8), ("Daily One", 0.2), ("Daily Two", 0.2)):
        n_gov = round(40 * rate)
        for i in range(40):
            doc_id = f"{source}-{i:02d}"
            docs.append((doc_id, source, "en"))
            kind = "government" if i < n_gov else "expert"
            quotes.append((doc_id, "Someone", kind, "A sentence said by someone here."))
    d = pd.DataFrame(docs, columns=["doc_id", "source", "language"])
    if shuffle:
        d["source"] = rng.permutation(d["source"].to_numpy())
    q = pd.DataFrame(quotes, columns=["doc_id", "speaker", "speaker_type", "quote"])
    return d, q


def test_government_voices_finding_is_reported():
    docs, quotes = synthetic()
    f = fd.tested_findings(docs, quotes=quotes, params=FAST)
    assert list(f.columns[:8]) == ["section", "finding", "statistic", "effect", "n", "p_value", "q_value", "reported"]
    top = f[f["reported"]]
    hit = top[(top["source"] == "Gov Gazette") & (top["subject"] == "government")]
    assert len(hit) == 1
    row = hit.iloc[0]
    assert row["value"] == pytest.approx(0.8) and row["rest_value"] == pytest.approx(0.2)
    assert row["effect"] == pytest.approx(0.6) and row["n"] == 120 and row["q_value"] < 0.001
    assert row["finding"].startswith("Gov Gazette quotes government voices in 80% of its 40 articles, against 20%")
    assert "Fisher exact test" in row["finding"]
    sentences = fd.summary_sentences(f, docs)
    assert any(s.startswith("Gov Gazette quotes government voices") for s in sentences)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_shuffled_labels_report_nothing(seed):
    docs, quotes = synthetic(shuffle=True, seed=seed)
    f = fd.tested_findings(docs, quotes=quotes, params=FAST)
    assert len(f) > 0, "candidates are still tested"
    assert not f["reported"].any()
    [sentence] = fd.summary_sentences(f, docs)
    assert sentence.startswith(f"None of the {len(f)} differences tested between sources, over 120 articles")


def test_one_article_per_source_says_so():
    docs = pd.DataFrame({"doc_id": ["a", "b", "c"], "source": ["A", "B", "C"], "language": "en"})
    quotes = pd.DataFrame({"doc_id": ["a", "b"], "speaker": "x", "speaker_type": ["government", "expert"]})
    f = fd.tested_findings(docs, quotes=quotes, params=FAST)
    assert f.empty
    assert fd.summary_sentences(f, docs) == [
        "With one article per source, no difference between sources can be told from chance."]


@pytest.mark.parametrize("docs", [
    pd.DataFrame(columns=["doc_id", "source"]),
    pd.DataFrame({"doc_id": ["a"], "source": ["A"]}),
])
def test_thin_inputs(docs):
    f = fd.tested_findings(docs, quotes=pd.DataFrame(columns=["doc_id", "speaker_type"]), params=FAST)
    assert f.empty and list(f.columns) == fd.FINDING_COLUMNS
    [sentence] = fd.summary_sentences(f, docs)
    assert "no difference between sources to test" in sentence


def test_missing_column_is_named():
    with pytest.raises(ValueError, match="group"):
        fd.tested_findings(pd.DataFrame({"doc_id": ["a"]}))


def test_tone_is_tested_over_articles():
    """Many negative sentences in few articles are not many observations: n counts articles."""
    rng = np.random.default_rng(0)
    rows, docs = [], []
    for source, mu in (("Sour", -0.4), ("Sweet", 0.3), ("Plain", 0.3)):
        for i in range(15):
            doc_id = f"{source}-{i}"
            docs.append((doc_id, source))
            rows.append((doc_id, "China", 30, float(np.clip(rng.normal(mu, 0.15), -1, 1))))
    tone = pd.DataFrame(rows, columns=["doc_id", "target", "sentences", "mean"])
    f = fd.tested_findings(pd.DataFrame(docs, columns=["doc_id", "source"]), tone=tone, params=FAST)
    sour = f[(f["source"] == "Sour") & f["reported"]]
    assert len(sour) == 1 and sour.iloc[0]["n"] == 45 and sour.iloc[0]["effect"] < -0.5
    assert "less positive" not in sour.iloc[0]["finding"]
    assert "more negative" in sour.iloc[0]["finding"] and "permutation test over articles" in sour.iloc[0]["finding"]
    # A clear difference gets the second, longer pass: its p is below what 999 permutations can give.
    assert sour.iloc[0]["p_value"] < 1 / 1000


def test_topics_actors_and_figures_are_candidates():
    docs = pd.DataFrame({"doc_id": [f"d{i}" for i in range(12)], "source": ["A"] * 6 + ["B"] * 6})
    ids = list(docs["doc_id"])
    topics = pd.DataFrame({"doc_id": ids[:6], "kind": "aspect", "label": "rare earths", "sentences": 2})
    actors = pd.DataFrame({"doc_id": ids[:6] + ids[6:7], "actor": "He Lifeng", "mentions": 1})
    claims = pd.DataFrame({"doc_id": ids[6:], "imposer": "US", "target": "CN", "rate_pct": 30.0})
    f = fd.tested_findings(docs, topics=topics, actors=actors, claims=claims, params=FAST)
    assert set(f["section"]) == {"aspects and frames", "actor presence", "stated figures"}
    fig = f[(f["section"] == "stated figures") & (f["source"] == "B")].iloc[0]
    assert fig["finding"].startswith("B states the 30% rate of US on CN in 100% of its 6 articles, against 0%")
    # 6 of 6 against 0 of 6: Fisher p = 0.002, still significant after adjusting the candidates.
    assert fig["p_value"] == pytest.approx(0.002165, abs=1e-5) and fig["reported"]


def test_at_most_eight_are_reported():
    docs = pd.DataFrame({"doc_id": [f"d{i}" for i in range(40)], "source": ["A"] * 20 + ["B"] * 20})
    topics = pd.DataFrame([(f"d{i}", "aspect", f"topic {k}", 1) for k in range(12) for i in range(20)],
                          columns=["doc_id", "kind", "label", "sentences"])
    f = fd.tested_findings(docs, topics=topics, params=FAST)
    assert (f["q_value"] < 0.05).sum() > 8 and f["reported"].sum() == 8


def test_known_actors_only():
    docs = pd.DataFrame({"doc_id": [f"d{i}" for i in range(12)], "source": ["A"] * 6 + ["B"] * 6})
    actors = pd.DataFrame({"doc_id": list(docs["doc_id"][:6]) * 2, "actor": ["Sec"] * 6 + ["China"] * 6})
    f = fd.tested_findings(docs, actors=actors, known_actors={"China"}, params=FAST)
    assert set(f["subject"]) == {"China"}


def test_findings_html():
    from analysis import display
    from analysis.thin import ThinData

    html = display.findings_html(["A <b> quotes more", "B names China"], note_text="How.")
    assert html.count("<tr>") == 2 and "A &lt;b&gt; quotes more" in html and "<p class='finding-note'>How.</p>" in html
    thin = display.findings_html(ThinData("With one article per source, no difference between sources can be told from chance."))
    assert thin.startswith("<p class='analysis-thin'>With one article per source")
