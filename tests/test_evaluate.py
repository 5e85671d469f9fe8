"""make eval: seed labels in the scorer's shape, scoring, and the accuracy page."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from analysis import config
from analysis.evaluate import (
    _fingerprint,
    accuracy_markdown,
    keep_sections,
    remaining_errors,
    run_scorer,
    seed_gold,
    summary_rows,
)

FIXTURES = Path(__file__).parent / "fixtures"
SCORER = config.PROJECT_ROOT.parent / "shared" / "devset" / "score.py"


def test_fingerprint_is_unique_and_verbatim():
    a = "One two three four five six seven eight nine ten eleven twelve."
    b = "One two three four five six seven eight and something else entirely different here."
    fp = _fingerprint(a, [b], words=8)
    assert fp in a and fp not in b and len(fp.split()) == 8


def test_seed_gold_has_the_scorers_shape():
    gold = seed_gold(FIXTURES, config.RAW_DIR)
    assert len(gold["docs"]) == len(list(config.RAW_DIR.glob("*.txt")))
    raws = {p.stem: p.read_text(encoding="utf-8") for p in config.RAW_DIR.glob("*.txt")}
    for d in gold["docs"]:
        assert d["fingerprint"] in raws[d["seed"]]
        assert sum(d["fingerprint"] in r for r in raws.values()) == 1
        assert all(set(c) >= {"imposer", "target", "rate_pct", "from_rate_pct"} for c in d["claims"])
        assert all(len(q["text"].split()) >= 6 for q in d["quotes"])
    with open(FIXTURES / "claims_gold.csv", encoding="utf-8") as f:
        n_claims = sum(1 for _ in csv.DictReader(f))
    assert sum(len(d["claims"]) for d in gold["docs"]) == n_claims


def test_seed_gold_rejects_missing_tables(tmp_path):
    with pytest.raises(ValueError, match="missing or empty gold tables"):
        seed_gold(tmp_path, config.RAW_DIR)
    with pytest.raises(ValueError, match="no seed"):
        seed_gold(FIXTURES, tmp_path)


def test_summary_rows_and_page():
    scores = {"quote_recall": {"hit": 9, "of": 10, "rate": 0.9}, "quote_precision": {"hit": 9, "of": 9, "rate": 1.0},
              "event_recall": {"hit": 3, "of": 4, "rate": 0.75}, "claim_recall": {"hit": 0, "of": 0, "rate": None}}
    rows = summary_rows(scores)
    assert rows[0] == ("quotes (with speaker)", "1.00 (9/9)", "0.90 (9/10)", "0.95")
    assert ("event dates", "—", "0.75 (3/4)", "—") in rows and all(r[0] != "tariff claims" for r in rows)
    page = accuracy_markdown({"Dev": scores}, {"Dev": {"quotes": ["a: quote not found"], "claims": []}},
                             when="2026-01-01")
    assert "## Dev" in page and "| quotes (with speaker) | 1.00 (9/9) | 0.90 (9/10) | 0.95 |" in page
    assert "a: quote not found" in page and "2026-01-01" in page


def _write(path: Path, rows: list[dict]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)


@pytest.fixture
def tiny(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("Officials said the unique marker phrase appears here today.", encoding="utf-8")
    data = tmp_path / "data"
    data.mkdir()
    _write(data / "documents.csv", [{"doc_id": "a", "path": "a.txt", "text": "x", "language": "en"}])
    _write(data / "quotes.csv", [{"doc_id": "a", "speaker": "Jane Roe", "quote": "we will respond to every measure"}])
    _write(data / "claims.csv", [{"doc_id": "a", "imposer": "US", "target": "CN", "rate_pct": "10",
                                  "from_rate_pct": ""}])
    _write(data / "events.csv", [{"doc_id": "a", "date": "2025-05-12"}])
    _write(data / "actors.csv", [{"doc_id": "a", "actor": "China"}])
    gold = {"docs": [{"file": "a.txt", "fingerprint": "unique marker phrase appears here",
                      "quotes": [{"speaker": ["John Doe"], "text": "we will respond to every measure"}],
                      "claims": [{"imposer": "US", "target": "CN", "rate_pct": 20, "from_rate_pct": None}],
                      "events": [["2025-05", "talks"], ["2025-06-01", "deadline"]],
                      "actors_must": ["China", "Japan"], "languages": ["en"]}]}
    return gold, corpus, data


def test_remaining_errors_lists_each_kind(tiny):
    gold, corpus, data = tiny
    err = remaining_errors(gold, corpus, data)
    assert err["quotes"] == ["a: speaker Jane Roe instead of John Doe"]
    assert err["claims"] == ["a: missed US→CN 20%", "a: extra US→CN 10%"]
    assert err["events"] == ["a: 2025-06-01 not found (deadline)"]
    assert err["actors"] == ["a: Japan not found"] and err["documents"] == []


def test_run_scorer_reports_missing_inputs(tmp_path):
    with pytest.raises(FileNotFoundError, match="not found"):
        run_scorer(tmp_path / "score.py", tmp_path / "gold.json", tmp_path, tmp_path)


@pytest.mark.skipif(not SCORER.is_file(), reason="../shared/devset is not beside this clone")
def test_run_scorer_on_tiny_tables(tiny, tmp_path):
    gold, corpus, data = tiny
    path = tmp_path / "gold.json"
    path.write_text(json.dumps(gold), encoding="utf-8")
    scores = run_scorer(SCORER, path, corpus, data)
    assert scores["docs_matched"]["hit"] == 1 and scores["claim_recall"]["hit"] == 0
    assert scores["event_recall"] == {"hit": 1, "of": 2, "rate": 0.5}  # a day counts for its month


def test_keep_sections_puts_the_hand_written_section_back():
    old = "# A\n\n## Dev\n\nold\n\n## Held-out English news fixtures\n\nfigures\n\n## Remaining errors\n\nx\n"
    new = "# A\n\n## Dev\n\nnew\n\n## Remaining errors\n\ny\n"
    out = keep_sections(old, new)
    assert "new" in out and "figures" in out and "old" not in out
    assert out.index("figures") < out.index("## Remaining errors") and out.endswith("y\n")
    assert keep_sections("", new) == new
