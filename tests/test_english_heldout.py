"""The held-out English news fixtures (tests/fixtures/english_heldout), scored in-process.

Twelve invented commercial-news articles written and labelled before the extractors were read
(see the folder's README). The extractors run on them without spaCy (plain-text entry points),
and each measure is scored with the development-set scorer's matching rules. The floor, 0.75, sits
below the measured figures (see docs/accuracy.md) by about one miss in eight: it catches a rule
change that breaks a whole error class on news copy, not a single item.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from pathlib import Path

import pytest

from analysis.actors import document_mentions
from analysis.claims import claims_from_text
from analysis.quotes import document_quotes
from analysis.timeline import find_dates, parse_published

HERE = Path(__file__).parent / "fixtures" / "english_heldout"
FLOOR = 0.75


def _norm(s: str | None) -> str:
    s = unicodedata.normalize("NFKC", s or "")
    s = s.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"').replace("\u201d", '"')
    return re.sub(r"\s+", " ", s).strip().lower()


def _rows(name: str) -> list[dict[str, str]]:
    with open(HERE / name, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def run() -> dict:
    manifest = {r["file"][:-4]: r for r in _rows("corpus/manifest.csv")}
    out: dict = {"quotes": {}, "claims": {}, "dates": {}, "actors": {}}
    for doc_id, meta in manifest.items():
        text = (HERE / "corpus" / f"{doc_id}.txt").read_text(encoding="utf-8")
        pub = parse_published(meta["published"])
        out["quotes"][doc_id] = [(h.speaker.name if h.speaker else "", h.quote) for h in document_quotes(text)]
        cl = claims_from_text(text, published=pub, doc_id=doc_id)
        out["claims"][doc_id] = {(c.imposer, c.target, float(c.rate_pct),
                                  None if c.from_rate_pct != c.from_rate_pct else float(c.from_rate_pct))
                                 for c in cl.itertuples()}
        sentences = [s for p in text.split("\n\n") for s in re.split(r"(?<=[a-z0-9%][.!?\"”])\s+(?=[A-Z\"“])", p)]
        out["dates"][doc_id] = {d.date for s in sentences for d in find_dates(s, pub)}
        out["actors"][doc_id] = {_norm(m.actor) for m in document_mentions(text, None)}
    return out


def _speaker_ok(gold: str, got: str) -> bool:
    g, s = _norm(gold), _norm(got)
    return bool(s) and (g in s or s in g)


def quote_scores(run: dict) -> tuple[float, float]:
    gold = _rows("quotes_gold.csv")
    long = [g for g in gold if g["is_fragment"] != "True" and len(g["quote"].split()) >= 6]
    hit = sum(any(_norm(" ".join(g["quote"].split()[:10])) in _norm(q) and _speaker_ok(g["speaker"], sp)
                  for sp, q in run["quotes"][g["doc_id"]]) for g in long)
    attributed = [(d, sp, q) for d, qs in run["quotes"].items() for sp, q in qs if sp and len(q.split()) >= 6]
    good = 0
    for d, sp, q in attributed:
        for g in (g for g in gold if g["doc_id"] == d):
            gt = _norm(" ".join(g["quote"].split()[:10]))
            if gt in _norm(q) or _norm(q)[:40] in _norm(g["quote"]):
                good += _speaker_ok(g["speaker"], sp)
                break
    return good / len(attributed), hit / len(long)


def claim_scores(run: dict) -> tuple[float, float]:
    gold: dict[str, list[tuple]] = {}
    for c in _rows("claims_gold.csv"):
        gold.setdefault(c["doc_id"], []).append((c["imposer"], c["target"], float(c["rate_pct"]),
                                                 float(c["from_rate_pct"]) if c["from_rate_pct"] else None))

    def ok(p, c):
        return p[:3] == c[:3] and (c[3] is None or p[3] == c[3])

    tp = sum(any(ok(p, c) for p in run["claims"][d]) for d, cs in gold.items() for c in cs)
    pred = [(d, p) for d, ps in run["claims"].items() for p in ps]
    ptp = sum(any(ok(p, c) for c in gold.get(d, [])) for d, p in pred)
    return ptp / len(pred), tp / sum(len(v) for v in gold.values())


def date_recall(run: dict) -> float:
    gold = _rows("events_gold.csv")
    hit = sum(g["date"] in run["dates"][g["doc_id"]] or
              (len(g["date"]) == 7 and any(x.startswith(g["date"]) for x in run["dates"][g["doc_id"]]))
              for g in gold)
    return hit / len(gold)


def actor_recall(run: dict) -> float:
    gold = _rows("actors_gold.csv")
    hit = sum(any(_norm(g["actor"]) == h or (len(h) > 3 and (h in _norm(g["actor"]) or _norm(g["actor"]) in h))
                  for h in run["actors"][g["doc_id"]]) for g in gold)
    return hit / len(gold)


def test_fixtures_are_complete():
    docs = {r["file"][:-4] for r in _rows("corpus/manifest.csv")}
    assert len(docs) == 12 and docs == {p.stem for p in (HERE / "corpus").glob("*.txt")}
    for name in ("quotes_gold.csv", "claims_gold.csv", "events_gold.csv", "actors_gold.csv"):
        assert {r["doc_id"] for r in _rows(name)} <= docs, name
    for q in _rows("quotes_gold.csv"):  # every gold quote is verbatim in its article
        text = _norm((HERE / "corpus" / f"{q['doc_id']}.txt").read_text(encoding="utf-8"))
        assert _norm(q["quote"]) in text, q["quote"]


def test_quotes_above_floor(run):
    p, r = quote_scores(run)
    assert p >= FLOOR and r >= FLOOR, (p, r)


def test_claims_above_floor(run):
    p, r = claim_scores(run)
    assert p >= FLOOR and r >= FLOOR, (p, r)


def test_dates_and_actors_above_floor(run):
    assert date_recall(run) >= FLOOR
    assert actor_recall(run) >= FLOOR


if __name__ == "__main__":  # print the figures: python tests/test_english_heldout.py
    r = run.__wrapped__()
    print("quotes P/R", quote_scores(r), "claims P/R", claim_scores(r), "dates R", date_recall(r),
          "actors R", actor_recall(r))
