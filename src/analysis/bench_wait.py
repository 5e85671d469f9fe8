"""Benchmarks of the user's wait: the whole report command, cold, warm and after small changes.

Each figure is a ratio against a baseline run beside it on the same machine, so a loaded
or slower machine moves both sides:

- **seeds, warm** against the **naive chain** a user would script for the same reports,
  one at a time: the ``papermill`` CLI, then the ``jupyter nbconvert`` CLI, then Chromium's
  ``--print-to-pdf``, on the tables our run built (the chain builds none);
- **unchanged re-run** and **re-run after adding 1% new documents** against the **cold
  run** (an empty cache) of a slice of the White House corpus grouped by ``category``;
- **multilingual** words per second per language beside English (the same stage code).

Every run is a separate ``python -m analysis report`` process, so its start-up counts.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from time import perf_counter

from analysis import config

SEED_DATE = "2025-11-03"
NEXT_DATE = "2025-11-04"


@dataclass(frozen=True)
class Timed:
    """One timed command: seconds, exit status and the run's ``run.json`` (when it wrote one)."""

    seconds: float
    status: int
    run: dict
    stderr: str = ""


def run_report(corpus: Path, out: Path, *, date: str, cache: Path, jobs: int, formats: str = "html,pdf",
               extra: Sequence[str] = (), timeout: float = 7200) -> Timed:
    """Time one ``python -m analysis report`` process."""
    cmd = [sys.executable, "-m", "analysis", "report", "--corpus", str(corpus), "--out", str(out), "--date", date,
           "--cache-dir", str(cache), "--jobs", str(jobs), "--formats", formats, "--quiet", *extra]
    t0 = perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
    seconds = perf_counter() - t0
    run_json = out / date / "run.json"
    run = json.loads(run_json.read_text(encoding="utf-8")) if proc.returncode == 0 and run_json.is_file() else {}
    return Timed(seconds, proc.returncode, run, (proc.stderr or "")[-2000:])


def naive_chain(run_dir: Path, work: Path, *, browser: str | None) -> Timed:
    """The chain a user would script, one report at a time: papermill, nbconvert, Chromium.

    It runs the same notebooks with the same parameters as the run in ``run_dir``, on that
    run's tables, and prints each page with one ``chromium --print-to-pdf`` process.
    """
    from analysis import render

    plan = json.loads((run_dir / "reports.json").read_text(encoding="utf-8"))["reports"]
    work.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, render.RENDER_ENV: "report"}  # the same offline chart output as our pages
    bindir = Path(sys.executable).parent
    t0 = perf_counter()
    for r in plan:
        params = ["-p", "data_dir", str(run_dir / "data"), "-p", "report_date", run_dir.name]
        title = r["title"]
        if title.startswith("Source profile: "):
            params += ["-p", "source", title.removeprefix("Source profile: ")]
        nb = config.REPORT_NOTEBOOKS[_notebook_of(r["name"])]
        out_nb = work / f"{r['name']}.ipynb"
        subprocess.run([str(bindir / "papermill"), str(nb), str(out_nb), *params, "-k", config.KERNEL_NAME,
                        "--no-progress-bar", "--cwd", str(work)], check=True, capture_output=True, env=env)
        subprocess.run([str(bindir / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(out_nb)],
                       check=True, capture_output=True, env=env)
        if browser:
            html = out_nb.with_suffix(".html")
            subprocess.run([browser, *render.CHROMIUM_FLAGS, f"--user-data-dir={work / 'profile'}",
                            "--virtual-time-budget=20000", f"--print-to-pdf={out_nb.with_suffix('.pdf')}",
                            html.resolve().as_uri()], check=True, capture_output=True, timeout=300)
    return Timed(perf_counter() - t0, 0, {"reports": len(plan)})


def _notebook_of(name: str) -> str:
    if name.startswith("profile-"):
        return "source_profile"
    if name.startswith("brief-"):
        return "brief"
    return name


def seeds(work: Path, *, jobs: int, browser: str | None) -> dict[str, Timed]:
    """Cold, warm (same day), next-day and naive-chain runs on the default corpus."""
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    cache, out = work / "cache", work / "reports"
    formats = "html,pdf" if browser else "html"
    got = {"cold": run_report(config.DEFAULT_CORPUS, out, date=SEED_DATE, cache=cache, jobs=jobs, formats=formats)}
    got["warm"] = run_report(config.DEFAULT_CORPUS, out, date=SEED_DATE, cache=cache, jobs=jobs, formats=formats)
    got["next day"] = run_report(config.DEFAULT_CORPUS, out, date=NEXT_DATE, cache=cache, jobs=jobs,
                                 formats=formats)
    got["naive"] = naive_chain(out / SEED_DATE, work / "naive", browser=browser)
    return got


def write_slice(records: Sequence[dict], path: Path) -> Path:
    """A JSON-lines corpus of the records."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as fh:
        for rec in records:
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    return path


def corpus_runs(records: Sequence[dict], extra: Sequence[dict], work: Path, *, jobs: int,
                group_by: str = "category", formats: str = "html,pdf") -> dict[str, Timed]:
    """Cold, unchanged and +1% runs of a slice (``extra``: the 1% of new documents)."""
    shutil.rmtree(work, ignore_errors=True)
    corpus = write_slice(records, work / "slice.jsonl")
    grown = write_slice([*records, *extra], work / "grown" / "slice.jsonl")
    cache, out = work / "cache", work / "reports"
    args = ("--group-by", group_by)
    got = {"cold": run_report(corpus, out, date=SEED_DATE, cache=cache, jobs=jobs, formats=formats, extra=args)}
    got["unchanged"] = run_report(corpus, out, date=SEED_DATE, cache=cache, jobs=jobs, formats=formats, extra=args)
    got["+1%"] = run_report(grown, out, date=SEED_DATE, cache=cache, jobs=jobs, formats=formats, extra=args)
    return got


def multilingual_rates(*, target_words: int = 20_000, repeat: int = 2) -> list[tuple[str, int, float]]:
    """Words per second of each language's stage, English beside the others.

    The texts are the labelled fixtures (``tests/fixtures/multilingual`` and the English
    held-out set in a checkout), repeated to about ``target_words`` words per language.
    Timed per language, best of ``repeat``: for the other languages their own stage
    (segmentation with jieba, Sudachi, Kiwi or spaCy, then actors, quotes, claims, dates);
    for English, spaCy's annotation (``nlp.pipe``) and the English extractors. Words are
    the segmenter's word tokens (spaCy's for English), so CJK counts words, not characters.

    Returns:
        (language, words, words per second) rows; empty when no fixtures are found.
    """
    import tempfile

    import pandas as pd

    from analysis import actors, claims, quotes, timeline
    from analysis.annotate import DocInput, annotate, load_model
    from analysis.multilingual import evaluate
    from analysis.multilingual.lexicon import language_key
    from analysis.multilingual.pipeline import annotate_languages, extract
    from analysis.multilingual.segment import segment

    try:
        fixtures = evaluate.load_fixtures()
    except FileNotFoundError:
        return []
    frame = evaluate.fixtures_frame(fixtures)
    english = config.PROJECT_ROOT / "tests" / "fixtures" / "english_heldout" / "corpus"
    if english.is_dir():
        from analysis.corpus import load_corpus

        en = load_corpus(english).to_frame()
        frame = pd.concat([frame, en.assign(group=en["source"])[frame.columns.intersection(en.columns)]],
                          ignore_index=True)
    out = []
    for lang, sub in frame.groupby(frame["language"].fillna("en").astype(str)):
        if lang.split("-")[0] == "en":
            code, words_of = None, None
        else:
            code = language_key(lang, sub["text"].iloc[0])
            if code is None:
                continue
            words_of = {d: len(segment(t, code).tokens) for d, t in zip(sub["doc_id"], sub["text"], strict=True)}
        per_copy = sum(words_of.values()) if words_of else int(sub["text"].str.split().str.len().sum())
        copies = max(1, -(-target_words // max(1, per_copy)))
        # Each copy ends with its own number, so no cache or memo sees the same text twice.
        docs = pd.concat([sub.assign(doc_id=sub["doc_id"] + f"~{i}", text=sub["text"] + f"\n\n{i}")
                          for i in range(copies)], ignore_index=True)
        nlp = load_model() if code is None else None
        best, n_words = float("inf"), per_copy * copies
        for _ in range(repeat):
            t0 = perf_counter()
            if code is None:
                with tempfile.TemporaryDirectory(prefix="analysis-bench-") as tmp:
                    ann = annotate([DocInput(d, t, "en") for d, t in zip(docs["doc_id"], docs["text"], strict=True)],
                                   cache_dir=tmp, nlp=nlp)
                n_words = int((~ann.tokens["pos"].isin(["PUNCT", "SPACE", "SYM", "X"])).sum())
                actors.actor_mentions(docs, ann)
                quotes.extract_quotes(docs, ann)
                claims.claims_and_figures(docs, ann)
                timeline.extract_events(docs, ann)
            else:
                extract(docs, annotate_languages(docs, _empty_annotations()))
            best = min(best, perf_counter() - t0)
        out.append((lang, n_words, n_words / best if best > 0 else float("nan")))
    return out


def _empty_annotations():
    import pandas as pd

    from analysis.annotate import Annotations

    return Annotations(
        sentences=pd.DataFrame(columns=["doc_id", "sentence_index", "start", "end", "text"]),
        tokens=pd.DataFrame(columns=["doc_id", "sentence_index", "i", "start", "text", "lemma", "pos", "is_stop",
                                     "is_alpha", "ent_type"]),
        entities=pd.DataFrame(columns=["doc_id", "sentence_index", "start", "end", "label", "text"]), model="none")


def _ratio(a: float, b: float) -> float:
    return a / b if b > 0 else float("nan")


def wait_results(records: Sequence[dict], rest: Sequence[dict], *, work: Path, jobs: int, browser: str | None,
                 result_cls, on_result=None) -> list:
    """Every figure of the user's wait, as rows of ``result_cls`` (metric, value, unit, target, note).

    Args:
        records: The corpus slice for the cold / unchanged / +1% runs.
        rest: Records not in the slice; 1% of the slice's size are added for the +1% run.
        on_result: Called with the rows so far after each stage.
    """
    R = result_cls
    out: list = []

    def add(*rows) -> None:
        out.extend(rows)
        if on_result:
            on_result(list(out))

    def check(value: float, target: str) -> str:
        op, bound = target.split()
        ok = value <= float(bound) if op == "≤" else value >= float(bound)
        return "met" if ok else "MISSED"

    s = seeds(work / "seeds", jobs=jobs, browser=browser)
    failed = [k for k, t in s.items() if t.status != 0]
    if failed:
        add(R("seed runs", "failed", note=f"{', '.join(failed)}: {s[failed[0]].stderr.strip()[-300:]}"))
        return out
    n_reports = len(s["cold"].run.get("reports", [])) + 1
    fmt = "HTML and PDF" if browser else "HTML"
    ratio = _ratio(s["warm"].seconds, s["naive"].seconds)
    next_ratio = _ratio(s["next day"].seconds, s["naive"].seconds)
    add(R("seeds: cold run (empty cache)", f"{s['cold'].seconds:.1f}", "s", note=f"{n_reports} reports, {fmt}"),
        R("seeds: warm re-run, same day", f"{s['warm'].seconds:.1f}", "s",
          note="tables, notebooks, pages and PDFs reused"),
        R("seeds: warm re-run, next day", f"{s['next day'].seconds:.1f}", "s",
          note="notebooks reused; index re-run; pages re-dated; PDFs printed again"),
        R("seeds: naive chain (papermill, nbconvert, chromium CLIs)", f"{s['naive'].seconds:.1f}", "s",
          note=f"{s['naive'].run['reports']} reports one at a time, on our tables"),
        R("seeds warm / naive chain", f"{ratio:.2f}", "ratio", "≤ 0.35", check(ratio, "≤ 0.35")),
        R("seeds next-day / naive chain", f"{next_ratio:.2f}", "ratio", "", "the same target, on a new date: "
          + check(next_ratio, "≤ 0.35")))
    extra = list(rest[:max(1, len(records) // 100)])
    c = corpus_runs(records, extra, work / "corpus", jobs=jobs, formats="html,pdf" if browser else "html")
    failed = [k for k, t in c.items() if t.status != 0]
    if failed:
        add(R("corpus runs", "failed", note=f"{', '.join(failed)}: {c[failed[0]].stderr.strip()[-300:]}"))
        return out
    groups = c["cold"].run.get("sources", 0)
    unchanged = _ratio(c["unchanged"].seconds, c["cold"].seconds)
    grown = _ratio(c["+1%"].seconds, c["cold"].seconds)
    timings = c["+1%"].run.get("timings_seconds", {})
    stages = ", ".join(f"{k} {timings[k]:.1f} s" for k in ("load", "tables", "notebooks", "html", "pdf")
                       if k in timings)
    add(R(f"{len(records):,} documents: cold run", f"{c['cold'].seconds:.1f}", "s",
          note=f"{groups} groups by category; {c['cold'].run.get('annotation', {}).get('annotated', 0):,} annotated"),
        R("unchanged re-run", f"{c['unchanged'].seconds:.1f}", "s"),
        R("unchanged re-run / cold", f"{unchanged:.2f}", "ratio", "≤ 0.15", check(unchanged, "≤ 0.15")),
        R(f"re-run with 1% new documents (+{len(extra)})", f"{c['+1%'].seconds:.1f}", "s", note=stages),
        R("+1% re-run / cold", f"{grown:.2f}", "ratio", "≤ 0.25", check(grown, "≤ 0.25")))
    rates = multilingual_rates()
    english = next((r for lang, _, r in rates if lang == "en"), float("nan"))
    for lang, n_words, rate in rates:
        note = ("spaCy annotation and the English extractors" if lang == "en" else
                f"{_ratio(rate, english):.1f}× English; its own segmenter and extractors")
        add(R(f"multilingual stage: {lang}", f"{rate:,.0f}", "words/s", note=f"{n_words:,} words; {note}"))
    return out


# --- the scale run ------------------------------------------------------------------------------

RSS_ENV = "ANALYSIS_BENCH_RSS_FILE"
"""When set, ``python -m analysis.bench_wait report ...`` writes its peak RSS (own / children) there."""


def replicate_records(records: Sequence[dict], n: int) -> list[dict]:
    """``n`` distinct records cycling through ``records``: each copy gets its own id, title and closing line,
    so exact-duplicate removal keeps it (near-duplicates are kept and marked)."""
    out = []
    for i in range(n):
        base = records[i % len(records)]
        copy = i // len(records)
        if copy == 0:
            out.append(base)
            continue
        rid = f"{base.get('id', i)}-copy{copy}"
        out.append({**base, "id": rid, "url": f"{base.get('url', '')}#copy{copy}",
                    "title": f"{base.get('title', '')} (copy {copy})",
                    "text": f"{base['text']}\n\nReplicated copy {copy} of this release, number {i}."})
    return out


def scale_runs(records: Sequence[dict], n: int, work: Path, *, jobs: int, log: Path | None,
               formats: str = "html,pdf", result_cls, on_result=None) -> list:
    """Cold, unchanged and +1% report runs of ``n`` replicated documents, grouped by category.

    Each run is its own process; its wall time, peak RSS (the run and its largest child:
    spaCy worker, kernel or browser) and the largest HTML page are recorded. The run's own
    progress lines go to ``log``.
    """
    R = result_cls
    out: list = []
    work.mkdir(parents=True, exist_ok=True)
    big = replicate_records(records, n + max(1, n // 100))
    corpus = write_slice(big[:n], work / "corpus" / "replicated.jsonl")
    grown = write_slice(big, work / "grown" / "replicated.jsonl")
    cache, reports = work / "cache", work / "reports"
    n_words = sum(len(r["text"].split()) for r in big[:n])

    def one(label: str, path: Path) -> None:
        rss = work / f"rss-{len(out)}.json"
        cmd = [sys.executable, "-m", "analysis.bench_wait", "report", "--corpus", str(path), "--out", str(reports),
               "--date", SEED_DATE, "--cache-dir", str(cache), "--jobs", str(jobs), "--formats", formats,
               "--group-by", "category"]
        env = {**os.environ, RSS_ENV: str(rss), "TQDM_MININTERVAL": "60"}
        t0 = perf_counter()
        with open(log or os.devnull, "a", encoding="utf-8") as fh:
            fh.write(f"\n=== {label}: {' '.join(cmd[3:])}\n")
            fh.flush()
            proc = subprocess.run(cmd, stdout=fh, stderr=subprocess.STDOUT, env=env, check=False)
        seconds = perf_counter() - t0
        peak = json.loads(rss.read_text()) if rss.is_file() else {}
        pages = sorted((reports / SEED_DATE).glob("*.html"), key=lambda p: p.stat().st_size) if proc.returncode == 0 else []
        largest = f"{pages[-1].stat().st_size / 1e6:.2f} MB ({pages[-1].name})" if pages else "n/a"
        status = "" if proc.returncode == 0 else f"exit {proc.returncode}; "
        out.append(R(label, f"{seconds / 60:.1f}", "min",
                     note=f"{status}peak RSS {peak.get('self', 0):,.0f} / {peak.get('children', 0):,.0f} MB "
                          f"(run / largest child); largest page {largest}"))
        if on_result:
            on_result(list(out))

    out.append(R("documents", f"{n:,}", "docs", note=f"{n_words:,} words, replicated from {len(records):,}"))
    one("cold run", corpus)
    one("unchanged re-run", corpus)
    one(f"re-run with 1% new documents (+{len(big) - n:,})", grown)
    return out


def _report_with_rss(argv: Sequence[str]) -> int:
    import resource

    from analysis import cli

    try:
        status = cli.main(["report", *argv])
    except SystemExit as exc:
        status = int(exc.code or 0)
    path = os.environ.get(RSS_ENV)
    if path:
        scale = 1 / 1024 if sys.platform != "darwin" else 1 / 1024 / 1024
        Path(path).write_text(json.dumps({
            "self": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale,
            "children": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * scale}))
    return status


if __name__ == "__main__":  # python -m analysis.bench_wait report ARGS: a report run that records its peak RSS
    if sys.argv[1:2] != ["report"]:
        sys.exit("usage: python -m analysis.bench_wait report [report options]")
    sys.exit(_report_with_rss(sys.argv[2:]))
