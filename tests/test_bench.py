"""The benchmark runs end to end on a tiny synthetic corpus (numbers are not asserted)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from analysis import bench

SENTENCES = [
    "The President announced new tariffs on steel imports from China on Monday.",
    "Beijing responded with export controls on rare earth elements.",
    "Officials in Tokyo and Seoul said they would seek talks with Washington.",
    "The Treasury Secretary met his counterpart in Geneva to discuss a truce.",
    "Farmers in Iowa warned that soybean sales had fallen sharply.",
]
CATEGORIES = ["statements-releases", "fact-sheets", "speeches-remarks"]


def write_corpus(path: Path, n: int) -> Path:
    with path.open("w", encoding="utf-8") as fh:
        for i in range(n):
            text = " ".join(SENTENCES[(i + j) % len(SENTENCES)] for j in range(1 + i % 4)) + f" Item {i}."
            fh.write(json.dumps({"id": f"doc{i:03d}", "category": CATEGORIES[i % 3], "language": "en",
                                 "title": f"Release {i}", "date": f"2025-04-0{1 + i % 9}",
                                 "text": text}) + "\n")
        fh.write("\n")
        fh.write(json.dumps({"id": "blank", "text": "  "}) + "\n")
    return path


THROUGHPUT_ROWS = [
    "cores", "documents in slice", "plain nlp.pipe", "annotate, 1 process, cold", "annotate / plain nlp.pipe",
    "annotate, 2 processes, cold", "speed-up 1 → 2 processes", "cached re-run (annotate + read back)",
    "re-run with 1% new documents", "peak RSS after annotation", "report run", "peak RSS at the end",
]
LARGE_ROWS = [
    "replicated documents", "cold annotation, 2 processes", "peak RSS after cold annotation", "cached re-run",
    "re-run with 1% new documents", "streaming read (annotate_iter, 1,000 docs a chunk)", "peak RSS at the end",
]


def table_rows(markdown: str, section: str) -> list[list[str]]:
    block = markdown.split(f"<!-- bench:{section} -->")[1].split(f"<!-- /bench:{section} -->")[0]
    lines = [ln for ln in block.splitlines() if ln.startswith("| ") and not ln.startswith("| metric")]
    return [[c.strip() for c in ln.strip("|").split(" | ")] for ln in lines]


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("bench")
    corpus = write_corpus(tmp / "tiny.jsonl", 30)
    out = tmp / "benchmarks.md"
    out.write_text("# Benchmarks\n\nProse the bench must keep.\n", encoding="utf-8")
    status = bench.main(["--corpus", str(corpus), "--docs", "20", "--large", "25", "--jobs", "2",
                         "--no-report", "--quiet", "--out", str(out), "--work", str(tmp / "work")])
    return status, out.read_text(encoding="utf-8"), tmp


def test_bench_writes_the_expected_rows(run):
    status, text, _ = run
    missed = "| MISSED |" in text
    assert status == (1 if missed else 0)  # the bench exits 1 when a target is missed, and only then
    assert "Prose the bench must keep." in text
    rows = table_rows(text, "throughput")
    assert [r[0] for r in rows] == THROUGHPUT_ROWS
    values = {r[0]: r for r in rows}
    assert values["documents in slice"][1] == "20"
    assert values["report run"][1] == "skipped"
    assert values["annotate / plain nlp.pipe"][3] == "≥ 0.9"
    assert values["annotate / plain nlp.pipe"][4] in ("met", "MISSED")
    assert "20 cached, 0 annotated" in values["cached re-run (annotate + read back)"][4]
    assert "1 annotated" in values["re-run with 1% new documents"][4]
    assert [r[0] for r in table_rows(text, "large")] == LARGE_ROWS
    assert {r[0]: r for r in table_rows(text, "large")}["replicated documents"][1] == "25"


def test_a_second_run_replaces_its_section(run):
    _, _, tmp = run
    out = tmp / "benchmarks.md"
    bench.main(["--corpus", str(tmp / "tiny.jsonl"), "--docs", "5", "--jobs", "1", "--no-report", "--quiet",
                "--out", str(out)])
    text = out.read_text(encoding="utf-8")
    assert text.count("<!-- bench:throughput -->") == 1 and text.count("<!-- bench:large -->") == 1
    assert {r[0]: r for r in table_rows(text, "throughput")}["documents in slice"][1] == "5"


def test_csv_output(tmp_path):
    corpus = write_corpus(tmp_path / "tiny.jsonl", 8)
    out = tmp_path / "bench.csv"
    status = bench.main(["--corpus", str(corpus), "--docs", "6", "--jobs", "1", "--no-report", "--quiet",
                         "--out", str(out)])
    with out.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    # Six tiny texts may miss the throughput target; the bench exits 1 exactly when a row says so.
    assert status == (1 if any(r["note"] == "MISSED" for r in rows) else 0)
    assert [r["metric"] for r in rows] == [m.replace("2 processes", "1 processes").replace("1 → 2", "1 → 1")
                                           for m in THROUGHPUT_ROWS]
    assert {r["section"] for r in rows} == {"throughput"}


@pytest.mark.parametrize("argv", [["--docs", "-1"], ["--jobs", "0"], ["--repeat", "0"]])
def test_bad_options_exit_non_zero(tmp_path, argv):
    corpus = write_corpus(tmp_path / "tiny.jsonl", 3)
    assert bench.main(["--corpus", str(corpus), "--quiet", *argv]) == 2


def test_missing_corpus_exits_non_zero(tmp_path, capsys):
    assert bench.main(["--corpus", str(tmp_path / "absent.jsonl"), "--quiet"]) == 2
    assert "corpus not found" in capsys.readouterr().err


def test_report_run_says_when_the_loader_cannot_read_jsonl(tmp_path, monkeypatch):
    import analysis.corpus

    def refuse(*args, **kwargs):
        raise ValueError("unsupported corpus format")

    monkeypatch.setattr(analysis.corpus, "load_corpus", refuse)
    rows = bench.report_run([{"id": "a", "text": "Tariffs rose."}], work=tmp_path, jobs=1)
    assert rows[0].value == "not available" and "unsupported corpus format" in rows[0].note


@pytest.mark.parametrize(("n", "size", "expected"), [
    (10, 3, [0, 3, 6]), (4, 4, [0, 1, 2, 3]), (3, 10, [0, 1, 2]), (5, 2, [0, 2]),
])
def test_spread_is_even(n, size, expected):
    assert bench.spread(list(range(n)), size) == expected


def test_replicated_documents_are_distinct():
    from analysis.annotate import DocInput

    base = [DocInput("a", "One."), DocInput("b", "Two.")]
    made = list(bench.replicate(base, 5))
    assert [d.doc_id for d in made] == ["a", "b", "a-copy1", "b-copy1", "a-copy2"]
    assert len({d.text for d in made}) == 5
    assert made[2].text.startswith("One.")


def test_read_jsonl_skips_blank_texts_and_refuses_non_objects(tmp_path):
    good = write_corpus(tmp_path / "c.jsonl", 4)
    assert [r["id"] for r in bench.read_jsonl(good)] == ["doc000", "doc001", "doc002", "doc003"]
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "a", "text": "x"}\n[1, 2]\n', encoding="utf-8")
    with pytest.raises(ValueError, match="not a JSON object"):
        bench.read_jsonl(bad)


def test_report_run_calls_the_report_command_on_the_slice(tmp_path, monkeypatch):
    import subprocess

    seen = {}

    def fake_run(cmd, **kwargs):
        seen["cmd"] = cmd
        return subprocess.CompletedProcess(cmd, 0, "", "")

    monkeypatch.setattr(bench.subprocess, "run", fake_run)
    records = bench.read_jsonl(write_corpus(tmp_path / "c.jsonl", 6))
    rows = bench.report_run(records, work=tmp_path / "not-yet" / "report", jobs=1)
    cmd = seen["cmd"]
    assert cmd[1:4] == ["-m", "analysis", "report"]
    assert cmd[cmd.index("--group-by") + 1] == "category" and cmd[cmd.index("--formats") + 1] == "html"
    assert Path(cmd[cmd.index("--corpus") + 1]).read_text(encoding="utf-8").count("\n") == 6
    assert rows[0].metric == "report run (html, annotation cached)"
    assert "6 documents, 3 groups by category" in rows[0].note


def test_report_run_reports_a_failure(tmp_path, monkeypatch):
    import subprocess

    monkeypatch.setattr(bench.subprocess, "run",
                        lambda cmd, **kw: subprocess.CompletedProcess(cmd, 3, "", "boom: it broke\n"))
    rows = bench.report_run(bench.read_jsonl(write_corpus(tmp_path / "c.jsonl", 2)), work=tmp_path, jobs=1)
    assert rows[0].value == "failed" and "exit 3: boom: it broke" in rows[0].note
