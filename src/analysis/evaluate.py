"""Accuracy of the extractors: score report tables against labelled sets and write docs/accuracy.md.

Two labelled sets are scored with the same scorer, the development set's ``score.py``:

- the development set (``../shared/devset``: real texts the rules were not written on), whose
  ``gold.json`` is used as it is;
- the seed corpus (``data/raw``), whose labels live in ``tests/fixtures/*_gold.csv``; they are
  turned into the scorer's ``gold.json`` shape by :func:`seed_gold`.

``make eval`` runs the report on both corpora, then ``python -m analysis.evaluate`` scores the
exported tables and writes the Markdown page. The page also lists what is still missed, item by
item, grouped by extractor (the "remaining error classes").
"""

from __future__ import annotations

import argparse
import csv
import json
import logging
import re
import subprocess
import sys
import unicodedata
from datetime import date
from pathlib import Path

log = logging.getLogger(__name__)

csv.field_size_limit(1 << 30)

MEASURES = [
    ("quotes (with speaker)", "quote_precision", "quote_recall"),
    ("tariff claims", "claim_precision", "claim_recall"),
    ("event dates", None, "event_recall"),
    ("actors", None, "actor_recall"),
    ("one name per actor (documents)", None, "actor_canonical_docs"),
    ("document language", None, "language"),
    ("documents kept", None, "docs_matched"),
    ("cross-source conflicts found", None, "conflicts_found"),
]


def _norm(s: str | None) -> str:
    s = unicodedata.normalize("NFKC", s or "")
    s = s.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"').replace("\u201d", '"')
    return re.sub(r"\s+", " ", s).strip().lower()


def _read(path: Path) -> list[dict[str, str]]:
    if not path.is_file():
        return []
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


# --------------------------------------------------------------------------- seed labels


def _fingerprint(raw: str, others: list[str], *, words: int = 8) -> str:
    """An exact run of ``words`` words of ``raw`` found in none of ``others``."""
    tokens = list(re.finditer(r"\S+", raw))
    order = list(range(len(tokens) // 3, len(tokens) - words)) + list(range(0, len(tokens) // 3))
    for i in order:
        piece = raw[tokens[i].start():tokens[i + words - 1].end()]
        if "\n" not in piece and not any(piece in o for o in others):
            return piece
    raise ValueError("no unique fingerprint found")


def seed_gold(fixtures: Path, raw_dir: Path) -> dict:
    """The seed fixtures (``*_gold.csv``) in the shape of the development set's ``gold.json``.

    Args:
        fixtures: Folder with ``quotes_gold.csv``, ``claims_gold.csv``, ``events_gold.csv`` and
            ``actors_gold.csv`` (keyed by ``doc_id``, the seed file name without ``.txt``).
        raw_dir: The seed corpus folder (fingerprints are taken from its files).

    Returns:
        A dict with ``about`` and ``docs`` (one entry per seed file).
    """
    files = sorted(raw_dir.glob("*.txt"))
    if not files:
        raise ValueError(f"{raw_dir}: no seed .txt files")
    raws = {p.stem: p.read_text(encoding="utf-8") for p in files}
    tables = {name: _read(fixtures / f"{name}_gold.csv") for name in ("quotes", "claims", "events", "actors")}
    missing = [n for n, rows in tables.items() if not rows]
    if missing:
        raise ValueError(f"{fixtures}: missing or empty gold tables: {', '.join(missing)}")
    docs = []
    for doc_id, raw in raws.items():
        quotes, short = [], []
        for q in tables["quotes"]:
            if q["doc_id"] != doc_id:
                continue
            words = q["quote"].split()
            item = {"speaker": [q["speaker"]], "text": " ".join(words[:10])}
            (short if q.get("is_fragment") == "True" or len(words) < 6 else quotes).append(item)
        claims = [{"imposer": c["imposer"], "target": c["target"], "rate_pct": float(c["rate_pct"]),
                   "from_rate_pct": float(c["from_rate_pct"]) if c.get("from_rate_pct") else None,
                   "scope": c.get("scope") or "", "effective": c.get("effective") or None}
                  for c in tables["claims"] if c["doc_id"] == doc_id]
        events = list(dict.fromkeys((e["date"], e.get("expression", "")) for e in tables["events"]
                                    if e["doc_id"] == doc_id))
        docs.append({
            "seed": doc_id, "file": f"{doc_id}.txt",
            "fingerprint": _fingerprint(raw, [r for k, r in raws.items() if k != doc_id]),
            "languages": ["en"], "quotes": quotes, "short_quotes": short, "claims": claims,
            "events": [list(e) for e in events],
            "actors_must": sorted({a["actor"] for a in tables["actors"] if a["doc_id"] == doc_id}),
        })
    return {"about": "Seed fixtures (tests/fixtures/*_gold.csv) converted for the development set's score.py.",
            "docs": docs}


# --------------------------------------------------------------------------- scoring


def run_scorer(score_py: Path, gold: Path, corpus: Path, data: Path) -> dict[str, dict]:
    """Run ``score.py GOLD CORPUS DATA --json`` and return its measures.

    Raises:
        FileNotFoundError: when the scorer, the gold file or the data folder is missing.
        RuntimeError: when the scorer fails.
    """
    for p, what in ((score_py, "scorer"), (gold, "gold file"), (data / "documents.csv", "report table")):
        if not p.exists():
            raise FileNotFoundError(f"{p}: {what} not found")
    res = subprocess.run([sys.executable, str(score_py), str(gold), str(corpus), str(data), "--json"],
                         capture_output=True, text=True, check=False)
    if res.returncode != 0:
        raise RuntimeError(f"{score_py} failed: {res.stderr.strip()[-500:]}")
    text = res.stdout
    return json.loads(text[:text.rindex("}") + 1])


def _f1(p: float | None, r: float | None) -> float | None:
    if not p or not r:
        return None if p is None or r is None else 0.0
    return 2 * p * r / (p + r)


def summary_rows(scores: dict[str, dict]) -> list[tuple[str, str, str, str]]:
    """(measure, precision, recall, F1) strings for the Markdown table."""
    rows = []
    for label, pk, rk in MEASURES:
        r = scores.get(rk)
        if r is None or not r.get("of"):
            continue
        p = scores.get(pk) if pk else None
        prec = f"{p['rate']:.2f} ({p['hit']}/{p['of']})" if p and p.get("of") else "—"
        rec = f"{r['rate']:.2f} ({r['hit']}/{r['of']})"
        f1 = _f1(p["rate"] if p and p.get("of") else None, r["rate"]) if pk else None
        rows.append((label, prec, rec, f"{f1:.2f}" if f1 is not None else "—"))
    return rows


# --------------------------------------------------------------------------- what is still missed


def _doc_map(gold: dict, corpus: Path, data: Path) -> tuple[dict[str, str], dict[str, dict]]:
    docs = _read(data / "documents.csv")
    idmap: dict[str, str] = {}
    rows = {d["doc_id"]: d for d in docs}
    for d in docs:
        p = corpus / (d.get("path") or "")
        raw = p.read_text(encoding="utf-8", errors="replace") if p.is_file() else ""
        for g in gold["docs"]:
            key = g.get("seed") or g.get("file")
            if _norm(g["fingerprint"]) in _norm(raw) or _norm(g["fingerprint"]) in _norm(d.get("text", "")):
                idmap.setdefault(key, d["doc_id"])
    return idmap, rows


def remaining_errors(gold: dict, corpus: Path, data: Path, *, limit: int = 12) -> dict[str, list[str]]:
    """What the report still gets wrong, per extractor, one line per item (at most ``limit`` each)."""
    idmap, _ = _doc_map(gold, corpus, data)
    quotes, claims = _read(data / "quotes.csv"), _read(data / "claims.csv")
    events, actors = _read(data / "events.csv"), _read(data / "actors.csv")
    out: dict[str, list[str]] = {"documents": [], "quotes": [], "claims": [], "events": [], "actors": []}
    for g in gold["docs"]:
        key = g.get("seed") or g.get("file")
        if g.get("file") and not (corpus / g["file"]).is_file():
            continue
        did = idmap.get(key)
        name = Path(key).stem
        if did is None:
            out["documents"].append(f"{name}: document lost")
            continue
        mine = [q for q in quotes if q["doc_id"] == did]
        for gq in g.get("quotes", []):
            hit = [q for q in mine if _norm(gq["text"]) in _norm(q.get("quote"))]
            if not hit:
                out["quotes"].append(f"{name}: quote not found — “{gq['text']}”")
            elif not any(_norm(q.get("speaker")) and any(_norm(a) in _norm(q["speaker"]) or _norm(q["speaker"])
                                                         in _norm(a) for a in gq["speaker"]) for q in hit):
                got = ", ".join(sorted({q.get("speaker") or "(none)" for q in hit}))
                out["quotes"].append(f"{name}: speaker {got} instead of {gq['speaker'][0]}")
        pred = [(c["imposer"], c["target"], _num(c["rate_pct"]), _num(c.get("from_rate_pct"))) for c in claims
                if c["doc_id"] == did]
        gl = [(c["imposer"], c["target"], float(c["rate_pct"]), c["from_rate_pct"]) for c in g.get("claims", [])]

        def ok(p, c):
            return p[:3] == c[:3] and (c[3] is None or p[3] == c[3])

        for c in gl:
            if not any(ok(p, c) for p in pred):
                out["claims"].append(f"{name}: missed {c[0]}→{c[1]} {c[2]:g}%" + (f" (from {c[3]:g}%)" if c[3] else ""))
        for p in dict.fromkeys(pred):
            if not any(ok(p, c) for c in gl):
                prev = f" (from {p[3]:g}%)" if p[3] is not None else ""
                out["claims"].append(f"{name}: extra {p[0] or '?'}→{p[1] or '?'} {p[2]:g}%{prev}")
        got = {e["date"] for e in events if e["doc_id"] == did}
        for d, desc in g.get("events", []):
            if not (d in got or (len(d) == 7 and any(x.startswith(d) for x in got))):
                out["events"].append(f"{name}: {d} not found ({desc})")
        have = {_norm(a["actor"]) for a in actors if a["doc_id"] == did}
        for a in g.get("actors_must", []):
            na = _norm(a)
            if not any(na == h or (len(h) > 3 and (h in na or na in h)) for h in have):
                out["actors"].append(f"{name}: {a} not found")
    return {k: v[:limit] + ([f"… and {len(v) - limit} more"] if len(v) > limit else []) for k, v in out.items()}


def _num(x: str | None) -> float | None:
    try:
        return float(x) if x not in (None, "", "nan") else None
    except ValueError:
        return None


# --------------------------------------------------------------------------- the page


def accuracy_markdown(results: dict[str, dict], errors: dict[str, dict[str, list[str]]], *,
                      notes: dict[str, str] | None = None, when: str | None = None) -> str:
    """The docs/accuracy.md page: one table per labelled set, then what is still missed."""
    lines = ["# Accuracy of the extractors", "",
             f"Written by `make eval` on {when or date.today().isoformat()}. Each report's exported tables "
             "(`data/*.csv`) are scored with the development set's `score.py`; precision is shown only "
             "where the scorer measures it.", ""]
    for name, scores in results.items():
        lines += [f"## {name}", ""]
        if notes and notes.get(name):
            lines += [notes[name], ""]
        lines += ["| measure | precision | recall | F1 |", "|---|---|---|---|"]
        lines += [f"| {m} | {p} | {r} | {f} |" for m, p, r, f in summary_rows(scores)]
        lines.append("")
    lines += ["## Remaining errors", "",
              "Every gold item still missed, and every extra claim, by extractor. These are the error "
              "classes to work on next; none of them is fixed by a rule keyed to a document.", ""]
    for name, by_kind in errors.items():
        lines += [f"### {name}", ""]
        empty = True
        for kind, items in by_kind.items():
            if not items:
                continue
            empty = False
            lines.append(f"- **{kind}**")
            lines += [f"  - {i}" for i in items]
        if empty:
            lines.append("Nothing missed.")
        lines.append("")
    return "\n".join(lines)


KEPT_SECTIONS = ("## Held-out English news fixtures",)
"""Hand-written sections of the page that ``make eval`` keeps when it rewrites it."""


def keep_sections(old: str, new: str) -> str:
    """``new`` with the :data:`KEPT_SECTIONS` of ``old`` put back before "## Remaining errors"."""
    kept = []
    for heading in KEPT_SECTIONS:
        i = old.find(heading)
        if i < 0 or heading in new:
            continue
        j = old.find("\n## ", i + 1)
        kept.append(old[i:j if j >= 0 else len(old)].rstrip() + "\n")
    if not kept:
        return new
    k = new.find("## Remaining errors")
    k = k if k >= 0 else len(new)
    return new[:k] + "\n".join(kept) + "\n" + new[k:]


def main(argv: list[str] | None = None) -> int:
    """``python -m analysis.evaluate``: score the development set and the seeds, write the page."""
    ap = argparse.ArgumentParser(prog="python -m analysis.evaluate", description=__doc__.splitlines()[0])
    ap.add_argument("--devset", type=Path, required=True, help="the development set folder (gold.json, score.py)")
    ap.add_argument("--devset-data", type=Path, required=True, help="the devset report's data/ folder")
    ap.add_argument("--seeds", type=Path, required=True, help="the seed corpus folder")
    ap.add_argument("--seeds-data", type=Path, required=True, help="the seed report's data/ folder")
    ap.add_argument("--fixtures", type=Path, required=True, help="folder of the seed *_gold.csv files")
    ap.add_argument("--out", type=Path, required=True, help="Markdown file to write")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    score_py = args.devset / "score.py"
    seed_json = args.seeds_data / "seed_gold.json"
    seed = seed_gold(args.fixtures, args.seeds)
    seed_json.write_text(json.dumps(seed, ensure_ascii=False, indent=1), encoding="utf-8")
    dev_gold = json.loads((args.devset / "gold.json").read_text(encoding="utf-8"))
    corpus = args.devset / "corpus"
    results = {
        "Development set (35 labelled real texts)":
            run_scorer(score_py, args.devset / "gold.json", corpus, args.devset_data),
        "Seed corpus (5 articles, labelled while the rules were written)":
            run_scorer(score_py, seed_json, args.seeds, args.seeds_data),
    }
    errors = {
        "Development set": remaining_errors(dev_gold, corpus, args.devset_data),
        "Seed corpus": remaining_errors(seed, args.seeds, args.seeds_data),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    notes = {
        "Development set (35 labelled real texts)":
            "Public-domain US government texts on the 2025 tariff war (`../shared/devset`). The rules were "
            "measured on it while they were written (never keyed to its wording; every rule has an invented "
            "test sentence), so these figures are optimistic for other outlets.",
        "Seed corpus (5 articles, labelled while the rules were written)":
            "The five default articles (`data/raw`), scored against `tests/fixtures/*_gold.csv`.",
    }
    previous = args.out.read_text(encoding="utf-8") if args.out.is_file() else ""
    args.out.write_text(keep_sections(previous, accuracy_markdown(results, errors, notes=notes)), encoding="utf-8")
    for name, scores in results.items():
        rows = summary_rows(scores)
        log.info("%s: %s", name, "; ".join(f"{m} F1 {f} R {r.split()[0]}" for m, _p, r, f in rows))
    log.info("wrote %s", args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
