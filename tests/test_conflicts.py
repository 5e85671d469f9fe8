"""Where sources disagree: seed conflicts (dates, units) and invented ones of every kind."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.claims import CLAIM_COLUMNS, extract_claims, other_figures
from analysis.conflicts import (
    AGREEMENT_COLUMNS,
    CONFLICT_COLUMNS,
    agreements,
    claim_dates,
    dates_compatible,
    find_conflicts,
)
from analysis.timeline import extract_events


@pytest.fixture(scope="module")
def seed(seed_corpus, seed_annotations):
    docs = seed_corpus.to_frame()
    claims = extract_claims(docs, seed_annotations)
    events = extract_events(docs, seed_annotations)
    figures = other_figures(docs, seed_annotations)
    return docs, claims, events, figures


def claim(doc, imp, tgt, rate, prev=None, scope="", eff="", si=0, sentence="s"):
    return (doc, imp, tgt, float(rate), float("nan") if prev is None else float(prev), scope, eff, si, sentence)


def frame(*rows) -> pd.DataFrame:
    return pd.DataFrame(list(rows), columns=CLAIM_COLUMNS)


NO_EVENTS = pd.DataFrame(columns=["doc_id", "date", "precision", "sentence_index", "sentence"])
NO_FIGS = pd.DataFrame(columns=["doc_id", "value", "unit", "kind", "sentence_index", "sentence"])
DOCS = pd.DataFrame({"doc_id": ["a", "b", "c"], "source": ["Alpha", "Beta", "Gamma"],
                     "published": ["2025-05-13", "2025-05-20", "2025-10-01"]})


def test_seed_april_vs_may_conflict_is_found(seed):
    docs, claims, events, figures = seed
    cf = find_conflicts(claims, events, figures, docs)
    assert list(cf.columns) == CONFLICT_COLUMNS
    dates = cf[(cf["kind"] == "date") & cf["description"].str.contains("145% → 30%")]
    assert len(dates) == 1
    row = dates.iloc[0]
    assert row["doc_ids"] == "002_d4348d7a07cf95d5;004_0d6ecf79f942dfcc"
    assert "2025-05-12" in row["values"] and "2025-04" in row["values"]
    assert "in April" in row["sentences"]


def test_seed_basis_point_conflict_is_found(seed):
    docs, claims, events, figures = seed
    cf = find_conflicts(claims, events, figures, docs)
    unit = cf[cf["kind"] == "unit"]
    assert unit["doc_ids"].tolist() == ["002_d4348d7a07cf95d5"]
    assert "115 basis points" in unit.iloc[0]["description"]
    assert "1.15 percentage points" in unit.iloc[0]["description"]


def test_seed_no_spurious_kinds(seed):
    docs, claims, events, figures = seed
    cf = find_conflicts(claims, events, figures, docs)
    assert set(cf["kind"]) <= {"date", "unit"}


def test_seed_agreements(seed):
    docs, claims, _, _ = seed
    ag = agreements(claims, docs)
    assert list(ag.columns) == AGREEMENT_COLUMNS
    got = set(zip(ag["measure"], ag["rate"], strict=True))
    assert ("US tariff on CN", "145% → 30%") in got
    assert ("CN tariff on US", "125% → 10%") in got
    assert any(m.startswith("US tariff on ALL (") and "autos" in m and r == "25%" for m, r in got)


def test_claim_dates_prefers_effective_then_sentence_then_previous():
    claims = frame(claim("a", "US", "CN", 30, 145, eff="2025-05-14", si=1),
                   claim("a", "CN", "US", 10, 125, si=5, sentence="x"),
                   claim("a", "US", "JP", 25, si=9, sentence="y"))
    events = pd.DataFrame([("a", "2025-05-12", "day", 4, "On May 12 they met.")],
                          columns=["doc_id", "date", "precision", "sentence_index", "sentence"])
    got = claim_dates(claims, events, DOCS)
    assert got["date"].tolist() == ["2025-05-14", "2025-05-12", "2025-05-13"]
    assert got["date_basis"].tolist() == ["effective", "previous sentence", "published"]


def test_rate_conflict_same_previous_rate():
    claims = frame(claim("a", "US", "CN", 30, 145, eff="2025-05-14"), claim("b", "US", "CN", 34, 145, eff="2025-05-14"))
    cf = find_conflicts(claims, NO_EVENTS, NO_FIGS, DOCS)
    assert "rate" in set(cf["kind"])
    assert cf[cf["kind"] == "rate"].iloc[0]["doc_ids"] == "a;b"


def test_direction_conflict():
    claims = frame(claim("a", "US", "CN", 30, 145, eff="2025-05"), claim("b", "US", "CN", 145, 30, eff="2025-05"))
    cf = find_conflicts(claims, NO_EVENTS, NO_FIGS, DOCS)
    assert "direction" in set(cf["kind"])


def test_parties_conflict():
    claims = frame(claim("a", "US", "CN", 30, 145, eff="2025-05-14"), claim("b", "CN", "US", 30, 145, eff="2025-05-14"))
    cf = find_conflicts(claims, NO_EVENTS, NO_FIGS, DOCS)
    assert cf["kind"].tolist() == ["parties"]


def test_no_conflict_when_sources_agree_or_are_far_apart():
    agree = frame(claim("a", "US", "CN", 30, 145, eff="2025-05-14"), claim("b", "US", "CN", 30, 145, eff="2025-05"))
    assert find_conflicts(agree, NO_EVENTS, NO_FIGS, DOCS).empty
    far = frame(claim("a", "US", "JP", 25, eff="2025-04-03"), claim("c", "US", "JP", 25, eff="2025-08-01"))
    assert find_conflicts(far, NO_EVENTS, NO_FIGS, DOCS).empty
    other_scope = frame(claim("a", "US", "CN", 30, 145, scope="steel", eff="2025-05-14"),
                        claim("b", "US", "CN", 30, 145, eff="2025-04"))
    assert find_conflicts(other_scope, NO_EVENTS, NO_FIGS, DOCS).empty


def test_percentage_point_figure_matching_arithmetic_is_fine():
    claims = frame(claim("a", "US", "CN", 30, 145, si=2))
    figs = pd.DataFrame([("a", 115.0, "percentage_points", "tariff_change", 1, "cut by 115 percentage points")],
                        columns=["doc_id", "value", "unit", "kind", "sentence_index", "sentence"])
    assert find_conflicts(claims, NO_EVENTS, figs, DOCS).empty
    figs.loc[0, "unit"] = "basis_points"
    assert find_conflicts(claims, NO_EVENTS, figs, DOCS)["kind"].tolist() == ["unit"]


@pytest.mark.parametrize(("a", "b", "ok"), [
    ("2025-05-12", "2025-05", True),
    ("2025-05-12", "2025-04", False),
    ("2025-05-12", "2025-05-14", True),
    ("2025-05-12", "2025-05-20", False),
    ("2025-04", "2025-05", False),
    ("2025", "2025-11-01", True),
])
def test_dates_compatible(a, b, ok):
    assert dates_compatible(a, b) is ok


def test_agreements_need_distinct_sources():
    claims = frame(claim("a", "US", "CN", 30, 145), claim("a", "US", "CN", 30, 145))
    assert agreements(claims, DOCS).empty
    assert len(agreements(claims, DOCS, min_sources=1)) == 1


def test_bad_inputs():
    with pytest.raises(ValueError, match="lacks columns"):
        find_conflicts(pd.DataFrame({"doc_id": []}), NO_EVENTS, NO_FIGS, DOCS)
    with pytest.raises(ValueError, match="lacks columns"):
        find_conflicts(frame(), NO_EVENTS, NO_FIGS.drop(columns=["unit"]), DOCS)
    with pytest.raises(TypeError):
        agreements([], DOCS)
    with pytest.raises(ValueError):
        agreements(frame(), DOCS, min_sources=0)


# Invented: two outlets date one announced agreement differently (time zones often make it a day).
def _events(*rows) -> pd.DataFrame:
    return pd.DataFrame(list(rows), columns=["doc_id", "date", "precision", "sentence_index", "sentence"])


EMPTY_CLAIMS = frame()


def test_sources_dating_one_announced_agreement_differently():
    ev = _events(
        ("a", "2025-05-12", "day", 0, "Yesterday, the president announced a trade agreement with Ruritania and Japan."),
        ("b", "2025-05-13", "day", 3, "On May 13, the United States announced a framework deal with Japan."),
        ("c", "2025-05-12", "day", 1, "Trump announced the agreement with Japan on May 12."),
    )
    docs = DOCS.assign(published=["2025-05-13", "2025-05-14", "2025-05-15"])
    cf = find_conflicts(EMPTY_CLAIMS, ev, NO_FIGS, docs)
    rows = cf[cf["description"].str.startswith("Announcement of the agreement (JP)")]
    assert len(rows) == 1
    row = rows.iloc[0]
    assert row["kind"] == "date" and set(row["doc_ids"].split(";")) == {"a", "b", "c"}
    assert "Beta: 2025-05-13" in row["values"] and "Alpha, Gamma: 2025-05-12" in row["values"]


@pytest.mark.parametrize("other", [
    ("b", "2025-05-13", "day", 0, "On May 13, the president announced an agreement with Canada."),  # other party
    ("b", "2025-05-13", "day", 0, "On May 13, the president signed an executive order on Japan."),  # other act
    ("b", "2025-07-01", "day", 0, "On July 1, the president announced an agreement with Japan."),   # months apart
    ("a", "2025-05-13", "day", 0, "On May 13, the president announced an agreement with Japan."),   # same source
])
def test_no_event_conflict_for_different_events_or_one_source(other):
    ev = _events(("a", "2025-05-12", "day", 0, "Yesterday, the president announced an agreement with Japan."), other)
    cf = find_conflicts(EMPTY_CLAIMS, ev, NO_FIGS, DOCS)
    assert cf.empty, cf


def test_document_dates_do_not_date_a_claim():
    claims = frame(claim("a", "US", "CN", 10, sentence="The 10% duty set out in Executive Order 14000 of April 2, "
                                                         "2025 stays."))
    ev = _events(("a", "2025-04-02", "day", 0, claims.iloc[0]["sentence"])).assign(expression="April 2, 2025")
    assert claim_dates(claims, ev, DOCS).iloc[0]["date_basis"] == "published"
