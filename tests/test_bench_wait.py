"""The wait benchmark: its baselines run for real, its ratios and targets are computed from them."""

from __future__ import annotations

import json

import pytest

from analysis import bench, bench_wait


def test_replicated_records_are_distinct_and_keep_their_metadata():
    base = [{"id": "a", "text": "One release.", "category": "fact-sheets", "title": "T"},
            {"id": "b", "text": "Another release.", "category": "speeches", "title": "U"}]
    out = bench_wait.replicate_records(base, 5)
    assert [r["id"] for r in out] == ["a", "b", "a-copy1", "b-copy1", "a-copy2"]
    assert len({r["text"] for r in out}) == 5
    assert [r["category"] for r in out] == ["fact-sheets", "speeches"] * 2 + ["fact-sheets"]
    assert out[2]["text"].startswith("One release.")


@pytest.mark.parametrize("name, notebook", [("profile-global-times", "source_profile"),
                                            ("brief-2025-11-03", "brief"), ("coverage", "coverage")])
def test_notebook_of_a_report(name, notebook):
    assert bench_wait._notebook_of(name) == notebook


def _timed(seconds, **run):
    return bench_wait.Timed(seconds, 0, run)


def test_ratios_and_targets_come_from_the_runs(monkeypatch, tmp_path):
    monkeypatch.setattr(bench_wait, "seeds", lambda work, jobs, browser: {
        "cold": _timed(40, reports=["a", "b"]), "warm": _timed(3), "next day": _timed(20), "naive": _timed(50, reports=2)})
    monkeypatch.setattr(bench_wait, "corpus_runs", lambda records, extra, work, jobs, formats: {
        "cold": _timed(100, sources=3, annotation={"annotated": 10}), "unchanged": _timed(20),
        "+1%": _timed(30, timings_seconds={"tables": 4.0})})
    monkeypatch.setattr(bench_wait, "multilingual_rates", lambda: [("en", 100, 10.0), ("ja", 100, 30.0)])
    rows = {r.metric: r for r in bench_wait.wait_results([{}] * 10, [{}], work=tmp_path, jobs=2, browser=None,
                                                         result_cls=bench.Result)}
    assert rows["seeds warm / naive chain"].value == "0.06" and rows["seeds warm / naive chain"].note == "met"
    assert rows["unchanged re-run / cold"].value == "0.20" and rows["unchanged re-run / cold"].note == "MISSED"
    assert rows["+1% re-run / cold"].value == "0.30" and rows["+1% re-run / cold"].note == "MISSED"
    assert rows["multilingual stage: ja"].note.startswith("100 words; 3.0× English")


def test_a_failed_run_is_reported_not_timed(monkeypatch, tmp_path):
    monkeypatch.setattr(bench_wait, "seeds", lambda work, jobs, browser: {
        "cold": bench_wait.Timed(1, 1, {}, "Traceback ... boom"), "warm": _timed(1), "next day": _timed(1),
        "naive": _timed(1, reports=1)})
    rows = bench_wait.wait_results([{}], [], work=tmp_path, jobs=1, browser=None, result_cls=bench.Result)
    assert [(r.metric, r.value) for r in rows] == [("seed runs", "failed")] and "boom" in rows[0].note


@pytest.mark.slow
def test_naive_chain_runs_the_same_reports(report_run, tmp_path):
    from analysis import render

    got = bench_wait.naive_chain(report_run["dir"], tmp_path / "naive", browser=render.find_browser())
    plan = json.loads((report_run["dir"] / "reports.json").read_text(encoding="utf-8"))["reports"]
    assert got.status == 0 and got.run["reports"] == len(plan) and got.seconds > 0
    for r in plan:
        assert (tmp_path / "naive" / f"{r['name']}.html").stat().st_size > 10_000
        if render.find_browser():
            assert (tmp_path / "naive" / f"{r['name']}.pdf").read_bytes().startswith(b"%PDF")


@pytest.mark.slow
def test_scale_runs_record_time_memory_and_page_size(tmp_path):
    records = [{"id": f"r{i}", "category": ["fact-sheets", "remarks"][i % 2], "date": f"2025-04-0{1 + i % 9}",
                "title": f"Release {i}", "text": f"The United States raised tariffs on Chinese goods to {10 + i}%. "
                "Officials in Tokyo said Japan would seek talks."} for i in range(4)]
    log = tmp_path / "scale.log"
    rows = bench_wait.scale_runs(records, 8, tmp_path / "w", jobs=1, log=log, formats="html",
                                 result_cls=bench.Result)
    assert [r.metric for r in rows] == ["documents", "cold run", "unchanged re-run", "re-run with 1% new documents (+1)"]
    assert rows[0].value == "8"
    for r in rows[1:]:
        assert "exit" not in r.note and "peak RSS" in r.note and "largest page" in r.note, r.note
    assert "=== cold run" in log.read_text(encoding="utf-8")
