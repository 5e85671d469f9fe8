"""Precision and recall of the multilingual extractors on labelled fixtures, per language.

``python -m analysis.multilingual.evaluate [FIXTURE_DIR] [--markdown]`` prints one row per
language and extractor. The fixtures (``tests/fixtures/multilingual/*.yaml``, described in
the README there) give each document's actors, quotes with speakers, claims and dates.

Matching rules:

- actors: (document, canonical actor) pairs;
- quotes: a predicted quote is right when it contains a labelled quotation (NFKC, case-folded)
  and its speaker contains one of the labelled names or is contained in one;
- claims: (imposer, target, rate) must be equal, and the previous rate too when labelled;
- dates: (document, date) pairs, weeks compared as ISO weeks (``2025-W30``).
"""

from __future__ import annotations

import argparse
import sys
import unicodedata
from datetime import date
from pathlib import Path

import pandas as pd
import yaml

from analysis import config

EXTRACTORS = ("actors", "quotes", "claims", "dates")
DEFAULT_DIR = config.PROJECT_ROOT / "tests" / "fixtures" / "multilingual"


def load_fixtures(folder: str | Path = DEFAULT_DIR) -> list[dict]:
    """Every labelled fixture document of a folder (one YAML list per language).

    Raises:
        FileNotFoundError: if the folder holds no ``*.yaml`` file.
        ValueError: naming the file and document when a document lacks a field.
    """
    folder = Path(folder)
    files = sorted(folder.glob("*.yaml"))
    if not files:
        raise FileNotFoundError(f"{folder}: no fixture files (*.yaml)")
    docs = []
    for f in files:
        for d in yaml.safe_load(f.read_text(encoding="utf-8")) or []:
            missing = {"id", "language", "published", "text", "actors", "quotes", "claims", "dates"} - set(d)
            if missing:
                raise ValueError(f"{f}: document {d.get('id')!r} lacks {sorted(missing)}")
            docs.append({**d, "published": str(d["published"]), "file": f.name})
    return docs


def fixtures_frame(fixtures: list[dict]) -> pd.DataFrame:
    """The fixtures as a documents frame (doc_id, source, group, published, language, text)."""
    rows = [(d["id"], d["outlet"], d["outlet"], d["published"], d["language"], d["text"],
             d.get("country", "")) for d in fixtures]
    return pd.DataFrame(rows, columns=["doc_id", "source", "group", "published", "language", "text", "country"])


def run(fixtures: list[dict]) -> dict[str, pd.DataFrame]:
    """The multilingual tables of the fixture documents."""
    from analysis.annotate import Annotations
    from analysis.multilingual.pipeline import annotate_languages, extract

    docs = fixtures_frame(fixtures)
    empty = Annotations(
        sentences=pd.DataFrame(columns=["doc_id", "sentence_index", "start", "end", "text"]),
        tokens=pd.DataFrame(columns=["doc_id", "sentence_index", "i", "start", "text", "lemma", "pos", "is_stop",
                                     "is_alpha", "ent_type"]),
        entities=pd.DataFrame(columns=["doc_id", "sentence_index", "start", "end", "label", "text"]), model="none")
    return extract(docs, annotate_languages(docs, empty))


def _norm(s: object) -> str:
    return unicodedata.normalize("NFKC", str(s or "")).casefold().strip()


def _week(value: str) -> str:
    y, w, _ = date.fromisoformat(value).isocalendar()
    return f"{y}-W{w:02d}"


def _prf(tp_pred: int, n_pred: int, tp_gold: int, n_gold: int) -> tuple[float, float]:
    p = tp_pred / n_pred if n_pred else 1.0
    r = tp_gold / n_gold if n_gold else 1.0
    return round(p, 3), round(r, 3)


def score(fixtures: list[dict], tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Precision and recall per language and extractor.

    Returns:
        Columns ``language, extractor, precision, recall, predicted, labelled``.
    """
    rows = []
    by_lang: dict[str, list[dict]] = {}
    for d in fixtures:
        by_lang.setdefault(d["language"], []).append(d)
    for lang, docs in sorted(by_lang.items()):
        ids = {d["id"] for d in docs}
        a = tables["actors"][tables["actors"]["doc_id"].isin(ids)]
        pred = set(zip(a["doc_id"], a["actor"], strict=True))
        gold = {(d["id"], x) for d in docs for x in d["actors"]}
        rows.append((lang, "actors", *_prf(len(pred & gold), len(pred), len(pred & gold), len(gold)),
                     len(pred), len(gold)))

        q = tables["quotes"][tables["quotes"]["doc_id"].isin(ids)]
        qg = [(d["id"], g) for d in docs for g in d["quotes"]]

        def quote_ok(row, g) -> bool:
            spk = _norm(row.speaker)
            return _norm(g["text"]) in _norm(row.quote) and bool(spk) and any(
                _norm(n) in spk or spk in _norm(n) for n in g["speaker"])

        tp_pred = sum(any(quote_ok(r, g) for did, g in qg if did == r.doc_id) for r in q.itertuples())
        tp_gold = sum(any(quote_ok(r, g) for r in q.itertuples() if r.doc_id == did) for did, g in qg)
        rows.append((lang, "quotes", *_prf(tp_pred, len(q), tp_gold, len(qg)), len(q), len(qg)))

        c = tables["claims"][tables["claims"]["doc_id"].isin(ids)]
        cp = list(dict.fromkeys(zip(c["doc_id"], c["imposer"], c["target"], c["rate_pct"].astype(float),
                                    c["from_rate_pct"].astype(float), strict=True)))
        cg = [(d["id"], *x) for d in docs for x in d["claims"]]

        def claim_ok(p, g) -> bool:
            same = p[0] == g[0] and p[1] == g[1] and p[2] == g[2] and p[3] == float(g[3])
            return same and (g[4] is None or (p[4] == p[4] and p[4] == float(g[4])))

        tp_pred = sum(any(claim_ok(p, g) for g in cg) for p in cp)
        tp_gold = sum(any(claim_ok(p, g) for p in cp) for g in cg)
        rows.append((lang, "claims", *_prf(tp_pred, len(cp), tp_gold, len(cg)), len(cp), len(cg)))

        e = tables["events"][tables["events"]["doc_id"].isin(ids)]
        ep = {(r.doc_id, _week(r.date) if r.precision == "week" else r.date) for r in e.itertuples()}
        eg = {(d["id"], str(x)) for d in docs for x in d["dates"]}
        rows.append((lang, "dates", *_prf(len(ep & eg), len(ep), len(ep & eg), len(eg)), len(ep), len(eg)))
    return pd.DataFrame(rows, columns=["language", "extractor", "precision", "recall", "predicted", "labelled"])


def markdown(table: pd.DataFrame) -> str:
    """The score table as Markdown, one row per language, P/R per extractor."""
    head = "| language | " + " | ".join(f"{x} P | {x} R" for x in EXTRACTORS) + " |"
    sep = "|---|" + "---|---|" * len(EXTRACTORS)
    lines = [head, sep]
    for lang, sub in table.groupby("language", sort=True):
        cells = []
        for x in EXTRACTORS:
            r = sub[sub["extractor"] == x].iloc[0]
            cells += [f"{r.precision:.2f}", f"{r.recall:.2f}"]
        lines.append(f"| {lang} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Print the per-language table (plain or Markdown)."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("folder", nargs="?", default=str(DEFAULT_DIR))
    ap.add_argument("--markdown", action="store_true")
    args = ap.parse_args(argv)
    fixtures = load_fixtures(args.folder)
    table = score(fixtures, run(fixtures))
    sys.stdout.write((markdown(table) if args.markdown else table.to_string(index=False)) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())


def write_corpus(fixtures: list[dict], folder: str | Path) -> Path:
    """Write fixture documents as a corpus folder of Markdown files with front matter.

    Used to build a mixed corpus (seed articles plus the fixtures) for an end-to-end report.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for d in fixtures:
        meta = {"title": d["id"], "outlet": d["outlet"], "date": d["published"], "language": d["language"],
                "country": d.get("country", "")}
        front = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False)
        (folder / f"{d['id']}.md").write_text(f"---\n{front}---\n{d['text']}\n", encoding="utf-8")
    return folder
