"""Aspect and frame lexicons: matching rules, tables, gold precision/recall and the seed corpus."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from analysis.annotate import Annotations, DocInput, annotate
from analysis.topics import (
    KINDS,
    SOURCE_TOPIC_COLUMNS,
    TOPIC_COLUMNS,
    load_lexicon,
    parse_lexicon,
    parse_phrase,
    sentence_topics,
    singular,
    source_topics,
    topic_table,
)

FIXTURES = Path(__file__).parent / "fixtures"
RE = "rare earths and critical minerals"
CH = "chips and technology controls"

ASPECTS = ["tariff rates", RE, CH, "autos", "agriculture", "military and security", "alliances and diplomacy",
           "negotiations", "domestic politics", "supply chains", "markets"]
FRAMES = ["Economic", "Capacity and resources", "Morality", "Fairness and equality",
          "Legality, constitutionality and jurisprudence", "Policy prescription and evaluation",
          "Crime and punishment", "Security and defense", "Health and safety", "Quality of life",
          "Cultural identity", "Public opinion", "Political", "External regulation and reputation", "Other"]




@pytest.fixture(scope="session")
def snippets(tmp_path_factory):
    """Annotate short texts, one document each."""
    cache = tmp_path_factory.getbasetemp() / "snippet_annotations"

    def run(texts: list[str]) -> tuple[pd.DataFrame, Annotations]:
        ids = [f"s{i:03d}" for i in range(len(texts))]
        ann = annotate([DocInput(i, t, "en") for i, t in zip(ids, texts, strict=True)], cache_dir=cache)
        return pd.DataFrame({"doc_id": ids, "language": "en", "source": "x"}), ann

    return run


def labels_of(run, text: str, kind: str) -> set[str]:
    docs, ann = run([text])
    st = sentence_topics(ann, docs)
    return set(st.loc[st["kind"] == kind, "label"])


# --- lexicon files -------------------------------------------------------------------------------------

def test_packaged_lexicons_have_the_documented_labels():
    assert load_lexicon("aspect").names == ASPECTS
    assert load_lexicon("frame").names == FRAMES
    assert load_lexicon("frame").fallback == "Other"
    text = (Path(__file__).parents[1] / "src/analysis/lexicons/frames.yaml").read_text(encoding="utf-8")
    assert "lexicon approximation, not a trained" in text.lower()


@pytest.mark.parametrize(("word", "expected"), [
    ("earths", "earth"), ("tariffs", "tariff"), ("duties", "duty"), ("batches", "batch"), ("boxes", "box"),
    ("loss", "loss"), ("crisis", "crisis"), ("us", "us"), ("chip", "chip"),
])
def test_singular(word, expected):
    assert singular(word) == expected


def test_parse_phrase_splits_hyphens_and_reads_operators():
    p = parse_phrase("Rare-Earth magnet")
    assert [sorted(w.forms) for w in p.words] == [["rare"], ["earth"], ["magnet"]]
    assert parse_phrase("=markets").words[0].exact
    assert parse_phrase("semiconduct*").words[0].prefix
    with pytest.raises(ValueError, match="no words"):
        parse_phrase(" - / ")


LEX = parse_lexicon({"kind": "aspect", "fallback": "none", "labels": {
    "minerals": {"terms": ["rare earth", "gallium"]},
    "military": {"terms": ["war", "troop"], "exclude": ["trade war"]},
    "markets": {"terms": ["=markets", "stock*"]},
    "none": {"terms": []},
}})


@pytest.mark.parametrize(("tokens", "expected"), [
    ([("rare", "rare"), ("earths", "earth")], {"minerals": ["rare earth"]}),
    ([("the", "the"), ("trade", "trade"), ("war", "war")], {"none": []}),
    ([("trade", "trade"), ("war", "war"), ("and", "and"), ("a", "a"), ("war", "war")], {"military": ["war"]}),
    ([("troops", "troop"), ("gallium", "gallium")], {"military": ["troop"], "minerals": ["gallium"]}),
    ([("markets", "market")], {"markets": ["=markets"]}),
    ([("market", "market")], {"none": []}),
    ([("stockpiles", "stockpile")], {"markets": ["stock*"]}),
    ([("rare", "rare")], {"none": []}),
])
def test_lexicon_match_on_hand_tokens(tokens, expected):
    assert LEX.match(tokens) == expected


@pytest.mark.parametrize("bad", [
    {"labels": {"a": {"terms": ["x"]}}},                 # no kind
    {"kind": "aspect", "labels": ["a", "b"]},            # labels not a mapping
    {"kind": "aspect", "labels": {"a": {"terms": []}}},  # label without terms
    {"kind": "aspect", "labels": {"a": "tariff"}},       # label not a mapping
])
def test_parse_lexicon_rejects_bad_input(bad):
    with pytest.raises(ValueError):
        parse_lexicon(bad)


def test_load_lexicon_from_path_and_missing(tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text("kind: aspect\nlabels:\n  shipping:\n    terms: [container ship, freight rate]\n")
    assert load_lexicon(path).names == ["shipping"]
    with pytest.raises(FileNotFoundError):
        load_lexicon(tmp_path / "nope.yaml")


# --- spaCy-backed matching on sentences -----------------------------------------------------------------

@pytest.mark.parametrize(("text", "expected"), [
    # real sentences of the seeds
    ("As early as April 2025, China implemented export controls on various rare earth minerals.", {RE}),
    ("The countries are looking to offset costs associated with Trump’s steep tariffs on automobile imports.",
     {"tariff rates", "autos"}),
    ("Meanwhile, China’s boycott of US soybean purchases has severely impacted American farmers.", {"agriculture"}),
    ("Domestically, American politics are in disarray, marked by a government shutdown.", {"domestic politics"}),
    # invented sentences of the same kinds
    ("Exporters of rare-earth magnets now need a licence from Beijing.", {RE}),
    ("Rare Earths prices spiked.", {RE, "markets"}),
    ("The trade war has rattled investors.", {"markets"}),
    ("Troops were sent after the war began.", {"military and security"}),
    ("Chipmakers face new curbs on advanced semiconductors.", {CH}),
    ("The weather was pleasant on Sunday.", set()),
])
def test_aspects_of_sentences(snippets, text, expected):
    assert labels_of(snippets, text, "aspect") == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("The weather was pleasant on Sunday.", {"Other"}),
    ("The court ruled the levies unlawful.", {"Legality, constitutionality and jurisprudence"}),
    ("Polls show most voters oppose them.", {"Public opinion"}),
])
def test_frames_of_sentences(snippets, text, expected):
    assert labels_of(snippets, text, "frame") == expected


def test_gold_precision_recall(snippets):
    """Micro precision/recall of sentence labels against hand-labelled seed and invented sentences."""
    gold = pd.read_csv(FIXTURES / "topics_gold.csv", keep_default_na=False)
    assert set(gold["kind"]) == set(KINDS) and len(gold) >= 70
    docs, ann = snippets(gold["text"].tolist())
    st = sentence_topics(ann, docs)
    scores = {}
    for kind in KINDS:
        tp = fp = fn = 0
        for doc_id, row in zip(docs["doc_id"], gold.itertuples(), strict=True):
            if row.kind != kind:
                continue
            expected = {x for x in row.labels.split("; ") if x}
            got = set(st.loc[(st["doc_id"] == doc_id) & (st["kind"] == kind), "label"])
            tp, fp, fn = tp + len(expected & got), fp + len(got - expected), fn + len(expected - got)
        scores[kind] = (tp / (tp + fp), tp / (tp + fn))
    assert scores["aspect"][0] >= 0.85 and scores["aspect"][1] >= 0.85, scores
    assert scores["frame"][0] >= 0.75 and scores["frame"][1] >= 0.85, scores


# --- tables -----------------------------------------------------------------------------------------------

def test_topic_table_counts_and_shares(snippets):
    docs, ann = snippets(["China restricted rare earth exports. Tariffs rose again. The weather was fine."])
    tt = topic_table(ann, docs)
    assert list(tt.columns) == TOPIC_COLUMNS
    assert len(tt) == len(ASPECTS) + len(FRAMES)
    assert list(tt["kind"].unique()) == ["aspect", "frame"]
    row = tt.set_index(["kind", "label"])
    assert row.loc[("aspect", RE), "sentences"] == 1
    assert row.loc[("aspect", RE), "share"] == pytest.approx(0.3333)
    assert row.loc[("aspect", "tariff rates"), "sentences"] == 1
    assert row.loc[("aspect", "autos"), "share"] == 0.0


def test_topic_table_skips_non_english(snippets):
    docs, ann = snippets(["Rare earth exports fell."])
    assert topic_table(ann, docs.assign(language="zh")).empty


def test_source_topics_by_hand():
    topic_df = pd.DataFrame({
        "doc_id": ["a", "a", "b", "b", "c", "c"], "kind": ["aspect"] * 6,
        "label": ["autos", "markets"] * 3, "share": [0.5, 0.0, 0.25, 0.1, 1.0, 0.0],
        "sentences": [2, 0, 1, 1, 3, 0],
    })
    docs = pd.DataFrame({"doc_id": ["a", "b", "c"], "source": ["S1", "S1", "S2"]})
    out = source_topics(topic_df, docs)
    assert list(out.columns) == SOURCE_TOPIC_COLUMNS
    expected = pd.DataFrame({
        "source": ["S1", "S1", "S2", "S2"], "kind": ["aspect"] * 4, "label": ["autos", "markets"] * 2,
        "documents": [2, 2, 1, 1], "documents_with": [2, 1, 1, 0], "sentences": [3, 1, 3, 0],
        "share": [0.375, 0.05, 1.0, 0.0],
    })
    pd.testing.assert_frame_equal(out, expected, check_dtype=False)


def test_source_topics_rejects_missing_columns():
    with pytest.raises(ValueError, match="lacks columns"):
        source_topics(pd.DataFrame({"doc_id": ["a"]}), pd.DataFrame({"doc_id": ["a"], "source": ["x"]}))


# --- the seed corpus -----------------------------------------------------------------------------------

def _share(tt: pd.DataFrame, prefix: str, kind: str, label: str) -> float:
    row = tt[tt["doc_id"].str.startswith(prefix) & (tt["kind"] == kind) & (tt["label"] == label)]
    assert len(row) == 1
    return float(row["share"].iloc[0])


def test_seed_topics(seed):
    docs, ann = seed
    tt = topic_table(ann, docs)
    assert _share(tt, "002", "aspect", RE) > _share(tt, "002", "aspect", "autos")
    assert _share(tt, "002", "aspect", RE) >= 0.5
    assert _share(tt, "001", "aspect", "autos") > 0
    assert _share(tt, "001", "aspect", "alliances and diplomacy") > 0
    assert _share(tt, "001", "aspect", "military and security") > 0
    assert _share(tt, "003", "aspect", "alliances and diplomacy") > _share(tt, "003", "aspect", RE)
    assert _share(tt, "004", "aspect", "agriculture") > 0
    assert tt["share"].between(0, 1).all()
    st = source_topics(tt, docs)
    assert set(st["source"]) == set(docs["source"])
    assert (st["documents"] == 1).all()


def test_seed_topics_are_byte_identical(seed, tmp_path):
    docs, ann = seed
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    topic_table(ann, docs).to_csv(a, index=False)
    topic_table(ann, docs).to_csv(b, index=False)
    assert a.read_bytes() == b.read_bytes()
