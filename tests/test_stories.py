"""Stories across sources: the same event groups, a different event does not join.

The corpus is ``tests/fixtures/stories_corpus`` (invented; see ``stories_corpus.README.md``):
three sources with two articles each on the Geneva talks (May 2025), the London talks a month
later (same negotiators, same vocabulary) and the Busan summit (October 2025), two articles on
an EU steel measure a week before Busan, and one op-ed.
"""

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis import stories as st
from analysis import timeline as tl
from analysis.corpus import load_corpus

FIXTURE = Path(__file__).parent / "fixtures" / "stories_corpus"


@pytest.fixture(scope="module")
def corpus():
    docs = load_corpus(FIXTURE).to_frame()
    docs["group"] = docs["source"]
    # The dates each article states, sentence by sentence (as the pipeline does), found by the
    # package's own spaCy-free date finder.
    events = pd.DataFrame(
        [(r.doc_id, m.date, m.precision) for r in docs.itertuples() for sentence in re.split(r"(?<=[.!?])\s+", r.text)
         for m in tl.find_dates(sentence, tl.parse_published(r.published))],
        columns=["doc_id", "date", "precision"])
    return docs, events


def story_of(result: st.Stories) -> dict[str, str]:
    return dict(zip(result.documents["doc_id"], result.documents["story_id"], strict=True))


def test_events_form_one_story_each(corpus):
    docs, events = corpus
    result = st.cluster_stories(docs, events=events)
    story = story_of(result)
    by_event: dict[str, set[str]] = {}
    for doc_id, sid in story.items():
        by_event.setdefault(doc_id.split("/")[0], set()).add(sid)
    assert {k: len(v) for k, v in by_event.items()} == {"geneva": 1, "london": 1, "busan": 1, "steel": 1, "other": 1}
    assert len({next(iter(v)) for v in by_event.values()}) == 5, "no two events share a story"
    s = result.stories.set_index("story_id")
    geneva = s.loc[story["geneva/hp-1"]]
    assert geneva["sources"] == "Continental Wire; Eastern Daily; Harbour Post" and geneva["documents"] == 6
    assert (geneva["first_date"], geneva["last_date"]) == ("2025-05-11", "2025-05-14")
    assert geneva["title"].startswith("Geneva") and geneva["title"].endswith("(12 May 2025)")
    busan = s.loc[story["busan/cw-1"]]
    assert "Busan" in busan["title"] and busan["main_date"] == "2025-10-30"
    assert list(result.stories.columns[:6]) == ["story_id", "title", "first_date", "last_date", "sources", "documents"]
    assert list(result.stories["story_id"]) == [f"S{i:03d}" for i in range(1, 6)]
    assert list(result.documents.columns) == ["story_id", "doc_id", "source", "similarity"]
    assert result.documents["similarity"].between(0, 1).all()


def test_a_month_apart_never_joins_even_with_the_same_words(corpus):
    """Geneva and London share negotiators and vocabulary; a month apart, they stay apart."""
    docs, events = corpus
    two = docs[docs["doc_id"].str.startswith(("geneva/", "london/"))].copy()
    story = story_of(st.cluster_stories(two, events=events))
    assert len({story[d] for d in two["doc_id"] if d.startswith("geneva/")}) == 1
    assert {story[d] for d in two["doc_id"] if d.startswith("geneva/")}.isdisjoint(
        {story[d] for d in two["doc_id"] if d.startswith("london/")})
    # Moved into the same week, the London texts still stay apart: the words differ too.
    moved = two.assign(published=np.where(two["doc_id"].str.startswith("london/"), "2025-05-12", two["published"]))
    again = story_of(st.cluster_stories(moved, events=events))
    assert {again[d] for d in two["doc_id"] if d.startswith("geneva/")}.isdisjoint(
        {again[d] for d in two["doc_id"] if d.startswith("london/")})


@pytest.mark.parametrize(("published", "joins"), [("2025-05-13", True), ("2025-06-12", False)])
def test_time_keeps_a_retold_story_apart(corpus, published, joins):
    """A copy of a Geneva article joins Geneva in the same week, and not a month later."""
    docs, _ = corpus
    geneva = docs[docs["doc_id"].str.startswith("geneva/")]
    copy = geneva[geneva["doc_id"] == "geneva/hp-2"].assign(doc_id="late/copy", source="Late Review",
                                                           group="Late Review", published=published)
    story = story_of(st.cluster_stories(pd.concat([geneva, copy], ignore_index=True)))
    assert (story["late/copy"] == story["geneva/hp-2"]) is joins


def test_time_factor():
    p = st.StoryParams(full_days=3, max_gap_days=21, undated=0.5)
    got = st.time_factor(np.array([0, 3, 12, 21, 40, np.nan]), params=p)
    assert got.tolist() == pytest.approx([1.0, 1.0, 0.5, 0.0, 0.0, 0.5])


def test_shared_facts_strengthen_but_never_make_a_link():
    docs = pd.DataFrame({
        "doc_id": ["a", "b", "c"], "source": ["X", "Y", "Z"], "published": ["2025-05-12"] * 3,
        "text": ["Negotiators agreed in Geneva to cut tariffs sharply for ninety days.",
                 "Geneva negotiators agreed a sharp tariff cut lasting ninety days.",
                 "A new bakery opened downtown, selling sourdough loaves."]})
    events = pd.DataFrame({"doc_id": ["a", "b", "c"], "date": ["2025-05-14"] * 3, "precision": "day"})
    ids = list(docs["doc_id"])
    text = st._tfidf(st.text_terms(docs), ids)
    no_facts = st.pair_similarity(text, st._tfidf(st.fact_terms(None, None), ids), np.zeros(3))
    facts = st._tfidf(st.fact_terms(events, None), ids)
    with_facts = st.pair_similarity(text, facts, np.zeros(3))
    assert with_facts[0, 1] > no_facts[0, 1] > 0
    assert with_facts[0, 2] == no_facts[0, 2] == 0.0


def test_fact_terms_keep_recent_dates_and_bilateral_rates():
    events = pd.DataFrame({"doc_id": ["a", "a", "a", "a"], "date": ["2025-05-12", "2025-05-14", "2025-04-02", "2025-05"],
                           "precision": ["day", "day", "day", "month"]})
    claims = pd.DataFrame({"doc_id": ["a", "a"], "imposer": ["US", "US"], "target": ["CN", "ALL"],
                           "rate_pct": [30.0, 10.0]})
    got = st.fact_terms(events, claims, published=pd.Series({"a": "2025-05-12"}), window_days=21)
    assert sorted(got["term"]) == ["date:2025-05-14", "rate:US>CN:30"]


def test_blind_spots_by_country(corpus):
    docs, events = corpus
    # Without the Chinese source's Busan and London coverage, CN misses two stories others covered.
    kept = docs[~docs["doc_id"].isin(["busan/ed-1", "busan/ed-2", "london/ed-1", "london/ed-2"])]
    result = st.cluster_stories(kept, events=events)
    spots = st.blind_spots(result.stories, result.documents, kept, by="country")
    assert list(spots.columns) == st.BLIND_SPOT_COLUMNS
    cn = spots[spots["group"] == "CN"]
    assert len(cn) == 3  # Busan, London, and the steel story
    assert all(c == "DE; US" for c in cn["covered_by"])
    assert set(spots["group"]) == {"CN"}


def test_blind_spots_thin_and_bad_input(corpus):
    docs, _ = corpus
    empty = st.cluster_stories(docs.iloc[0:0])
    assert empty.stories.empty and list(empty.stories.columns) == st.STORY_COLUMNS
    assert st.blind_spots(empty.stories, empty.documents, docs, by="country").empty
    with pytest.raises(ValueError, match="no column 'region'"):
        st.blind_spots(empty.stories, empty.documents, docs, by="region")


def test_one_article_and_undated():
    one = pd.DataFrame({"doc_id": ["x"], "source": ["A"], "published": [""], "text": ["Tariffs rose again."]})
    result = st.cluster_stories(one)
    assert result.stories[["story_id", "first_date", "documents", "n_sources"]].iloc[0].tolist() == ["S001", "", 1, 1]
    assert result.stories["title"].iloc[0] == "Rose, Tariffs"  # equal weights: alphabetical
    assert result.documents["similarity"].tolist() == [1.0]


def test_documents_without_counted_terms_fall_back_to_their_words():
    """Counted terms for some documents (English), none for others (e.g. Japanese): every one clusters."""
    docs = pd.DataFrame({"doc_id": ["en1", "en2", "ja1"], "source": ["A", "B", "C"],
                         "published": ["2025-05-12", "2025-05-12", "2025-05-13"],
                         "text": ["Tariffs cut in Geneva.", "Geneva tariffs cut.", "ジュネーブで関税を引き下げ"]})
    terms = pd.DataFrame({"doc_id": ["en1", "en1", "en2", "en2"], "term": ["tariff", "geneva"] * 2,
                          "count": [1, 1, 2, 1]})
    result = st.cluster_stories(docs, terms)
    assert set(result.documents["doc_id"]) == {"en1", "en2", "ja1"}
    assert np.isfinite(result.documents["similarity"].astype(float)).all()
    assert story_of(result)["en1"] == story_of(result)["en2"] != story_of(result)["ja1"]


def test_missing_column_is_named():
    with pytest.raises(ValueError, match="published"):
        st.cluster_stories(pd.DataFrame({"doc_id": ["x"], "source": ["A"]}))


def _one_story():
    docs = pd.DataFrame({
        "doc_id": ["a1", "a2", "b1"], "source": ["Alpha", "Alpha", "Beta <i>"],
        "published": ["2025-05-12", "2025-05-13", "2025-05-12"],
        "title": ["Deal cuts tariffs", "Markets cheer", "Tariffs cut in Geneva"],
        "text": ["The US cut its tariff to 30%. Markets rose.", "Stocks rallied. Traders cheered.",
                 "Washington lowered the tariff to 40% on Monday. China cut its own to 10%."]})
    members = pd.DataFrame({"story_id": "S001", "doc_id": ["a1", "a2", "b1"], "source": ["Alpha", "Alpha", "Beta <i>"],
                            "similarity": 0.5})
    stories = pd.DataFrame([("S001", "Tariff, Geneva (12 May 2025)", "2025-05-12", "2025-05-13", "Alpha; Beta <i>", 3,
                             2, "2025-05-12", "tariff; geneva")], columns=st.STORY_COLUMNS)
    claims = pd.DataFrame({"doc_id": ["a1", "b1", "b1"], "imposer": ["US", "US", "CN"], "target": ["CN", "CN", "US"],
                           "rate_pct": [30.0, 40.0, 10.0], "scope": ""})
    quotes = pd.DataFrame({"doc_id": ["a1", "a1", "b1"], "speaker": ["x", "y", "z"],
                           "speaker_type": ["government", "expert", "government"], "speaker_country": ["US", "", "CN"]})
    tone = pd.DataFrame({"doc_id": ["a1", "a2", "b1"], "target": "(all)", "sentences": 2, "mean": [0.2, 0.4, -0.3]})
    topics = pd.DataFrame({"doc_id": ["a1", "b1", "b1"], "kind": ["aspect", "aspect", "frame"],
                           "label": ["tariff rates", "markets", "Economic"], "sentences": [2, 1, 1]})
    events = pd.DataFrame({"doc_id": ["b1", "b1"], "date": ["2025-05-12", "2024-01-01"], "precision": "day"})
    return docs, members, stories, dict(claims=claims, quotes=quotes, tone=tone, topics=topics, events=events)


def test_story_sides_mark_disagreements():
    docs, members, stories, kw = _one_story()
    sides = st.story_sides("S001", stories, members, docs, **kw)
    assert list(sides.index) == st.SIDE_FIELDS and list(sides.columns) == ["Alpha", "Beta <i>"]
    a, b = sides["Alpha"], sides["Beta <i>"]
    assert a["Headline"] == "Deal cuts tariffs (+1 more)" and a["First sentence"] == "The US cut its tariff to 30%."
    assert a["Figures stated"] == "US on CN: 30% ≠" and b["Figures stated"] == "CN on US: 10%; US on CN: 40% ≠"
    assert a["Voices quoted"] == "expert 1 · government (US) 1" and b["Voices quoted"] == "government (CN) 1"
    assert a["Tone"] == "+0.30 (positive; 2 articles)" and b["Tone"].startswith("-0.30 (negative")
    assert b["Dates stated"] == "12 May 2025"  # the 2024 background date is outside the story
    assert (a["Main aspects"], b["Main frames"]) == ("tariff rates", "Economic")
    dis = st.story_disagreements("S001", members, kw["claims"])
    assert dis[["measure", "values"]].values.tolist() == [["US on CN", "Alpha: 30% | Beta <i>: 40%"]]
    assert st.story_sides("S999", stories, members, docs, **kw).empty


def test_old_and_new_rate_do_not_contradict_the_new_one():
    members = pd.DataFrame({"story_id": "S001", "doc_id": ["a", "b"], "source": ["A", "B"]})
    claims = pd.DataFrame({"doc_id": ["a", "a", "b"], "imposer": "US", "target": "CN", "rate_pct": [145.0, 30.0, 30.0]})
    assert st.story_disagreements("S001", members, claims).empty


def test_a_rate_no_other_source_mentions_is_a_disagreement():
    """One source's second article gives 40% where every other article, its own first included, gives 30%."""
    members = pd.DataFrame({"story_id": "S001", "doc_id": ["a1", "a2", "b", "c"], "source": ["A", "A", "B", "C"]})
    claims = pd.DataFrame({"doc_id": ["a1", "a2", "b", "c", "c"], "imposer": "US", "target": "CN",
                           "rate_pct": [30.0, 40.0, 30.0, 30.0, 145.0], "from_rate_pct": [145.0, None, None, None, None]})
    dis = st.story_disagreements("S001", members, claims)
    assert dis[["measure", "values", "sources"]].values.tolist() == [
        ["US on CN", "A: 30%, 40% | B: 30% | C: 30%, 145%", "A"]]


def test_an_old_rate_mentioned_by_another_source_is_no_disagreement():
    """C gives only the old 145%, which A mentions as the rate it was cut from."""
    members = pd.DataFrame({"story_id": "S001", "doc_id": ["a", "c"], "source": ["A", "C"]})
    claims = pd.DataFrame({"doc_id": ["a", "c"], "imposer": "US", "target": "CN", "rate_pct": [30.0, 145.0],
                           "from_rate_pct": [145.0, None]})
    assert st.story_disagreements("S001", members, claims).empty
    claims.loc[0, "from_rate_pct"] = None  # without the old rate A and C disagree, both ways
    assert st.story_disagreements("S001", members, claims)["sources"].tolist() == ["A; C"]


def test_one_source_alone_has_nothing_to_disagree_with():
    members = pd.DataFrame({"story_id": "S001", "doc_id": ["a1", "a2"], "source": ["A", "A"]})
    claims = pd.DataFrame({"doc_id": ["a1", "a2"], "imposer": "US", "target": "CN", "rate_pct": [30.0, 40.0]})
    assert st.story_disagreements("S001", members, claims).empty


def test_stories_list_and_html_are_escaped():
    from analysis import display

    docs, members, stories, kw = _one_story()
    listed = st.stories_list(stories)
    assert listed.values.tolist() == [["S001 Tariff, Geneva (12 May 2025)", "12–13 May 2025", "Alpha; Beta <i>", 3]]
    html = display.story_sides_html(st.story_sides("S001", stories, members, docs, **kw))
    assert "Beta &lt;i&gt;" in html and "<i>" not in html
    assert st.stories_list(stories.iloc[0:0]).empty


def test_first_sentence():
    assert st.first_sentence("“We agreed,” he said. Then more.") == "“We agreed,” he said."
    assert st.first_sentence("") == ""
    assert st.first_sentence("x" * 400, limit=10) == "xxxxxxxxx…"


@pytest.mark.slow
def test_run_tables_on_the_fixture(tmp_path):
    """The whole pipeline (spaCy terms, stated dates and claims) groups the fixture's events."""
    from analysis.tables import build_tables

    built = build_tables(load_corpus(FIXTURE), tmp_path / "data", cache_dir=tmp_path / "cache")
    for name in ("stories", "story_documents", "story_disagreements", "blind_spots", "findings"):
        assert (tmp_path / "data" / f"{name}.csv").is_file()
    s = built.tables["story_documents"]
    by_event = s.assign(event=s["doc_id"].str.split("/").str[0]).groupby("event")["story_id"].nunique()
    assert by_event.to_dict() == {"busan": 1, "geneva": 1, "london": 1, "other": 1, "steel": 1}
    assert s["story_id"].nunique() == 5
    head = pd.read_csv(tmp_path / "data" / "stories.csv", nrows=0).columns
    assert list(head[:6]) == ["story_id", "title", "first_date", "last_date", "sources", "documents"]
    geneva = built.tables["story_disagreements"]
    us = geneva[geneva["measure"] == "US on CN"]  # the invented 40% against the others' 30%
    assert us["sources"].tolist() == ["Continental Wire"]
    assert re.search(r"Continental Wire: [^|]*40%", us["values"].iloc[0])
    assert "CN on US" not in set(geneva["measure"])  # every source gives China's 10%
    f = built.tables["findings"]
    assert len(f) > 0 and not f["reported"].any()  # seven articles per source: nothing passes

    from analysis import findings
    from analysis.tables import RunTables

    t = RunTables(tmp_path / "data")
    views = st.story_views(t, max_sources=2)
    assert [len(v.sides.columns) for v in views] == [2, 2, 2, 2]
    assert "Shown: the 2 sources with most articles" in views[0].subtitle
    assert st.stories_summary(t).startswith("The 21 articles form 5 stories; 4 of them are covered by two or more")
    assert st.blind_spot_view(t, by="country").values.tolist() == [
        ["CN", "S004 " + t.stories.set_index("story_id").loc["S004", "title"], "DE; US"]]
    thin = findings.report_sentences(t)
    assert str(thin).startswith(f"None of the {len(f)} differences tested between sources, over 21 articles")
    assert "analysis-thin" in thin._repr_html_()


def test_blocks_give_the_same_stories(corpus, monkeypatch):
    docs, events = corpus
    whole = st.cluster_stories(docs, events=events).documents
    monkeypatch.setattr(st, "BLOCK_ROWS", 4)
    assert st.cluster_stories(docs, events=events).documents.equals(whole)


def test_fact_terms_with_arrow_strings_and_no_rate():
    """Claims read back from the typed store (Arrow strings) with no usable rate give no fact term."""
    claims = pd.DataFrame({"doc_id": ["a", "b"], "imposer": ["US", "CN"], "target": ["CN", "US"],
                           "rate_pct": [None, None]}).astype(
        {"doc_id": "string[pyarrow]", "imposer": "string[pyarrow]", "target": "string[pyarrow]",
         "rate_pct": "float64"})
    assert st.fact_terms(None, claims).empty
    claims.loc[0, "rate_pct"] = 30.0
    assert st.fact_terms(None, claims)["term"].tolist() == ["rate:US>CN:30"]
