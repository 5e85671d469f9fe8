"""Benchmark of the annotation stage and the report run (not a test: nothing is asserted).

Run ``python -m analysis.bench --docs 300`` for throughput on a slice of the scale-test
corpus (annotation words per second beside a plain ``nlp.pipe`` loop on the same texts,
the speed-up from one to two processes, a cached re-run and a re-run with 1% new
documents, and a report run grouped by ``category``), and add ``--large 40000`` to
replicate the corpus to that many distinct documents for peak memory and incremental
re-runs at scale (``--docs 0`` skips the throughput stages).

Results are printed and written to ``--out`` (Markdown, or CSV for a ``.csv`` name). In
a Markdown file that already exists only this run's section (between
``<!-- bench:throughput -->`` or ``<!-- bench:large -->`` markers) is replaced, so the
prose around the tables is kept.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import resource
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from time import perf_counter

from analysis import config
from analysis.annotate import DocInput, annotate, annotate_iter, ensure_annotated, load_model

log = logging.getLogger(__name__)

CORPUS_NAME = "whitehouse_briefing_room_2024_2025.jsonl"
FIELDS = ("metric", "value", "unit", "target", "note")


@dataclass(frozen=True)
class Result:
    """One row of the results table."""

    metric: str
    value: str
    unit: str = ""
    target: str = ""
    note: str = ""


def default_corpus() -> Path:
    """The shared scale-test corpus, next to the project."""
    return config.PROJECT_ROOT.parent / "shared" / "corpora" / CORPUS_NAME


def read_jsonl(path: Path, *, limit: int | None = None) -> list[dict]:
    """Records of a JSON-lines corpus that have a non-empty ``text``.

    Raises:
        ValueError: when a line is not a JSON object.
    """
    out: list[dict] = []
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            rec = json.loads(line)
            if not isinstance(rec, dict):
                raise ValueError(f"{path}:{n}: not a JSON object")
            if isinstance(rec.get("text"), str) and rec["text"].strip():
                out.append(rec)
            if limit is not None and len(out) >= limit:
                break
    return out


def to_docs(records: Sequence[dict]) -> list[DocInput]:
    """Annotation inputs of corpus records (``id``, ``text``, ``language``)."""
    return [DocInput(str(r.get("id") or i), r["text"], r.get("language") or "en") for i, r in enumerate(records)]


def spread(items: Sequence, n: int) -> list:
    """``n`` items evenly spaced through a sequence (all of them when there are fewer)."""
    if n >= len(items):
        return list(items)
    step = len(items) / n
    return [items[int(i * step)] for i in range(n)]


def replicate(docs: Sequence[DocInput], n: int) -> Iterator[DocInput]:
    """``n`` distinct documents made by cycling through ``docs``, each copy with its own closing line."""
    for i in range(n):
        base = docs[i % len(docs)]
        copy = i // len(docs)
        if copy == 0:
            yield base
        else:
            yield DocInput(f"{base.doc_id}-copy{copy}", f"{base.text}\n\nCopy {copy}.", base.language)


def until(docs: Iterator[DocInput], deadline: float | None) -> Iterator[DocInput]:
    """The documents, stopping at the first one asked for after ``deadline`` (a ``perf_counter`` time)."""
    for d in docs:
        if deadline is not None and perf_counter() > deadline:
            return
        yield d


def words(docs: Sequence[DocInput]) -> int:
    """Whitespace-separated words of the documents."""
    return sum(len(d.text.split()) for d in docs)


def peak_rss_mb() -> tuple[float, float]:
    """Peak resident memory of this process and of its largest finished child, in MB."""
    scale = 1 / 1024 if sys.platform != "darwin" else 1 / 1024 / 1024
    return (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale,
            resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * scale)


def cores() -> str:
    """Logical cores of the machine and those this process may use."""
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return f"{os.cpu_count()} logical ({usable} usable)"


def _rate(n: float, seconds: float) -> str:
    return f"{n / seconds:,.0f}" if seconds > 0 else "n/a"


def _pct(part: float, whole: float) -> str:
    return f"{100 * part / whole:.1f}" if whole > 0 else "n/a"


def plain_pipe(texts: Sequence[str], *, nlp, batch_size: int) -> float:
    """Seconds for a plain ``nlp.pipe`` loop over the texts (the baseline)."""
    t0 = perf_counter()
    for _ in nlp.pipe(texts, batch_size=batch_size):
        pass
    return perf_counter() - t0


def throughput(docs: list[DocInput], extra: list[DocInput], *, work: Path, jobs: int, batch_size: int,
               progress: bool, repeat: int = 1) -> list[Result]:
    """Throughput, speed-up and cached/incremental re-runs on a slice of documents.

    Args:
        docs: The slice.
        extra: Documents not in the slice, of which 1% of the slice's size are added.
        work: Scratch folder for the caches.
        jobs: Processes for the multi-process run.
        batch_size: Documents per spaCy batch.
        progress: Show progress bars.
        repeat: Runs of the baseline and of the one-process annotation; the best is kept.
    """
    nlp = load_model()
    texts = [d.text for d in docs]
    n_words = words(docs)
    base_s, ours_s = [], []
    for r in range(repeat):
        base_s.append(plain_pipe(texts, nlp=nlp, batch_size=batch_size))
        cache = work / f"cold1-{r}"
        ours_s.append(ensure_annotated(docs, cache_dir=cache, jobs=1, batch_size=batch_size, nlp=nlp,
                                       progress=progress).seconds)
    base, ours = min(base_s), min(ours_s)
    multi_cache = work / "coldN"
    multi = ensure_annotated(docs, cache_dir=multi_cache, jobs=jobs, batch_size=batch_size, nlp=nlp,
                             progress=progress).seconds
    t0 = perf_counter()
    again = annotate(docs, cache_dir=multi_cache, jobs=jobs, batch_size=batch_size, nlp=nlp, progress=progress)
    cached_s = perf_counter() - t0
    new = extra[:max(1, len(docs) // 100)]
    t0 = perf_counter()
    grown = annotate([*docs, *new], cache_dir=multi_cache, jobs=jobs, batch_size=batch_size, nlp=nlp,
                     progress=progress)
    grown_s = perf_counter() - t0
    used = jobs if len(docs) > batch_size * jobs else 1
    return [
        Result("documents in slice", f"{len(docs):,}", "docs", note=f"{n_words:,} words"),
        Result("plain nlp.pipe", _rate(n_words, base), "words/s", note=f"{base:.1f} s, 1 process, "
               f"best of {repeat}"),
        Result("annotate, 1 process, cold", _rate(n_words, ours), "words/s", note=f"{ours:.1f} s, to Parquet"),
        Result("annotate / plain nlp.pipe", f"{base / ours:.2f}" if ours else "n/a", "ratio", "≥ 0.9",
               ("met" if base / ours >= 0.9 else "MISSED") if ours else ""),
        Result(f"annotate, {jobs} processes, cold", _rate(n_words, multi), "words/s",
               note=f"{multi:.1f} s, {used} process(es) used"),
        Result(f"speed-up 1 → {jobs} processes", f"{ours / multi:.2f}" if multi else "n/a", "×"),
        Result("cached re-run (annotate + read back)", f"{cached_s:.2f}", "s",
               note=f"{_pct(cached_s, multi)}% of cold; {again.cached:,} cached, {again.annotated} annotated"),
        Result("re-run with 1% new documents", f"{grown_s:.2f}", "s", "< 5% of cold",
               note=f"{_pct(grown_s, multi)}% of cold; {grown.annotated} annotated, {grown.cached:,} cached"),
    ]


def report_run(records: Sequence[dict], *, work: Path, jobs: int, group_by: str = "category",
               timeout: float = 3600) -> list[Result]:
    """Time ``python -m analysis report`` on the slice, after annotating it, grouped by ``group_by``.

    Returns a "not available" row when the corpus loader cannot read JSON lines.
    """
    from analysis.corpus import load_corpus

    work.mkdir(parents=True, exist_ok=True)
    path = work / "slice.jsonl"
    with path.open("w", encoding="utf-8") as fh:
        for rec in records:
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    try:
        corpus = load_corpus(path)
    except Exception as exc:  # the loader's own errors vary; the bench only reports them
        return [Result("report run", "not available", note=f"load_corpus cannot read JSON lines: {exc}")]
    cache = work / "report-cache"
    docs = [DocInput(d.doc_id, d.text, d.language) for d in corpus.documents]
    ensure_annotated(docs, cache_dir=cache, jobs=jobs, progress=False)
    groups = len({r.get(group_by) for r in records})
    cmd = [sys.executable, "-m", "analysis", "report", "--corpus", str(path), "--group-by", group_by,
           "--formats", "html", "--out", str(work / "reports"), "--cache-dir", str(cache), "--quiet",
           "--jobs", str(jobs)]
    t0 = perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
    seconds = perf_counter() - t0
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or [""]
        return [Result("report run (html, annotation cached)", "failed", "",
                       note=f"exit {proc.returncode}: {tail[0][:200]}")]
    return [Result("report run (html, annotation cached)", f"{seconds:.1f}", "s",
                   note=f"{len(corpus.documents):,} documents, {groups} groups by {group_by}")]


def large(docs: Sequence[DocInput], n: int, *, work: Path, jobs: int, batch_size: int, progress: bool,
          on_result=None, minutes: float | None = None, window_docs: int = 500) -> list[Result]:
    """Cold, cached and +1% runs and a streaming read over ``n`` replicated documents.

    Args:
        docs: The corpus to replicate.
        n: Documents to make.
        work: Scratch folder for the cache.
        jobs: Processes.
        batch_size: Documents per spaCy batch.
        progress: Show progress bars.
        on_result: Called with the results so far after each stage (to save partial figures).
        minutes: Time limit of the cold annotation; when it runs out, the documents annotated
            so far (whole windows) become the corpus of the later stages.
        window_docs: Documents read at a time from the stream.
    """
    out: list[Result] = []
    cache = work / "large-cache"
    nlp = load_model()

    def done(r: Result) -> None:
        out.append(r)
        if on_result:
            on_result(list(out))

    asked = n
    deadline = perf_counter() + 60 * minutes if minutes else None
    cold = ensure_annotated(until(replicate(docs, n), deadline), total=n, cache_dir=cache, jobs=jobs,
                            batch_size=batch_size, nlp=nlp, progress=progress, window_docs=window_docs)
    n = cold.documents
    n_words = sum(len(d.text.split()) for d in replicate(docs, n))
    cut = f" (time limit {minutes:g} min reached; {asked:,} asked)" if n < asked else ""
    done(Result("replicated documents", f"{n:,}", "docs", note=f"{n_words:,} words{cut}"))
    own, child = peak_rss_mb()
    done(Result(f"cold annotation, {jobs} processes", f"{cold.seconds / 60:.1f}", "min",
                note=f"{_rate(cold.words, cold.seconds)} words/s, {_rate(cold.annotated, cold.seconds)} docs/s, "
                     f"{cold.parts} parts"))
    done(Result("peak RSS after cold annotation", f"{own:,.0f} / {child:,.0f}", "MB (driver / worker)",
                "< 4,096"))
    again = ensure_annotated(replicate(docs, n), total=n, cache_dir=cache, jobs=jobs, nlp=nlp,
                             progress=progress, window_docs=window_docs)
    done(Result("cached re-run", f"{again.seconds:.1f}", "s",
                note=f"{_pct(again.seconds, cold.seconds)}% of cold; {again.annotated} annotated"))
    extra = n // 100
    grown = ensure_annotated(replicate(docs, n + extra), total=n + extra, cache_dir=cache, jobs=jobs,
                             batch_size=batch_size, nlp=nlp, progress=progress, window_docs=window_docs)
    done(Result("re-run with 1% new documents", f"{grown.seconds:.1f}", "s", "< 5% of cold",
                note=f"{_pct(grown.seconds, cold.seconds)}% of cold; {grown.annotated:,} annotated"))
    t0 = perf_counter()
    rows = chunks = biggest = 0
    for chunk in annotate_iter(replicate(docs, n + extra), chunk_docs=1000, cache_dir=cache, jobs=jobs, nlp=nlp):
        chunks += 1
        rows += len(chunk.tokens)
        biggest = max(biggest, chunk.tokens.doc_id.nunique())
    read_s = perf_counter() - t0
    own, child = peak_rss_mb()
    done(Result("streaming read (annotate_iter, 1,000 docs a chunk)", f"{read_s:.1f}", "s",
                note=f"{chunks} chunks, {rows:,} token rows, ≤ {biggest:,} docs a chunk"))
    done(Result("peak RSS at the end", f"{own:,.0f} / {child:,.0f}", "MB (driver / worker)", "< 4,096"))
    return out


def to_markdown(results: Sequence[Result], *, title: str, context: str) -> str:
    """A Markdown section with a results table."""
    lines = [f"### {title}", "", context, "", "| " + " | ".join(FIELDS) + " |",
             "|" + "|".join("---" for _ in FIELDS) + "|"]
    for r in results:
        lines.append("| " + " | ".join(str(getattr(r, f)).replace("|", "\\|") for f in FIELDS) + " |")
    return "\n".join(lines) + "\n"


def write_results(path: Path, results: Sequence[Result], *, section: str, title: str, context: str) -> Path:
    """Write results to a CSV, or replace this run's section of a Markdown file (creating it if needed)."""
    import csv

    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() == ".csv":
        with path.open("w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(["section", *FIELDS])
            for r in results:
                w.writerow([section, *(getattr(r, f) for f in FIELDS)])
        return path
    block = f"<!-- bench:{section} -->\n{to_markdown(results, title=title, context=context)}<!-- /bench:{section} -->"
    old = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    pattern = re.compile(rf"<!-- bench:{section} -->.*?<!-- /bench:{section} -->", re.S)
    new = pattern.sub(lambda _: block, old) if pattern.search(old) else old.rstrip("\n") + "\n\n" + block + "\n"
    path.write_text(new, encoding="utf-8")
    return path


def build_parser() -> argparse.ArgumentParser:
    """The command line of ``python -m analysis.bench``."""
    p = argparse.ArgumentParser(prog="python -m analysis.bench", description=__doc__.split("\n\n")[0])
    p.add_argument("--corpus", type=Path, default=None, help=f"JSON-lines corpus (default: {default_corpus()})")
    p.add_argument("--docs", type=int, default=300, help="slice size for throughput; 0 skips it "
                   "(default: %(default)s)")
    p.add_argument("--large", type=int, default=0, help="replicate the corpus to N documents for memory and "
                   "incremental re-runs (default: off)")
    p.add_argument("--scale", type=int, default=0, metavar="N",
                   help="the whole report command (cold, unchanged, +1%%) on N replicated documents grouped by "
                        "category, its progress logged to --scale-log (default: off)")
    p.add_argument("--scale-log", type=Path, default=None, help="log of the scale runs (default: none)")
    p.add_argument("--large-minutes", type=float, default=None, help="time limit of the large cold run; "
                   "later stages use the documents it finished (default: none)")
    p.add_argument("--jobs", type=int, default=2, help="processes for the multi-process runs (default: 2)")
    p.add_argument("--batch-size", type=int, default=16, help="documents per spaCy batch; memory grows with "
                   "it (default: %(default)s)")
    p.add_argument("--repeat", type=int, default=1, help="runs of the baseline and one-process annotation")
    p.add_argument("--no-report", action="store_true", help="skip the report run")
    p.add_argument("--wait", type=int, default=0, metavar="N",
                   help="measure the user's wait: seed runs against the naive papermill/nbconvert/chromium "
                        "chain, and cold, unchanged and +1%% runs of N documents grouped by category "
                        "(default: off)")
    p.add_argument("--out", type=Path, default=None, help="results file: .md (section replaced) or .csv")
    p.add_argument("--work", type=Path, default=None, help="scratch folder (default: a temporary one)")
    p.add_argument("--quiet", action="store_true", help="no progress bars")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark; returns the exit status (2 when the corpus is missing)."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    corpus = args.corpus or default_corpus()
    if not corpus.is_file():
        print(f"bench: corpus not found: {corpus} (pass --corpus PATH to a JSON-lines file)", file=sys.stderr)
        return 2
    if args.docs < 0 or args.large < 0 or args.jobs < 1 or args.batch_size < 1 or args.repeat < 1:
        print("bench: --docs and --large must be ≥ 0; --jobs, --batch-size and --repeat ≥ 1", file=sys.stderr)
        return 2
    records = read_jsonl(corpus)
    if not records:
        print(f"bench: no documents with text in {corpus}", file=sys.stderr)
        return 2
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    context = (f"{stamp}; corpus `{corpus.name}` ({len(records):,} documents); cores: {cores()}; "
               f"jobs {args.jobs}; batch size {args.batch_size}; Python {sys.version.split()[0]}.")
    work_root = args.work or Path(tempfile.mkdtemp(prefix="analysis-bench-"))
    work_root.mkdir(parents=True, exist_ok=True)
    progress = not args.quiet
    status = 0

    def emit(results: Sequence[Result], *, section: str, title: str) -> None:
        if args.out:
            write_results(args.out, results, section=section, title=title, context=context)

    if args.docs:
        picked = spread(records, min(args.docs, len(records)))
        chosen = {id(r) for r in picked}
        rest = [r for r in records if id(r) not in chosen]
        results = [Result("cores", cores())]
        results += throughput(to_docs(picked), to_docs(rest), work=work_root / "throughput", jobs=args.jobs,
                              batch_size=args.batch_size, progress=progress, repeat=args.repeat)
        own, child = peak_rss_mb()
        results.append(Result("peak RSS after annotation", f"{own:,.0f} / {child:,.0f}", "MB (driver / worker)",
                              note="driver: baseline and 1-process runs are in-process"))
        emit([*results, Result("status", "running the report")], section="throughput",
             title=f"Throughput ({len(picked):,} documents)")
        if not args.no_report:
            results += report_run(picked, work=work_root / "report", jobs=args.jobs)
        else:
            results.append(Result("report run", "skipped", note="--no-report"))
        own, child = peak_rss_mb()
        results.append(Result("peak RSS at the end", f"{own:,.0f} / {child:,.0f}", "MB (driver / child)",
                              note="child: the largest of the workers and the report process"))
        if any(r.note.startswith("MISSED") for r in results):
            print("bench: annotation throughput target missed", file=sys.stderr)
            status = 1
        emit(results, section="throughput", title=f"Throughput ({len(picked):,} documents)")
        print(to_markdown(results, title="Throughput", context=context))
    if args.wait:
        from analysis import bench_wait, render

        picked = spread(records, min(args.wait, len(records)))
        chosen = {id(r) for r in picked}
        rest = [r for r in records if id(r) not in chosen]
        title = f"The user's wait (seeds; {len(picked):,} documents)"

        def partial_wait(results: list[Result]) -> None:
            emit([*results, Result("status", "running")], section="wait", title=title)

        results = bench_wait.wait_results(picked, rest, work=work_root / "wait", jobs=args.jobs,
                                          browser=render.find_browser(), result_cls=Result, on_result=partial_wait)
        own, child = peak_rss_mb()
        results.append(Result("peak RSS", f"{own:,.0f} / {child:,.0f}", "MB (bench / largest child)",
                              "< 4,096", note="child: the largest report process, kernel or worker"))
        emit(results, section="wait", title=title)
        print(to_markdown(results, title=title, context=context))
        missed = [r.metric for r in results if r.note.startswith("MISSED") or r.value == "failed"]
        if missed:
            print(f"bench: target missed or run failed: {'; '.join(missed)}", file=sys.stderr)
            status = 1
    if args.scale:
        from analysis import bench_wait

        title = f"Whole run at scale ({args.scale:,} replicated documents)"

        def partial_scale(results: list[Result]) -> None:
            emit([*results, Result("status", "running")], section="scale", title=title)

        results = bench_wait.scale_runs(records, args.scale, work_root / "scale", jobs=args.jobs,
                                        log=args.scale_log, result_cls=Result, on_result=partial_scale)
        emit(results, section="scale", title=title)
        print(to_markdown(results, title=title, context=context))
    if args.large:
        def partial(results: list[Result]) -> None:
            emit([*results, Result("status", "running")], section="large",
                 title=f"Scale ({args.large:,} replicated documents)")

        results = large(to_docs(records), args.large, work=work_root / "large", jobs=args.jobs,
                        batch_size=args.batch_size, progress=progress, on_result=partial,
                        minutes=args.large_minutes)
        emit(results, section="large", title=f"Scale ({args.large:,} replicated documents)")
        print(to_markdown(results, title="Scale", context=context))
    return status


if __name__ == "__main__":
    sys.exit(main())
